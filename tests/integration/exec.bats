#!/usr/bin/env bats
# kvmc exec end to end: a further process in a running container's VM,
# through `kvmc exec` directly and through `docker exec` (a private
# dockerd + containerd from tests/kvmhost/docker-up, kvmc added as a
# runtime, as in docker.bats).  Each process has its own kvmc-shim.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
KVMC=$ROOT/build/kvmc
TIMEOUT=${KVMC_IT_STEP_TIMEOUT:-300}

load lib/docker-fixture

setup_file() {
	docker_fixture_up
	echo "# exec tests: ${TIMEOUT}s per step" >&3
}

teardown_file() {
	docker_fixture_down
}

setup() {
	export KVMC_CONFIG=$ROOT/build/kvmc.conf
	W=$(mktemp -d /run/kvmc-it.XXXXXX)
	STATE=$W/state
}

teardown() {
	for id in $(ls "$STATE" 2>/dev/null); do
		"$KVMC" --root "$STATE" delete --force "$id" || true
	done
	rm -rf "$W"
}

kv() {
	timeout "$TIMEOUT" "$KVMC" --root "$STATE" "$@"
}

# Waits until CMD's output is EXPECTED (up to TIMEOUT seconds).
wait_for() {
	local expected=$1 out
	shift
	for _ in $(seq "$TIMEOUT"); do
		out=$("$@" 2>/dev/null) || true
		[[ $out == "$expected" ]] && return 0
		sleep 1
	done
	echo "waited ${TIMEOUT}s for '$expected', last: '$out'"
	return 1
}

@test "exec: kvmc exec in a created and started container: output, stdin, exit status, signals" {
	"$ROOT/scripts/mkbundle.sh" "$W/b" sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
	kv create --bundle "$W/b" --pid-file "$W/pid" c1 </dev/null >"$W/init.out" 2>&1
	kv start c1
	init=$(cat "$W/pid")
	run kv exec c1 sh -c 'echo in-exec-$((6*7)); echo exec-err >&2; exit 5'
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == *in-exec-42* && $output == *exec-err* ]]
	run sh -c "printf 'l1\nl2\nl3\n' | timeout $TIMEOUT $KVMC --root $STATE exec c1 wc -l"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *3* ]]
	# The exec'd process runs in the container: it sees its init.
	run kv exec --env WHO=exec --cwd /tmp c1 sh -c 'echo "$WHO $(pwd) $(cat /proc/1/cmdline | tr "\0" " ")"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "exec /tmp sh -c "* ]]
	# A long-running exec: ps lists its shim; SIGTERM to the shim ends it.
	kv exec c1 sleep 1000 </dev/null >"$W/exec.out" 2>&1 &
	bg=$!
	for _ in $(seq "$TIMEOUT"); do
		pids=$(kv ps --format json c1)
		[[ $pids == "[$init,"*"]" ]] && break
		sleep 1
	done
	echo "ps: $pids"
	shim=${pids#"[$init,"}
	shim=${shim%]}
	[[ $shim =~ ^[0-9]+$ ]]
	kill -TERM "$shim"
	st=0
	wait "$bg" || st=$?
	cat "$W/exec.out"
	[ "$st" -eq 143 ]
	wait_for "[$init]" kv ps --format json c1
	kv kill c1 TERM
	wait_for stopped sh -c "$KVMC --root $STATE state c1 | grep -o stopped"
	kv delete c1
	[ -z "$(ls -A "$STATE")" ]
	left=$(pgrep -af "kvmc-(vmm|shim).*$W" || true)
	[ -z "$left" ] || { echo "left: $left"; false; }
}

@test "exec: docker exec (plain, -i, -t), signals to an exec, docker top, nothing left" {
	id=$(dk run --runtime kvmc -d bb sh -c 'trap "exit 0" TERM; while :; do sleep 1; done')
	run dk exec "$id" sh -c 'echo hi-from-exec; echo to-err >&2; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *hi-from-exec* && $output == *to-err* ]]
	run sh -c "printf 'a\nb\nc\n' | timeout $TIMEOUT docker exec -i $id wc -l"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *3* ]]
	run dk exec -t "$id" sh -c 'stty size; [ -t 0 ] && echo on-a-tty'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ [1-9][0-9]*\ [1-9][0-9]* ]]
	[[ $output == *on-a-tty* ]]
	run dk exec -t "$id" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	# A detached exec: docker top shows the init's and its shim.
	dk exec -d "$id" sleep 1000
	init=$(dk inspect -f '{{.State.Pid}}' "$id")
	for _ in $(seq "$TIMEOUT"); do
		pids=$(dk top "$id" -o pid | tail -n +2 | sort -n | tr '\n' ' ')
		[[ $(wc -w <<< "$pids") -ge 2 ]] && break
		sleep 1
	done
	echo "top: $pids (init $init)"
	run dk top "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *kvmc-shim* ]]
	shim=
	for p in $pids; do [[ $p != "$init" ]] && shim=$p; done
	[[ -n $shim ]]
	run dk exec "$id" ps
	echo "$output"
	[[ $output == *"sleep 1000"* ]]
	# containerd signals an exec with kill(2) on its pid: the shim passes
	# it to the process in the guest.
	kill -TERM "$shim"
	wait_for "$init" sh -c "docker top $id -o pid | tail -n +2 | tr -d ' '"
	run dk exec "$id" ps
	echo "$output"
	[[ $output != *"sleep 1000"* ]]
	dk stop -t 60 "$id"
	dk rm "$id"
	left=$(pgrep -af 'kvmc-(vmm|shim)' || true)
	[ -z "$left" ] || { echo "left: $left"; false; }
}
