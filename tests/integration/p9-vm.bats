#!/usr/bin/env bats
# kvmc-vmm's virtio-9p: a busybox guest mounts a --share with
# trans=virtio,version=9p2000.L,msize=512000 in cache=none and cache=mmap
# and runs the POSIX battery there and on its own tmpfs; the transcripts
# must match.  Escape attempts from the guest fail and the host around the
# export is left untouched; a read-only share refuses every change.
#
# Knobs: KVMC_P9_N (readdir entries, 10000), KVMC_P9_TIMEOUT (seconds, 1500),
# KVMC_P9_VMM_ARGS (more kvmc-vmm options, e.g. --sandbox off).

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$ROOT/tests/integration/lib/p9-guest.sh"
source "$ROOT/tests/integration/lib/timeout-diag.sh"
TIMEOUT=${KVMC_P9_TIMEOUT:-1500}
# kvmc-vmm's default command line (vmm/options.c), which --cmdline replaces.
VMM_CMDLINE="console=ttyS0 reboot=k panic=-1 pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd 8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check quiet"

setup_file() {
	make -C "$ROOT" --no-print-directory build/kvmc-vmm \
		build/tests/p9-serve build/tests/posix-probe >&2
}

setup() {
	work=$(mktemp -d /run/p9-vm.XXXXXX)
	mkdir -p "$work"/{export,outside,ro}
	echo secret > "$work/outside/secret"
	ln -s "$work/outside" "$work/export/hostlink"
	echo readonly > "$work/ro/file"
	p9_guest_initrd "$work/initrd.img"
}

teardown() {
	rm -rf "$work"
}

# Everything around the export, to compare before and after the guest.
host_state() {
	find "$work/outside" "$work/ro" -printf '%p %y %m %s %T@\n' | sort
	ls -A "$work" | grep -v -x -e console.log -e before -e after
}

@test "p9 virtio: POSIX battery (cache=none, cache=mmap); escapes fail; ro share" {
	host_state > "$work/before"
	echo "# booting kvmc-vmm, timeout ${TIMEOUT}s" >&3
	run timeout_diag "$TIMEOUT" "$ROOT/build/kvmc-vmm" --memory 1G --cpus 2 \
		--kernel "$P9_KDIR/vmlinuz" --initrd "$work/initrd.img" \
		--cmdline "$VMM_CMDLINE p9mode=virtio p9cache=none,mmap p9n=${KVMC_P9_N:-10000} p9tag=share0 p9rotag=ro0" \
		--share "share0=$work/export" --share "ro0=$work/ro,ro" \
		${KVMC_P9_VMM_ARGS:-}
	printf '%s\n' "$output" > "$work/console.log"
	# The whole console stays for a look after a failure; the tail shown
	# leaves out the repeats of RCU stall reports.
	mkdir -p "$ROOT/build/results"
	cp "$work/console.log" "$ROOT/build/results/p9-vm.console.log"
	grep -v -e '^9p-' -e 'rcu:' "$work/console.log" | tail -n 80
	grep -q '^P9TEST none PASS' "$work/console.log"
	grep -q '^P9TEST mmap PASS' "$work/console.log"
	grep -q '^P9TEST ro PASS' "$work/console.log"
	grep -q '^P9TEST-END' "$work/console.log"

	# The host side of the escape attempts.
	host_state > "$work/after"
	diff -u "$work/before" "$work/after"
	[ "$(cat "$work/outside/secret")" = secret ]
	[ ! -e "$work/export/esc-null" ] && [ ! -e "$work/export/esc-sda" ]
	[ ! -e "$work/esc-planted" ] && [ ! -e /esc-planted ]
	[ "$(readlink "$work/export/esc-root")" = / ]
	[ "$(cat "$work/ro/file")" = readonly ]
	[ "$(ls "$work/ro")" = file ]
}
