#!/usr/bin/env bash
# bench/boot/runtime-ab.sh: `kvmc run` of this build against another
# build of kvmc and kvmc-shim (an earlier commit's, say), same VMM (or
# the peer's too: KVMC_AB_VMM=1), same
# guest (the minimal kernel and its initramfs when built, else Debian's),
# same run, interleaved: is a change to the runtime's start-up path a
# gain?  The peer is the other build, so the ratio holds on any machine.
#
#   KVMC_AB_PEER=DIR bench/boot/runtime-ab.sh   (DIR/kvmc, DIR/kvmc-shim)
#
# With KVMC_AB_VMM=1 the peer's kvmc-vmm (DIR/kvmc-vmm) runs its side too:
# the whole build against the whole build, for a change to the VMM.
#
# To get a peer build:  git worktree add /tmp/old COMMIT &&
#   make -C /tmp/old build/kvmc build/kvmc-shim; KVMC_AB_PEER=/tmp/old/build
# Inside the test host: tests/kvmhost/run -t 1800 -- env KVMC_AB_PEER=...
#
# Per run, from `kvmc run`'s start (bench/boot/boot-clock): the container's
# first output (BENCH-OUT), kvmc run's exit, and from kvmc-vmm's
# --boot-timing the agent's READY to NEWCONTAINER sent (STARTPOD, the
# shim's start and attach, `start`'s own start: the runtime's share) and
# the VMM's start to the agent's (init-started), with every --boot-timing
# mark kept in the samples (vmm_timing).
# Env: KVMC_BENCH_RUNS (8 timed runs each, after one warm-up each),
# KVMC_BENCH_TIMEOUT (s per run, 600), KVMC_BENCH_OUT (build/bench/runtime-ab).
# Writes $out/samples.jsonl and, through bench/lib/plot.sh, results.json,
# results.tsv and results.png.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
peer=${KVMC_AB_PEER:-}
[[ -n $peer && -x $peer/kvmc && -x $peer/kvmc-shim ]] || {
	echo "bench/runtime-ab: KVMC_AB_PEER=${peer:-(unset)}: want a directory with kvmc and kvmc-shim" >&2
	exit 2
}
peer_vmm=$root/build/kvmc-vmm
if [[ ${KVMC_AB_VMM:-0} == 1 ]]; then
	peer_vmm=$peer/kvmc-vmm
	[[ -x $peer_vmm ]] || {
		echo "bench/runtime-ab: KVMC_AB_VMM=1: no $peer_vmm" >&2
		exit 2
	}
fi
runs=${KVMC_BENCH_RUNS:-8}
tmo=${KVMC_BENCH_TIMEOUT:-600}
out=${KVMC_BENCH_OUT:-$root/build/bench/runtime-ab}
bench_begin runtime-ab
rm -f "$out/samples.jsonl"

kernel=$root/build/guest/kvmc-vmlinux initrd=$root/build/guest/kvmc-initrd.img
if [[ ! -f $kernel ]]; then
	kernel=$root/build/guest/vmlinux initrd=$root/build/guest/initrd.img
fi
"$root/scripts/mkbundle.sh" "$work/bundle" sh -c 'echo BENCH-OUT'
# One configuration per side: a VMM wrapper (this build's VMM on both
# sides unless KVMC_AB_VMM=1), the same kernel and initramfs; each side's
# own shim.
conf() {
	printf '#!/bin/sh\nexec "%s" --boot-timing "$@" 2>> "%s"\n' "$3" "$work/vmm-timing" > "$work/vmm-$1"
	chmod +x "$work/vmm-$1"
	sed "s|^#vmm = .*|vmm = $work/vmm-$1|; s|^#shim = .*|shim = $2|; s|^kernel = .*|kernel = $kernel|; s|^initrd = .*|initrd = $initrd|" \
		"$root/build/kvmc.conf" > "$work/$1.conf"
	grep -q "^shim = $2\$" "$work/$1.conf" && grep -q "^vmm = $work/vmm-$1\$" "$work/$1.conf" || {
		echo "bench/runtime-ab: cannot point $work/$1.conf at $2 and the VMM wrapper" >&2
		exit 1
	}
}
conf this "$root/build/kvmc-shim" "$root/build/kvmc-vmm"
conf peer "$peer/kvmc-shim" "$peer_vmm"
declare -A bin=([this]=$root/build/kvmc [peer]=$peer/kvmc)
echo "bench/runtime-ab: $runs runs each of ${bin[this]} and ${bin[peer]}, $(basename "$kernel"), interleaved" >&2

