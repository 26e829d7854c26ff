#!/usr/bin/env bash
# bench/net/run.sh: kvmc-vmm's virtio-net against QEMU's virtio-net-pci
# (-netdev tap,vhost=off), same guest kernel and initramfs, same tap, same
# run.  Between the host and the guest: TCP throughput both ways (iperf3,
# one stream, as one connection of a container is) and request/response
# latency (bench/net/netpp.c, 64-byte ping-pong with
# TCP_NODELAY).  Run where /dev/kvm works (tests/kvmhost/run -- ...).
#
#   bench/net/run.sh [OUTDIR]   (default build/bench/net)
#
# Writes OUTDIR/results.json (every run and the medians), OUTDIR/net.dat
# and OUTDIR/net.png (gnuplot), and prints a table: per metric QEMU, kvmc
# and the ratio kvmc/QEMU (higher is better for throughput, lower for
# latency).  The tap lives in a network namespace of its own.
# Env: BENCH_ACCEL (QEMU accelerator, kvm), BENCH_QEMU_CPU (host: the
# CPU kvmc-vmm gives its guests too), BENCH_ONLY (qemu or kvmc: one VMM,
# to try the script where only one works), BENCH_REPEAT (runs of each
# VMM, alternating, 3), BENCH_SECONDS (iperf3 -t, 10), BENCH_RR (round
# trips, 5000), BENCH_TIMEOUT (s for a guest to come up, 600),
# BENCH_MACHINE (a line describing the machine, for results.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build/bench/net}
accel=${BENCH_ACCEL:-kvm}
qcpu=${BENCH_QEMU_CPU:-host}
repeat=${BENCH_REPEAT:-3}
secs=${BENCH_SECONDS:-10}
rr=${BENCH_RR:-5000}
timeout=${BENCH_TIMEOUT:-600}
kdir=$root/build/kernel
ns=kvmcbn$$
tap=nbtap0
host_ip=10.79.0.1 guest_ip=10.79.0.2 mac=02:6b:76:6d:63:02

for t in qemu-system-x86_64 iperf3 gnuplot ip busybox cc; do
	command -v "$t" > /dev/null || { echo "bench/net: $t not found: run make deps" >&2; exit 1; }
done
[[ $EUID -eq 0 ]] || { echo "bench/net: needs root (a network namespace and a tap)" >&2; exit 1; }
make -C "$root" --no-print-directory build/kvmc-vmm >&2
mkdir -p "$out"
work=$(mktemp -d /tmp/net-bench.XXXXXX)
vm_pid=
cleanup() {
	[[ -n $vm_pid ]] && kill "$vm_pid" 2>/dev/null && wait "$vm_pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The guest: busybox, netpp (static) and iperf3 with its libraries.
cc -static -O2 -Wall -Wextra -Werror -std=gnu11 -o "$work/netpp" "$root/bench/net/netpp.c"
files=("$work/netpp=/bin/netpp" "$(command -v iperf3)=/bin/iperf3")
while read -r lib; do
	files+=("$(readlink -f "$lib")=$lib")
done < <(ldd "$(command -v iperf3)" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }')
MODULES="virtio_pci virtio_net" "$root/tests/integration/lib/mkinitrd-busybox.sh" \
	"$work/initrd.img" "$root/bench/net/guest-init.sh" "${files[@]}"

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev "$tap" mode tap vnet_hdr
ip -n "$ns" addr add "$host_ip/24" dev "$tap"
ip -n "$ns" link set "$tap" up
inns() { ip netns exec "$ns" "$@"; }

cmdline="console=ttyS0 panic=-1 quiet nbaddr=$guest_ip/24"
# kvmc-vmm's defaults (vmm/options.c), which --cmdline replaces.
vmm_cmdline="reboot=k pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd 8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check"

start_vm() {	# VMM CONSOLE
	case $1 in
	qemu)
		ip netns exec "$ns" qemu-system-x86_64 -accel "$accel" -cpu "$qcpu" -m 1024 -smp 2 \
			-nodefaults -no-user-config -display none -no-reboot \
			-serial "file:$2" -kernel "$kdir/vmlinuz" -initrd "$work/initrd.img" \
			-append "$cmdline" \
			-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=off" \
			-device "virtio-net-pci,netdev=n0,mac=$mac" < /dev/null > "$2.err" 2>&1 &
		;;
	kvmc)
		ip netns exec "$ns" "$root/build/kvmc-vmm" --memory 1G --cpus 2 --console "file:$2" \
			--kernel "$kdir/vmlinuz" --initrd "$work/initrd.img" \
			--cmdline "$vmm_cmdline $cmdline" --net "tap=$tap,mac=$mac" \
			< /dev/null > "$2.err" 2>&1 &
		;;
	esac
	vm_pid=$!
}

wait_up() {	# CONSOLE
	local i
	for ((i = 0; i < timeout * 10; i++)); do
		grep -aq "^NB-UP $mac" "$1" 2>/dev/null && return 0
		kill -0 "$vm_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench/net: the guest did not come up (${timeout}s); its console and stderr:" >&2
	tail -n 30 "$1" "$1.err" >&2
	return 1
}

# bits_per_second of what the receiver got, from iperf3 -J.
iperf_bps() {
	awk '/"sum_received"/ { f = 1 } f && /"bits_per_second"/ {
		gsub(/[^0-9.e+]/, "", $2); print $2; exit }' "$1"
}

