#!/usr/bin/env bash
# bench/density/run.sh: N idle containers through Docker, kvmc against
# runc, same dockerd, same run.
#
# Per runtime: N `docker run -d bb sleep` one after another (the latency
# of each, so the Nth's; VMs per second), the host memory of all N at once
# (per container as bench/docker measures it, and the drop of the host's
# MemAvailable per container, which also counts what the kernel spends
# for them: KVM's page tables, the 9p and virtio state), all removed; then
# N started at once (VMs per second in parallel), all removed.
#
#   bench/density/run.sh    (as root where /dev/kvm works; `make bench`)
# Env: KVMC_BENCH_N (8), KVMC_BENCH_SETTLE (10 s), KVMC_BENCH_DENSITY_RUNTIMES
# ("kvmc runc"), KVMC_BENCH_TIMEOUT (s per docker command, 900), KVMC_BENCH_OUT
# (build/bench/density).  Writes $KVMC_BENCH_OUT/results.json, samples.jsonl,
# density.png and summary.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${KVMC_BENCH_N:-8}
settle=${KVMC_BENCH_SETTLE:-10}
tmo=${KVMC_BENCH_TIMEOUT:-900}
out=${KVMC_BENCH_OUT:-$root/build/bench/density}
read -r -a runtimes <<< "${KVMC_BENCH_DENSITY_RUNTIMES:-kvmc runc}"
source "$root/bench/lib.sh"

bench_begin density
bench_docker_up "$work"

avail_kib() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }
now_us() { "$clock" --now; }

: > "$out/samples.jsonl"
for rt in "${runtimes[@]}"; do
	echo "bench/density: $rt: $n containers one after another" >&2
	before=$(avail_kib)
	ids=()
	t0=$(now_us)
	for ((i = 1; i <= n; i++)); do
		j=$("$clock" --timeout "$tmo" --log "$work/log" -- \
			docker run -d --runtime "$rt" bb sleep 100000 < /dev/null)
		id=$(tr -d '\n' < "$work/log")
		[[ $(jq .status <<< "$j") == 0 && $id =~ ^[0-9a-f]{64}$ ]] || {
			echo "bench/density: $rt container $i failed: $(cat "$work/log")" >&2
			j=$(jq -c '.status = (if .status == 0 then -2 else .status end)' <<< "$j")
			id=
		}
		[[ -n $id ]] && ids+=("$id")
		jq -c --arg rt "$rt" --argjson i "$i" '. + {runtime: $rt, kind: "seq", index: $i}' <<< "$j" >> "$out/samples.jsonl"
		echo "bench/density: $rt #$i: $(jq -r '"\(.exit_us / 1000 | floor) ms"' <<< "$j")" >&2
	done
	t1=$(now_us)
	sleep "$settle"
	after=$(avail_kib)
	for id in "${ids[@]}"; do
		bench_container_mem "$id" | jq -c --arg rt "$rt" '. + {runtime: $rt, kind: "idle"}' >> "$out/samples.jsonl"
	done
	jq -cn --arg rt "$rt" --argjson n "${#ids[@]}" --argjson t "$((t1 - t0))" \
		--argjson b "$before" --argjson a "$after" \
		'{runtime: $rt, kind: "seq-total", containers: $n, total_us: $t, avail_before_kib: $b, avail_after_kib: $a}' >> "$out/samples.jsonl"
	[[ ${#ids[@]} -gt 0 ]] && timeout "$tmo" docker rm -f "${ids[@]}" > /dev/null

	echo "bench/density: $rt: $n containers at once" >&2
	t0=$(now_us)
	for ((i = 1; i <= n; i++)); do
		timeout "$tmo" docker run -d --runtime "$rt" bb sleep 100000 \
			> "$work/par.$i" 2>&1 < /dev/null &
	done
	wait
	t1=$(now_us)
	ok=0
	for ((i = 1; i <= n; i++)); do
		if [[ $(tail -n 1 "$work/par.$i") =~ ^[0-9a-f]{64}$ ]]; then
			ok=$((ok + 1))
		else
			echo "bench/density: $rt parallel container $i failed:" >&2
			sed 's/^/  | /' "$work/par.$i" >&2
		fi
	done
	jq -cn --arg rt "$rt" --argjson n "$ok" --argjson t "$((t1 - t0))" \
		'{runtime: $rt, kind: "par-total", containers: $n, total_us: $t}' >> "$out/samples.jsonl"
	echo "bench/density: $rt: $ok of $n in $(((t1 - t0) / 1000)) ms" >&2
	ids=()
	for ((i = 1; i <= n; i++)); do
		id=$(tail -n 1 "$work/par.$i")
		[[ $id =~ ^[0-9a-f]{64}$ ]] && ids+=("$id")
	done
	[[ ${#ids[@]} -gt 0 ]] && timeout "$tmo" docker rm -f "${ids[@]}" > /dev/null
done

"$root/bench/density/report.sh" "$out"
