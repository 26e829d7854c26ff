#!/usr/bin/env bash
# bench/docker/report.sh OUT: results.json, summary.txt and docker.png from
# OUT/samples.jsonl (written by bench/docker/run.sh; rerunnable on its own).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: report.sh OUT}
source "$root/bench/lib.sh"

jq -s "$KVMC_BENCH_JQ_STATS"'
. as $all |
[ $all[] | select(.kind == "time") | .runtime ] | unique as $rts |
def lat($rt; $wl): [ $all[] | select(.runtime == $rt and .workload == $wl and .kind == "time" and .status == 0) ];
def idle($rt): [ $all[] | select(.runtime == $rt and .kind == "idle") ];
def med(f): map(f) | stats.median;
{
  date: (now | strftime("%Y-%m-%d")),
  failed: [ $all[] | select(.kind != "idle" and .status != 0) | {runtime, workload, run, status} ],
  latency_ms: ($rts | map(. as $rt | { key: $rt, value: {
    true: (lat($rt; "true") | map(.exit_us) | msstats),
    echo: (lat($rt; "echo") | map(.exit_us) | msstats),
    echo_first_byte: (lat($rt; "echo") | map(.first_byte_us) | msstats)
  } }) | from_entries),
  idle_kib: ($rts | map(. as $rt | { key: $rt, value: (idle($rt) | {
    containers: length,
    containerd_shim_rss: med(.containerd_shim.rss_kib),
    containerd_shim_private: med(.containerd_shim.own_private_kib),
    init_rss: med(.init.rss_kib),
    init_private: med(.init.own_private_kib),
    vmm_own_rss: med(.vmm.own_rss_kib),
    vmm_own_private: med(.vmm.own_private_kib),
    guest_touched: med(.vmm.guest_rss_kib),
    guest_memory: med(if .guest_memory_bytes then .guest_memory_bytes / 1024 else null end),
    runtime_rss_beyond_guest: med(if .vmm then .vmm.own_rss_kib + .init.rss_kib else .init.rss_kib end),
    runtime_private_beyond_guest: med(if .vmm then .vmm.own_private_kib + .init.own_private_kib else .init.own_private_kib end)
  }) }) | from_entries)
} | . as $r | .ratios = ([ ["kvmc", "runc"], ["kvmc", "crun"], ["crun", "runc"] ] |
  map(select($r.latency_ms[.[0]] and $r.latency_ms[.[1]])) | map({
    runtime: .[0], peer: .[1],
    true: ratio($r.latency_ms[.[0]].true.median; $r.latency_ms[.[1]].true.median),
    echo: ratio($r.latency_ms[.[0]].echo.median; $r.latency_ms[.[1]].echo.median)
  }))
' "$out/samples.jsonl" > "$out/results.json"

{
	printf '%-8s %30s %30s\n' runtime "run --rm true, ms" "run --rm sh -c 'echo x', ms"
	printf '%-8s %30s %30s\n' "" "median [min-max] n" "median [min-max] n"
	jq -r '.latency_ms | to_entries[] | [.key,
		"\(.value.true.median) [\(.value.true.min)-\(.value.true.max)] \(.value.true.n)",
		"\(.value.echo.median) [\(.value.echo.min)-\(.value.echo.max)] \(.value.echo.n)"] | @tsv' "$out/results.json" |
		awk -F'\t' '{ printf "%-8s %30s %30s\n", $1, $2, $3 }'
	echo
	jq -r '.ratios[] | "\(.runtime)/\(.peer): true \(.true), echo \(.echo)"' "$out/results.json"
	echo
	echo "idle containers, KiB (median per container):"
	jq -r '.idle_kib | to_entries[] | "  \(.key): \(.value)"' "$out/results.json"
	jq -r 'if (.failed | length) > 0 then "failed runs: \(.failed)" else empty end' "$out/results.json"
} | tee "$out/summary.txt"

jq -r '.latency_ms | to_entries[] | [.key,
	.value.true.median, .value.true.min, .value.true.max,
	.value.echo.median, .value.echo.min, .value.echo.max] | map(. // 0) | @tsv' \
	"$out/results.json" > "$out/docker.dat"
bench_histogram "$out/docker.dat" "$out/docker.png" \
	"bench/docker: docker run --rm latency, median, min-max bars (ms, emulated test host)" \
	"bb true" "bb sh -c 'echo x'"
echo "bench/docker: $out/results.json, $out/summary.txt, $out/docker.png" >&2
