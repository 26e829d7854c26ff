#!/usr/bin/env bash
# Builds kvmc's minimal guest kernel (guest/kernel/kvmc.config, docs/kernel.md)
# from Debian's linux-source-6.1 package and installs it as OUT/kvmc-vmlinux
# (with its .config as OUT/kvmc-vmlinux.config).
#
#   scripts/build-kernel.sh OUT
#
# The build lives outside the source tree, in a cache keyed by the sha256 of
# the fragment, the linux-source package version and the build scripts:
#   $KVMC_KERNEL_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/kvmc/kernel)
#     HASH/vmlinux, HASH/config, HASH/build.log, HASH/seconds,
#     HASH/cpu-seconds  one result
#     src/VERSION/   the extracted tarball   obj/VERSION/  make O= (shared,
#                    so a changed fragment rebuilds incrementally)
# A warm cache only copies.  KVMC_LINUX_SOURCE names another tarball.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 OUT" >&2
	exit 2
fi
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/guest/kernel/kvmc.config
check=$top/scripts/kconfig-check.sh
tarball=${KVMC_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
cache=${KVMC_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvmc/kernel}

if [[ ! -r $tarball ]]; then
	echo "build-kernel: $tarball: not found (apt-get install linux-source-6.1, or make deps)" >&2
	exit 1
fi
if [[ -n ${KVMC_LINUX_SOURCE:-} ]]; then
	srcver=sha256-$(sha256sum < "$tarball" | cut -c1-16)
else
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || {
		echo "build-kernel: linux-source-6.1 is not installed (dpkg-query)" >&2
		exit 1
	}
fi
hash=$({ echo "linux-source $srcver"; cat "$frag" "$0" "$check"; } |
	sha256sum | cut -c1-16)
entry=$cache/$hash

install_result() {
	mkdir -p "$out"
	# Only a changed kernel touches OUT, so make sees no new file otherwise.
	if ! cmp -s "$entry/vmlinux" "$out/kvmc-vmlinux"; then
		cp "$entry/vmlinux" "$out/kvmc-vmlinux.tmp"
		mv "$out/kvmc-vmlinux.tmp" "$out/kvmc-vmlinux"
	fi
	cmp -s "$entry/config" "$out/kvmc-vmlinux.config" ||
		cp "$entry/config" "$out/kvmc-vmlinux.config"
}

if [[ -f $entry/vmlinux ]]; then
	install_result
	echo "build-kernel: $out/kvmc-vmlinux from the cache ($entry, built in $(cat "$entry/seconds" 2>/dev/null || echo ?) s)"
	exit 0
fi

mkdir -p "$cache"
exec 9> "$cache/lock"
flock 9
# Another make may have built it while we waited.
if [[ -f $entry/vmlinux ]]; then
	install_result
	echo "build-kernel: $out/kvmc-vmlinux from the cache ($entry)"
	exit 0
fi

src=$cache/src/$srcver obj=$cache/obj/$srcver
if [[ ! -f $src/.complete ]]; then
	echo "build-kernel: extracting $tarball into $src"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	touch "$src/.complete"
fi
mkdir -p "$obj" "$entry.tmp"
log=$entry.tmp/build.log
jobs=$(nproc)
kmake=(make -C "$src" O="$obj" ARCH=x86_64 KBUILD_BUILD_USER=kvmc
       KBUILD_BUILD_HOST=kvmc KBUILD_BUILD_TIMESTAMP="linux-source $srcver")

echo "build-kernel: building linux-source $srcver with guest/kernel/kvmc.config (make -j$jobs, log $log)"
start=$(date +%s)
fail() {
	echo "build-kernel: $1 (last lines of $log:)" >&2
	tail -n 20 "$log" >&2
	exit 1
}
# allnoconfig with the fragment as its base: every option not named there
# is off.  merge_config.sh writes its temporary files in the current dir.
(cd "$src" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$obj" "$frag") \
	> "$log" 2>&1 || fail "merge_config.sh failed"
"$check" "$frag" "$obj/.config" || {
	echo "build-kernel: guest/kernel/kvmc.config: options above were dropped by Kconfig" >&2
	exit 1
}
"${kmake[@]}" -j"$jobs" vmlinux >> "$log" 2>&1 || fail "make vmlinux failed"
secs=$(( $(date +%s) - start ))
# CPU time too: on a shared machine the wall time says little.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15 + $16 + $17) / hz }' /proc/$$/stat)

# Stripped of its symbol table (kallsyms, built in, still names functions
# in an oops): the VMM reads the whole file at every boot; PVH needs only
# the program headers and the ELF note.
strip -o "$entry.tmp/vmlinux" "$obj/vmlinux"
cp "$obj/.config" "$entry.tmp/config"
echo "$secs" > "$entry.tmp/seconds"
echo "$cpu" > "$entry.tmp/cpu-seconds"
rm -rf "$entry"
mv "$entry.tmp" "$entry"
install_result
echo "build-kernel: built $out/kvmc-vmlinux in $secs s, $cpu s of CPU (make -j$jobs; cached in $entry)"
