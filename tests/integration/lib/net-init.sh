#!/bin/busybox sh
# /init of the virtio-net test guest (see net.bats).  Configures eth0 from
# the command line as the agent would from STARTPOD, serves a TCP echo on
# port 7 and checksums one stream on port 9000.  Prints NT- lines on the
# serial console for the host to check.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko 2>/dev/null
done

arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 300 ]; do
	usleep 100000
	i=$((i + 1))
done
ip link set lo up
ip addr add "$(arg ntaddr)" dev eth0
ip link set eth0 up
ip route add default via "$(arg ntgw)"
echo "NT-UP $(cat /sys/class/net/eth0/address)"
nc -ll -p 7 -e cat &
echo "NT-SUM $(nc -l -p 9000 | sha256sum | cut -d' ' -f1)"
# Stays up until the host ends the VM.
while :; do sleep 3600; done
