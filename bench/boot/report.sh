#!/usr/bin/env bash
# bench/boot/report.sh OUT: results.json, summary.txt and boot.png from
# OUT/samples.jsonl (written by bench/boot/run.sh; rerunnable on its own).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: report.sh OUT}
source "$root/bench/lib.sh"

jq -s "$KVMC_BENCH_JQ_STATS"'
def cfg($c; $k): map(select(.config == $c and .kind == $k and .status == 0));
. as $all |
[ $all[] | select(.config | startswith("kvmc-run") | not) | .config ] | unique as $cfgs |
{
  date: (now | strftime("%Y-%m-%d")),
  failed: [ $all[] | select(.status != 0) | {config, run, kind, status} ],
  boot: ($cfgs | map(. as $c | { key: $c, value: (($all | cfg($c; "time") | {
    boot_to_init_ms: (map(.marks_us[0]) | msstats),
    boot_to_exit_ms: (map(.exit_us) | msstats),
    port_write_ms: (map(.debugcon_us) | msstats),
    own_init_started_ms: (map(.vmm_timing["init-started"]) | msstats),
    own_first_kvm_run_ms: (map(.vmm_timing["first-kvm-run"]) | msstats)
  }) + ($all | cfg($c; "rss") | {
    rss_runs: length,
    own_rss_kib: (map(.own_rss_kib) | stats.median),
    own_private_kib: (map(.own_private_kib) | stats.median),
    guest_rss_kib: (map(.guest_rss_kib) | stats.median),
    total_rss_kib: (map(.rss_kib) | stats.median)
  })) }) | from_entries)
} | . as $r | .ratios = ([
  ["kvmc-bz", "qemu-microvm-bz"], ["kvmc-bz", "qemu-pc-bz"],
  ["kvmc-pvh", "qemu-microvm-pvh"], ["kvmc-pvh", "qemu-pc-pvh"],
  ["kvmc-pvh", "qemu-microvm-bz"],
  ["kvmc-min", "qemu-microvm-min"], ["kvmc-min", "qemu-pc-min"],
  ["kvmc-min", "kvmc-pvh"] ]
  | map(select($r.boot[.[0]] and $r.boot[.[1]])) | map({
    kvmc: .[0], qemu: .[1],
    boot_to_init: ratio($r.boot[.[0]].boot_to_init_ms.median; $r.boot[.[1]].boot_to_init_ms.median),
    boot_to_exit: ratio($r.boot[.[0]].boot_to_exit_ms.median; $r.boot[.[1]].boot_to_exit_ms.median),
    own_rss: ratio($r.boot[.[0]].own_rss_kib; $r.boot[.[1]].own_rss_kib),
    # The ratio within each round (the two boots ran minutes apart at
    # most), then their median and range: steadier on a shared machine.
    paired_init: (.[0] as $k | .[1] as $q | [ $all | cfg($k; "time")[] | . as $a |
      ($all | cfg($q; "time") | map(select(.run == $a.run)) | first) as $b |
      select($b) | $a.marks_us[0] / $b.marks_us[0] ] | stats |
      { n, median: (.median | if . then . * 1000 | round / 1000 else . end),
        min: (.min | if . then . * 1000 | round / 1000 else . end),
        max: (.max | if . then . * 1000 | round / 1000 else . end) })
  }))
