#!/usr/bin/env bash
# bench/boot/run.sh: kvmc-vmm's boot against QEMU's, same run, interleaved.
#
# Part 1, the bare kernel: Debian's kernel as bzImage and as PVH vmlinux,
# and kvmc's minimal kernel (make kernel: build/guest/kvmc-vmlinux, PVH;
# the *-min configurations, when it is built), a busybox initramfs whose
# init writes 123 to port 0x03f0, prints BENCH-INIT on the console and
# reboots; 256 MiB, 1 vCPU, the same command line (kvmc-vmm's default), on
#   kvmc-vmm                         (reboot=k: its i8042 reset line)
#   qemu-system-x86_64 -M microvm    (reboot=t: microvm has no i8042)
#   qemu-system-x86_64 -M pc         (reboot=k)
# with -accel $KVMC_BENCH_ACCEL -cpu host -nodefaults.  -nodefaults leaves
# QEMU without a device; kvmc-vmm's bare boots likewise run without the
# virtio-balloon it adds by default (--balloon off; KVMC_BENCH_BALLOON=on
# keeps it: its probe costs the boot ~160 ms in the emulated test host).
# Measured from outside by
# bench/boot/boot-clock: process start to BENCH-INIT on the console
# (boot-to-init; the same detection for every VMM) and to the process's
# exit (boot-to-exit); for QEMU also to the 0x03f0 write itself, seen
# through -device isa-debugcon,iobase=0x3f0; for kvmc-vmm also its own
# --boot-timing view.  Then KVMC_BENCH_RSS_RUNS boots each with RSS read from
# /proc/PID/smaps at BENCH-INIT: the guest RAM mapping apart from the rest.
#
# Part 2, the product's guest: `kvmc run` of a busybox bundle whose process
# prints BENCH-OUT, with kvmc-agent as init, on Debian's kernel (kvmc-run:
# build/guest/vmlinux, initrd.img) and on the minimal one (kvmc-run-min:
# kvmc-vmlinux, kvmc-initrd.img, when built), interleaved: kvmc run start
# to the VMM's exec, kernel entry, the agent's 0x03f0 write, its READY,
# NEWCONTAINER sent, the container process's exec (its 0x03f0 write),
# NEWCONTAINER answered, the container's first output and kvmc run's exit.
#
#   bench/boot/run.sh         (where /dev/kvm works: inside the test host,
#                              `make bench` runs it there)
# Env: KVMC_BENCH_RUNS (10 timed boots per configuration), KVMC_BENCH_RSS_RUNS (3),
# KVMC_BENCH_KVMC_RUNS (KVMC_BENCH_RUNS, part 2; 0 skips it), KVMC_BENCH_BALLOON
# (off: part 1's kvmc-vmm boots without the balloon), KVMC_BENCH_CONFIGS (part 1's
# configurations: all six, and the three *-min ones when the minimal kernel
# is built, by default), KVMC_BENCH_ACCEL (kvm), KVMC_BENCH_TIMEOUT
# (s per boot, 600), KVMC_BENCH_OUT (build/bench/boot), KVMC_BENCH_WARMUP (1;
# 0 skips the untimed first boot of each configuration).
# Writes $KVMC_BENCH_OUT/results.json, samples.jsonl, boot.png and summary.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${KVMC_BENCH_RUNS:-10}
rss_runs=${KVMC_BENCH_RSS_RUNS:-3}
kvmc_runs=${KVMC_BENCH_KVMC_RUNS:-$runs}
accel=${KVMC_BENCH_ACCEL:-kvm}
tmo=${KVMC_BENCH_TIMEOUT:-600}
balloon=${KVMC_BENCH_BALLOON:-off}
[[ $balloon == on || $balloon == off ]] || {
	echo "bench/boot: KVMC_BENCH_BALLOON=$balloon: want on or off" >&2
	exit 2
}
out=${KVMC_BENCH_OUT:-$root/build/bench/boot}
mem_mib=256
source "$root/bench/lib.sh"

bench_begin boot

