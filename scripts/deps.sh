#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the benchmarks
# need.  Idempotent: when all are present it only asks dpkg and returns.
set -euo pipefail

pkgs=(
	build-essential pkg-config	# the build
	uuid-dev libjsmn-dev		# the only libraries kvmc links
	check bats			# unit and CLI tests
	cpio kmod busybox-static xz-utils zstd	# guest and test-host images
	qemu-system-x86			# the KVM test host; QEMU as a benchmark peer
	docker.io containerd crun	# end-to-end tests and runtime peers
	iproute2 socat			# network and socket tests
	clang libclang-rt-14-dev	# libFuzzer, LeakSanitizer
	gnuplot-nox			# benchmark plots
	iperf3				# bench/net: TCP throughput host <-> guest
	python3				# dns.bats: a DNS responder on 127.0.0.11 in a test netns
	# make kernel: the minimal guest kernel's source (the tarball lands in
	# /usr/src/linux-source-6.1.tar.xz) and what its build runs:
	# flex/bison for Kconfig, bc for the timer constants, libelf for objtool
	linux-source-6.1 flex bison bc libelf-dev
)

missing=()
for p in "${pkgs[@]}"; do
	[[ $p == \#* ]] && continue
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
(( ${#missing[@]} == 0 )) && exit 0

if (( EUID != 0 )); then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