# Part 2: per guest, the time of each step since kvmc run started.
| .kvmc_run = ([ "kvmc-run", "kvmc-run-min" ] | map(. as $g | { key: $g,
  value: ($all | cfg($g; "time") | select(length > 0) | {
    n: length,
    vmm_exec_ms: (map(.timeline["vmm-exec"]) | msstats),
    kernel_entry_ms: (map(.timeline["first-kvm-run"]) | msstats),
    agent_started_ms: (map(.timeline["init-started"]) | msstats),
    agent_ready_ms: (map(.timeline["agent-ready"]) | msstats),
    newcontainer_sent_ms: (map(.timeline["newcontainer-sent"]) | msstats),
    process_exec_ms: (map(.timeline["first-exec"]) | msstats),
    newcontainer_acked_ms: (map(.timeline["newcontainer-acked"]) | msstats),
    first_output_ms: (map(.marks_us[0]) | msstats),
    exit_ms: (map(.exit_us) | msstats),
    kernel_entry_to_agent_ms: (map(if .timeline["init-started"] and .timeline["first-kvm-run"] then .timeline["init-started"] - .timeline["first-kvm-run"] else null end) | msstats),
    kernel_entry_to_output_ms: (map(if .timeline["first-kvm-run"] then .marks_us[0] - .timeline["first-kvm-run"] else null end) | msstats)
  }) }) | map(select(.value)) | from_entries)
' "$out/samples.jsonl" > "$out/results.json"

{
	printf '%-18s %22s %22s %12s %10s %10s\n' config "boot-to-init ms" "boot-to-exit ms" "port ms" "own-RSS" "guest-RSS"
	printf '%-18s %22s %22s %12s %10s %10s\n' "" "median [min-max]" "median [min-max]" "" "KiB" "KiB"
	jq -r '.boot | to_entries[] | [.key,
		"\(.value.boot_to_init_ms.median) [\(.value.boot_to_init_ms.min)-\(.value.boot_to_init_ms.max)] n=\(.value.boot_to_init_ms.n)",
		"\(.value.boot_to_exit_ms.median) [\(.value.boot_to_exit_ms.min)-\(.value.boot_to_exit_ms.max)]",
		(if .value.port_write_ms.median then "\(.value.port_write_ms.median)" else "own \(.value.own_init_started_ms.median)" end),
		"\(.value.own_rss_kib)", "\(.value.guest_rss_kib)"] | @tsv' "$out/results.json" |
		awk -F'\t' '{ printf "%-18s %22s %22s %12s %10s %10s\n", $1, $2, $3, $4, $5, $6 }'
	echo
	printf '%-10s %-18s %12s %12s %10s  %s\n' kvmc peer "init ratio" "exit ratio" "RSS ratio" "init ratio per round: median [min-max]"
	jq -r '.ratios[] | [.kvmc, .qemu, .boot_to_init, .boot_to_exit, .own_rss,
		"\(.paired_init.median) [\(.paired_init.min)-\(.paired_init.max)] n=\(.paired_init.n)"] | @tsv' "$out/results.json" |
		awk -F'\t' '{ printf "%-10s %-18s %12s %12s %10s  %s\n", $1, $2, $3, $4, $5, $6 }'
	echo
	echo "kvmc run (kvmc-agent; kvmc-run: Debian's kernel, kvmc-run-min: the minimal one), ms from kvmc run's start, median [min-max]:"
	jq -r '.kvmc_run | to_entries[] | "  \(.key):", (.value | to_entries[] |
		select(.value | type == "object") |
		"    \(.key): \(.value.median) [\(.value.min)-\(.value.max)] n=\(.value.n)")' "$out/results.json"
	jq -r 'if (.failed | length) > 0 then "failed runs: \(.failed)" else empty end' "$out/results.json"
} | tee "$out/summary.txt"

# The plot: median boot-to-init and boot-to-exit per configuration, with
# the min-max range as error bars.
jq -r '.boot | to_entries[] | [.key,
	.value.boot_to_init_ms.median, .value.boot_to_init_ms.min, .value.boot_to_init_ms.max,
	.value.boot_to_exit_ms.median, .value.boot_to_exit_ms.min, .value.boot_to_exit_ms.max]
	| map(. // 0) | @tsv' "$out/results.json" > "$out/boot.dat"
bench_histogram "$out/boot.dat" "$out/boot.png" \
	"bench/boot: median, min-max bars (ms, emulated test host: compare ratios only)" \
	boot-to-init boot-to-exit
echo "bench/boot: $out/results.json, $out/summary.txt, $out/boot.png" >&2