runs=()
for ((r = 1; r <= repeat; r++)); do
	order=(qemu kvmc)
	(( r % 2 == 0 )) && order=(kvmc qemu)
	[[ -n ${BENCH_ONLY:-} ]] && order=("$BENCH_ONLY")
	for v in "${order[@]}"; do
		con=$work/$v-$r.console
		echo "bench/net: run $r/$repeat: $v" >&2
		start_vm "$v" "$con"
		wait_up "$con"
		inns busybox ping -c 3 -W 10 "$guest_ip" > /dev/null
		inns iperf3 -c "$guest_ip" -t "$secs" -J > "$work/$v-$r-tx.json"
		inns iperf3 -c "$guest_ip" -t "$secs" -R -J > "$work/$v-$r-rx.json"
		inns "$work/netpp" client "$guest_ip" 7000 "$rr" 64 > "$work/$v-$r-rr.json"
		kill "$vm_pid"
		wait "$vm_pid" 2>/dev/null || true
		vm_pid=
		tx=$(iperf_bps "$work/$v-$r-tx.json")
		rx=$(iperf_bps "$work/$v-$r-rx.json")
		[[ -n $tx && -n $rx ]] || { echo "bench/net: $v run $r: no iperf3 result" >&2; exit 1; }
		runs+=("{\"vmm\":\"$v\",\"run\":$r,\"tx_bps\":$tx,\"rx_bps\":$rx,\"rr\":$(cat "$work/$v-$r-rr.json")}")
		echo "bench/net:   host->guest $(awk -v b="$tx" 'BEGIN { printf "%.0f", b / 1e6 }') Mbit/s," \
			"guest->host $(awk -v b="$rx" 'BEGIN { printf "%.0f", b / 1e6 }') Mbit/s, rr $(cat "$work/$v-$r-rr.json")" >&2
	done
done

# Medians over the runs: one line per VMM, "vmm tx rx p50 p99 mean".
printf '%s\n' "${runs[@]}" > "$work/runs.jsonl"
median() {	# VMM FIELD-REGEX
	sed -n "s/.*\"vmm\":\"$1\".*\"$2\":\([0-9.e+]*\).*/\1/p" "$work/runs.jsonl" |
		sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
{
	echo "# vmm host->guest_Mbps guest->host_Mbps rr_p50_us rr_p99_us rr_mean_us (medians of $repeat runs)"
	for v in qemu kvmc; do
		echo "$v $(median "$v" tx_bps | awk '{ printf "%.1f", $1 / 1e6 }')" \
			"$(median "$v" rx_bps | awk '{ printf "%.1f", $1 / 1e6 }')" \
			"$(median "$v" p50_us) $(median "$v" p99_us) $(median "$v" mean_us)"
	done
} > "$out/net.dat"

{
	echo "{\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
	echo " \"machine\":\"${BENCH_MACHINE:-$(uname -srm), $(nproc) cpus}\","
	echo " \"qemu\":\"$(qemu-system-x86_64 --version | head -n 1)\", \"accel\":\"$accel\","
	echo " \"guest_kernel\":\"$(cat "$kdir/version")\", \"iperf3_seconds\":$secs, \"rr_round_trips\":$rr, \"rr_size\":64,"
	echo " \"median\":{"
	awk '!/^#/ { printf "%s  \"%s\":{\"tx_mbps\":%s,\"rx_mbps\":%s,\"rr_p50_us\":%s,\"rr_p99_us\":%s,\"rr_mean_us\":%s}", (n++ ? ",\n" : ""), $1, $2, $3, $4, $5, $6 }
		END { print "" }' "$out/net.dat"
	echo " },"
	echo " \"runs\":["
	printf '%s\n' "${runs[@]}" | sed '$!s/$/,/; s/^/  /'
	echo " ]}"
} > "$out/results.json"

gnuplot <<GP
set terminal png size 1000,420
set output "$out/net.png"
set multiplot layout 1,2 title "bench/net: kvmc-vmm vs QEMU virtio-net-pci (tap, no vhost), medians of $repeat runs"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set key outside bottom center horizontal
set title "TCP throughput (Mbit/s, higher is better)"
plot "$out/net.dat" using 2:xtic(1) title "host->guest", '' using 3 title "guest->host"
set logscale y
set yrange [1:*]
set title "64-byte TCP ping-pong (us, log scale, lower is better)"
plot "$out/net.dat" using 4:xtic(1) title "p50", '' using 5 title "p99"
unset multiplot
GP

printf '%-22s %12s %12s %8s\n' metric qemu kvmc kvmc/qemu
awk 'NR > 1 { for (i = 2; i <= 6; i++) v[$1, i] = $i }
	END { split("host->guest_Mbit/s guest->host_Mbit/s rr_p50_us rr_p99_us rr_mean_us", n, " ")
		for (i = 2; i <= 6; i++)
			printf "%-22s %12s %12s %8.2f\n", n[i - 1], v["qemu", i], v["kvmc", i],
				(v["qemu", i] > 0 ? v["kvmc", i] / v["qemu", i] : 0) }' "$out/net.dat"
echo "bench/net: $out/results.json, $out/net.png" >&2
