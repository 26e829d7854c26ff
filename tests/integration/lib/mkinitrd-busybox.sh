#!/usr/bin/env bash
# mkinitrd-busybox.sh OUT INIT_SCRIPT [SRC[=DEST]]...: a gzip'd cpio with
# busybox-static and INIT_SCRIPT as /init (run by busybox sh), for VMM boot
# tests.  Each extra SRC is copied to DEST in the image (default: the same
# path).  MODULES="name ..." in the environment adds those modules of
# build/kernel/modules with their dependencies (from modules.dep) and loads
# them, dependencies first, before INIT_SCRIPT runs.
set -euo pipefail
out=${1:?usage: mkinitrd-busybox.sh OUT INIT_SCRIPT [SRC[=DEST]]...}
init=${2:?usage: mkinitrd-busybox.sh OUT INIT_SCRIPT [SRC[=DEST]]...}
shift 2
root=$(cd "$(dirname "$0")/../../.." && pwd)
moddir=$root/build/kernel/modules
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev" "$d/lib/modules"
cp /bin/busybox "$d/bin/busybox"

for f in "$@"; do
	src=${f%%=*}
	dest=${f#*=}
	[ "$f" = "$src" ] && dest=$src
	mkdir -p "$d/$(dirname "$dest")"
	cp -a "$src" "$d/$dest"
done

# Dependencies first: modules.dep lists a module's deps, deepest last.
declare -A seen=()
order=()
add_mod() {
	local name=${1//-/_} line path dep
	line=$(awk -v n="$name" -F: '{ b = $1; sub(".*/", "", b); sub("\\.ko.*", "", b);
		gsub("-", "_", b); if (b == n) { print; exit } }' "$moddir/modules.dep")
	[ -n "$line" ] || { echo "mkinitrd-busybox: no module $1 in $moddir" >&2; exit 1; }
	path=${line%%:*}
	[ -z "${seen[$path]:-}" ] || return 0
	seen[$path]=1
	for dep in $(echo "${line#*:}" | tr ' ' '\n' | tac); do
		dep=${dep##*/}
		add_mod "${dep%%.ko*}"
	done
	order+=("$path")
}
for m in ${MODULES:-}; do
	add_mod "$m"
done

{
	echo '#!/bin/busybox sh'
	echo '/bin/busybox --install -s /bin'
	for p in "${order[@]}"; do
		cp "$moddir/$p" "$d/lib/modules/"
		echo "insmod /lib/modules/${p##*/}"
	done
	cat "$init"
} > "$d/init"
chmod +x "$d/init"
(cd "$d" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
