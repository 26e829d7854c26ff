#!/usr/bin/env bash
# Builds the guest initramfs: the static agent as /init plus the kernel
# modules the agent needs, resolved through the kernel's modules.dep.
#
#   guest/mkinitrd.sh AGENT KERNEL_DIR OUT
#   guest/mkinitrd.sh --no-modules AGENT OUT
#
# KERNEL_DIR holds `modules` (a lib/modules/VERSION tree).  The archive
# gets /lib/modules/*.ko and /lib/modules/load.list, one module file a line
# in load order (every module after its dependencies); the agent loads
# them in that order.  Modules built into the kernel are left out, so a
# kernel with everything built in gets an empty list.  --no-modules is for
# a kernel without module support (guest/kernel/kvmc.config): no
# /lib/modules at all, and the agent loads nothing.
set -euo pipefail

usage() {
	echo "usage: $0 AGENT KERNEL_DIR OUT | $0 --no-modules AGENT OUT" >&2
	exit 2
}
[[ $# -eq 3 ]] || usage
if [[ $1 == --no-modules ]]; then
	agent=$2 kdir= out=$3
else
	agent=$1 kdir=$2 out=$3
fi
mdir=$kdir/modules

# What the agent needs: the virtio PCI transport, the hyperstart channels,
# 9p over virtio for the rootfs and volumes, the NIC, the entropy source, and
# the balloon for free page reporting (kvmc-vmm --balloon).
wanted=(virtio_pci virtio_console 9p 9pnet_virtio virtio_net virtio_rng virtio_balloon)
[[ -n $kdir ]] || wanted=()

for f in "$agent" ${kdir:+"$mdir/modules.dep"}; do
	[[ -f $f ]] || { echo "$0: $f: not found" >&2; exit 1; }
done

# Module names treat - and _ alike.
norm() { local n=${1##*/}; n=${n%.ko*}; echo "${n//-/_}"; }

declare -A path_of=() deps_of=() builtin=() state=()
if [[ -n $kdir ]]; then
	while IFS= read -r line; do
		mod=${line%%:*}
		path_of[$(norm "$mod")]=$mod
		deps_of[$(norm "$mod")]=${line#*:}
	done < "$mdir/modules.dep"
fi
if [[ -n $kdir && -f $mdir/modules.builtin ]]; then
	while IFS= read -r mod; do
		builtin[$(norm "$mod")]=1
	done < "$mdir/modules.builtin"
fi

order=()
# Depth-first: dependencies first; state guards against cycles.
visit() {
	local name=$1 dep
	[[ ${state[$name]:-} == done ]] && return 0
	if [[ ${state[$name]:-} == active ]]; then
		echo "$0: dependency cycle at $name" >&2
		exit 1
	fi
	state[$name]=active
	for dep in ${deps_of[$name]}; do
		visit "$(norm "$dep")"
	done
	state[$name]=done
	order+=("$name")
}

for name in "${wanted[@]}"; do
	name=${name//-/_}
	if [[ -n ${builtin[$name]:-} ]]; then
		continue
	fi
	if [[ -z ${path_of[$name]:-} ]]; then
		echo "$0: module $name: neither in modules.dep nor built in" >&2
		exit 1
	fi
	visit "$name"
done

stage=$(mktemp -d "${TMPDIR:-/tmp}/kvmc-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{dev,proc,sys,run,tmp}
# Stripped: a third smaller, less for the VMM to load and the kernel to
# unpack at every boot (the debug info stays in build/kvmc-agent).
install -s -m 0755 "$agent" "$stage/init"
if [[ -n $kdir ]]; then
	mkdir -p "$stage/lib/modules"
	: > "$stage/lib/modules/load.list"
fi
for name in "${order[@]}"; do
	src=${path_of[$name]}
	case $src in
	*.ko) ;;
	*) echo "$0: $src: compressed modules are not supported" >&2; exit 1 ;;
	esac
	install -m 0644 "$mdir/$src" "$stage/lib/modules/$name.ko"
	echo "/lib/modules/$name.ko" >> "$stage/lib/modules/load.list"
done

mkdir -p "$(dirname "$out")"
# Sorted names and a fixed mtime make the archive reproducible.
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	xargs -0 touch -h -d @0 &&
	find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null --quiet -o -H newc -R 0:0) > "$out.tmp"
mv "$out.tmp" "$out"
