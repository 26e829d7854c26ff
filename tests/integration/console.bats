#!/usr/bin/env bats
# virtio-console in a VM: named ports found through sysfs, 64 MiB each way
# through --port NAME=unix:PATH with matching checksums, hvc0 output, and
# a driver unload/reload.  One boot runs the whole guest script
# (lib/console-init.sh); the tests read its CT- lines.
#
# KVMC_CT_SIZE sets the bytes each way (default 64 MiB).
# KVMC_CT_VMM=qemu runs the same guest on QEMU's virtio-serial instead
# (checks the test itself against a second implementation).  There the
# host -> guest tests fail by design: QEMU hands bytes to a port the guest
# has not opened yet, and Linux drops them; kvmc-vmm holds them.
# Needs: make bins (build/kvmc-vmm), build/kernel, busybox-static, socat.
# Run as root.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VMM=${KVMC_CT_VMM:-kvmc}
TIMEOUT=${KVMC_CT_TIMEOUT:-900}
SIZE=${KVMC_CT_SIZE:-$((64 << 20))}
# kvmc-vmm's default command line (vmm/options.c), which --cmdline replaces.
VMM_CMDLINE="console=ttyS0 reboot=k panic=-1 pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd 8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check quiet"

load lib/console-guest.sh

setup_file() {
	export CT
	CT=$(mktemp -d /tmp/kvmc-console-it.XXXXXX)
	echo "# console tests: VMM $VMM, timeout ${TIMEOUT}s for the whole guest" >&3
	if [[ $VMM == kvmc && ! -x $ROOT/build/kvmc-vmm ]]; then
		echo "missing build/kvmc-vmm: make bins" >&2
		return 1
	fi
	console_guest_initrd "$CT/initrd.img"
	head -c "$SIZE" /dev/urandom > "$CT/h2g"
	sha256sum < "$CT/h2g" | cut -d' ' -f1 > "$CT/h2g.sum"
	boot
	# Host -> guest on test.b; guest -> host on test.a, at the same time.
	# Every step may fail: the tests below say which part did.
	wait_for_socket "$CT/b.sock" || return 0
	wait_for_socket "$CT/a.sock" || return 0
	( timeout "$TIMEOUT" socat -u FILE:"$CT/h2g" UNIX-CONNECT:"$CT/b.sock" \
		2> "$CT/h2g.err"; echo $? > "$CT/h2g.status" ) &
	local sender=$!
	timeout "$TIMEOUT" socat -u UNIX-CONNECT:"$CT/a.sock",readbytes=$SIZE - \
		> "$CT/g2h" 2> "$CT/g2h.err" || true
	sha256sum < "$CT/g2h" | cut -d' ' -f1 > "$CT/g2h.sum"
	wait "$sender" || true
	# After the reload: 13 bytes the guest sends, then 5 it reads, in
	# the guest's order.  The guest powers off once it has the 5, and
	# bytes still in the VMM's ring then go with it (nothing promises
	# more), so the 13 are read first.
	wait_for_line CT-RELOAD-PORTS || return 0
	timeout 120 socat -u UNIX-CONNECT:"$CT/a.sock",readbytes=13 - \
		> "$CT/reload.g2h" 2> "$CT/reload.g2h.err" || true
	printf hello | timeout 60 socat -u - UNIX-CONNECT:"$CT/b.sock" \
		2> "$CT/reload.h2g.err" || true
	wait "$VM_PID"
	echo $? > "$CT/vmm.status"
}

teardown_file() {
	[[ -n ${VM_PID:-} ]] && kill "$VM_PID" 2>/dev/null
	# KVMC_CT_KEEP=1 keeps the logs and data for a look.
	if [[ -n ${CT:-} && -z ${KVMC_CT_KEEP:-} ]]; then
		rm -rf "$CT"
	elif [[ -n ${CT:-} ]]; then
		echo "# kept $CT" >&3
	fi
}

wait_for_socket() {
	local i
	for ((i = 0; i < 600; i++)); do
		[[ -S $1 ]] && return 0
		sleep 0.1
	done
	echo "no socket $1 after 60s" >&2
	return 1
}

