# /init of the bench/net guest (after mkinitrd-busybox.sh's module loads):
# eth0 from the command line (nbaddr=), then the servers the host drives:
# iperf3 -s (port 5201) and netpp's echo (port 7000).  Prints NB-UP with
# the NIC's MAC when ready.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 600 ]; do
	usleep 100000
	i=$((i + 1))
done
ip link set lo up
ip addr add "$(arg nbaddr)" dev eth0
ip link set eth0 up
/bin/iperf3 -s -D
/bin/netpp server 7000 &
echo "NB-UP $(cat /sys/class/net/eth0/address)"
while :; do sleep 3600; done
