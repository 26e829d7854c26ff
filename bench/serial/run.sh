#!/usr/bin/env bash
# bench/serial/run.sh: a virtio-console named port of kvmc-vmm
# (`--port bench=unix:PATH`) against QEMU's virtio-serial-pci +
# virtserialport on a socket chardev: the same guest kernel and initramfs
# (tests/integration/lib/console-guest.sh, /init in ctmode=bench), the
# same run.  serial-bench.c is both ends: 64-byte round trips, then MIB
# MiB guest -> host, then MIB MiB host -> guest, timed on the host; all of
# it REPEAT times in a boot (load from elsewhere only ever slows a run
# down: a boot counts by its best run per metric).  PAIRS boots of each
# VMM, interleaved in alternating order; the table has each VMM's median
# over its boots, and kvmc's speedup in each pair (kvmc's boot against
# the QEMU boot beside it) and their median are printed and in the
# JSON's params, with every sample.
#
# kvmc-vmm boots a second time with no bulk data (--boot-timing both
# times): the difference of its exits to userspace, over the MiB moved,
# is its exits per MiB (an upper bound: the guest's progress lines for
# the transfers, on the UART, are in the difference).
#
# Writes build/bench/serial/results.{tsv,json,png} (bench/lib/plot.sh)
# and the guests' consoles under build/bench/serial/logs/; prints the
# table.  The goal (issue 4): 2x QEMU's throughput and half its latency.
#
#   bench/serial/run.sh      where QEMU runs under KVM (the KVM test host:
#                            tests/kvmhost/run -- bench/serial/run.sh)
# Env: BENCH_MIB (each way, 64), BENCH_ROUNDS (round trips a run, 2000),
# BENCH_REPEAT (runs a boot, 3), BENCH_PAIRS (boots of each VMM, 3),
# BENCH_ACCEL (QEMU's accelerator, kvm), BENCH_TIMEOUT (s a boot, 1800),
# BENCH_OUT (build/bench/serial), KVMC_BENCH_VMM (below).  Only KVMC_* variables cross into the
# test host: pass these with `env BENCH_MIB=16 bench/serial/run.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mib=${BENCH_MIB:-64}
rounds=${BENCH_ROUNDS:-2000}
repeat=${BENCH_REPEAT:-3}
pairs=${BENCH_PAIRS:-3}
accel=${BENCH_ACCEL:-kvm}
timeout=${BENCH_TIMEOUT:-1800}
out=${BENCH_OUT:-$root/build/bench/serial}
for v in mib rounds repeat pairs timeout; do
	[[ ${!v} =~ ^[0-9]+$ ]] || {
		echo "bench/serial: ${v^^}=${!v}: want a number" >&2
		exit 2
	}
done
[[ $repeat -ge 1 ]] || { echo "bench/serial: BENCH_REPEAT=0: want 1 or more" >&2; exit 2; }
[[ $pairs -ge 1 ]] || { echo "bench/serial: BENCH_PAIRS=0: want 1 or more" >&2; exit 2; }
source "$root/tests/integration/lib/console-guest.sh"

