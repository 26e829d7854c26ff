# bench/lib.sh: shared by the bench/*/run.sh scripts (sourced).

# bench_clock DIR: builds bench/boot/boot-clock into DIR, prints its path.
bench_clock() {
	local src=$root/bench/boot/boot-clock.c bin=$1/boot-clock
	"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -o "$bin" "$src" ||
		{ echo "bench: cannot build $bin" >&2; return 1; }
	echo "$bin"
}

# bench_begin NAME: builds everything, makes $work (a tmpfs directory,
# removed at exit with the docker fixture if bench_docker_up started it),
# $out and $clock (bench/boot/boot-clock).
bench_begin() {
	make -C "$root" --no-print-directory all >&2
	work=$(mktemp -d "/run/bench-$1.XXXXXX")
	trap 'bench_docker_down; rm -rf "$work"' EXIT
	mkdir -p "$out"
	clock=$(bench_clock "$work")
}

# jq definitions for the reports: statistics over arrays of numbers.
KVMC_BENCH_JQ_STATS='
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

# bench_docker_up DIR: a private dockerd (tests/kvmhost/docker-up) with
# kvmc (through a wrapper in DIR naming the build's runtime configuration,
# as containerd passes no environment) and crun added; runc is dockerd's
# default.  Sets DOCKER_HOST and KVMC_DOCKER_DIR, and KVMC_BENCH_DOCKER_OWNED
# unless they were set already (then that fixture is used and kept).
# bench_docker_down: stops the fixture if bench_docker_up started it.
bench_docker_up() {
	local wrap=$1/kvmc-rt env
	# A fixture already up (bench/all.sh starts one for every benchmark).
	if [[ -n ${KVMC_DOCKER_DIR:-} && -n ${DOCKER_HOST:-} ]]; then
		KVMC_BENCH_DOCKER_OWNED=
		return 0
	fi
	KVMC_BENCH_DOCKER_OWNED=1
	# KVMC_BOOT_TIMEOUT, when set, goes through too.
	printf '#!/bin/sh\nKVMC_CONFIG=%s %s exec %s "$@"\n' \
		"$root/build/kvmc.conf" \
		"${KVMC_BOOT_TIMEOUT:+KVMC_BOOT_TIMEOUT=$KVMC_BOOT_TIMEOUT}" \
		"$root/build/kvmc" > "$wrap"
	chmod +x "$wrap"
	env=$(KVMC_DOCKER_TIMEOUT=900 "$root/tests/kvmhost/docker-up" \
		--add-runtime "kvmc=$wrap" --add-runtime "crun=$(command -v crun)") ||
		{ echo "bench: docker-up failed" >&2; return 1; }
	eval "$env"
	export DOCKER_HOST KVMC_DOCKER_DIR
}

bench_docker_down() {
	[[ -n ${KVMC_BENCH_DOCKER_OWNED:-} && -n ${KVMC_DOCKER_DIR:-} ]] &&
		"$root/tests/kvmhost/docker-down" "$KVMC_DOCKER_DIR"
	return 0
}

# bench_pids_with WORD: the pids whose command line has WORD as one
# argument or inside one.
bench_pids_with() {
	local p args
	for p in /proc/[0-9]*; do
		mapfile -d '' args < "$p/cmdline" 2>/dev/null || continue
		[[ " ${args[*]} " == *"$1"* ]] && echo "${p#/proc/}"
	done
	return 0
}

# bench_size_bytes SIZE: kvmc-vmm's --memory SIZE (K/M/G) in bytes.
bench_size_bytes() {
	local s=${1%[iI][bB]} m=1
	s=${s%[bB]}
	case $s in
	*[kK]) m=$((1 << 10)) ;;
	*[mM]) m=$((1 << 20)) ;;
	*[gG]) m=$((1 << 30)) ;;
	esac
	echo $((${s%[kKmMgG]} * m))
}

# bench_container_mem ID: one JSON object with the smaps figures (KiB) of
# the host processes of docker container ID: "containerd_shim" (Docker's
# containerd-shim-runc-v2), "init" (the pid Docker reports: kvmc-shim
# with kvmc, the container's process with runc and crun) and, with kvmc,
# "vmm" (kvmc-vmm, its guest RAM mapping apart).
bench_container_mem() {
	local id=$1 pid p comm args i mem j
	pid=$(docker inspect -f '{{.State.Pid}}' "$id")
	j=$(jq -cn --arg id "${id:0:12}" '{id: $id}')
	j=$(jq -c --argjson m "$("$clock" --smaps "$pid")" '. + {init: $m}' <<< "$j")
	for p in $(bench_pids_with "$id"); do
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		case $comm in
		containerd-shim*)
			j=$(jq -c --argjson m "$("$clock" --smaps "$p")" '. + {containerd_shim: $m}' <<< "$j")
			;;
		kvmc-vmm)
			mapfile -d '' args < "/proc/$p/cmdline"
			mem=268435456
			for ((i = 0; i < ${#args[@]} - 1; i++)); do
				[[ ${args[i]} == --memory ]] && mem=$(bench_size_bytes "${args[i + 1]}")
			done
			j=$(jq -c --argjson m "$("$clock" --smaps "$p" --mem "$mem")" \
				--argjson b "$mem" '. + {vmm: $m, guest_memory_bytes: $b}' <<< "$j")
			;;
		esac
	done
	echo "$j"
}

# bench_histogram DAT PNG TITLE LABEL1 LABEL2: a PNG of two bars per row
# of DAT (tab-separated: name, then median, min, max of each series),
# the min-max range as error bars.
bench_histogram() {
	gnuplot << EOF
set terminal pngcairo size 900,500 noenhanced
set output "$2"
set title "$3"
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set ylabel "ms"
set yrange [0:*]
set xtics rotate by -20
set datafile separator "\t"
plot "$1" using 2:3:4:xtic(1) title "$4", "" using 5:6:7 title "$5"
EOF
}
