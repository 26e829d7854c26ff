#!/usr/bin/env bats
# kvmc-vmm's sandbox (docs/sandbox.md), seen from the host while a
# container runs: seccomp filter mode, no_new_privs and the kept
# capabilities on every thread, a root that holds only /proc; the
# container's rootfs is still served over 9p.  A VMM that dies of SIGSYS
# is logged as a seccomp kill; vmm_sandbox = off leaves it unconfined.
# Runs where /dev/kvm works, else inside the KVM test host.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$ROOT/tests/integration/lib/kvmc-it.sh"
# vmm/sandbox.c: CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID
KEEP_CAPS=000000000000001f

setup_file() {
	echo "# sandbox tests: ${TIMEOUT}s per step" >&3
}

setup() {
	kvmc_it_setup
}

teardown() {
	exec 7>&- || true
	kvmc_it_teardown
}

# Creates and starts container $1 whose process writes through the 9p
# rootfs, says ready and waits; sets VMM to its kvmc-vmm's pid.  Its
# stdin stays open (fd 7, a fifo) until the test ends.
start_container() {
	"$ROOT/scripts/mkbundle.sh" "$W/b" sh -c 'echo through-9p > /root/f && mkdir /root/d && mv /root/f /root/d/g && cat /root/d/g && echo ready; while :; do sleep 1; done'
	mkfifo "$W/in"
	exec 7<>"$W/in"
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" create --bundle "$W/b" \
		--pid-file "$W/pid" "$1" <&7 >"$W/out" 2>&1
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" start "$1" ||
		{ cat "$W/out" "$STATE/$1/vmm.log"; return 1; }
	for _ in $(seq "$TIMEOUT"); do grep -q ready "$W/out" && break; sleep 1; done
	cat "$W/out"
	grep -q through-9p "$W/out"
	[ "$(cat "$W/b/rootfs/root/d/g")" = through-9p ]
	VMM=$(pgrep -f "kvmc-vmm.*$W")
	[[ $VMM =~ ^[0-9]+$ ]]
}

field() {	# field FILE KEY
	sed -n "s/^$2:[[:space:]]*//p" "$1"
}

@test "sandbox: every kvmc-vmm thread is filtered, without new privileges or spare capabilities, in an empty root" {
	start_container c1
	n=0
	for t in /proc/"$VMM"/task/*; do
		echo "$t: $(field "$t/status" Name) seccomp $(field "$t/status" Seccomp) nnp $(field "$t/status" NoNewPrivs) eff $(field "$t/status" CapEff) bnd $(field "$t/status" CapBnd)"
		[ "$(field "$t/status" Seccomp)" = 2 ]
		[ "$(field "$t/status" NoNewPrivs)" = 1 ]
		[ "$(field "$t/status" CapEff)" = "$KEEP_CAPS" ]
		[ "$(field "$t/status" CapPrm)" = "$KEEP_CAPS" ]
		[ "$(field "$t/status" CapBnd)" = "$KEEP_CAPS" ]
		[ "$(field "$t/status" CapInh)" = 0000000000000000 ]
		n=$((n + 1))
	done
	# main, the device loop, the 9p workers, one vCPU
	(( n >= 4 ))
	ls -A /proc/"$VMM"/root
	[ "$(ls -A /proc/"$VMM"/root)" = proc ]
	cat /proc/"$VMM"/mountinfo
	[ "$(wc -l < /proc/"$VMM"/mountinfo)" -eq 2 ]
	grep -q ' / / ro,.* - tmpfs ' /proc/"$VMM"/mountinfo
	grep -q ' /proc .* - proc ' /proc/"$VMM"/mountinfo
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" kill c1 KILL
	# The init's shim ends with it; the VM lives on until delete.
	pid=$(cat "$W/pid")
	for _ in $(seq "$TIMEOUT"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" delete c1
	assert_clean
}

@test "sandbox: a kvmc-vmm killed by SIGSYS is logged as killed by seccomp" {
	start_container c2
	kill -SYS "$VMM"
	for _ in $(seq "$TIMEOUT"); do kill -0 "$VMM" 2>/dev/null || break; sleep 1; done
	! kill -0 "$VMM" 2>/dev/null
	for _ in $(seq 30); do grep -q seccomp "$STATE/c2/vmm.log" && break; sleep 1; done
	cat "$STATE/c2/vmm.log"
	grep -q "kvmc-vmm killed by seccomp (SIGSYS): pid $VMM " "$STATE/c2/vmm.log"
	pid=$(cat "$W/pid")
	for _ in $(seq "$TIMEOUT"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
	run "$KVMC" --root "$STATE" state c2
	[[ $output == *stopped* ]]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" delete c2
	assert_clean
}

@test "sandbox: vmm_sandbox = off in kvmc.conf leaves kvmc-vmm unconfined" {
	cat > "$W/kvmc.conf" <<-EOF
	kernel = $ROOT/build/guest/vmlinux
	initrd = $ROOT/build/guest/initrd.img
	vmm_sandbox = off
	EOF
	export KVMC_CONFIG=$W/kvmc.conf
	start_container c3
	tr '\0' ' ' < /proc/"$VMM"/cmdline | grep -q -- '--sandbox off'
	[ "$(field /proc/"$VMM"/status Seccomp)" = 0 ]
	[ "$(ls -A /proc/"$VMM"/root)" != proc ]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" kill c3 KILL
	# The init's shim ends with it; the VM lives on until delete.
	pid=$(cat "$W/pid")
	for _ in $(seq "$TIMEOUT"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" delete c3
	assert_clean
}
