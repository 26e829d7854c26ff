#!/usr/bin/env bash
# bench/density/report.sh OUT: results.json, summary.txt and density.png
# from OUT/samples.jsonl (written by bench/density/run.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: report.sh OUT}
source "$root/bench/lib.sh"

jq -s "$KVMC_BENCH_JQ_STATS"'
. as $all | [ $all[] | .runtime ] | unique as $rts |
def med(f): map(f) | stats.median;
{
  date: (now | strftime("%Y-%m-%d")),
  density: ($rts | map(. as $rt | { key: $rt, value: (
    [ $all[] | select(.runtime == $rt) ] as $s |
    ($s | map(select(.kind == "seq-total")) | first) as $seq |
    ($s | map(select(.kind == "par-total")) | first) as $par |
    ($s | map(select(.kind == "seq" and .status == 0))) as $one |
    ($s | map(select(.kind == "idle"))) as $idle | {
      containers: ($seq.containers // 0),
      seq_latency_ms: ($one | map(.exit_us) | msstats),
      first_ms: ($one | map(select(.index == 1)) | first | .exit_us / 1000 | round? // null),
      nth_ms: ($one | max_by(.index) | .exit_us / 1000 | round? // null),
      seq_per_s: (if $seq.total_us > 0 then $seq.containers / ($seq.total_us / 1e6) | . * 100 | round / 100 else null end),
      par_containers: ($par.containers // 0),
      par_per_s: (if $par.total_us > 0 then $par.containers / ($par.total_us / 1e6) | . * 100 | round / 100 else null end),
      memavailable_drop_per_container_kib: (if $seq.containers > 0 then ($seq.avail_before_kib - $seq.avail_after_kib) / $seq.containers | round else null end),
      vmm_own_rss_kib: ($idle | med(.vmm.own_rss_kib)),
      vmm_own_private_kib: ($idle | med(.vmm.own_private_kib)),
      guest_touched_kib: ($idle | med(.vmm.guest_rss_kib)),
      init_rss_kib: ($idle | med(.init.rss_kib)),
      init_private_kib: ($idle | med(.init.own_private_kib)),
      containerd_shim_rss_kib: ($idle | med(.containerd_shim.rss_kib)),
      containerd_shim_private_kib: ($idle | med(.containerd_shim.own_private_kib))
    }) }) | from_entries)
}' "$out/samples.jsonl" > "$out/results.json"

jq -r '.density | to_entries[] | "\(.key): \(.value | del(.seq_latency_ms))\n  sequential docker run -d latency ms: \(.value.seq_latency_ms)"' \
	"$out/results.json" | tee "$out/summary.txt"

jq -r 'select(.kind == "seq" and .status == 0) | [.runtime, .index, .exit_us / 1000] | @tsv' \
	"$out/samples.jsonl" > "$out/density.dat"
plots=
for rt in $(cut -f1 "$out/density.dat" | sort -u); do
	plots+="${plots:+, }\"< grep -P '^$rt\\t' $out/density.dat\" using 2:3 with linespoints title \"$rt\""
done
[[ -n $plots ]] && gnuplot << EOF
set terminal pngcairo size 800,500 noenhanced
set output "$out/density.png"
set title "bench/density: docker run -d latency of the i-th idle container (ms, emulated test host)"
set xlabel "containers already running + 1"
set ylabel "ms"
set yrange [0:*]
set datafile separator "\t"
plot $plots
EOF
echo "bench/density: $out/results.json, $out/summary.txt, $out/density.png" >&2
