# Helpers for the virtio-console integration tests: a busybox initramfs
# whose /init (console-init.sh) finds the named ports, moves data both
# ways and reloads the driver.  Source it from bats; needs bash.
#
#   console_guest_initrd OUT    build the initramfs; CT_EXTRA_BINS names
#                               static binaries to add to its /bin
#                               (bench/serial adds serial-bench)

CT_ROOT=${CT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
CT_KDIR=$CT_ROOT/build/kernel
CT_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
	virtio_pci virtio_console"

console_guest_initrd() {
	local out=$1 stage m path rc
	stage=$(mktemp -d /tmp/ct-initrd.XXXXXX) || return 1
	mkdir -p "$stage"/{bin,proc,sys,dev,tmp,lib/modules}
	install -m 0755 /bin/busybox "$stage/bin/busybox"
	for m in ${CT_EXTRA_BINS:-}; do
		install -m 0755 "$m" "$stage/bin/" || return 1
	done
	: > "$stage/lib/modules/order"
	for m in $CT_MODULES; do
		path=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" \
			"$CT_KDIR/modules/modules.dep" | cut -d: -f1)
		[[ -n $path ]] || { echo "module $m not found" >&2; return 1; }
		cp "$CT_KDIR/modules/$path" "$stage/lib/modules/$m.ko"
		echo "$m" >> "$stage/lib/modules/order"
	done
	install -m 0755 "$CT_ROOT/tests/integration/lib/console-init.sh" \
		"$stage/init"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
	rc=$?
	rm -rf "$stage"
	return $rc
}
