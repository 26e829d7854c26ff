#!/usr/bin/env bash
# bench/all.sh: the benchmarks in one go, for `make bench` (which runs it
# in the KVM test host): bench/boot, bench/docker on its dockerd (it takes
# minutes to start under emulation), then bench/density (kvmc itself, no
# dockerd).  A failing
# benchmark does not stop the others; the exit status says whether all
# succeeded.  KVMC_BENCH_ONLY picks some ("boot docker density" by
# default); each one's own env (KVMC_BENCH_RUNS, ...) applies.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
only=" ${KVMC_BENCH_ONLY:-boot docker density} "
rc=0
if [[ $only == *" boot "* ]]; then
	"$root/bench/boot/run.sh" || { echo "bench/all: bench/boot failed" >&2; rc=1; }
fi
if [[ $only == *" docker "* ]]; then
	work=$(mktemp -d /run/bench-all.XXXXXX)
	if bench_docker_up "$work"; then
		"$root/bench/docker/run.sh" || { echo "bench/all: bench/docker failed" >&2; rc=1; }
		bench_docker_down
	else
		rc=1
	fi
	rm -rf "$work"
fi
if [[ $only == *" density "* ]]; then
	"$root/bench/density/run.sh" || { echo "bench/all: bench/density failed" >&2; rc=1; }
fi
exit $rc
