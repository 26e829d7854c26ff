#!/usr/bin/env bats
# kvmc's minimal guest kernel (`make kernel`: build/guest/kvmc-vmlinux with
# build/guest/kvmc-initrd.img, docs/kernel.md): kvmc-vmm alone boots it
# through PVH on 1 and 2 vCPUs (init's boot-timing mark, reboot's clean
# exit), `kvmc run` runs a container on it (the 9p rootfs, the console
# ports, output and exit status), and virtio-net carries ping and TCP.
# Skipped only when the kernel was not built: once it is, every failure
# to boot it fails.  Runs where /dev/kvm works, else in the KVM test host.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$ROOT/tests/integration/lib/kvmc-it.sh"
source "$ROOT/tests/integration/lib/netns-pair.bash"
VMM=$ROOT/build/kvmc-vmm
KERNEL=$ROOT/build/guest/kvmc-vmlinux
KINITRD=$ROOT/build/guest/kvmc-initrd.img

setup_file() {
	echo "# kernel tests: ${TIMEOUT}s per step" >&3
}

setup() {
	[[ -f $KERNEL ]] || skip "build/guest/kvmc-vmlinux not built: run 'make kernel'"
	kvmc_it_setup
	# Only the minimal kernel: no fallback to Debian's.
	# Two vCPUs even in a test host of one CPU (max_vcpus is the host's
	# CPUs otherwise).
	printf 'kernel = %s\ninitrd = %s\ndefault_vcpus = 2\nmax_vcpus = 2\n' "$KERNEL" "$KINITRD" \
		> "$W/kvmc.conf"
}

teardown() {
	[[ -n ${NETPID:-} ]] && kill "$NETPID" 2>/dev/null
	[[ -n ${NS:-} ]] && ip netns del "$NS" 2>/dev/null
	[[ -n ${PEER:-} ]] && ip netns del "$PEER" 2>/dev/null
	[[ -n ${W:-} ]] && kvmc_it_teardown
	return 0
}

# The kernel names who built it (scripts/build-kernel.sh): kvmc@kvmc.
INIT='mount -t proc proc /proc
mount -t devtmpfs dev /dev
printf "\173" | dd of=/dev/port bs=1 seek=1008 count=1 2>/dev/null
echo "MARK cpus=$(grep -c ^processor /proc/cpuinfo) version=$(cut -d" " -f3,4 /proc/version)"
reboot -f'

@test "kernel: kvmc-vmm alone boots it through PVH on 1 and 2 vCPUs; init's mark; reboot exits 0" {
	printf '%s\n' "$INIT" > "$W/init.sh"
	"$ROOT/tests/integration/lib/mkinitrd-busybox.sh" "$W/initrd" "$W/init.sh"
	for cpus in 1 2; do
		run timeout "$TIMEOUT" "$VMM" --kernel "$KERNEL" --initrd "$W/initrd" \
			--cpus "$cpus" --memory 256M --boot-timing
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output == *"MARK cpus=$cpus version=6.1."*" (kvmc@kvmc)"* ]]
		[[ $output =~ boot-timing:\ init-started\ ([0-9]+) ]]
		(( BASH_REMATCH[1] > 0 ))
		[[ $output != *"Kernel panic"* ]]
	done
}

@test "kernel: kvmc run on it: output, exit status, 2 vCPUs, its filesystems and namespaces" {
	"$ROOT/scripts/mkbundle.sh" "$W/b" sh -c 'echo "version $(cut -d" " -f3,4 /proc/version)"
		echo "cpus $(grep -c ^processor /proc/cpuinfo)"
		echo "fs $(sed "s/^nodev//" /proc/filesystems | tr -d "\t" | sort | tr "\n" " ")"
		echo "ns $(ls /proc/self/ns | tr "\n" " ")"
		echo "root $(sed -n "s|^\([^ ]*\) / \([^ ]*\) .*|\2|p" /proc/self/mounts | tail -n1)"
		echo out-$((6*7)); echo err-line >&2; exit 7'
	KVMC_CONFIG=$W/kvmc.conf run timeout "$TIMEOUT" "$KVMC" --root "$STATE" \
		run --bundle "$W/b" k1
	echo "$output"
	[ "$status" -eq 7 ]
	[[ $output == *"version 6.1."*" (kvmc@kvmc)"* ]]
	[[ $output == *"cpus 2"* ]]
	[[ $output == *"out-42"* ]]
	[[ $output == *"err-line"* ]]
	[[ $output == *"root 9p"* ]]
	fsline=$(grep '^fs ' <<< "$output")
	for fs in 9p cgroup2 devpts devtmpfs mqueue overlay proc sysfs tmpfs; do
		[[ "$fsline " == *" $fs "* ]] || { echo "no $fs"; false; }
	done
	nsline=$(grep '^ns ' <<< "$output")
	for ns in cgroup ipc mnt net pid time user uts; do
		[[ "$nsline " == *" $ns "* ]] || { echo "no $ns namespace"; false; }
	done
	assert_clean
}

@test "kernel: virtio-net on it: the guest behind a tap answers ping and a TCP echo" {
	NS=kvmck-c$$ PEER=kvmck-p$$
	netns_pair "$NS" "$PEER" 10.78.0.2 10.78.0.1
	mkdir -p "$W/net"
	# net.bats's guest: busybox configures eth0 from the command line,
	# serves a TCP echo on port 7 (its module loading finds nothing).
	"$ROOT/tests/integration/lib/mkinitrd-busybox.sh" "$W/initrd" \
		"$ROOT/tests/integration/lib/net-init.sh"
	"$ROOT/build/tests/net-setup" up "/run/netns/$NS" "$W/net" \
		'exec timeout '"$((TIMEOUT * 2))"' '"$VMM"' --memory 256M --cpus 1 \
		--console file:'"$W/console"' --kernel '"$KERNEL"' --initrd '"$W/initrd"' \
		--append "ntaddr=10.78.0.2/24 ntgw=10.78.0.1" \
		--net fd=$NET_FD0,mac=$NET_MAC0' > "$W/setup.out" 2> "$W/vmm.err" &
	NETPID=$!
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		grep -aq '^NT-UP' "$W/console" 2>/dev/null && break
		kill -0 "$NETPID" 2>/dev/null || break
		sleep 0.1
	done
	grep -aq '^NT-UP' "$W/console" || { cat "$W/console" "$W/vmm.err"; false; }
	mac=$(ip -n "$NS" link show eth0 | sed -n 's/.*ether \([^ ]*\).*/\1/p')
	grep -aq "^NT-UP $mac" "$W/console"
	ip netns exec "$PEER" busybox ping -c 3 -W 10 10.78.0.2
	run bash -c "echo hello-kernel | ip netns exec $PEER timeout 60 \
		socat -t 30 - TCP:10.78.0.2:7"
	echo "$output"
	[ "$output" = hello-kernel ]
}
