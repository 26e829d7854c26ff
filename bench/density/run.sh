#!/usr/bin/env bash
# bench/density/run.sh: N idle containers and their host memory, split
# into the guest pages they touched and what kvmc-vmm and kvmc-shim cost
# beyond them; creation rate sequential and parallel; the boot time of the
# Nth against the 1st.  Peers in the same run: runc (no VM, no shim), and
# QEMU microvm against kvmc-vmm alone on the same kernel and initramfs.
#
# Configurations (KVMC_BENCH_DENSITY_CONFIGS, default "kvmc runc vmm qemu"):
#   kvmc       `kvmc run --detach` of a busybox bundle running `sleep`, N
#              times one after another (each timed), memory of all N after
#              KVMC_BENCH_SETTLE s, all deleted; then N at once, deleted.
#   kvmc-base  the same with the kvmc build in KVMC_BENCH_DENSITY_BASE
#              (a directory with kvmc, kvmc-vmm and kvmc-shim): before and
#              after a change in one run.  Only when that variable is set.
#   runc       `runc run --detach` of the same bundle (the container's
#              process is all there is on the host).
#   vmm, qemu  kvmc-vmm, and QEMU microvm (-accel kvm, the options of
#              bench/boot), booting build/guest/vmlinux (PVH) with a busybox
#              initramfs whose init idles: KVMC_BENCH_DENSITY_BARE (3) VMs
#              one after another, memory after they all idle.
#
# Memory is read from /proc/PID/smaps (bench/density/smaps.awk): the
# anonymous mapping of at least 15/16 of the guest's RAM is the guest's
# (its RSS is the guest pages touched); the rest of the VMM, and the
# shims whole, are the overhead, as RSS, PSS (shared pages divided among
# their users: the figure that adds up over N VMs) and private.
#
#   bench/density/run.sh    (as root where /dev/kvm works; `make bench`)
# Env: KVMC_BENCH_N (8), KVMC_BENCH_SETTLE (10 s), KVMC_BENCH_TIMEOUT
# (s per command, 900), KVMC_BENCH_OUT (build/bench/density), the two
# above.  Writes $KVMC_BENCH_OUT/samples.jsonl, density.json, summary.txt,
# results.{tsv,json,png} (bench/lib/plot.sh) and density.png.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${KVMC_BENCH_N:-8}
bare_n=${KVMC_BENCH_DENSITY_BARE:-3}
settle=${KVMC_BENCH_SETTLE:-10}
tmo=${KVMC_BENCH_TIMEOUT:-900}
out=${KVMC_BENCH_OUT:-$root/build/bench/density}
base=${KVMC_BENCH_DENSITY_BASE:-}
read -r -a configs <<< "${KVMC_BENCH_DENSITY_CONFIGS:-kvmc runc vmm qemu}"
[[ -n $base ]] && configs=(kvmc kvmc-base "${configs[@]:1}")
mem_mib=256
smaps_awk=$root/bench/density/smaps.awk
source "$root/bench/lib.sh"

[[ $n =~ ^[1-9][0-9]*$ && $bare_n =~ ^[0-9]+$ ]] ||
	{ echo "bench/density: KVMC_BENCH_N=$n, KVMC_BENCH_DENSITY_BARE=$bare_n: want numbers" >&2; exit 2; }
if [[ -n $base ]]; then
	for b in kvmc kvmc-vmm kvmc-shim; do
		[[ -x $base/$b ]] || { echo "bench/density: KVMC_BENCH_DENSITY_BASE=$base: no $b there" >&2; exit 2; }
	done
fi

bench_begin density
now_us() { "$clock" --now; }
avail_kib() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }
# mem PID [GUEST_BYTES]: the smaps figures of PID as one JSON object.
mem() { awk -v guest_kib=$((${2:-0} >> 10)) -f "$smaps_awk" "/proc/$1/smaps"; }
emit() { echo "$1" >> "$out/samples.jsonl"; }

# kvmc-base's runtime configuration: the build's, with the base binaries
# (kvmc.conf's relative paths are relative to its own directory).
if [[ -n $base ]]; then
	sed "s|^kernel = guest/|kernel = $root/build/guest/|; s|^initrd = guest/|initrd = $root/build/guest/|" \
		"$root/build/kvmc.conf" > "$work/base.conf"
	printf 'vmm = %s\nshim = %s\n' "$base/kvmc-vmm" "$base/kvmc-shim" >> "$work/base.conf"
fi

# The containers' processes: the idle init's shim ...
mkbundles() {
	local i
	for ((i = 1; i <= n; i++)); do
		[[ -d $work/b$i ]] || "$root/scripts/mkbundle.sh" "$work/b$i" sleep 1000000
	done
}
# ... and the bare VMs' init.
cat > "$work/init.sh" << 'EOF'
mount -t devtmpfs dev /dev
echo BENCH-IDLE
while :; do sleep 3600; done
EOF
"$root/tests/integration/lib/mkinitrd-busybox.sh" "$work/initrd" "$work/init.sh"
cmdline="console=ttyS0 panic=-1 pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd 8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check rcupdate.rcu_expedited=1 noreplace-smp quiet reboot=t"

