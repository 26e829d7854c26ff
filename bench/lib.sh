# bench/lib.sh: shared by the bench/*/run.sh scripts (sourced).

# bench_clock DIR: builds bench/boot/boot-clock into DIR, prints its path.
bench_clock() {
	local src=$root/bench/boot/boot-clock.c bin=$1/boot-clock
	"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -o "$bin" "$src" ||
		{ echo "bench: cannot build $bin" >&2; return 1; }
	echo "$bin"
}

# jq definitions for the reports: statistics over arrays of numbers.
BENCH_JQ_STATS='
def q($p): sort | if length == 0 then null
	else .[((length - 1) * $p) | floor] as $lo | .[((length - 1) * $p) | ceil] as $hi
	| ($lo + $hi) / 2 end;
def stats: map(select(. != null and . >= 0)) |
	{ n: length, median: q(0.5), min: (min // null), max: (max // null),
	  p25: q(0.25), p75: q(0.75) };
def ms: if . == null then null else . / 1000 | . * 10 | round / 10 end;
def msstats: stats | { n, median: (.median | ms), min: (.min | ms),
	max: (.max | ms), p25: (.p25 | ms), p75: (.p75 | ms) };
def ratio($a; $b): if $a == null or $b == null or $b == 0 then null
	else $a / $b | . * 1000 | round / 1000 end;
'
