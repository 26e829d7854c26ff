#!/usr/bin/env bats
# virtio-net and the container's network, without Docker: a network
# namespace with a veth (the "container" side) whose peer sits in a second
# namespace (the "bridge" side), runtime/network.c's net_setup through
# tests/tools/net-setup, then kvmc-vmm on the tap it made.  The guest
# takes the veth's address (as the agent does from STARTPOD) and must
# answer ping, a TCP echo and checksum a stream from the peer.
#
# KVMC_NT_SIZE: bytes streamed (default 1 GiB).  KVMC_NT_TIMEOUT: seconds
# for each wait (default 900).  Needs root, /dev/kvm, make bins tools,
# build/kernel, busybox-static (also the host's ping), socat, iproute2.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TIMEOUT=${KVMC_NT_TIMEOUT:-900}
SIZE=${KVMC_NT_SIZE:-$((1 << 30))}
KDIR=$ROOT/build/kernel
source "$ROOT/tests/integration/lib/netns-pair.bash"
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
	virtio_pci failover net_failover virtio_net"

setup_file() {
	export NT NS PEER
	NT=$(mktemp -d /tmp/kvmc-net-it.XXXXXX)
	NS=kvmcnt-c$$
	PEER=kvmcnt-p$$
	echo "# net tests: timeout ${TIMEOUT}s per wait, $SIZE bytes streamed" >&3
	for f in build/kvmc-vmm build/tests/net-setup; do
		[[ -x $ROOT/$f ]] || { echo "missing $f" >&2; return 1; }
	done
	make_initrd "$NT/initrd.img"
	netns_pair "$NS" "$PEER" 10.77.0.2 10.77.0.1
	ip -n "$NS" route add 10.99.0.0/16 via 10.77.0.1
	mkdir -p "$NT/state"
}

teardown_file() {
	[[ -f $NT/vmm.pid ]] && kill "$(cat "$NT/vmm.pid")" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$PEER" 2>/dev/null
	[[ -n ${NT:-} && -z ${KVMC_NT_KEEP:-} ]] && rm -rf "$NT"
}

make_initrd() {
	local out=$1 stage m path
	stage=$(mktemp -d /tmp/nt-initrd.XXXXXX)
	mkdir -p "$stage"/{bin,proc,sys,dev,lib/modules}
	install -m 0755 /bin/busybox "$stage/bin/busybox"
	: > "$stage/lib/modules/order"
	for m in $MODULES; do
		path=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$KDIR/modules/modules.dep" |
			cut -d: -f1)
		[[ -n $path ]] || { echo "module $m not found" >&2; return 1; }
		cp "$KDIR/modules/$path" "$stage/lib/modules/$m.ko"
		echo "$m" >> "$stage/lib/modules/order"
	done
	install -m 0755 "$BATS_TEST_DIRNAME/lib/net-init.sh" "$stage/init"
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
	rm -rf "$stage"
}

wait_for_line() {
	local i
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		grep -aq "^$1" "$NT/console" 2>/dev/null && return 0
		[[ -f $NT/vmm.pid ]] && ! kill -0 "$(cat "$NT/vmm.pid")" 2>/dev/null &&
			return 1
		sleep 0.1
	done
	return 1
}

@test "net_setup: a tap per veth, redirect filters both ways, STARTPOD data" {
	run "$ROOT/build/tests/net-setup" up "/run/netns/$NS" "$NT/state" \
		'tc -n '"$NS"' filter show dev eth0 ingress;
		 tc -n '"$NS"' filter show dev $NET_TAP0 ingress;
		 ip -n '"$NS"' -d link show $NET_TAP0'
	echo "$output"
	[ "$status" -eq 0 ]
	mac=$(ip -n "$NS" link show eth0 | sed -n 's/.*ether \([^ ]*\).*/\1/p')
	[[ $output == *'"macAddr":"'$mac'"'* ]]
	[[ $output == *'"ipAddresses":[{"ipAddress":"10.77.0.2","netMask":"24"}]'* ]]
	[[ $output == *'{"dest":"default","gateway":"10.77.0.1","device":"eth0"}'* ]]
	[[ $output == *'{"dest":"10.99.0.0/16","gateway":"10.77.0.1","device":"eth0"}'* ]]
	[[ $output == *'"mtu":"1500"'* ]]
	[[ $output == *'Egress Redirect to device tap0_kvmc'* ]]
	[[ $output == *'Egress Redirect to device eth0'* ]]
	[[ $output == *'vnet_hdr on'* ]]
	grep -qx 'eth0 tap0_kvmc' "$NT/state/network"
}

