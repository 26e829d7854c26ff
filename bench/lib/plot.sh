#!/usr/bin/env bash
# bench/lib/plot.sh: one benchmark's results as a table, JSON and a PNG.
#
#   bench/lib/plot.sh NAME OUTDIR [KEY=VALUE...] < TABLE
#
# TABLE is whitespace-separated, a header line then one line per metric:
#
#   metric  unit   better  goal  kvmc   qemu  [more systems...]
#   g2h     MiB/s  higher  2     123.4  56.7
#   rtt64   us     lower   2     80.1   190.2
#
# The first system is the one measured, every later one a peer.  "better"
# is higher or lower; a value or goal may be "-" (not measured / none).
# The speedup of the first system over a peer is first/peer when higher
# is better and peer/first when lower is, so above 1 means it wins; a
# metric meets its goal when its speedup over every peer is at least the
# goal.  Metric names and units must not contain spaces.
#
# Writes OUTDIR/results.tsv (TABLE), OUTDIR/results.json (the values,
# speedups, goals and met flags, with NAME, the date and KEY=VALUE as
# "params") and OUTDIR/results.png (speedups as bars, with the goals and
# the parity line), and prints the table with the speedups on stdout.
# Needs awk and gnuplot (gnuplot-nox).
set -euo pipefail
[[ $# -ge 2 ]] || {
	echo "usage: bench/lib/plot.sh NAME OUTDIR [KEY=VALUE...] < TABLE" >&2
	exit 2
}
name=$1 out=$2
shift 2
for kv in "$@"; do
	[[ $kv == ?*=* ]] || { echo "plot.sh: $kv: want KEY=VALUE" >&2; exit 2; }
done
mkdir -p "$out"
grep -v '^[[:space:]]*$' > "$out/results.tsv"

# The checks, the speedups (one column per peer, "-" when unknown) and
# the printed table, in one pass.
awk -v tsv="$out/speedup.dat" '
function bad(msg) { printf "plot.sh: table line %d: %s\n", NR, msg > "/dev/stderr"; err = 1; exit 1 }
function num(v) { return v ~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ }
NR == 1 {
	if ($1 != "metric" || $2 != "unit" || $3 != "better" || $4 != "goal" || NF < 6)
		bad("want the header: metric unit better goal SYSTEM PEER...")
	ns = NF - 4
	for (i = 5; i <= NF; i++) sys[i - 4] = $i
	line = sprintf("%-22s %-8s", "metric", "unit")
	for (i = 1; i <= ns; i++) line = line sprintf(" %12s", sys[i])
	for (i = 2; i <= ns; i++) line = line sprintf(" %10s", "vs-" sys[i])
	print line sprintf(" %6s %s", "goal", "met")
	next
}
{
	if (NF != ns + 4) bad("want " ns + 4 " fields, got " NF)
	if ($3 != "higher" && $3 != "lower") bad("better is " $3 ", want higher or lower")
	if ($4 != "-" && !num($4)) bad("goal " $4 " is not a number")
	line = sprintf("%-22s %-8s", $1, $2)
	for (i = 1; i <= ns; i++) {
		if ($(i + 4) != "-" && !num($(i + 4))) bad("value " $(i + 4) " is not a number")
		line = line sprintf(" %12s", $(i + 4))
	}
	met = ($4 == "-") ? "-" : "yes"
	dat = $1
	text = ""
	for (i = 1; i <= ns; i++) text = text "\t" sys[i] " " $(i + 4) " " $2
	for (i = 2; i <= ns; i++) {
		a = $5; b = $(i + 4); s = "-"
		if (a != "-" && b != "-" && a + 0 > 0 && b + 0 > 0)
			s = sprintf("%.3f", $3 == "higher" ? a / b : b / a)
		if (met == "yes" && (s == "-" || s + 0 < $4 + 0)) met = "no"
		line = line sprintf(" %10s", s == "-" ? "-" : sprintf("%.2f", s))
		dat = dat "\t" s
	}
	print line sprintf(" %6s %s", $4, met)
	print dat "\t" $4 text > tsv
}
END { if (NR < 2 && !err) { print "plot.sh: the table has no metric" > "/dev/stderr"; exit 1 } }
' "$out/results.tsv"

# JSON: awk writes it (no jq in the dependencies); strings are escaped.
awk -v name="$name" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	-v params="$(printf '%s\n' "$@")" -v dat="$out/speedup.dat" '
function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); return "\"" s "\"" }
function v(s) { return s == "-" ? "null" : s + 0 }
BEGIN {
	printf "{\n  \"benchmark\": %s,\n  \"date\": %s,\n  \"params\": {", q(name), q(date)
	n = split(params, kv, "\n"); sep = ""
	for (i = 1; i <= n; i++) {
		if (kv[i] == "") continue
		k = substr(kv[i], 1, index(kv[i], "=") - 1)
		printf "%s\n    %s: %s", sep, q(k), q(substr(kv[i], index(kv[i], "=") + 1))
		sep = ","
	}
	printf "%s},\n  \"results\": [", sep == "" ? "" : "\n  "
	rsep = ""
}
NR == 1 { ns = NF - 4; for (i = 5; i <= NF; i++) sys[i - 4] = $i; next }
{
	getline d < dat
	split(d, sp, "\t")
	printf "%s\n    {\"metric\": %s, \"unit\": %s, \"better\": %s, \"goal\": %s,\n     \"values\": {", rsep, q($1), q($2), q($3), v($4)
	for (i = 1; i <= ns; i++) printf "%s%s: %s", (i > 1 ? ", " : ""), q(sys[i]), v($(i + 4))
	printf "},\n     \"speedup\": {"
	met = ($4 == "-") ? "null" : "true"
	for (i = 2; i <= ns; i++) {
		printf "%s%s: %s", (i > 2 ? ", " : ""), q(sys[i]), v(sp[i])
		if (met == "true" && (sp[i] == "-" || sp[i] + 0 < $4 + 0)) met = "false"
	}
	printf "}, \"met\": %s}", met
	rsep = ","
}
END { printf "\n  ]\n}\n" }
' "$out/results.tsv" > "$out/results.json"

