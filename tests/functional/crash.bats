#!/usr/bin/env bats
# A kvmc create that dies around the VMM's record in the state, with a
# fake VMM (a sleeper that writes its pid), no VM needed: killed before
# the record, the VMM's watcher kills the VMM that no state names;
# killed after it, the VMM lives on for delete --force to end.

load kvmc_helpers

setup() {
	kvmc_setup
	# The fake VMM: a copy of sleep, so that its name finds it.
	cp "$(command -v sleep)" "$TMP/vmmbin"
	cat > "$TMP/fakevmm" <<- EOF
	#!/bin/sh
	echo \$\$ > "$TMP/vmm.pid"
	exec "$TMP/vmmbin" 1000
	EOF
	chmod +x "$TMP/fakevmm"
	# Kernel and initrd need only exist: the fake VMM reads neither; the
	# shim is never reached (no proxy ever appears).
	printf 'kernel = /bin/true\ninitrd = /bin/true\nvmm = %s\nshim = /bin/true\n' \
		"$TMP/fakevmm" > "$TMP/kvmc.conf"
	export KVMC_CONFIG=$TMP/kvmc.conf
}

teardown() {
	pkill -9 -f "$TMP/(fakevmm|vmmbin)" 2>/dev/null
	kvmc_teardown
}

# fake_vmms: the fake VMMs of this test still running.
fake_vmms() { pgrep -f "$TMP/(fakevmm|vmmbin)" || true; }

# alive PID: the process exists and is not a zombie.
alive() {
	[[ -r /proc/$1/stat ]] && [[ $(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1) != Z ]]
}

# wait_gone PID: up to 10 s for PID to end.
wait_gone() {
	local i
	for i in $(seq 100); do
		alive "$1" || return 0
		sleep 0.1
	done
	return 1
}

@test "crash: create killed before it records the VMM: the VMM's watcher kills the VMM, delete --force removes the rest" {
	run env KVMC_FAULT=create-before-record "$KVMC" --root "$ROOT" create --bundle "$BUNDLE" c1
	[ "$status" -eq 137 ]
	# The VMM may be killed before it even ran its first line.
	for i in $(seq 50); do [[ -z $(fake_vmms) ]] && break; sleep 0.1; done
	sleep 1
	[ -z "$(fake_vmms)" ]
	k delete --force c1
	[ -z "$(ls "$ROOT")" ]
}

@test "crash: create killed after it records the VMM: the VMM lives on, delete --force ends it" {
	KVMC_BOOT_TIMEOUT=120 "$KVMC" --root "$ROOT" create --bundle "$BUNDLE" c2 \
		> "$TMP/create.out" 2>&1 3>&- &
	create=$!
	for i in $(seq 100); do
		[[ -s $TMP/vmm.pid && -f $ROOT/c2/state.json ]] && break
		sleep 0.1
	done
	[[ -f $ROOT/c2/state.json ]]
	vmm=$(cat "$TMP/vmm.pid")
	kill -9 "$create"
	wait "$create" || true
	sleep 1
	alive "$vmm"
	run k state c2
	[ "$status" -eq 0 ]
	k delete --force c2
	wait_gone "$vmm"
	[ -z "$(ls "$ROOT")" ]
}
