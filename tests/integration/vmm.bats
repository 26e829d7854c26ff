#!/usr/bin/env bats
# kvmc-vmm alone: the Debian kernel as bzImage and as PVH vmlinux boots a
# busybox initramfs; bad input gets its documented exit status.  Runs where
# /dev/kvm works, else inside the KVM test host.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VMM=$ROOT/build/kvmc-vmm
TIMEOUT=${KVMC_IT_STEP_TIMEOUT:-300}

setup_file() {
	echo "# vmm tests: ${TIMEOUT}s per boot" >&3
}

setup() {
	W=$(mktemp -d /run/kvmc-vmm-it.XXXXXX)
}

teardown() {
	rm -rf "$W"
}

initrd() {
	printf '%s\n' "$1" > "$W/init.sh"
	"$ROOT/tests/integration/lib/mkinitrd-busybox.sh" "$W/initrd" "$W/init.sh"
}

REPORT='mount -t proc proc /proc
mount -t devtmpfs dev /dev
printf "\173" | dd of=/dev/port bs=1 seek=1008 count=1 2>/dev/null
echo "MARK cpus=$(grep -c ^processor /proc/cpuinfo) memkb=$(sed -n "s/MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)"
reboot -f'

# within PCT percent below the request (the kernel keeps some for itself)
mem_ok() {
	local kb=$1 want_mb=$2 pct=$3
	(( kb <= want_mb * 1024 && kb >= want_mb * 1024 * (100 - pct) / 100 ))
}

@test "vmm: bzImage, 2 CPUs, 512M: init runs, sees both CPUs and the memory, reboot exits 0" {
	initrd "$REPORT"
	run timeout "$TIMEOUT" "$VMM" --kernel "$ROOT/build/guest/vmlinuz" \
		--initrd "$W/initrd" --cpus 2 --memory 512M --boot-timing
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ MARK\ cpus=2\ memkb=([0-9]+) ]]
	mem_ok "${BASH_REMATCH[1]}" 512 15
	[[ $output =~ boot-timing:\ init-started\ ([0-9]+) ]]
	(( BASH_REMATCH[1] > 0 ))
}

@test "vmm: PVH vmlinux with 5G: RAM above the 32-bit hole is seen" {
	initrd "$REPORT"
	run timeout "$TIMEOUT" "$VMM" --kernel "$ROOT/build/guest/vmlinux" \
		--initrd "$W/initrd" --memory 5G
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ MARK\ cpus=1\ memkb=([0-9]+) ]]
	mem_ok "${BASH_REMATCH[1]}" 5120 5
}

@test "vmm: a kernel panic exits 1 and says so" {
	initrd 'mount -t proc proc /proc; echo c > /proc/sysrq-trigger'
	run timeout "$TIMEOUT" "$VMM" --kernel "$ROOT/build/guest/vmlinux" \
		--initrd "$W/initrd" --console none
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"the guest kernel panicked"* ]]
}

@test "vmm: bad kernel, missing initrd, --memory 0, --cpus 0: status 3 naming the culprit" {
	head -c 4096 /dev/urandom > "$W/garbage"
	run "$VMM" --kernel "$W/garbage"
	[ "$status" -eq 3 ]
	[[ $output == *"$W/garbage"*"not a bzImage nor an ELF vmlinux"* ]]
	run "$VMM" --kernel "$ROOT/build/guest/vmlinuz" --initrd "$W/nope"
	[ "$status" -eq 3 ]
	[[ $output == *"--initrd $W/nope"* ]]
	run "$VMM" --kernel "$ROOT/build/guest/vmlinuz" --memory 0
	[ "$status" -eq 3 ]
	[[ $output == *"--memory"* ]]
	run "$VMM" --kernel "$ROOT/build/guest/vmlinuz" --cpus 0
	[ "$status" -eq 3 ]
	[[ $output == *"--cpus"* ]]
	run "$VMM" --kernel "$ROOT/build/guest/vmlinuz" --frobnicate
	[ "$status" -eq 3 ]
	[[ $output == *"--frobnicate"* ]]
}
