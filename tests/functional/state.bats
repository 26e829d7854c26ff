#!/usr/bin/env bats
# kvmc state and list: runc's formats, statuses derived from the liveness
# of the recorded processes (stand-ins here: no VM is started), unknown and
# invalid ids, and lifecycle commands refused in the wrong state.

load kvmc_helpers

setup() {
	kvmc_setup
	start_sleeper
	ST=$(start_time "$SLEEPER")
	# A pid that no longer runs: a reaped child.
	sh -c 'exit 0' & DEAD=$!
	wait "$DEAD" || true
}
teardown() { kvmc_teardown; }

status_of() {
	k state "$1" | "$JSONQ" status
}

@test "state of an unknown container: runc's 'does not exist'" {
	run k state nosuch
	[ "$status" -eq 1 ]
	[ "$output" = 'kvmc: container "nosuch" does not exist' ]
}

@test "ids that are not ids are refused, never used as paths" {
	for id in ../x a/b .hidden -flag 'a b' "$(printf 'x%.0s' {1..129})"; do
		run k state -- "$id"
		[ "$status" -eq 1 ] || { echo "accepted: $id"; false; }
		[[ $output == "kvmc: invalid container id"* ]]
	done
}

@test "an error quoting an argument stays one line" {
	run k state $'a\nb'
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: invalid container id 'a?b': expected [A-Za-z0-9][A-Za-z0-9_.-]*" ]
}

@test "state: runc's JSON for a running container" {
	fake_state c1 "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	run k state c1
	[ "$status" -eq 0 ]
	j=$output
	[ "$(echo "$j" | "$JSONQ" ociVersion)" = "1.0.2" ]
	[ "$(echo "$j" | "$JSONQ" id)" = "c1" ]
	[ "$(echo "$j" | "$JSONQ" pid)" = "$SLEEPER" ]
	[ "$(echo "$j" | "$JSONQ" status)" = "running" ]
	[ "$(echo "$j" | "$JSONQ" bundle)" = "$BUNDLE" ]
	[ "$(echo "$j" | "$JSONQ" rootfs)" = "$BUNDLE/rootfs" ]
	[ "$(echo "$j" | "$JSONQ" created)" = "2026-01-02T03:04:05.000000006Z" ]
	[ "$(echo "$j" | "$JSONQ" annotations org.test)" = "yes" ]
	[ "$(echo "$j" | "$JSONQ" owner)" = "root" ]
}

@test "status follows the processes: created, running, paused, stopped" {
	fake_state c "$SLEEPER" "$ST" "$SLEEPER" "$ST" false false
	[ "$(status_of c)" = created ]
	fake_state c "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	[ "$(status_of c)" = running ]
	fake_state c "$SLEEPER" "$ST" "$SLEEPER" "$ST" true true
	[ "$(status_of c)" = paused ]
	# The VMM died: the container is stopped, and has no pid any more.
	fake_state c "$SLEEPER" "$ST" "$DEAD" 1 true false
	[ "$(status_of c)" = stopped ]
	[ "$(k state c | "$JSONQ" pid)" = 0 ]
	# The shim (the container's process) exited.
	fake_state c "$DEAD" 1 "$SLEEPER" "$ST" true false
	[ "$(status_of c)" = stopped ]
	# A live pid with another start time is a reused pid, not ours.
	fake_state c "$SLEEPER" "$((ST + 1))" "$SLEEPER" "$ST" true false
	[ "$(status_of c)" = stopped ]
	# The same process killed: stopped.
	fake_state c "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	kill "$SLEEPER"; wait "$SLEEPER" 2>/dev/null || true
	SLEEPER=
	[ "$(status_of c)" = stopped ]
}

@test "a damaged state file is reported, with its path" {
	mkdir -p "$ROOT/bad"
	echo '{"id":"bad",' > "$ROOT/bad/state.json"
	run k state bad
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: $ROOT/bad/state.json: not valid JSON" ]
}

@test "list: table, json and quiet" {
	run k list
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
	[ "${#lines[@]}" -eq 1 ]
	fake_state b-run "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	fake_state a-dead "$DEAD" 1 "$DEAD" 1 true false
	run k list
	[ "$status" -eq 0 ]
	[[ ${lines[1]} =~ ^a-dead\ +0\ +stopped\ +$BUNDLE\ +2026-01-02T03:04:05.000000006Z\ +root$ ]]
	[[ ${lines[2]} =~ ^b-run\ +$SLEEPER\ +running\ + ]]
	run k list --format json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | "$JSONQ" -n)" = 2 ]
	[ "$(echo "$output" | "$JSONQ" 0 id)" = a-dead ]
	[ "$(echo "$output" | "$JSONQ" 1 status)" = running ]
	[ "$(echo "$output" | "$JSONQ" 1 pid)" = "$SLEEPER" ]
	run k list -q
	[ "$output" = $'a-dead\nb-run' ]
	run k list --quiet --format json
	[ "$output" = $'a-dead\nb-run' ]
}

@test "list: an empty or missing root is an empty list" {
	run k list --format json
	[ "$status" -eq 0 ]
	[ "$output" = "[]" ]
	[ ! -e "$ROOT" ]
}

@test "list: a damaged container is reported and skipped" {
	fake_state good "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	mkdir -p "$ROOT/broken" "$ROOT/creating"
	echo '[' > "$ROOT/broken/state.json"
	run k list -q
	[ "$status" -eq 0 ]
	[[ $output == *"warning: list: $ROOT/broken/state.json: not valid JSON"* ]]
	# A directory without state yet (create in progress) is not listed.
	[[ $output != *creating* ]]
	[[ ${lines[-1]} == good ]]
}

@test "lifecycle commands on an unknown container: 'does not exist'" {
	for c in start kill delete pause resume ps; do
		implemented "$c" || continue
		run k "$c" nosuch
		[ "$status" -ne 0 ] || { echo "$c succeeded"; false; }
		[[ $output == *"does not exist"* ]] || { echo "$c: $output"; false; }
	done
}

@test "kill of a stopped container: runc's 'container not running'" {
	implemented kill || skip "kvmc kill is not implemented yet"
	fake_state s "$DEAD" 1 "$DEAD" 1 true false
	run k kill s KILL
	[ "$status" -ne 0 ]
	[[ $output == *"container not running"* ]]
}

@test "transitions refused in the wrong state leave it unchanged" {
	fake_state stopped "$DEAD" 1 "$DEAD" 1 true false
	fake_state running "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	ran=0
	for t in "start stopped" "start running" "pause stopped" \
		 "resume running" "delete running"; do
		set -- $t
		implemented "$1" || continue
		ran=1
		run k "$1" "$2"
		[ "$status" -ne 0 ] || { echo "$t succeeded"; false; }
	done
	(( ran )) || skip "no lifecycle command is implemented yet"
	[ "$(status_of stopped)" = stopped ]
	[ "$(status_of running)" = running ]
}
