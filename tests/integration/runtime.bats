#!/usr/bin/env bats
# kvmc end to end without Docker: each test boots one container VM.
# Runs where /dev/kvm works, else inside the KVM test host
# (tests/integration/run).  Bundles and state live under /run (tmpfs).

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$ROOT/tests/integration/lib/kvmc-it.sh"

setup_file() {
	echo "# runtime tests: ${TIMEOUT}s per step" >&3
}

setup() {
	kvmc_it_setup
}

teardown() {
	kvmc_it_teardown
}

@test "runtime: kvmc run prints stdout and stderr and returns the exit status" {
	"$ROOT/scripts/mkbundle.sh" "$W/b" sh -c 'echo out-$((6*7)); echo err-line >&2; exit 7'
	run timeout "$TIMEOUT" "$KVMC" --root "$STATE" run --bundle "$W/b" c1
	echo "$output"
	[ "$status" -eq 7 ]
	[[ $output == *"out-42"* ]]
	[[ $output == *"err-line"* ]]
	assert_clean
}

@test "runtime: create, state, start, ps, pause, resume, kill, delete; stdin reaches the process" {
	"$ROOT/scripts/mkbundle.sh" "$W/b" sh -c 'read line; echo "got:$line"; trap "echo term; exit 3" TERM; echo ready; while :; do sleep 1; done'
	mkfifo "$W/in"
	exec 7<>"$W/in"
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" create --bundle "$W/b" \
		--pid-file "$W/pid" c2 <&7 >"$W/out" 2>&1
	pid=$(cat "$W/pid")
	[[ $pid =~ ^[0-9]+$ ]]
	kill -0 "$pid"
	run "$KVMC" --root "$STATE" state c2
	echo "$output"
	[[ $output == *'"status": "created"'* || $output == *'"status":"created"'* ]]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" start c2
	echo hello-stdin >&7
	for _ in $(seq "$TIMEOUT"); do grep -q ready "$W/out" && break; sleep 1; done
	grep -q "got:hello-stdin" "$W/out"
	run "$KVMC" --root "$STATE" state c2
	[[ $output == *running* ]]
	run "$KVMC" --root "$STATE" ps --format json c2
	[ "$output" = "[$pid]" ]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" pause c2
	run "$KVMC" --root "$STATE" state c2
	[[ $output == *paused* ]]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" resume c2
	run "$KVMC" --root "$STATE" state c2
	[[ $output == *running* ]]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" kill c2 TERM
	for _ in $(seq "$TIMEOUT"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
	! kill -0 "$pid" 2>/dev/null
	grep -q term "$W/out"
	run "$KVMC" --root "$STATE" state c2
	[[ $output == *stopped* ]]
	run "$KVMC" --root "$STATE" kill c2 KILL
	[ "$status" -ne 0 ]
	[[ $output == *"container not running"* ]]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" delete c2
	exec 7>&-
	assert_clean
}

@test "runtime: a bad config.json fails create with the field, leaving nothing" {
	"$ROOT/scripts/mkbundle.sh" "$W/b" true
	sed -i 's/"cwd": "\/"/"cwd": 5/' "$W/b/config.json"
	run "$KVMC" --root "$STATE" create --bundle "$W/b" c3
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"process.cwd"* ]]
	assert_clean
}

@test "runtime: the network namespace's veth reaches the guest through a tap; delete removes it" {
	ip netns add "kvmc-it-$$"
	ip link add "kvh$$" type veth peer name eth0 netns "kvmc-it-$$"
	ip addr add 10.213.0.1/24 dev "kvh$$"
	ip link set "kvh$$" up
	ip -n "kvmc-it-$$" addr add 10.213.0.2/24 dev eth0
	ip -n "kvmc-it-$$" link set eth0 up
	"$ROOT/scripts/mkbundle.sh" "$W/b" sh -c 'ip -4 addr show eth0; ping -c 2 -W 5 10.213.0.1 && echo PING-OK'
	sed -i "s|{ \"type\": \"pid\" }|{ \"type\": \"pid\" }, { \"type\": \"network\", \"path\": \"/run/netns/kvmc-it-$$\" }|" "$W/b/config.json"
	run timeout "$TIMEOUT" "$KVMC" --root "$STATE" run --bundle "$W/b" c4
	echo "$output"
	taps=$(ip -n "kvmc-it-$$" -o link show | grep -c kvmc || true)
	qdiscs=$(tc -n "kvmc-it-$$" qdisc show dev eth0 | grep -c ingress || true)
	ip link del "kvh$$" || true
	ip netns del "kvmc-it-$$" || true
	[ "$status" -eq 0 ]
	[[ $output == *"inet 10.213.0.2/24"* ]]
	[[ $output == *PING-OK* ]]
	[ "$taps" -eq 0 ]
	[ "$qdiscs" -eq 0 ]
	assert_clean
}