# The plot: one cluster per metric, one bar per peer; under each metric
# its values, one line per system.
read -r -a head < "$out/results.tsv"
sys=("${head[@]:4}")
peers=("${sys[@]:1}")
np=${#peers[@]}
peer_list=$(IFS=,; echo "${peers[*]}")
rows=$(($(wc -l < "$out/results.tsv") - 1))
goal=$((np + 2))
tic='strcol(1)'
for ((i = 0; i < ${#sys[@]}; i++)); do
	tic+=".\"\\n\".strcol($((goal + 1 + i)))"
done
plot="'$out/speedup.dat' using 2:xtic($tic) title 'over ${peers[0]}'"
for ((i = 1; i < np; i++)); do
	plot+=", '' using $((i + 2)) title 'over ${peers[i]}'"
done
# Labels above the bars: clustered bars sit at x + (j - (n-1)/2) / (n+1).
for ((i = 0; i < np; i++)); do
	plot+=", '' using (\$0 + ($i - ($np - 1) / 2.0) / ($np + 1)):$((i + 2)):(sprintf('%.2fx', \$$((i + 2)))) with labels offset 0,0.7 notitle"
done
plot+=", '' using 0:$goal:(0.35) with xerrorbars pt 0 lw 3 lc rgb 'black' title 'goal'"
plot+=", 1 with lines dt 2 lc rgb 'gray40' title 'parity'"
gnuplot <<EOF
set terminal pngcairo size 1000,600 font 'sans,10' noenhanced
set output '$out/results.png'
set title '$name: ${sys[0]} against ${peer_list//,/, } (speedup, higher is better)'
set datafile separator '\t'
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xrange [-0.5:$rows - 0.5]
set yrange [0:*]
set bmargin $((${#sys[@]} + 3))
set ylabel 'speedup of ${sys[0]} (x)'
set key top right
set grid ytics
plot $plot
EOF
rm -f "$out/speedup.dat"
echo "plot.sh: $out/results.json, $out/results.png"