for ((i = 0; i <= runs; i++)); do
	for side in this peer; do
		# Alternate which side goes first.
		((i % 2)) && side=$([[ $side == this ]] && echo peer || echo this)
		rm -f "$work/vmm-timing"
		j=$(KVMC_CONFIG=$work/$side.conf "$clock" --mark BENCH-OUT --timeout "$tmo" \
			--log "$work/log" -- "${bin[$side]}" --root "$work/state" \
			run --bundle "$work/bundle" "ab$i-$side" < /dev/null)
		rt=$(awk '$1 == "boot-timing:" && $2 == "agent-ready" { r = $3 }
			$1 == "boot-timing:" && $2 == "newcontainer-sent" { n = $3 }
			END { if (r > 0 && n > r) print n - r; else print -1 }' "$work/vmm-timing")
		# Every mark of the VMM's --boot-timing (us since its start).
		own=$(awk '$1 == "boot-timing:" && $3 ~ /^[0-9]+$/ && $4 == "us" {
				printf "%s\"%s\":%d", n++ ? "," : "", $2, $3 }
			BEGIN { printf "{" } END { printf "}" }' "$work/vmm-timing")
		j=$(jq -c --arg s "$side" --argjson n "$i" --argjson rt "$rt" --argjson own "$own" \
			'. + {side: $s, run: $n, kind: (if $n == 0 then "warmup" else "time" end), ready_to_newcontainer_us: $rt, vmm_timing: $own}' <<< "$j")
		if [[ $(jq '.status' <<< "$j") != 0 || $(jq '.marks_us[0] // -1' <<< "$j") -lt 0 ]]; then
			echo "bench/runtime-ab: $side #$i failed: $j" >&2
			tail -n 20 "$work/log" >&2
			exit 1
		fi
		echo "$j" >> "$out/samples.jsonl"
		echo "bench/runtime-ab: $side #$i: $(jq -r '"output \(.marks_us[0] / 1000 | floor) ms, exit \(.exit_us / 1000 | floor) ms, READY to NEWCONTAINER \(.ready_to_newcontainer_us / 1000 | floor) ms"' <<< "$j")" >&2
	done
done

# Medians in ms, this build against the peer; lower is better.
med() {
	jq -s --arg s "$1" "$KVMC_BENCH_JQ_STATS"'
		map(select(.kind == "time" and .side == $s) | '"$2"') | stats | .median / 1000 | . * 10 | round / 10' \
		"$out/samples.jsonl"
}
{
	echo "metric unit better goal this peer"
	echo "output ms lower - $(med this '.marks_us[0]') $(med peer '.marks_us[0]')"
	echo "exit ms lower - $(med this '.exit_us') $(med peer '.exit_us')"
	echo "ready_to_newcontainer ms lower - $(med this '.ready_to_newcontainer_us') $(med peer '.ready_to_newcontainer_us')"
	echo "vmm_start_to_init ms lower - $(med this '.vmm_timing["init-started"]') $(med peer '.vmm_timing["init-started"]')"
} | "$root/bench/lib/plot.sh" runtime-ab "$out" runs="$runs" peer="$peer" peer_vmm="$peer_vmm" kernel="$(basename "$kernel")"
