#!/bin/busybox sh
# /init of the virtio-console test guest (see console-guest.sh).  Prints
# lines starting with CT- on the serial console for the host to check.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko 2>/dev/null
done

arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

# One line on hvc0 in one write: without -opost the tty sends the newline
# apart, and the host, which gets ttyS0 and hvc0 in one file, saw a serial
# line land between the text and its newline.
hvc0() {
	exec 3> /dev/hvc0
	stty -F /dev/hvc0 -opost 2>/dev/null
	echo "$*" >&3
	exec 3>&-
}
size=$(arg ctsize)

# No udev here: the names come from sysfs (docs/virtio.md).
links() {
	rm -rf /dev/virtio-ports
	mkdir -p /dev/virtio-ports
	for p in /sys/class/virtio-ports/vport*; do
		[ -f "$p/name" ] || continue
		n=$(cat "$p/name")
		[ -n "$n" ] && ln -sf "/dev/${p##*/}" "/dev/virtio-ports/$n"
	done
}

# Waits (up to 60 s) until the named ports (the test ports by default)
# have their names.
wait_ports() {
	i=0
	while [ $i -lt 600 ]; do
		links
		ok=1
		for n in ${*:-test.a test.b}; do
			[ -e /dev/virtio-ports/$n ] || ok=
		done
		[ -n "$ok" ] && return 0
		usleep 100000
		i=$((i + 1))
	done
	return 1
}

# bench/serial: its guest end on the port "bench", then off.
if [ "$(arg ctmode)" = bench ]; then
	if wait_ports bench; then
		rep=$(arg ctrepeat)
		serial-bench guest /dev/virtio-ports/bench "$(arg ctrounds)" \
			"$(arg ctmib)" "${rep:-1}"
		echo "CT-BENCH-END $?"
	else
		echo "CT-BENCH-END no port bench"
	fi
	reboot -f
fi

if wait_ports; then
	echo "CT-PORTS $(ls /dev/virtio-ports | sort | tr '\n' ' ')"
else
	echo "CT-PORTS missing: $(ls /sys/class/virtio-ports 2>&1 | tr '\n' ' ')"
fi
hvc0 "CT-HVC0 hello from hvc0"

# 64 MiB each way at once: test.a guest -> host, test.b host -> guest.
head -c "$size" /dev/urandom > /tmp/g2h
echo "CT-G2H $(sha256sum < /tmp/g2h | cut -d' ' -f1)"
cat /tmp/g2h > /dev/virtio-ports/test.a &
writer=$!
echo "CT-H2G $(head -c "$size" /dev/virtio-ports/test.b | sha256sum | cut -d' ' -f1)"
wait $writer
rm -f /tmp/g2h

# The driver goes away and comes back: ports, names and data again.
rmmod virtio_console && insmod /lib/modules/virtio_console.ko
if wait_ports; then
	echo "CT-RELOAD-PORTS $(ls /dev/virtio-ports | sort | tr '\n' ' ')"
else
	echo "CT-RELOAD-PORTS missing"
fi
echo "after-reload" > /dev/virtio-ports/test.a
echo "CT-RELOAD-H2G $(head -c 5 /dev/virtio-ports/test.b)"
hvc0 "CT-HVC0 after reload"
echo CT-END
reboot -f
