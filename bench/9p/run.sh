#!/usr/bin/env bash
# bench/9p/run.sh: kvmc-vmm's virtio-9p against QEMU's
# `-virtfs local,security_model=passthrough`, same guest kernel, same
# mount options (trans=virtio,version=9p2000.L,msize=512000,cache=none),
# same run.  Prints one line per workload with both results and the ratio
# kvmc/QEMU (higher is better on every line; the goal is >= 1.5), and
# writes them to build/bench/9p/results.{tsv,json,png} (bench/lib/plot.sh)
# with the guests' consoles in build/bench/9p/logs/.
#
#   bench/9p/run.sh [EXPORT_PARENT]   (default /run: the export is a tmpfs
#                                      directory, so the host disk is not
#                                      what is measured)
# Env: BENCH_ACCEL (QEMU accelerator, kvm), BENCH_TIMEOUT (s, 1800);
# sizes BENCH_MIB (1024), BENCH_OPS (20000 random reads), BENCH_FILES
# (10000), BENCH_TREE (20000 entries), BENCH_OUT (build/bench/9p).  Only
# KVMC_* variables cross into the test host: pass these with
# `env BENCH_MIB=256 bench/9p/run.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
parent=${1:-/run}
accel=${BENCH_ACCEL:-kvm}
timeout=${BENCH_TIMEOUT:-1800}
out=${BENCH_OUT:-$root/build/bench/9p}
source "$root/tests/integration/lib/p9-guest.sh"

work=$(mktemp -d "$parent/p9-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 143' INT TERM HUP
make -C "$root" --no-print-directory build/kvmc-vmm build/tests/p9-serve \
	build/tests/posix-probe >&2
cc -O2 -Wall -Wextra -o "$work/p9-bench" "$root/bench/9p/p9-bench.c"
P9_EXTRA_BINS=$work/p9-bench p9_guest_initrd "$work/initrd.img"
cmdline="console=ttyS0 panic=-1 quiet p9mode=bench p9cache=none p9tag=share0
	p9mib=${BENCH_MIB:-1024} p9ops=${BENCH_OPS:-20000}
	p9files=${BENCH_FILES:-10000} p9tree=${BENCH_TREE:-20000}"
cmdline=$(echo $cmdline)
# kvmc-vmm's defaults (vmm/options.c), which --cmdline replaces.
vmm_cmdline="reboot=k pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd 8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check"

mkdir "$work/qemu" "$work/kvmc"
mkdir -p "$out/logs"
echo "bench/9p: QEMU ($accel) ..." >&2
timeout --foreground "$timeout" qemu-system-x86_64 -accel "$accel" -m 2048 -smp 2 \
	-display none -no-reboot -serial "file:$out/logs/qemu.console" \
	-kernel "$P9_KDIR/vmlinuz" -initrd "$work/initrd.img" -append "$cmdline" \
	-fsdev "local,id=fs0,path=$work/qemu,security_model=passthrough" \
	-device virtio-9p-pci,fsdev=fs0,mount_tag=share0 </dev/null >&2
echo "bench/9p: kvmc-vmm ..." >&2
timeout --foreground "$timeout" "$root/build/kvmc-vmm" --memory 2G --cpus 2 \
	--kernel "$P9_KDIR/vmlinuz" --initrd "$work/initrd.img" \
	--cmdline "$vmm_cmdline $cmdline" --share "share0=$work/kvmc" \
	</dev/null > "$out/logs/kvmc.console" 2>&1

# "bench NAME VALUE UNIT ..." lines of each guest -> one table row each.
value() {
	awk -v w="$2" '$1 == "bench" && $2 == w { v = $3 } END { print v == "" ? "-" : v }' "$1"
}
{
	echo "metric unit better goal kvmc qemu"
	for w in seqwrite:MiB/s seqread:MiB/s randread4k:ops/s \
		create+stat+unlink:files/s lsR:entries/s; do
		echo "${w%%:*} ${w#*:} higher 1.5 $(value "$out/logs/kvmc.console" "${w%%:*}") $(value "$out/logs/qemu.console" "${w%%:*}")"
	done
} | "$root/bench/lib/plot.sh" 9p "$out" mib="${BENCH_MIB:-1024}" \
	random_reads="${BENCH_OPS:-20000}" files="${BENCH_FILES:-10000}" \
	tree_entries="${BENCH_TREE:-20000}" qemu_accel="$accel" \
	mount="trans=virtio,version=9p2000.L,msize=512000,cache=none"