@test "runtime: the VM is in linux.cgroupsPath's cgroup; events, update, delete removes it" {
	"$ROOT/scripts/mkbundle.sh" "$W/b" sh -c 'echo ready; while :; do sleep 1; done'
	sed -i "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"/kvmc-it-$$/c5\", \"resources\": { \"memory\": { \"limit\": 134217728 } },|" "$W/b/config.json"
	CG=/sys/fs/cgroup/kvmc-it-$$/c5
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" create --bundle "$W/b" \
		--pid-file "$W/pid" c5 </dev/null >"$W/out" 2>&1
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" start c5
	for _ in $(seq "$TIMEOUT"); do grep -q ready "$W/out" && break; sleep 1; done
	grep -q ready "$W/out"
	pid=$(cat "$W/pid")
	vmm=$(pgrep -f "kvmc-vmm.*$W")
	# What containerd reads for the init pid, and the VMM beside it.
	[ "$(cat "/proc/$pid/cgroup")" = "0::/kvmc-it-$$/c5" ]
	[ "$(cat "/proc/$vmm/cgroup")" = "0::/kvmc-it-$$/c5" ]
	# Nothing else but the VMM's watcher (its parent, which logs how it
	# ends) and KVM's worker threads for the VM (kernel threads, children
	# of kthreadd, which KVM attaches to the VMM's cgroup): create went
	# back to where it was.
	watch=$(awk '{ print $4 }' "/proc/$vmm/stat")
	echo "cgroup.procs: $(cat "$CG/cgroup.procs" | tr '\n' ' ') (shim $pid, vmm $vmm, watcher $watch)"
	grep -qx "$pid" "$CG/cgroup.procs"
	grep -qx "$vmm" "$CG/cgroup.procs"
	for p in $(cat "$CG/cgroup.procs"); do
		[ "$p" = "$pid" ] || [ "$p" = "$vmm" ] || [ "$p" = "$watch" ] ||
			[ "$(awk '{ print $4 }' "/proc/$p/stat")" = 2 ]
	done

	run "$KVMC" --root "$STATE" events --stats c5
	echo "$output"
	[ "$status" -eq 0 ]
	j=$output
	[ "$(echo "$j" | "$JSONQ" type)" = stats ]
	(( $(echo "$j" | "$JSONQ" data cpu usage total) > 0 ))
	(( $(echo "$j" | "$JSONQ" data cpu usage user) > 0 ))
	# Booting touched guest RAM: tens of MiB, at most the guest's 192 MiB
	# and the VMM's own.
	mem=$(echo "$j" | "$JSONQ" data memory usage usage)
	(( mem > 8 << 20 && mem < 512 << 20 ))
	[ "$(echo "$j" | "$JSONQ" data memory usage limit)" = $((192 << 20)) ]
	# The VMM's threads and the shim.
	(( $(echo "$j" | "$JSONQ" data pids current) >= 3 ))

	"$KVMC" --root "$STATE" update --pids-limit 200 c5
	[ "$(cat "$CG/pids.max")" = 200 ]
	echo '{"cpu":{"quota":50000,"period":100000}}' | "$KVMC" --root "$STATE" update -r - c5
	[ "$(cat "$CG/cpu.max")" = "50000 100000" ]
	run "$KVMC" --root "$STATE" update --memory 1g c5
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"more than the VM's 192 MiB of RAM"*"cannot grow a VM's memory" ]]
	run "$KVMC" --root "$STATE" update --cpu-quota 1000000 c5
	[ "$status" -eq 1 ]
	[[ $output == *"cannot add vCPUs" ]]
	[ "$(cat "$CG/pids.max")" = 200 ]

	# Without --stats: samples until the container stops, then it ends.
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" events --interval 1s c5 >"$W/ev" &
	ev=$!
	for _ in $(seq "$TIMEOUT"); do grep -q '"type":"stats"' "$W/ev" && break; sleep 1; done
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" kill c5 KILL
	wait "$ev"
	grep -q '"type":"stats","id":"c5"' "$W/ev"

	timeout "$TIMEOUT" "$KVMC" --root "$STATE" delete c5
	[ ! -d "$CG" ]
	rmdir "/sys/fs/cgroup/kvmc-it-$$"
	assert_clean
}

@test "runtime: --systemd-cgroup places the VM in SLICE/PREFIX-NAME.scope; a bad cgroupsPath is named" {
	"$ROOT/scripts/mkbundle.sh" "$W/b" sleep 100
	sed -i "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"kvmcit-x$$.slice:kvmc:c6\",|" "$W/b/config.json"
	timeout "$TIMEOUT" "$KVMC" --systemd-cgroup --root "$STATE" create \
		--bundle "$W/b" --pid-file "$W/pid" c6 </dev/null >/dev/null 2>&1
	[ "$(cat "/proc/$(cat "$W/pid")/cgroup")" = "0::/kvmcit.slice/kvmcit-x$$.slice/kvmc-c6.scope" ]
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" delete --force c6
	[ ! -d "/sys/fs/cgroup/kvmcit.slice/kvmcit-x$$.slice/kvmc-c6.scope" ]
	rmdir "/sys/fs/cgroup/kvmcit.slice/kvmcit-x$$.slice" "/sys/fs/cgroup/kvmcit.slice"

	sed -i "s|kvmcit-x$$.slice:kvmc:c6|/a/../b|" "$W/b/config.json"
	run "$KVMC" --root "$STATE" create --bundle "$W/b" c7
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: config.json: linux.cgroupsPath: '/a/../b': '..' is not allowed" ]
	assert_clean
}
