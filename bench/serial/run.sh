#!/usr/bin/env bash
# bench/serial/run.sh: a virtio-console named port of kvmc-vmm
# (`--port bench=unix:PATH`) against QEMU's virtio-serial-pci +
# virtserialport on a socket chardev: the same guest kernel and initramfs
# (tests/integration/lib/console-guest.sh, /init in ctmode=bench), the
# same run.  serial-bench.c is both ends: 64-byte round trips, then MIB
# MiB guest -> host, then MIB MiB host -> guest, timed on the host; all of
# it REPEAT times in the same boot, and the table keeps each system's
# best run per metric (load from elsewhere only ever slows a run down;
# every sample is in the JSON's params).
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
# BENCH_REPEAT (runs, 3),
# BENCH_ACCEL (QEMU's accelerator, kvm), BENCH_TIMEOUT (s a boot, 1800),
# BENCH_OUT (build/bench/serial).  Only KVMC_* variables cross into the
# test host: pass these with `env BENCH_MIB=16 bench/serial/run.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mib=${BENCH_MIB:-64}
rounds=${BENCH_ROUNDS:-2000}
repeat=${BENCH_REPEAT:-3}
accel=${BENCH_ACCEL:-kvm}
timeout=${BENCH_TIMEOUT:-1800}
out=${BENCH_OUT:-$root/build/bench/serial}
for v in mib rounds repeat timeout; do
	[[ ${!v} =~ ^[0-9]+$ ]] || {
		echo "bench/serial: ${v^^}=${!v}: want a number" >&2
		exit 2
	}
done
[[ $repeat -ge 1 ]] || { echo "bench/serial: BENCH_REPEAT=0: want 1 or more" >&2; exit 2; }
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
make -C "$root" --no-print-directory build/kvmc-vmm >&2
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

echo "bench/serial: QEMU ($accel), $mib MiB each way, $rounds round trips, $repeat runs ..." >&2
cpu=max
[[ $accel == kvm ]] && cpu=host
timeout --foreground "$timeout" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m 512 -smp 2 \
	-display none -monitor none -no-reboot \
	-kernel "$CT_KDIR/vmlinuz" -initrd "$work/initrd.img" \
	-append "$(guest_args "$mib")" -device virtio-serial-pci,id=vs0 \
	-chardev socket,id=b,path="$work/qemu.sock",server=on,wait=off \
	-device virtserialport,bus=vs0.0,chardev=b,name=bench \
	-serial file:"$work/qemu.console" \
	< /dev/null > "$work/qemu.log" 2>&1 &
vm_pid=$!
host_end "$work/qemu.sock" "$mib" "$work/qemu.res" "$work/qemu.console" QEMU

# kvmc-vmm: the measured run, then the baseline for the exit count.
for run in kvmc:$mib base:0; do
	name=${run%%:*}
	echo "bench/serial: kvmc-vmm ($name, ${run#*:} MiB each way) ..." >&2
	timeout --foreground "$timeout" "$root/build/kvmc-vmm" --memory 512M --cpus 2 \
		--boot-timing --kernel "$CT_KDIR/vmlinuz" \
		--initrd "$work/initrd.img" \
		--cmdline "$vmm_cmdline $(guest_args "${run#*:}")" \
		--port "bench=unix:$work/$name.sock" \
		< /dev/null > "$work/$name.console" 2> "$work/$name.log" &
	vm_pid=$!
	host_end "$work/$name.sock" "${run#*:}" "$work/$name.res" \
		"$work/$name.console" "kvmc-vmm ($name)"
done

# "boot-timing: exits io N mmio N hlt N intr N other N" -> the sum.
exits() {
	awk '/^boot-timing: exits/ { for (i = 4; i <= NF; i += 2) s += $i; print s }' "$1"
}
# The best of a system's runs for metric $2 (best is $3: higher or
# lower), or "-"; samples prints them all.
value() {
	awk -v m="$2" -v b="$3" '$1 == "bench" && $2 == m {
		if (v == "" || (b == "higher" ? $3 > v : $3 < v)) v = $3 + 0
	} END { print v == "" ? "-" : v }' "$1"
}
samples() {
	awk -v m="$2" '$1 == "bench" && $2 == m { s = s (s == "" ? "" : " ") $3 } END { print s }' "$1"
}
e_run=$(exits "$work/kvmc.log")
e_base=$(exits "$work/base.log")
per_mib=-
if [[ -n $e_run && -n $e_base && $mib -gt 0 ]]; then
	per_mib=$(awk -v a="$e_run" -v b="$e_base" -v m="$((2 * mib * repeat))" \
		'BEGIN { printf "%.2f", (a - b) / m }')
fi
metrics="g2h:MiB/s:higher:2 h2g:MiB/s:higher:2 rtt64:us:lower:2
	rtt64-mean:us:lower:- rtt64-p99:us:lower:-"
params=()
for m in $metrics; do
	IFS=: read -r name unit better goal <<< "$m"
	for sys in kvmc qemu; do
		params+=("${sys}_${name}_runs=$(samples "$work/$sys.res" "$name")")
	done
done
{
	echo "metric unit better goal kvmc qemu"
	for m in $metrics; do
		IFS=: read -r name unit better goal <<< "$m"
		echo "$name $unit $better $goal $(value "$work/kvmc.res" "$name" "$better") $(value "$work/qemu.res" "$name" "$better")"
	done
} | "$root/bench/lib/plot.sh" serial "$out" mib_each_way="$mib" \
	round_trips="$rounds" runs="$repeat" best_of_runs=yes \
	message_bytes=64 qemu_accel="$accel" \
	kvmc_exits_run="$e_run" kvmc_exits_baseline="$e_base" \
	kvmc_exits_per_mib="$per_mib" \
	kvmc_exits_by_reason="$(grep -a '^boot-timing: exits' "$work/kvmc.log" | cut -d' ' -f3-)" \
	"${params[@]}"
echo "kvmc-vmm exits to userspace: $e_run in the run, $e_base without the bulk data: $per_mib per MiB moved ($((2 * mib * repeat)) MiB)"
