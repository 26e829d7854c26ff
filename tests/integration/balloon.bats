#!/usr/bin/env bats
# Free page reporting (kvmc-vmm's virtio-balloon, on by default): a guest
# that fills 64 MiB of tmpfs and removes it gives most of it back to the
# host, as the resident size of the VMM's guest RAM mapping shows.  One
# boot of the Debian kernel with a busybox initramfs.  Runs where /dev/kvm
# works, else inside the KVM test host.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VMM=$ROOT/build/kvmc-vmm
TIMEOUT=${KVMC_IT_STEP_TIMEOUT:-300}
MEM_MIB=256
FILL_MIB=64

setup() {
	W=$(mktemp -d /run/kvmc-balloon-it.XXXXXX)
	PID=
}

teardown() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; } || true
	rm -rf "$W"
}

# The guest's RAM resident on the host, KiB.
guest_rss() {
	awk -v guest_kib=$((MEM_MIB * 1024)) -f "$ROOT/bench/density/smaps.awk" \
		"/proc/$PID/smaps" | sed -n 's/.*"guest_rss_kib": *\([0-9]*\).*/\1/p'
}

# Waits up to TIMEOUT seconds for a line of the console.
wait_console() {
	local i
	for ((i = 0; i < TIMEOUT; i++)); do
		grep -q "$1" "$W/console" 2>/dev/null && return 0
		kill -0 "$PID" 2>/dev/null || { cat "$W/console"; return 1; }
		sleep 1
	done
	echo "no '$1' on the console after ${TIMEOUT}s"
	cat "$W/console"
	return 1
}

GUEST='mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /mnt
mount -t tmpfs -o size=128m tmpfs /mnt
ls /sys/bus/virtio/drivers/virtio_balloon/ | grep -q virtio && echo "BALLOON bound"
# Boot-time frees get reported first; then the fill, then the free.
sleep 5
echo "READY $(grep MemFree /proc/meminfo)"
dd if=/dev/zero of=/mnt/fill bs=1M count=__FILL__
echo "FILLED $(du -k /mnt/fill) $(grep MemFree /proc/meminfo)"
sleep 10
rm /mnt/fill
echo "FREED $(grep MemFree /proc/meminfo)"
while :; do sleep 60; done'

@test "balloon: pages the guest frees leave the host (free page reporting)" {
	printf '%s\n' "${GUEST//__FILL__/$FILL_MIB}" > "$W/init.sh"
	MODULES="virtio_pci virtio_balloon" \
		"$ROOT/tests/integration/lib/mkinitrd-busybox.sh" "$W/initrd" "$W/init.sh"
	"$VMM" --kernel "$ROOT/build/guest/vmlinuz" --initrd "$W/initrd" \
		--memory ${MEM_MIB}M --console "file:$W/console" &
	PID=$!
	echo "# balloon: ${TIMEOUT}s per step" >&3
	wait_console "BALLOON bound"
	wait_console READY
	ready=$(guest_rss)
	wait_console FILLED
	filled=$(guest_rss)
	wait_console FREED
	start=$SECONDS
	want=$((filled - FILL_MIB * 1024 / 2))
	now=$filled
	for ((i = 0; i < TIMEOUT && now > want; i++)); do
		sleep 1
		now=$(guest_rss)
	done
	echo "# guest RAM resident on the host (KiB): ready $ready, filled" \
		"$filled, $((SECONDS - start))s after the free $now (want <= $want)" >&3
	cat "$W/console"
	# The fill happened (the guest's pages may be ones already resident:
	# boot's frees may not be reported yet at READY), then left the host.
	grep -q "FILLED $((FILL_MIB * 1024))" "$W/console"
	(( now <= want ))
}
