#!/usr/bin/env bats
# The 9p server with the real Linux client and no VMM: p9-serve hands the
# kernel one end of a socketpair and the kernel mounts it with trans=fd.
# The POSIX battery runs on the mount and on a plain directory; the two
# transcripts must match.  Where the running kernel has no 9p (no
# 9pnet_fd module), that test is skipped and the same run happens inside
# a guest kernel (Debian's, build/kernel) under QEMU.
#
# Knobs: KVMC_P9_N (readdir entries, 10000), KVMC_P9_QEMU_ACCEL (kvm inside the
# KVM test host, where QEMU runs on its nested KVM; tcg elsewhere: QEMU's
# own boot hangs on some nested hosts that run kvmc-vmm fine),
# KVMC_P9_TIMEOUT (seconds, 1500).

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$ROOT/tests/integration/lib/p9-guest.sh"

setup_file() {
	make -C "$ROOT" --no-print-directory build/tests/p9-serve \
		build/tests/posix-probe >&2
}

setup() {
	work=$(mktemp -d /run/p9-fd.XXXXXX)
}

teardown() {
	umount "$work/mnt" 2>/dev/null || true
	rm -rf "$work"
}

# The running kernel's modules, or (in the KVM test host, which runs the
# kernel of build/kernel) those of build/kernel.
load_module() {
	modprobe "$1" 2>/dev/null ||
		modprobe -d "$ROOT/build/kernel/root" "$1" 2>/dev/null
}

@test "p9 trans=fd on this kernel: POSIX battery matches a host directory" {
	if ! load_module 9pnet_fd || ! load_module 9p; then
		skip "this kernel ($(uname -r)) has no 9pnet_fd/9p: see the guest test"
	fi
	mkdir -p "$work"/{export,plain,mnt}
	run "$ROOT/build/tests/p9-serve" "$work/export" -- mount -t 9p \
		-o trans=fd,rfdno=3,wfdno=3,version=9p2000.L,msize=262144,cache=none \
		none "$work/mnt"
	[ "$status" -eq 0 ]
	PATH=$PATH:$ROOT/build/tests sh "$ROOT/tests/integration/lib/posix-battery.sh" \
		"$work/mnt" "${KVMC_P9_N:-10000}" > "$work/out.9p"
	PATH=$PATH:$ROOT/build/tests sh "$ROOT/tests/integration/lib/posix-battery.sh" \
		"$work/plain" "${KVMC_P9_N:-10000}" > "$work/out.plain"
	sed -i '/^probe-mmap:/d' "$work/out.9p" "$work/out.plain"
	run diff -u "$work/out.plain" "$work/out.9p"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "p9 trans=fd in a guest kernel: battery with cache=none and cache=mmap" {
	[ -f "$P9_KDIR/vmlinuz" ] || skip "no guest kernel in build/kernel"
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	p9_guest_initrd "$work/initrd.img"
	if [ "${KVMC_IN_KVMHOST:-}" = 1 ]; then
		export P9_QEMU_ACCEL=${KVMC_P9_QEMU_ACCEL:-kvm}
	else
		export P9_QEMU_ACCEL=${KVMC_P9_QEMU_ACCEL:-tcg}
	fi
	export P9_QEMU_TIMEOUT=${KVMC_P9_TIMEOUT:-1500}
	echo "# booting under QEMU ($P9_QEMU_ACCEL), timeout ${P9_QEMU_TIMEOUT}s" >&3
	p9_guest_qemu "$work/initrd.img" "$work/console.log" \
		p9mode=fd p9cache=none,mmap p9n="${KVMC_P9_N:-10000}" || true
	grep -v '^9p-' "$work/console.log" | grep -v '^\[' || true
	grep -q '^P9TEST none PASS' "$work/console.log"
	grep -q '^P9TEST mmap PASS' "$work/console.log"
	grep -q '^P9TEST-END' "$work/console.log"
}
