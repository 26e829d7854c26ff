#!/usr/bin/env bash
# bench/density/report.sh OUT: density.json, summary.txt, density.png and
# (through bench/lib/plot.sh) results.{tsv,json,png} from OUT/samples.jsonl,
# written by bench/density/run.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: report.sh OUT}
source "$root/bench/lib.sh"

jq -s "$KVMC_BENCH_JQ_STATS"'
. as $all | ($all | map(select(.kind == "params")) | first // {}) as $p |
[ $all[] | select(.config) | .config ] | unique as $cfgs |
def med(f): map(f) | stats.median;
def others(f): [ (.others // [])[] | f ] | add // 0;
# Per container: what is on the host beyond the guest pages it touched.
def over(f): (.vmm | f) + (.shim | f) + others(f);
{
  date: (now | strftime("%Y-%m-%d")),
  params: $p,
  density: ($cfgs | map(. as $c | { key: $c, value: (
    [ $all[] | select(.config == $c) ] as $s |
    ($s | map(select(.kind == "seq-total")) | first) as $seq |
    ($s | map(select(.kind == "par-total")) | first) as $par |
    ($s | map(select(.kind == "seq"))) as $all_seq |
    ($all_seq | map(select(.status == 0))) as $one |
    ($s | map(select(.kind == "idle"))) as $idle |
    ($one | map(select(.index == 1)) | first | .us) as $first |
    ($one | max_by(.index) | .us) as $nth | {
      started: ($one | length), tried: ($all_seq | length),
      latency_ms: ($one | map(.us) | msstats),
      first_ms: ($first | ms), nth_ms: ($nth | ms),
      nth_over_first: ratio($nth; $first),
      seq_per_s: (if ($seq.total_us // 0) > 0 then ($one | length) / ($seq.total_us / 1e6) | . * 1000 | round / 1000 else null end),
      par_started: ($par.containers // null),
      par_per_s: (if ($par.total_us // 0) > 0 then $par.containers / ($par.total_us / 1e6) | . * 1000 | round / 1000 else null end),
      memavailable_drop_per_vm_kib: (if ($seq.containers // 0) > 0 then ($seq.avail_before_kib - $seq.avail_after_kib) / $seq.containers | round else null end),
      measured: ($idle | length)
    } + (if ($idle | length) == 0 then {}
    elif $idle[0].process then {
      process_rss_kib: ($idle | med(.process.own_rss_kib)),
      process_pss_kib: ($idle | med(.process.own_pss_kib)),
      process_private_kib: ($idle | med(.process.own_private_kib)),
      total_pss_kib: ($idle | med(.process.own_pss_kib))
    } else {
      guest_touched_kib: ($idle | med(.vmm.guest_rss_kib)),
      guest_size_kib: ($idle | med(.vmm.guest_size_kib)),
      vmm_rss_kib: ($idle | med(.vmm.own_rss_kib)),
      vmm_pss_kib: ($idle | med(.vmm.own_pss_kib)),
      vmm_private_kib: ($idle | med(.vmm.own_private_kib)),
      vmm_anon_kib: ($idle | med(.vmm.own_anon_kib)),
      vmm_anon_huge_kib: ($idle | med(.vmm.own_anon_huge_kib)),
      vmm_pss_min_kib: ($idle | map(.vmm.own_pss_kib) | min),
      vmm_pss_max_kib: ($idle | map(.vmm.own_pss_kib) | max)
    } + (if $idle[0].shim then {
      shim_rss_kib: ($idle | med(.shim.own_rss_kib)),
      shim_pss_kib: ($idle | med(.shim.own_pss_kib)),
      shim_private_kib: ($idle | med(.shim.own_private_kib)),
      others_pss_kib: ($idle | med(others(.own_pss_kib))),
      overhead_rss_kib: ($idle | med(over(.own_rss_kib))),
      overhead_pss_kib: ($idle | med(over(.own_pss_kib))),
      overhead_private_kib: ($idle | med(over(.own_private_kib))),
      total_pss_kib: ($idle | med(over(.own_pss_kib) + .vmm.guest_rss_kib))
    } + ($idle | map(select(.guest_meminfo.MemFree_kib)) | if length == 0 then {} else {
      guest_meminfo_n: length,
      guest_memtotal_kib: med(.guest_meminfo.MemTotal_kib),
      guest_memfree_kib: med(.guest_meminfo.MemFree_kib),
      guest_used_kib: med(.guest_meminfo.MemTotal_kib - .guest_meminfo.MemFree_kib),
      # Resident on the host but free in the guest, at least: the pages
      # touched less all that is not free (used, and everything the guest
      # kernel reserved outside MemTotal, as if all of it was touched).
      # What free-page reporting could give back, if in 2 MiB blocks.
      guest_touched_free_min_kib: med(.vmm.guest_rss_kib - (.vmm.guest_size_kib - .guest_meminfo.MemFree_kib) | if . < 0 then 0 else . end)
    } end) else {
      overhead_rss_kib: ($idle | med(.vmm.own_rss_kib)),
      overhead_pss_kib: ($idle | med(.vmm.own_pss_kib)),
      overhead_private_kib: ($idle | med(.vmm.own_private_kib))
    } end) end)
  ) }) | from_entries)
}' "$out/samples.jsonl" > "$out/density.json"

jq -r '
"bench/density \(.date): \(.params.n) containers, \(.params.bare_n) bare VMs each, guest \(.params.guest_mib) MiB, host \(.params.host_kernel) \(.params.memtotal_kib / 1024 | floor) MiB, THP \(.params.thp)",
(.density | to_entries[] | "\(.key): \(.value | del(.latency_ms) | tostring)\n  latency ms: \(.value.latency_ms | tostring)")' \
	"$out/density.json" | tee "$out/summary.txt"

# The table for bench/lib/plot.sh: kvmc first, its peers after.  The
# bare_* rows compare kvmc-vmm alone (in kvmc's column) with QEMU
# microvm on the same kernel and initramfs.
jq -r '
.density as $d |
(["kvmc"] + (if $d["kvmc-base"] then ["kvmc-base"] else [] end) + ["qemu-microvm", "runc"]) as $cols |
def v(x): if x == null then "-" else (x | tostring) end;
def row($name; $unit; $better; f; $bare):
  [$name, $unit, $better, "-"] + ($cols | map(. as $c |
    if $bare then (if $c == "kvmc" then v($d.vmm | f) elif $c == "qemu-microvm" then v($d.qemu | f) else "-" end)
    elif $c == "qemu-microvm" then "-" else v($d[$c] | f) end)) | join(" ");
(["metric", "unit", "better", "goal"] + $cols | join(" ")),
row("overhead_pss"; "KiB"; "lower"; .overhead_pss_kib; false),
row("overhead_rss"; "KiB"; "lower"; .overhead_rss_kib; false),
row("overhead_private"; "KiB"; "lower"; .overhead_private_kib; false),
row("vmm_pss"; "KiB"; "lower"; .vmm_pss_kib; false),
row("shim_pss"; "KiB"; "lower"; .shim_pss_kib; false),
row("guest_touched"; "KiB"; "lower"; .guest_touched_kib; false),
row("guest_used"; "KiB"; "lower"; .guest_used_kib; false),
row("guest_touched_free_min"; "KiB"; "lower"; .guest_touched_free_min_kib; false),
row("total_pss"; "KiB"; "lower"; .total_pss_kib; false),
row("seq_rate"; "VM/s"; "higher"; .seq_per_s; false),
row("par_rate"; "VM/s"; "higher"; .par_per_s; false),
row("nth_over_first"; "ratio"; "lower"; .nth_over_first; false),
row("bare_vmm_pss"; "KiB"; "lower"; .overhead_pss_kib; true),
row("bare_vmm_rss"; "KiB"; "lower"; .overhead_rss_kib; true),
row("bare_vmm_private"; "KiB"; "lower"; .overhead_private_kib; true),
row("bare_guest_touched"; "KiB"; "lower"; .guest_touched_kib; true)
' "$out/density.json" | "$root/bench/lib/plot.sh" density "$out" \
	"n=$(jq .params.n "$out/density.json")" "guest_mib=$(jq .params.guest_mib "$out/density.json")"

# density.png: each configuration's start latency by its index, and the
# per-VM memory beyond the guest's pages (PSS), VMM and shim stacked.
jq -r 'select(.kind == "seq" and .status == 0) | [.config, .index, .us / 1000] | @tsv' \
	"$out/samples.jsonl" > "$out/density.dat"
# QEMU's tens of MiB would flatten the others: it is named in the title.
jq -r '.density | to_entries[] | select(.value.vmm_pss_kib != null and .key != "qemu") |
	[.key, .value.vmm_private_kib, .value.vmm_pss_kib - .value.vmm_private_kib, .value.shim_pss_kib // 0] | @tsv' \
	"$out/density.json" > "$out/memory.dat"
qemu_pss=$(jq -r '.density.qemu.vmm_pss_kib // "not measured"' "$out/density.json")
plots=
for c in $(cut -f1 "$out/density.dat" | sort -u); do
	plots+="${plots:+, }\"< grep -P '^$c\\t' $out/density.dat\" using 2:3 with linespoints title \"$c\""
done
[[ -n $plots ]] && gnuplot << EOF
set terminal pngcairo size 1200,500 noenhanced
set output "$out/density.png"
set multiplot layout 1,2
set title "start to idle of the i-th VM (ms; emulated test host)"
set key below
set xlabel "VMs already running + 1"
set ylabel "ms"
set yrange [0:*]
set datafile separator "\t"
plot $plots
set title "beyond the guest's pages, PSS KiB (QEMU microvm: $qemu_pss)"
set key below
set xlabel ""
set ylabel "KiB"
set style data histograms
set style histogram rowstacked
set style fill solid 0.7 border -1
set boxwidth 0.6
plot "$out/memory.dat" using 2:xtic(1) title "VMM private", "" using 3 title "VMM shared (PSS share)", "" using 4 title "shim PSS"
unset multiplot
EOF
echo "bench/density: $out/density.json, $out/summary.txt, $out/density.png, $out/results.png" >&2