@test "net_teardown removes the ingress qdisc and the record, twice is fine" {
	"$ROOT/build/tests/net-setup" down "/run/netns/$NS" "$NT/state"
	run tc -n "$NS" qdisc show dev eth0
	[[ $output != *ingress* ]]
	[ ! -e "$NT/state/network" ]
	"$ROOT/build/tests/net-setup" down "/run/netns/$NS" "$NT/state"
}

@test "net_teardown after the namespace is gone" {
	ip netns add "$NS-gone"
	ip -n "$NS-gone" link add eth0 type veth peer name p0
	ip -n "$NS-gone" addr add 10.78.0.2/24 dev eth0
	ip -n "$NS-gone" link set eth0 up
	mkdir -p "$NT/gone"
	"$ROOT/build/tests/net-setup" up "/run/netns/$NS-gone" "$NT/gone"
	[ -e "$NT/gone/network" ]
	ip netns del "$NS-gone"
	"$ROOT/build/tests/net-setup" down "/run/netns/$NS-gone" "$NT/gone"
	[ ! -e "$NT/gone/network" ]
}

@test "guest behind the tap answers ping, TCP echo, and checksums a stream" {
	"$ROOT/build/tests/net-setup" up "/run/netns/$NS" "$NT/state" \
		'echo $$ > '"$NT/vmm.pid"'; exec timeout '"$((TIMEOUT * 3))"' '"$ROOT"'/build/kvmc-vmm \
		--memory 512M --cpus 2 --console file:'"$NT/console"' \
		--kernel '"$KDIR"'/vmlinuz --initrd '"$NT"'/initrd.img \
		--append "ntaddr=10.77.0.2/24 ntgw=10.77.0.1" \
		--net fd=$NET_FD0,mac=$NET_MAC0' > "$NT/setup.out" 2> "$NT/vmm.err" &
	wait_for_line NT-UP || { cat "$NT/console" "$NT/vmm.err"; false; }
	mac=$(ip -n "$NS" link show eth0 | sed -n 's/.*ether \([^ ]*\).*/\1/p')
	grep -aq "^NT-UP $mac" "$NT/console"

	ip netns exec "$PEER" busybox ping -c 3 -W 10 10.77.0.2

	run bash -c "echo hello-kvmc | ip netns exec $PEER timeout 60 \
		socat -t 30 - TCP:10.77.0.2:7"
	echo "$output"
	[ "$output" = hello-kvmc ]

	head -c "$SIZE" /dev/urandom > "$NT/data"
	want=$(sha256sum < "$NT/data" | cut -d' ' -f1)
	ip netns exec "$PEER" timeout "$TIMEOUT" \
		socat -u FILE:"$NT/data" TCP:10.77.0.2:9000
	rm -f "$NT/data"
	wait_for_line NT-SUM || { cat "$NT/console"; false; }
	got=$(sed -n 's/^NT-SUM \([0-9a-f]*\).*/\1/p' "$NT/console")
	echo "want $want got $got"
	[ "$got" = "$want" ]
}

@test "the tap deleted under a running VM: link down, the VMM carries on" {
	[[ -f $NT/vmm.pid ]] && kill -0 "$(cat "$NT/vmm.pid")"
	"$ROOT/build/tests/net-setup" down "/run/netns/$NS" "$NT/state"
	run ip -n "$NS" link show tap0_kvmc
	[ "$status" -ne 0 ]
	for ((i = 0; i < 300; i++)); do
		grep -q "tap gone, link down" "$NT/vmm.err" && break
		sleep 0.1
	done
	cat "$NT/vmm.err"
	grep -q "tap gone, link down" "$NT/vmm.err"
	kill -0 "$(cat "$NT/vmm.pid")"
}