# rt_cmd CFG: the command line of runtime CFG, without the state root.
rt_cmd() {
	case $1 in
	kvmc) echo "env KVMC_CONFIG=$root/build/kvmc.conf $root/build/kvmc" ;;
	kvmc-base) echo "env KVMC_CONFIG=$work/base.conf $base/kvmc" ;;
	runc) echo runc ;;
	esac
}

# start CFG I: one container, its stdio to a log; the status.
start() {
	local cfg=$1 i=$2
	# shellcheck disable=SC2046
	timeout "$tmo" $(rt_cmd "$cfg") --root "$work/state-$cfg" run --detach \
		--bundle "$work/b$i" --pid-file "$work/pid-$cfg-$i" "d$i" \
		< /dev/null > "$work/log-$cfg-$i" 2>&1
}

# container_mem CFG I: the JSON of container I's host processes.
container_mem() {
	local cfg=$1 i=$2 pid vmm j p comm
	pid=$(cat "$work/pid-$cfg-$i" 2>/dev/null) || return 0
	j=$(jq -cn --arg c "$cfg" --argjson i "$i" '{config: $c, kind: "idle", index: $i}')
	if [[ $cfg == runc ]]; then
		echo "$j" | jq -c --argjson m "$(mem "$pid")" '. + {process: $m}'
		return
	fi
	vmm=$(jq -r '.vmm.pid' "$work/state-$cfg/d$i/state.json")
	j=$(jq -c --argjson m "$(mem "$pid")" --argjson v "$(mem "$vmm" $((mem_mib << 20)))" \
		'. + {shim: $m, vmm: $v}' <<< "$j")
	# Any other process of this container (there should be none).
	for p in $(bench_pids_with "$work/state-$cfg/d$i"); do
		[[ $p == "$vmm" || $p == "$pid" ]] && continue
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		j=$(jq -c --arg c "$comm" --argjson m "$(mem "$p")" '.others += [$m + {comm: $c}]' <<< "$j")
	done
	# The guest's own view: its free memory is what free-page reporting
	# or a balloon could give back (docs/benchmarks.md).
	if (( i <= 3 )); then
		# shellcheck disable=SC2046
		timeout "$tmo" $(rt_cmd "$cfg") --root "$work/state-$cfg" exec "d$i" \
			cat /proc/meminfo < /dev/null > "$work/meminfo" 2> /dev/null &&
			j=$(jq -c --argjson g "$(awk '$3 == "kB" { sub(":", "", $1); printf "%s\"%s_kib\":%d", n++ ? "," : "{", $1, $2 } END { print n ? "}" : "{}" }' "$work/meminfo")" \
				'. + {guest_meminfo: $g}' <<< "$j")
	fi
	echo "$j"
}

remove_all() {
	local cfg=$1 i
	for ((i = 1; i <= n; i++)); do
		if [[ $cfg == runc ]]; then
			runc --root "$work/state-$cfg" delete --force "d$i" > /dev/null 2>&1 || true
		else
			# shellcheck disable=SC2046
			timeout "$tmo" $(rt_cmd "$cfg") --root "$work/state-$cfg" delete --force "d$i" > /dev/null 2>&1 || true
		fi
		rm -f "$work/pid-$cfg-$i"
	done
}

run_containers() {
	local cfg=$1 i t0 t1 ts te before after ok st pids
	echo "bench/density: $cfg: $n containers one after another" >&2
	before=$(avail_kib)
	t0=$(now_us)
	for ((i = 1; i <= n; i++)); do
		ts=$(now_us)
		st=0
		start "$cfg" "$i" || st=$?
		te=$(now_us)
		emit "$(jq -cn --arg c "$cfg" --argjson i "$i" --argjson s "$st" --argjson t $((te - ts)) \
			'{config: $c, kind: "seq", index: $i, status: $s, us: $t}')"
		echo "bench/density: $cfg #$i: status $st, $(((te - ts) / 1000)) ms" >&2
		[[ $st == 0 ]] || sed 's/^/  | /' "$work/log-$cfg-$i" >&2
	done
	t1=$(now_us)
	sleep "$settle"
	after=$(avail_kib)
	for ((i = 1; i <= n; i++)); do
		j=$(container_mem "$cfg" "$i")
		[[ -n $j ]] && emit "$j"
	done
	emit "$(jq -cn --arg c "$cfg" --argjson n "$n" --argjson t $((t1 - t0)) \
		--argjson b "$before" --argjson a "$after" \
		'{config: $c, kind: "seq-total", containers: $n, total_us: $t, avail_before_kib: $b, avail_after_kib: $a}')"
	remove_all "$cfg"

	echo "bench/density: $cfg: $n containers at once" >&2
	t0=$(now_us)
	pids=()
	for ((i = 1; i <= n; i++)); do
		start "$cfg" "$i" &
		pids+=($!)
	done
	ok=0
	for ((i = 1; i <= n; i++)); do
		st=0
		wait "${pids[i - 1]}" || st=$?
		if [[ $st == 0 && -s $work/pid-$cfg-$i ]]; then
			ok=$((ok + 1))
		else
			echo "bench/density: $cfg #$i at once: status $st" >&2
			sed 's/^/  | /' "$work/log-$cfg-$i" >&2
		fi
	done
	t1=$(now_us)
	emit "$(jq -cn --arg c "$cfg" --argjson n "$ok" --argjson t $((t1 - t0)) \
		'{config: $c, kind: "par-total", containers: $n, total_us: $t}')"
	echo "bench/density: $cfg: $ok of $n at once in $(((t1 - t0) / 1000)) ms" >&2
	remove_all "$cfg"
}

