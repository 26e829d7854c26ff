#!/usr/bin/env bats
# kvmc events and update without a VM: option and input errors, and the
# output and cgroup writes on a stand-in container whose "cgroup" is a
# plain directory holding the files a cgroup v2 directory would.

load kvmc_helpers

setup() {
	kvmc_setup
	start_sleeper
	ST=$(start_time "$SLEEPER")
	CG=$TMP/cg
	mkdir -p "$CG"
	printf 'usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n' > "$CG/cpu.stat"
	echo 52428800 > "$CG/memory.current"
	echo max > "$CG/memory.max"
	printf 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n' > "$CG/memory.events"
	printf 'anon 40000000\nfile 1000\n' > "$CG/memory.stat"
	echo 7 > "$CG/pids.current"
	echo max > "$CG/pids.max"
	echo 'max 100000' > "$CG/cpu.max"
	: > "$CG/cpu.weight"
}
teardown() { kvmc_teardown; }

# vm_state ID SHIM_PID SHIM_START: a created-and-started container made
# for --memory 512m --cpus 2 (576 MiB, 2 vCPUs), its cgroup in $CG.
vm_state() {
	fake_state "$1" "$2" "$3" "$2" "$3" true false
	sed -i "s|\"kvmc\":{}|\"kvmc\":{\"cgroup\":\"$CG\",\"cgroup.owned\":\"0\",\"vm.memoryMiB\":\"576\",\"vm.vcpus\":\"2\",\"vm.memoryLimit\":\"536870912\"}|" "$ROOT/$1/state.json"
}

@test "events and update: unknown container, bad id" {
	for c in "events" "events --stats" "update --pids-limit 5"; do
		run k $c nosuch
		[ "$status" -eq 1 ]
		[ "$output" = 'kvmc: container "nosuch" does not exist' ] || { echo "$c: $output"; false; }
		run k $c ../x
		[ "$status" -eq 1 ]
		[[ $output == "kvmc: invalid container id"* ]]
	done
}

@test "events: a bad --interval is named, nothing else is read" {
	for d in 0 5 -1s 1x "" 1.5.5s; do
		run k events --interval "$d" nosuch
		[ "$status" -eq 2 ] || { echo "accepted: '$d'"; false; }
		[ "$output" = "kvmc: events: --interval: '$d' is not a duration above 0 (5s, 500ms, 1m30s) (see 'kvmc events --help')" ]
	done
	run k events --stats
	[ "$status" -eq 2 ]
	[[ $output == *"expects exactly one container ID"* ]]
	run k events --bogus c1
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--bogus'"* ]]
}

@test "update: bad resources JSON names the field, from a file and from stdin" {
	vm_state c1 "$SLEEPER" "$ST"
	echo '{"pids":{"limit":"ten"}}' > "$TMP/r.json"
	run k update --resources "$TMP/r.json" c1
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: update: --resources $TMP/r.json: pids.limit: expected a 64-bit integer" ]
	run bash -c 'echo "{\"cpu\":{\"quota\":-7}}" | "$@"' _ "$KVMC" --root "$ROOT" update -r - c1
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: update: --resources -: cpu.quota: -7: expected a positive number, 0 (unchanged) or -1 (unlimited)" ]
	run bash -c 'echo "{\"memory\":" | "$@"' _ "$KVMC" --root "$ROOT" update -r - c1
	[ "$status" -eq 1 ]
	[[ $output == "kvmc: update: --resources -: not valid JSON"* ]]
	run k update --resources "$TMP/missing.json" c1
	[ "$status" -eq 1 ]
	[[ $output == *"$TMP/missing.json: No such file or directory" ]]
	# Nothing was written.
	[ "$(cat "$CG/pids.max")" = max ]
}

@test "update: bad flags and usage" {
	run k update --memory 12x c1
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: update: --memory: '12x' is not a size (512m, 1g) or -1 (see 'kvmc update --help')" ]
	run k update --pids-limit many c1
	[ "$status" -eq 2 ]
	[[ $output == *"--pids-limit: 'many' is not a number of tasks or -1"* ]]
	run k update c1
	[ "$status" -eq 2 ]
	[[ $output == *"nothing to update"* ]]
	run k update --resources - --pids-limit 3 c1
	[ "$status" -eq 2 ]
	[[ $output == *"--resources and --pids-limit: give one or the other"* ]]
	run k update --pids-limit 3
	[ "$status" -eq 2 ]
	[[ $output == *"expects exactly one container ID"* ]]
}

