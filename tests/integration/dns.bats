#!/usr/bin/env bats
# The DNS relay (docs/network.md, "Docker's embedded DNS") without Docker:
# a network namespace with a small DNS responder on 127.0.0.11:53 of its
# loopback (lib/dns-responder.py), where only that namespace's own stack
# reaches it; config.json names the namespace and bind-mounts a
# resolv.conf that says "nameserver 127.0.0.11", as Docker's user-defined
# networks do.  The guest's resolver must get the responder's answers
# through the agent's relay and kvmc-vmm's socket in the namespace.
# Needs root, /dev/kvm (or the test host), python3, busybox-static.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$ROOT/tests/integration/lib/kvmc-it.sh"

setup_file() {
	echo "# dns tests: ${TIMEOUT}s per step" >&3
}

setup() {
	[[ $EUID -eq 0 ]] || skip "network namespaces need root"
	kvmc_it_setup
	NS=kvmc-dns-$$
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip netns exec "$NS" /usr/bin/python3 "$ROOT/tests/integration/lib/dns-responder.py" \
		127.0.0.11 53 peer.kvmc.test=10.1.2.3 other.kvmc.test=10.1.2.4 \
		> "$W/responder.log" 2>&1 &
	echo $! > "$W/responder.pid"
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		grep -q ready "$W/responder.log" && break
		sleep 0.1
	done
	grep -q ready "$W/responder.log"
}

teardown() {
	[[ -f ${W:-}/responder.pid ]] && kill "$(cat "$W/responder.pid")" 2>/dev/null
	[[ -n ${NS:-} ]] && ip netns del "$NS" 2>/dev/null
	[[ -n ${W:-} ]] && kvmc_it_teardown
	true
}

# bundle RESOLV_CONF_TEXT ARG...: a bundle in $W/b in the namespace, its
# /etc/resolv.conf bind-mounted from $W/resolv.conf.
bundle() {
	printf '%s\n' "$1" > "$W/resolv.conf"
	shift
	"$ROOT/scripts/mkbundle.sh" "$W/b" "$@"
	sed -i "s|{ \"type\": \"pid\" }|{ \"type\": \"pid\" }, { \"type\": \"network\", \"path\": \"/run/netns/$NS\" }|" "$W/b/config.json"
	sed -i "s|\"mounts\": \[|\"mounts\": [ { \"destination\": \"/etc/resolv.conf\", \"type\": \"bind\", \"source\": \"$W/resolv.conf\", \"options\": [ \"rbind\", \"ro\" ] },|" "$W/b/config.json"
}

@test "dns: names resolve through the relay to a server only the namespace reaches" {
	# Over TCP too: a query for peer.kvmc.test (A), id 0xabcd, framed
	# by hand (busybox has no dig; its nc half-closes after stdin).
	bundle "nameserver 127.0.0.11" sh -c \
		'cat /etc/resolv.conf; nslookup peer.kvmc.test; nslookup other.kvmc.test 127.0.0.11; nslookup missing.kvmc.test; echo "TCP:$(printf "\000\040\253\315\001\000\000\001\000\000\000\000\000\000\004peer\004kvmc\004test\000\000\001\000\001" | timeout 60 nc 127.0.0.11 53 | od -An -tx1 -v | tr -d "\n")"; echo END'
	run timeout "$TIMEOUT" "$KVMC" --root "$STATE" run --bundle "$W/b" d1
	echo "$output"
	echo "--- responder"
	cat "$W/responder.log"
	[ "$status" -eq 0 ]
	[[ $output == *"Address: 10.1.2.3"* ]]
	[[ $output == *"Address: 10.1.2.4"* ]]
	[[ $output == *"NXDOMAIN"* ]]
	# The answer's length (48), the id back, a response; 10.1.2.3 at the end.
	[[ $output == *"TCP: 00 30 ab cd 85 80"*" 0a 01 02 03"* ]]
	[[ $output == *END* ]]
	# They went to the namespace's server, not anywhere else.
	grep -q "query peer.kvmc.test 1" "$W/responder.log"
	grep -q "query missing.kvmc.test 1" "$W/responder.log"
	assert_clean
}

@test "dns: a resolv.conf without 127.0.0.11 gets no relay" {
	bundle "nameserver 10.9.9.9" sh -c \
		'cat /etc/resolv.conf; nslookup peer.kvmc.test 127.0.0.11 && echo RESOLVED; echo END'
	run timeout "$TIMEOUT" "$KVMC" --root "$STATE" run --bundle "$W/b" d2
	echo "$output"
	[[ $output == *"nameserver 10.9.9.9"* ]]
	[[ $output == *END* ]]
	[[ $output != *RESOLVED* ]]
	[[ $output != *"Address: 10.1.2.3"* ]]
	! grep -q "query" "$W/responder.log"
	assert_clean
}