wait_for_line() {
	local i
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		serial_lines | grep -aq "^$1" && return 0
		kill -0 "$VM_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

boot() {
	local cmdline="console=ttyS0 panic=-1 quiet ctsize=$SIZE"
	if [[ $VMM == qemu ]]; then
		timeout "$TIMEOUT" qemu-system-x86_64 -accel "${KVMC_CT_ACCEL:-kvm}" \
			-m 512 -smp 2 -display none -monitor none -no-reboot \
			-kernel "$CT_KDIR/vmlinuz" -initrd "$CT/initrd.img" \
			-append "$cmdline" -device virtio-serial-pci,id=vs0 \
			-chardev file,id=hvc,path="$CT/hvc.log" -device virtconsole,bus=vs0.0,chardev=hvc \
			-chardev socket,id=a,path="$CT/a.sock",server=on,wait=off \
			-device virtserialport,bus=vs0.0,chardev=a,name=test.a \
			-chardev socket,id=b,path="$CT/b.sock",server=on,wait=off \
			-device virtserialport,bus=vs0.0,chardev=b,name=test.b \
			-serial file:"$CT/console.log" \
			< /dev/null > "$CT/qemu.log" 2>&1 &
	else
		timeout "$TIMEOUT" "$ROOT/build/kvmc-vmm" --memory 512M --cpus 2 --console hvc \
			--kernel "$CT_KDIR/vmlinuz" --initrd "$CT/initrd.img" \
			--cmdline "$VMM_CMDLINE ctsize=$SIZE" \
			--port "test.a=unix:$CT/a.sock" --port "test.b=unix:$CT/b.sock" \
			< /dev/null > "$CT/console.log" 2>&1 &
	fi
	VM_PID=$!
}

# The console output: the serial log, plus QEMU's separate hvc0 log.
console() {
	cat "$CT/console.log" "$CT/hvc.log" 2>/dev/null | tr -d '\r'
}

# kvmc-vmm writes ttyS0 and hvc0 to one file, and the guest's UART may
# still be sending a line when the next hvc0 line arrives: the serial
# lines are read with the hvc0 lines and the empty lines taken out.
serial_lines() {
	console | sed -z -e 's/CT-HVC0 hello from hvc0\n\?//g' \
		-e 's/CT-HVC0 after reload\n\?//g' | grep -av '^$'
}

ct_line() {
	serial_lines | sed -n "s/^$1 //p" | head -n 1
}

show_console() {
	echo "--- console (CT lines and last lines) ---"
	console | grep -a '^CT-' || true
	console | tail -n 30
}

@test "console: two named ports appear with their names" {
	show_console
	[[ $(ct_line CT-PORTS) == "test.a test.b " ]]
}

@test "console: hvc0 output reaches the host" {
	show_console
	console | grep -aq 'CT-HVC0 hello from hvc0'
}

@test "console: 64 MiB guest -> host through test.a, checksums match" {
	show_console
	[ "$(stat -c %s "$CT/g2h")" -eq "$SIZE" ]
	[ -n "$(ct_line CT-G2H)" ]
	[ "$(ct_line CT-G2H)" = "$(cat "$CT/g2h.sum")" ]
}

@test "console: 64 MiB host -> guest through test.b, checksums match" {
	show_console
	echo "sender: status $(cat "$CT/h2g.status" 2>&1), $(cat "$CT/h2g.err" 2>&1)"
	echo "host sum $(cat "$CT/h2g.sum")"
	[ "$(cat "$CT/h2g.status")" -eq 0 ]
	[ "$(ct_line CT-H2G)" = "$(cat "$CT/h2g.sum")" ]
}

@test "console: unloading and reloading virtio_console keeps the ports working" {
	show_console
	echo "reload readers: $(cat "$CT/reload.g2h.err" "$CT/reload.h2g.err" 2>&1)"
	[[ $(ct_line CT-RELOAD-PORTS) == "test.a test.b " ]]
	[ "$(ct_line CT-RELOAD-H2G)" = hello ]
	[ "$(cat "$CT/reload.g2h")" = "after-reload" ]
	console | grep -aq 'CT-HVC0 after reload'
	serial_lines | grep -aq '^CT-END'
}