# bare CFG: bare_n VMs of the idle initramfs one after another, each
# waited for (its console's BENCH-IDLE), then their memory; all killed.
bare_pids=()
run_bare() {
	local cfg=$1 i ts te pid ok cmd
	echo "bench/density: $cfg: $bare_n bare VMs" >&2
	bare_pids=()
	for ((i = 1; i <= bare_n; i++)); do
		case $cfg in
		vmm) cmd=("$root/build/kvmc-vmm" --kernel "$root/build/guest/vmlinux"
			--initrd "$work/initrd" --memory "${mem_mib}M" --cpus 1
			--console stdio --cmdline "$cmdline") ;;
		qemu) cmd=(qemu-system-x86_64 -M microvm -accel kvm -cpu host
			-m "${mem_mib}M" -smp 1 -nodefaults -no-user-config
			-display none -no-reboot -serial stdio
			-kernel "$root/build/guest/vmlinux" -initrd "$work/initrd"
			-append "$cmdline") ;;
		esac
		ts=$(now_us)
		"${cmd[@]}" < /dev/null > "$work/bare-$cfg-$i" 2>&1 &
		pid=$!
		bare_pids+=("$pid")
		ok=1
		until grep -q BENCH-IDLE "$work/bare-$cfg-$i"; do
			kill -0 "$pid" 2>/dev/null && (( $(now_us) - ts < tmo * 1000000 )) ||
				{ ok=0; break; }
			sleep 0.2
		done
		te=$(now_us)
		emit "$(jq -cn --arg c "$cfg" --argjson i "$i" --argjson s $((1 - ok)) --argjson t $((te - ts)) \
			'{config: $c, kind: "seq", index: $i, status: $s, us: $t}')"
		echo "bench/density: $cfg #$i: $([[ $ok == 1 ]] && echo idle || echo FAILED) after $(((te - ts) / 1000)) ms" >&2
		[[ $ok == 1 ]] || tail -n 20 "$work/bare-$cfg-$i" | sed 's/^/  | /' >&2
	done
	sleep "$settle"
	for ((i = 1; i <= bare_n; i++)); do
		pid=${bare_pids[i - 1]}
		kill -0 "$pid" 2>/dev/null || continue
		emit "$(jq -c --arg c "$cfg" --argjson i "$i" '{config: $c, kind: "idle", index: $i, vmm: .}' \
			<<< "$(mem "$pid" $((mem_mib << 20)))")"
	done
	kill_bare
}
kill_bare() {
	local p
	for p in "${bare_pids[@]}"; do
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
	bare_pids=()
}
trap 'kill_bare; for c in "${configs[@]}"; do [[ $c == vmm || $c == qemu ]] || remove_all "$c"; done; rm -rf "$work"' EXIT

: > "$out/samples.jsonl"
emit "$(jq -cn --argjson n "$n" --argjson b "$bare_n" --argjson s "$settle" --argjson m "$mem_mib" \
	--arg k "$(uname -r)" --arg thp "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" \
	--argjson mt "$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)" --arg base "$base" \
	'{kind: "params", n: $n, bare_n: $b, settle_s: $s, guest_mib: $m, host_kernel: $k, thp: $thp, memtotal_kib: $mt, base: $base}')"
for cfg in "${configs[@]}"; do
	case $cfg in
	kvmc | kvmc-base | runc) mkbundles; run_containers "$cfg" ;;
	vmm | qemu) (( bare_n > 0 )) && run_bare "$cfg" ;;
	*) echo "bench/density: unknown configuration '$cfg'" >&2; exit 2 ;;
	esac
done

"$root/bench/density/report.sh" "$out"