# Sockets cannot live on the test host's 9p root: /run is tmpfs there.
work=$(mktemp -d /run/serial-bench.XXXXXX)
vm_pid=
# The consoles are written on tmpfs and copied out at the end: the test
# host's 9p root caches writes, so a log there is not seen outside while
# it grows.
cleanup() {
	if [[ -n $vm_pid ]]; then
		kill "$vm_pid" 2>/dev/null || true
		wait "$vm_pid" 2>/dev/null || true
	fi
	mkdir -p "$out/logs"
	cp "$work"/*.console "$work"/*.log "$work"/*.res "$out/logs/" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP
# KVMC_BENCH_VMM: another kvmc-vmm binary (an A/B of two builds in one
# test host); the build's own otherwise, made first.
vmm=${KVMC_BENCH_VMM:-$root/build/kvmc-vmm}
[[ -n ${KVMC_BENCH_VMM:-} ]] || make -C "$root" --no-print-directory build/kvmc-vmm >&2
[[ -x $vmm ]] || { echo "bench/serial: KVMC_BENCH_VMM=$vmm: not an executable" >&2; exit 2; }
cc -O2 -Wall -Wextra -static -o "$work/serial-bench" \
	"$root/bench/serial/serial-bench.c"
CT_EXTRA_BINS=$work/serial-bench console_guest_initrd "$work/initrd.img"
# kvmc-vmm's defaults (vmm/options.c), which --cmdline replaces.
vmm_cmdline="reboot=k pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd 8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check"
guest_args() {
	echo "console=ttyS0 panic=-1 quiet ctmode=bench ctrounds=$rounds ctmib=$1 ctrepeat=$repeat"
}

# Runs the host end against the VM started as $vm_pid on socket $1,
# moving $2 MiB, into $3; fails naming the VM and its console $4.
host_end() {
	local sock=$1 n=$2 res=$3 console=$4 what=$5 rc=0
	# The guest end's progress, as it goes (a stall shows where).
	tail -n +1 -F --pid="$vm_pid" "$console" 2>/dev/null |
		grep --line-buffered -a '^serial-bench\|^CT-' >&2 &
	timeout --foreground "$timeout" "$work/serial-bench" host "$sock" "$rounds" "$n" "$repeat" \
		> "$res" || rc=$?
	wait "$vm_pid" || true
	vm_pid=
	if [[ $rc -ne 0 ]] || ! grep -aq '^CT-BENCH-END 0' "$console"; then
		echo "bench/serial: $what failed (host end status $rc); its console:" >&2
		tail -n 20 "$console" >&2
		exit 1
	fi
}

cpu=max
[[ $accel == kvm ]] && cpu=host
# One boot of QEMU, name $1, $2 MiB each way.
boot_qemu() {
	echo "bench/serial: QEMU ($accel, $1), $2 MiB each way, $rounds round trips, $repeat runs ..." >&2
	timeout --foreground "$timeout" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m 512 -smp 2 \
		-display none -monitor none -no-reboot \
		-kernel "$CT_KDIR/vmlinuz" -initrd "$work/initrd.img" \
		-append "$(guest_args "$2")" -device virtio-serial-pci,id=vs0 \
		-chardev socket,id=b,path="$work/$1.sock",server=on,wait=off \
		-device virtserialport,bus=vs0.0,chardev=b,name=bench \
		-serial file:"$work/$1.console" \
		< /dev/null > "$work/$1.log" 2>&1 &
	vm_pid=$!
	host_end "$work/$1.sock" "$2" "$work/$1.res" "$work/$1.console" "QEMU ($1)"
}
# One boot of kvmc-vmm, name $1, $2 MiB each way.
boot_kvmc() {
	echo "bench/serial: kvmc-vmm ($1), $2 MiB each way, $rounds round trips, $repeat runs ..." >&2
	timeout --foreground "$timeout" "$vmm" --memory 512M --cpus 2 \
		--boot-timing --kernel "$CT_KDIR/vmlinuz" \
		--initrd "$work/initrd.img" \
		--cmdline "$vmm_cmdline $(guest_args "$2")" \
		--port "bench=unix:$work/$1.sock" \
		< /dev/null > "$work/$1.console" 2> "$work/$1.log" &
	vm_pid=$!
	host_end "$work/$1.sock" "$2" "$work/$1.res" "$work/$1.console" "kvmc-vmm ($1)"
}
# PAIRS boots of each, interleaved and in alternating order (QEMU first
# in odd pairs), so that the machine's load drifting over the run falls
# on both alike; then kvmc-vmm once more without bulk data, the baseline
# of the exit count.
for ((i = 1; i <= pairs; i++)); do
	if ((i % 2)); then
		boot_qemu "qemu.$i" "$mib"
		boot_kvmc "kvmc.$i" "$mib"
	else
		boot_kvmc "kvmc.$i" "$mib"
		boot_qemu "qemu.$i" "$mib"
	fi
done
boot_kvmc base 0

# "boot-timing: exits io N mmio N hlt N intr N other N" -> the sum.
exits() {
	awk '/^boot-timing: exits/ { for (i = 4; i <= NF; i += 2) s += $i; print s }' "$1"
}
# A boot's best run for metric $2 (best is $3: higher or lower), or "-".
best() {
	awk -v m="$2" -v b="$3" '$1 == "bench" && $2 == m {
		if (v == "" || (b == "higher" ? $3 > v : $3 < v)) v = $3 + 0
	} END { print v == "" ? "-" : v }' "$1"
}
# The median of numbers on stdin (one per line; "-" ignored), or "-".
median() {
	sort -g | awk '$1 != "-" { v[n++] = $1 } END {
		if (!n) { print "-"; exit }
		print n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2 }'
}
# System $1's value for metric $2: the median over its boots of each
# boot's best run.
value() {
	local i
	for ((i = 1; i <= pairs; i++)); do best "$work/$1.$i.res" "$2" "$3"; done | median
}
# kvmc's speedup over QEMU in each pair (above 1: kvmc wins), and their
# median: the figure least moved by load that shifts between pairs.
pair_speedups() {
	local i k q
	for ((i = 1; i <= pairs; i++)); do
		k=$(best "$work/kvmc.$i.res" "$1" "$2")
		q=$(best "$work/qemu.$i.res" "$1" "$2")
		awk -v k="$k" -v q="$q" -v b="$2" 'BEGIN {
			if (k == "-" || q == "-" || k <= 0 || q <= 0) print "-"
			else printf "%.2f\n", b == "higher" ? k / q : q / k }'
	done
}
samples() {
	local f
	for f in "$work/$1".[0-9]*.res; do
		awk -v m="$2" '$1 == "bench" && $2 == m { printf "%s ", $3 }' "$f"
	done | sed 's/ $//'
}
# "boot-timing: kvm-exits exits N ..." (KVM's count, in the kernel or
# not) -> N, or nothing where KVM has no binary statistics.
kexits() {
	awk '/^boot-timing: kvm-exits/ { for (i = 3; i < NF; i += 2) if ($i == "exits") print $(i + 1) }' "$1"
}
# Exits per MiB moved both ways: (run - baseline) / MiB, or "-".
per_mib() {
	if [[ -n $1 && -n $2 && $mib -gt 0 ]]; then
		awk -v a="$1" -v b="$2" -v m="$((2 * mib * repeat))" \
			'BEGIN { printf "%.2f", (a - b) / m }'
	else
		echo -
	fi
}
k_run=$(kexits "$work/kvmc.1.log")
k_base=$(kexits "$work/base.log")
k_per_mib=$(per_mib "$k_run" "$k_base")
e_run=$(exits "$work/kvmc.1.log")
e_base=$(exits "$work/base.log")
per_mib=$(per_mib "$e_run" "$e_base")
metrics="g2h:MiB/s:higher:2 h2g:MiB/s:higher:2 rtt64:us:lower:2
	rtt64-mean:us:lower:- rtt64-p99:us:lower:-"
params=()
ratios=
for m in $metrics; do
	IFS=: read -r name unit better goal <<< "$m"
	for sys in kvmc qemu; do
		params+=("${sys}_${name}_runs=$(samples "$sys" "$name")")
	done
	ps=$(pair_speedups "$name" "$better" | tr '\n' ' ' | sed 's/ $//')
	pm=$(tr ' ' '\n' <<< "$ps" | median)
	params+=("${name}_pair_speedups=$ps" "${name}_pair_speedup_median=$pm")
	ratios+=$(printf '%-12s per pair: %s; median %s\n' "$name" "$ps" "$pm")$'\n'
done
{
	echo "metric unit better goal kvmc qemu"
	for m in $metrics; do
		IFS=: read -r name unit better goal <<< "$m"
		echo "$name $unit $better $goal $(value kvmc "$name" "$better") $(value qemu "$name" "$better")"
	done
} | "$root/bench/lib/plot.sh" serial "$out" mib_each_way="$mib" \
	round_trips="$rounds" runs_per_boot="$repeat" pairs="$pairs" \
	value="median over boots of each boot's best run" \
	message_bytes=64 qemu_accel="$accel" \
	kvmc_exits_run="$e_run" kvmc_exits_baseline="$e_base" \
	kvmc_exits_per_mib="$per_mib" \
	kvmc_kvm_exits_run="$k_run" kvmc_kvm_exits_baseline="$k_base" \
	kvmc_kvm_exits_per_mib="$k_per_mib" \
	kvmc_exits_by_reason="$(grep -a '^boot-timing: exits' "$work/kvmc.1.log" | cut -d' ' -f3-)" \
	"${params[@]}"
echo "kvmc's speedup over QEMU, boot by boot (each boot's best run):"
printf '%s' "$ratios"
echo "kvmc-vmm exits to userspace: $e_run in the first boot, $e_base without the bulk data: $per_mib per MiB moved ($((2 * mib * repeat)) MiB)"
echo "all exits (KVM's count, in the kernel too): $k_run and $k_base: $k_per_mib per MiB moved"
