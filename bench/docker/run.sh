#!/usr/bin/env bash
# bench/docker/run.sh: `docker run` latency with kvmc, runc and crun on the
# same dockerd (tests/kvmhost/docker-up), interleaved, same run; then the
# host memory of idle containers.
#
# Latency: `docker run --rm --runtime R bb true` and
# `docker run --rm --runtime R bb sh -c 'echo x'`, the docker CLI's start
# to its exit (and to the first byte of output), timed by
# bench/boot/boot-clock.  One warm-up run of each, then KVMC_BENCH_RUNS rounds
# with the runtimes' order rotated.
#
# Memory: KVMC_BENCH_IDLE idle containers (`sleep`) per runtime, started with
# -d and left KVMC_BENCH_SETTLE seconds; then, per container, from
# /proc/PID/smaps: kvmc-vmm's RSS less its guest RAM mapping, the guest
# RAM it has touched, kvmc-shim's RSS; for runc and crun the container's
# process; for all, containerd-shim-runc-v2's (Docker's shim, the same
# for every runtime).
#
#   bench/docker/run.sh    (as root where /dev/kvm works; `make bench`)
# Env: KVMC_BENCH_RUNS (10), KVMC_BENCH_IDLE (3), KVMC_BENCH_SETTLE (10 s),
# KVMC_BENCH_RUNTIMES ("kvmc runc crun"), KVMC_BENCH_TIMEOUT (s per docker
# command, 600), KVMC_BENCH_OUT (build/bench/docker).
# Writes $KVMC_BENCH_OUT/results.json, samples.jsonl, docker.png, summary.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${KVMC_BENCH_RUNS:-10}
idle=${KVMC_BENCH_IDLE:-3}
settle=${KVMC_BENCH_SETTLE:-10}
tmo=${KVMC_BENCH_TIMEOUT:-600}
out=${KVMC_BENCH_OUT:-$root/build/bench/docker}
read -r -a runtimes <<< "${KVMC_BENCH_RUNTIMES:-kvmc runc crun}"
source "$root/bench/lib.sh"

bench_begin docker
bench_docker_up "$work"

: > "$out/samples.jsonl"
# drun RUNTIME WORKLOAD RUN: one timed docker run, one JSON line.
drun() {
	local rt=$1 wl=$2 n=$3 j args=(true) want=
	[[ $wl == echo ]] && args=(sh -c 'echo x') want=x
	j=$("$clock" --timeout "$tmo" --log "$work/log" -- \
		docker run --rm --runtime "$rt" bb "${args[@]}" < /dev/null)
	j=$(jq -c --arg rt "$rt" --arg wl "$wl" --argjson n "$n" \
		'. + {runtime: $rt, workload: $wl, run: $n, kind: (if $n == 0 then "warmup" else "time" end)}' <<< "$j")
	if [[ $(jq .status <<< "$j") != 0 ]] || [[ -n $want && $(cat "$work/log") != "$want" ]]; then
		echo "bench/docker: $rt $wl #$n failed: $j" >&2
		sed 's/^/  | /' "$work/log" | tail -n 20 >&2
		j=$(jq -c '. + {status: (if .status == 0 then -2 else .status end)}' <<< "$j")
	fi
	echo "$j" >> "$out/samples.jsonl"
	echo "bench/docker: $rt $wl #$n: $(jq -r '"\(.exit_us / 1000 | floor) ms, status \(.status)"' <<< "$j")" >&2
}

echo "bench/docker: latency: ${runtimes[*]} x {true, echo} x $runs, interleaved (+1 warm-up each)" >&2
for rt in "${runtimes[@]}"; do
	drun "$rt" true 0
	drun "$rt" echo 0
done
for ((i = 1; i <= runs; i++)); do
	for ((k = 0; k < ${#runtimes[@]}; k++)); do
		rt=${runtimes[(i + k) % ${#runtimes[@]}]}
		drun "$rt" true "$i"
		drun "$rt" echo "$i"
	done
done

echo "bench/docker: memory: $idle idle containers per runtime, ${settle}s to settle" >&2
for rt in "${runtimes[@]}"; do
	ids=()
	for ((i = 0; i < idle; i++)); do
		ids+=("$(timeout "$tmo" docker run -d --runtime "$rt" bb sleep 100000)")
	done
	sleep "$settle"
	for id in "${ids[@]}"; do
		bench_container_mem "$id" | jq -c --arg rt "$rt" '. + {runtime: $rt, kind: "idle"}' >> "$out/samples.jsonl"
	done
	timeout "$tmo" docker rm -f "${ids[@]}" > /dev/null
done

"$root/bench/docker/report.sh" "$out"