@test "events --stats: runc's JSON from the container's cgroup" {
	vm_state c1 "$SLEEPER" "$ST"
	run k events --stats c1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	j=${lines[0]}
	[ "$(echo "$j" | "$JSONQ" type)" = stats ]
	[ "$(echo "$j" | "$JSONQ" id)" = c1 ]
	[ "$(echo "$j" | "$JSONQ" data cpu usage total)" = 2500000 ]
	[ "$(echo "$j" | "$JSONQ" data cpu usage user)" = 2000000 ]
	[ "$(echo "$j" | "$JSONQ" data cpu usage kernel)" = 500000 ]
	[ "$(echo "$j" | "$JSONQ" data memory usage usage)" = 52428800 ]
	# memory.max is "max": the limit is the guest's 576 MiB.
	[ "$(echo "$j" | "$JSONQ" data memory usage limit)" = $((576 << 20)) ]
	[ "$(echo "$j" | "$JSONQ" data memory raw anon)" = 40000000 ]
	[ "$(echo "$j" | "$JSONQ" data pids current)" = 7 ]
}

@test "events --stats of a stopped container, or one without a cgroup" {
	sh -c 'exit 0' & dead=$!
	wait "$dead" || true
	vm_state gone "$dead" 1
	run k events --stats gone
	[ "$status" -eq 1 ]
	[[ $output == *"container not running"* ]]
	vm_state nocg "$SLEEPER" "$ST"
	sed -i 's|"cgroup":"[^"]*"|"cgroup":""|' "$ROOT/nocg/state.json"
	run k events --stats nocg
	[ "$status" -eq 1 ]
	[ "$output" = 'kvmc: events: container "nocg" has no cgroup: create found no cgroup v2 at /sys/fs/cgroup' ]
	run k update --pids-limit 5 nocg
	[ "$status" -eq 1 ]
	[[ $output == *'the container has no cgroup'* ]]
}

@test "update: limits go to the cgroup; what the VM cannot change is refused" {
	vm_state c1 "$SLEEPER" "$ST"
	# Writes append to these plain files: start them empty.
	: > "$CG/pids.max"
	k update --pids-limit 42 c1
	[ "$(cat "$CG/pids.max")" = 42 ]
	: > "$CG/cpu.max"
	echo '{"memory":{"limit":536870912,"swap":1073741824},"cpu":{"quota":150000,"period":100000,"shares":1024},"pids":{"limit":-1}}' |
		"$KVMC" --root "$ROOT" update --resources - c1
	[ "$(cat "$CG/cpu.max")" = "150000 100000" ]
	[ "$(cat "$CG/cpu.weight")" = 39 ]
	[ "$(cat "$CG/pids.max")" = "42max" ]
	: > "$CG/pids.max"
	run k update --memory 1g --pids-limit 9 c1
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: update \"c1\": memory.limit: 1073741824 bytes is more than the VM's 576 MiB of RAM, which is fixed when it boots: kvmc cannot grow a VM's memory" ]
	run k update --cpu-quota 300000 c1
	[ "$status" -eq 1 ]
	[[ $output == *"cpu.quota: 300000 per 100000 µs is 3 CPUs, more than the VM's 2 vCPUs"* ]]
	run k update --cpuset-cpus 0-2 c1
	[ "$status" -eq 1 ]
	[[ $output == *"cpu.cpus: '0-2' is 3 CPUs"* ]]
	run k update --blkio-weight 300 c1
	[ "$status" -eq 1 ]
	[[ $output == *"blockIO.weight: not supported by kvmc"* ]]
	# A refused update writes nothing, not even its acceptable part.
	[ -z "$(cat "$CG/pids.max")" ]
}

@test "events: a sample per --interval and OOM events until the container stops" {
	sleep 1000 & shim=$!
	vm_state c1 "$shim" "$(start_time "$shim")"
	timeout 120 "$KVMC" --root "$ROOT" events --interval 100ms c1 > "$TMP/ev" 2>&1 &
	ev=$!
	for _ in $(seq 600); do [ "$(grep -c '"type":"stats"' "$TMP/ev")" -ge 2 ] && break; sleep 0.1; done
	[ "$(grep -c '"type":"stats"' "$TMP/ev")" -ge 2 ]
	! grep -q '"type":"oom"' "$TMP/ev"
	printf 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n' > "$CG/memory.events"
	for _ in $(seq 600); do grep -q '"type":"oom"' "$TMP/ev" && break; sleep 0.1; done
	grep -qx '{"type":"oom","id":"c1"}' "$TMP/ev"
	kill "$shim"
	wait "$ev"
	echo "events ended with $?"
	cat "$TMP/ev"
	[ "$(grep -c '"type":"oom"' "$TMP/ev")" -eq 1 ]
}
