#!/usr/bin/env bats
# create's prestart and createRuntime hooks (before any VM, so no
# /dev/kvm): the state on stdin, its pid a process in the container's
# network namespace (a new one create makes when config.json's has no
# path, as Docker's libnetwork-setkey hook needs), and a failing hook
# failing create with nothing left behind.  Each hook here records what it
# saw and fails, so that create stops before booting a VM.

load kvmc_helpers

setup() {
	kvmc_setup
	# create checks that the guest's kernel and initrd are there before
	# anything else; these never boot (the hooks fail first).
	printf 'kernel = /bin/true\ninitrd = /bin/true\n' > "$TMP/kvmc.conf"
	export KVMC_CONFIG=$TMP/kvmc.conf
}
teardown() { kvmc_teardown; }

H='"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"}'

# config NAMESPACES HOOKS: config.json with linux.namespaces and hooks.
config() {
	printf '{%s,"linux":{"namespaces":[%s]},"hooks":{%s}}' "$H" "$1" "$2" \
		> "$BUNDLE/config.json"
}

# A hook that saves its stdin and the network namespace of the state's pid
# in $TMP/NAME.{state,ns}, then exits 3.
hook() {
	cat > "$TMP/$1.sh" <<-END
	#!/bin/sh
	cat > $TMP/$1.state
	pid=\$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' $TMP/$1.state)
	readlink /proc/\$pid/ns/net > $TMP/$1.ns
	exit 3
	END
	chmod +x "$TMP/$1.sh"
	printf '{"path":"%s"}' "$TMP/$1.sh"
}

nothing_left() {
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	! grep -q " $ROOT/" /proc/self/mountinfo
}

@test "hooks: a new network namespace for a namespace without a path; a failing hook fails create" {
	[[ $EUID -eq 0 ]] || skip "making a network namespace needs root"
	config '{"type":"network"}' '"prestart":['"$(hook pre)"']'
	run k create --bundle "$BUNDLE" --pid-file "$TMP/pid" c1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"hook prestart[0] $TMP/pre.sh: exit status 3"* ]]
	cat "$TMP/pre.state"
	grep -q '"id":"c1"' "$TMP/pre.state"
	grep -q '"status":"creating"' "$TMP/pre.state"
	grep -q "\"bundle\":\"$BUNDLE\"" "$TMP/pre.state"
	ns=$(cat "$TMP/pre.ns")
	echo "hook saw $ns, we are in $(readlink /proc/self/ns/net)"
	[[ $ns == net:\[* ]]
	[ "$ns" != "$(readlink /proc/self/ns/net)" ]
	nothing_left
	[ ! -e "$TMP/pid" ]
}

@test "hooks: prestart then createRuntime, in the namespace config.json names" {
	[[ $EUID -eq 0 ]] || skip "entering a network namespace needs root"
	NS=kvmcft$$
	ip netns add "$NS" || skip "ip netns add failed"
	ok='{"path":"/bin/sh","args":["sh","-c","cat > '"$TMP"'/ok.state"]}'
	config '{"type":"network","path":"/run/netns/'"$NS"'"}' \
		'"prestart":['"$ok"'],"createRuntime":['"$(hook cr)"']'
	run k create --bundle "$BUNDLE" --pid-file "$TMP/pid" c2
	want=$(ip netns exec "$NS" readlink /proc/self/ns/net)
	ip netns del "$NS"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"hook createRuntime[0] $TMP/cr.sh: exit status 3"* ]]
	[ -s "$TMP/ok.state" ]
	echo "hook saw $(cat "$TMP/cr.ns"), want $want"
	[ "$(cat "$TMP/cr.ns")" = "$want" ]
	nothing_left
}

@test "hooks: without a network namespace the hooks see ours" {
	config '{"type":"pid"}' '"prestart":['"$(hook pre)"']'
	run k create --bundle "$BUNDLE" --pid-file "$TMP/pid" c3
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(cat "$TMP/pre.ns")" = "$(readlink /proc/self/ns/net)" ]
	nothing_left
}

@test "hooks: a namespace path that does not exist is named" {
	[[ $EUID -eq 0 ]] || skip "entering a network namespace needs root"
	config '{"type":"network","path":"/nonexistent/ns"}' '"prestart":['"$(hook pre)"']'
	run k create --bundle "$BUNDLE" --pid-file "$TMP/pid" c4
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"entering the network namespace /nonexistent/ns: No such file or directory"* ]]
	[ ! -e "$TMP/pre.state" ]
	nothing_left
}
