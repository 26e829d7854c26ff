# Helpers for the 9p integration tests: a busybox initramfs whose /init
# mounts a 9p share (trans=fd through p9-serve inside the guest, or
# trans=virtio from kvmc-vmm) and runs posix-battery.sh on it and on a
# local tmpfs, printing the diff.  Source it from bats; needs bash.
#
#   p9_guest_initrd OUT          build the initramfs (needs make tools)
#   p9_guest_qemu INITRD LOG ARGS  boot it under QEMU with kernel ARGS
#
# /init reads from the kernel command line:
#   p9mode=fd|virtio|bench  p9cache=none,mmap  p9n=NFILES  p9tag=TAG
# (bench: runs bench/9p's workloads, with P9_EXTRA_BINS holding p9-bench,
#  sized by p9mib= p9ops= p9files= p9tree=)
# and prints "P9TEST <cache> PASS|FAIL" per run, then "P9TEST-END".

P9_ROOT=${P9_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
P9_KDIR=$P9_ROOT/build/kernel
P9_MODULES="netfs fscache 9pnet 9p 9pnet_fd virtio_ring virtio
	virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet_virtio"

# Copies a dynamic binary and the libraries it loads into stage.
p9_copy_bin() {
	local stage=$1 bin=$2 lib
	install -D -m 0755 "$bin" "$stage/bin/${bin##*/}"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		[[ -e $stage$lib ]] || install -D -m 0755 "$lib" "$stage$lib"
	done
}

p9_guest_initrd() {
	local out=$1 stage m path
	stage=$(mktemp -d /tmp/p9-initrd.XXXXXX) || return 1
	mkdir -p "$stage"/{bin,proc,sys,dev,run,tmp,mnt,lib/modules}
	install -m 0755 /bin/busybox "$stage/bin/busybox"
	p9_copy_bin "$stage" "$P9_ROOT/build/tests/p9-serve" || return 1
	p9_copy_bin "$stage" "$P9_ROOT/build/tests/posix-probe" || return 1
	for m in ${P9_EXTRA_BINS:-}; do
		p9_copy_bin "$stage" "$m" || return 1
	done
	install -m 0755 "$P9_ROOT/tests/integration/lib/posix-battery.sh" \
		"$stage/bin/posix-battery.sh"
	: > "$stage/lib/modules/order"
	for m in $P9_MODULES; do
		path=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" \
			"$P9_KDIR/modules/modules.dep" | cut -d: -f1)
		[[ -n $path ]] || { echo "module $m not found" >&2; return 1; }
		cp "$P9_KDIR/modules/$path" "$stage/lib/modules/$m.ko"
		echo "$m" >> "$stage/lib/modules/order"
	done
	install -m 0755 "$P9_ROOT/tests/integration/lib/p9-init.sh" \
		"$stage/init"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
	local rc=$?
	rm -rf "$stage"
	return $rc
}

p9_guest_qemu() {
	local initrd=$1 log=$2
	shift 2
	timeout "${P9_QEMU_TIMEOUT:-900}" qemu-system-x86_64 \
		-accel "${P9_QEMU_ACCEL:-kvm}" -m 1024 -smp 2 \
		-display none -no-reboot -serial "file:$log" \
		-kernel "$P9_KDIR/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet $*" </dev/null
}