cat > "$work/init.sh" << 'EOF'
mount -t devtmpfs dev /dev
printf "\173" | dd of=/dev/port bs=1 seek=1008 count=1 2>/dev/null
echo BENCH-INIT
reboot -f
EOF
"$root/tests/integration/lib/mkinitrd-busybox.sh" "$work/initrd" "$work/init.sh"
# kvmc-vmm's default command line (vmm/options.c) less its reboot= method.
base="console=ttyS0 panic=-1 pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd 8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check rcupdate.rcu_expedited=1 noreplace-smp quiet"
bz=$root/build/guest/vmlinuz
pvh=$root/build/guest/vmlinux
min=$root/build/guest/kvmc-vmlinux

# check_run CONFIG RUN MARK JSON: says so, and keeps the log, when the run
# failed or MARK is not in its output.
check_run() {
	if [[ $(jq .status <<< "$4") != 0 ]] || ! grep -q "$3" "$work/log"; then
		echo "bench/boot: $1 run $2 failed: $4" >&2
		tail -n 20 "$work/log" | sed 's/^/  | /' >&2
		cp "$work/log" "$out/failed-$1-$2.log"
	fi
}

# boot CONFIG RUN [--rss]: one boot, one JSON line appended to samples.
boot() {
	local cfg=$1 n=$2 rss=${3:-} kernel fifo=$work/dbg.fifo cmd
	case $cfg in
	*-bz) kernel=$bz ;;
	*-pvh) kernel=$pvh ;;
	*-min) kernel=$min ;;	# PVH too
	esac
	case $cfg in
	kvmc-*)
		cmd=("$root/build/kvmc-vmm" --kernel "$kernel" --initrd "$work/initrd"
			--memory ${mem_mib}M --cpus 1 --console stdio --boot-timing
			--balloon "$balloon"
			--cmdline "$base reboot=k")
		fifo=
		;;
	qemu-*)
		local machine=${cfg#qemu-} reboot=k
		machine=${machine%-*}
		[[ $machine == microvm ]] && reboot=t
		rm -f "$fifo"
		mkfifo "$fifo"
		cmd=(qemu-system-x86_64 -M "$machine" -accel "$accel" -cpu host
			-m ${mem_mib}M -smp 1 -nodefaults -no-user-config
			-display none -no-reboot -serial stdio
			-kernel "$kernel" -initrd "$work/initrd"
			-append "$base reboot=$reboot"
			-chardev "file,id=bt,path=$fifo"
			-device isa-debugcon,iobase=0x3f0,chardev=bt)
		[[ $accel == kvm ]] || cmd[6]=max	# -cpu host needs KVM
		;;
	esac
	local j
	j=$("$clock" --mark BENCH-INIT ${fifo:+--fifo "$fifo"} \
		--mem $((mem_mib << 20)) $rss --timeout "$tmo" \
		--log "$work/log" -- "${cmd[@]}" < /dev/null)
	# kvmc-vmm's own view (us since its start), from its --boot-timing.
	local own
	own=$(awk '$1 == "boot-timing:" && $3 ~ /^[0-9]+$/ && $4 == "us" {
		printf "%s\"%s\":%s", n++ ? "," : "", $2, $3 }' "$work/log")
	j=$(jq -c --arg cfg "$cfg" --argjson n "$n" --arg kind "${rss:+rss}" \
		--argjson own "{$own}" --arg balloon "$balloon" \
		'. + {config: $cfg, run: $n, kind: (if $kind != "" then $kind elif $n == 0 then "warmup" else "time" end), vmm_timing: $own}
		 + (if ($cfg | startswith("kvmc-")) then {balloon: $balloon} else {} end)' <<< "$j")
	check_run "$cfg" "$n" BENCH-INIT "$j"
	echo "$j" >> "$out/samples.jsonl"
	echo "bench/boot: $cfg #$n: $(jq -r '"init \(.marks_us[0] / 1000 | floor) ms, exit \(.exit_us / 1000 | floor) ms, status \(.status)"' <<< "$j")" >&2
}

default_configs="kvmc-bz kvmc-pvh qemu-microvm-bz qemu-microvm-pvh qemu-pc-bz qemu-pc-pvh"
[[ -f $min ]] && default_configs+=" kvmc-min qemu-microvm-min qemu-pc-min"
read -r -a configs <<< "${KVMC_BENCH_CONFIGS:-$default_configs}"
: > "$out/samples.jsonl"
echo "bench/boot: part 1: ${#configs[@]} configurations x $runs runs, interleaved (+1 warm-up each, +$rss_runs RSS runs each)" >&2
if (( ${KVMC_BENCH_WARMUP:-1} )); then
	for c in "${configs[@]}"; do
		boot "$c" 0	# warm-up: page cache, not counted
	done
fi
for ((i = 1; i <= runs; i++)); do
	# Rotated each round so that no configuration always follows another.
	for ((k = 0; k < ${#configs[@]}; k++)); do
		boot "${configs[(i + k) % ${#configs[@]}]}" "$i"
	done
done
for ((i = 1; i <= rss_runs; i++)); do
	for c in "${configs[@]}"; do
		boot "$c" "$i" --rss
	done
done

# Part 2: the product's guest through kvmc run, on each kernel.
(( kvmc_runs > 0 )) || { "$root/bench/boot/report.sh" "$out"; exit 0; }
guests=(kvmc-run)
[[ -f $min ]] && guests+=(kvmc-run-min)
echo "bench/boot: part 2: kvmc run x $kvmc_runs on ${guests[*]}, interleaved" >&2
"$root/scripts/mkbundle.sh" "$work/bundle" sh -c 'echo BENCH-OUT'
# The VMM through a wrapper that stamps its exec on boot-clock's clock and
# adds --boot-timing (its report goes to a file; kvmc's log loses it).
cat > "$work/vmm" << EOF
#!/bin/sh
echo "vmm-exec \$("$clock" --now)" > "$work/vmm-timing"
exec "$root/build/kvmc-vmm" --boot-timing "\$@" 2>> "$work/vmm-timing"
EOF
chmod +x "$work/vmm"
# One configuration per guest: build/kvmc.conf with the wrapper and that
# guest's kernel and initramfs alone.
guest_conf() {
	local kernel=$root/build/guest/vmlinux initrd=$root/build/guest/initrd.img
	if [[ $1 == kvmc-run-min ]]; then
		kernel=$min initrd=$root/build/guest/kvmc-initrd.img
	fi
	sed "s|^#vmm = .*|vmm = $work/vmm|; s|^kernel = .*|kernel = $kernel|; s|^initrd = .*|initrd = $initrd|" \
		"$root/build/kvmc.conf" > "$work/$1.conf"
	grep -q "^vmm = $work/vmm" "$work/$1.conf" && grep -q "^kernel = $kernel\$" "$work/$1.conf" || {
		echo "bench/boot: cannot point $work/$1.conf at the VMM wrapper and $kernel" >&2
		exit 1
	}
}
for g in "${guests[@]}"; do
	guest_conf "$g"
done
for ((i = 0; i <= kvmc_runs; i++)); do
	# Rotated each round, as in part 1.
	for ((k = 0; k < ${#guests[@]}; k++)); do
		g=${guests[(i + k) % ${#guests[@]}]}
		rm -f "$work/vmm-timing"
		j=$(KVMC_CONFIG=$work/$g.conf "$clock" --mark BENCH-OUT --timeout "$tmo" \
			--log "$work/log" -- "$root/build/kvmc" --root "$work/state" \
			run --bundle "$work/bundle" "bench$i-$k" < /dev/null)
		own=$(awk -v t0="$(jq .t0_us <<< "$j")" '
			$1 == "vmm-exec" { printf "\"vmm-exec\":%d", $2 - t0; exec0 = $2 - t0 }
			$1 == "boot-timing:" && $3 ~ /^[0-9]+$/ && $4 == "us" && $3 > 0 {
				printf ",\"%s\":%d", $2, exec0 + $3 }' "$work/vmm-timing" 2>/dev/null || true)
		j=$(jq -c --arg g "$g" --argjson n "$i" --argjson own "{$own}" \
			'. + {config: $g, run: $n, kind: (if $n == 0 then "warmup" else "time" end), timeline: $own}' <<< "$j")
		check_run "$g" "$i" BENCH-OUT "$j"
		echo "$j" >> "$out/samples.jsonl"
		echo "bench/boot: $g #$i: $(jq -r '"output \(.marks_us[0] / 1000 | floor) ms, exit \(.exit_us / 1000 | floor) ms"' <<< "$j")" >&2
	done
done

"$root/bench/boot/report.sh" "$out"
