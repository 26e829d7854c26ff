#!/usr/bin/env bats
# kvmc exec without a VM: argument and process.json validation, refusals in
# the wrong state, and the host side end to end (kvmc, a real kvmc-shim)
# against build/tests/fake-proxy standing in for the VM's proxy.

load kvmc_helpers

FAKE=$TOP/build/tests/fake-proxy

setup() {
	kvmc_setup
	[[ -x $FAKE ]] || skip "test tools missing: run 'make tools'"
	start_sleeper
	ST=$(start_time "$SLEEPER")
	sh -c 'exit 0' & DEAD=$!
	wait "$DEAD" || true
	unset KVMC_CONFIG
}

teardown() {
	[[ -n ${FAKEPID:-} ]] && kill "$FAKEPID" 2>/dev/null
	pkill_shims
	kvmc_teardown
}

# Only the shims of this test (their --proxy is under $TMP).
pkill_shims() {
	local p
	for p in $(pgrep -f "kvmc-shim --proxy $TMP" || true); do
		kill -9 "$p" 2>/dev/null || true
	done
}

shims_left() {
	pgrep -af "kvmc-shim --proxy $TMP" || true
}

# A running container (stand-ins for its shim and VMM) whose proxy is
# fake-proxy in MODE; its commands are logged to $TMP/proxy.log.
running() {
	fake_state c1 "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	"$FAKE" "$ROOT/c1/proxy.sock" "$TMP/proxy.log" "$1" &
	FAKEPID=$!
	for _ in $(seq 100); do
		[[ -S $ROOT/c1/proxy.sock ]] && return 0
		sleep 0.1
	done
	echo "fake-proxy did not start"
	return 1
}

# Waits for a line matching the regex in the proxy's log.
wait_log() {
	for _ in $(seq 100); do
		grep -q "$1" "$TMP/proxy.log" && return 0
		sleep 0.1
	done
	echo "not logged: $1"
	cat "$TMP/proxy.log"
	return 1
}

process_json() {
	cat > "$TMP/p.json" <<-EOF
	{"terminal":false,"user":{"uid":1000,"gid":1001},"args":["echo","hi"],
	 "env":["PATH=/bin","X=y"],"cwd":"/work"}
	EOF
}

@test "exec --help" {
	run k exec --help
	[ "$status" -eq 0 ]
	[[ $output == *"--process FILE"* && $output == *"--console-socket"* ]]
}

@test "exec: usage errors" {
	run k exec
	[ "$status" -eq 2 ]
	[[ $output == *"exec: expects a container ID"* ]]
	run k exec c1
	[ "$status" -eq 2 ]
	[[ $output == *"expects --process FILE or ID ARGS"* ]]
	process_json
	run k exec --process "$TMP/p.json" c1 ls
	[ "$status" -eq 2 ]
	[[ $output == *"--process FILE excludes"* ]]
	run k exec --process "$TMP/p.json" --tty c1
	[ "$status" -eq 2 ]
	run k exec --bogus c1 ls
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--bogus'"* ]]
}

@test "exec: an unknown container does not exist, in runc's words" {
	run k exec nosuch true
	[ "$status" -eq 1 ]
	[ "$output" = 'kvmc: container "nosuch" does not exist' ]
	process_json
	run k exec --process "$TMP/p.json" nosuch
	[ "$status" -eq 1 ]
	[ "$output" = 'kvmc: container "nosuch" does not exist' ]
}

@test "exec: a bad process.json names the field, and nothing is left" {
	fake_state c1 "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	before=$(cat "$ROOT/c1/state.json")
	while IFS='|' read -r json field; do
		printf '%s' "$json" > "$TMP/bad.json"
		run k exec --detach --pid-file "$TMP/pid" --process "$TMP/bad.json" c1
		echo "$json -> $output"
		[ "$status" -eq 1 ]
		[[ $output == *"$field"* ]]
		[ ! -e "$TMP/pid" ]
	done <<-'EOF'
	{"cwd":"/"}|args: expected a non-empty array of strings
	{"args":[],"cwd":"/"}|args: expected a non-empty array of strings
	{"args":["ls"],"cwd":"/","terminal":"yes"}|terminal
	{"args":["ls"],"cwd":"rel"}|cwd
	{"args":["ls"],"cwd":"/","env":["NOEQ"]}|env[0]: expected KEY=VALUE
	{"args":["ls"],"cwd":"/","user":{"uid":-1,"gid":0}}|user.uid
	{"args":["ls"],"cwd":"/","rlimits":[{"type":"RLIMIT_BOGUS","soft":1,"hard":1}]}|rlimits[0].type
	{"args":["ls"],|bad.json
	EOF
	run k exec --process "$TMP/none.json" c1
	[ "$status" -eq 1 ]
	[[ $output == *"$TMP/none.json"* ]]
	[ "$(cat "$ROOT/c1/state.json")" = "$before" ]
	[ -z "$(shims_left)" ]
}

@test "exec: refused unless running: stopped is runc's 'container not running'" {
	fake_state c1 "$DEAD" 1 "$DEAD" 1 true false
	run k exec c1 true
	[ "$status" -eq 1 ]
	[[ $output == *"container not running"* ]]
	fake_state c2 "$SLEEPER" "$ST" "$SLEEPER" "$ST" false false
	run k exec c2 true
	[ "$status" -eq 1 ]
	[[ $output == *'cannot exec container "c2": it is created'* ]]
	fake_state c3 "$SLEEPER" "$ST" "$SLEEPER" "$ST" true true
	run k exec c3 true
	[ "$status" -eq 1 ]
	[[ $output == *'cannot exec container "c3": it is paused'* ]]
}

@test "exec: bad plain options name themselves; runc's terminal refusals" {
	fake_state c1 "$SLEEPER" "$ST" "$SLEEPER" "$ST" true false
	run k exec --user root c1 id
	[ "$status" -eq 1 ]
	[[ $output == *"--user root: expected UID[:GID]"* ]]
	run k exec --cwd rel c1 ls
	[ "$status" -eq 1 ]
	[[ $output == *"--cwd rel: not an absolute path"* ]]
	run k exec --env NOEQ c1 ls
	[ "$status" -eq 1 ]
	[[ $output == *"--env NOEQ: expected KEY=VALUE"* ]]
	run k exec --tty --detach c1 sh
	[ "$status" -eq 1 ]
	[[ $output == *"cannot allocate tty if kvmc will detach without setting console socket"* ]]
	run k exec --console-socket "$TMP/cs" c1 ls
	[ "$status" -eq 1 ]
	[[ $output == *"cannot use console socket if kvmc will not allocate tty"* ]]
	[[ $(cat "$ROOT/c1/state.json") != *exec.* ]]
}

@test "exec: attached, the process's output and exit status; the shim is gone after" {
	running exit:3
	run k exec --env X=1 --user 7:8 --cwd /tmp c1 sh -c 'exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *out-from-fake* && $output == *err-from-fake* ]]
	[[ $output != *kvmc:* ]]
	grep ATTACH "$TMP/proxy.log"
	grep -q '^ATTACH {"container":"c1","process":"exec-1","stdio":3,"stderr":4}$' "$TMP/proxy.log"
	line=$(grep '^EXECCMD ' "$TMP/proxy.log")
	echo "$line"
	j=${line#EXECCMD }
	[ "$(echo "$j" | "$JSONQ" container)" = c1 ]
	[ "$(echo "$j" | "$JSONQ" process id)" = exec-1 ]
	[ "$(echo "$j" | "$JSONQ" process args 2)" = "exit 3" ]
	[ "$(echo "$j" | "$JSONQ" process stdio)" = 3 ]
	[ "$(echo "$j" | "$JSONQ" process stderr)" = 4 ]
	[ "$(echo "$j" | "$JSONQ" process user)" = 7 ]
	[ "$(echo "$j" | "$JSONQ" process group)" = 8 ]
	[ "$(echo "$j" | "$JSONQ" process workdir)" = /tmp ]
	[[ $j == *'{"env":"X","value":"1"}'* ]]
	[ -z "$(shims_left)" ]
	[[ $(cat "$ROOT/c1/state.json") != *'"exec.1"'* ]]
	# The next exec gets the next number and streams.
	run k exec c1 true
	[ "$status" -eq 3 ]
	grep -q '"process":"exec-2","stdio":5,"stderr":6' "$TMP/proxy.log"
}

@test "exec --process: the process.json's settings reach the agent" {
	running exit:0
	process_json
	run k exec --process "$TMP/p.json" c1
	echo "$output"
	[ "$status" -eq 0 ]
	j=$(grep '^EXECCMD ' "$TMP/proxy.log")
	j=${j#EXECCMD }
	[ "$(echo "$j" | "$JSONQ" process args 1)" = hi ]
	[ "$(echo "$j" | "$JSONQ" process user)" = 1000 ]
	[ "$(echo "$j" | "$JSONQ" process group)" = 1001 ]
	[ "$(echo "$j" | "$JSONQ" process workdir)" = /work ]
}

@test "exec --detach: pid file, ps lists the shim, a signal to the shim reaches the process" {
	running signal
	# The shim keeps the process's stdio (here files, as containerd's
	# fifos), not kvmc's caller's.
	k exec --detach --pid-file "$TMP/pid" c1 sleep 1000 \
		</dev/null >"$TMP/out" 2>&1
	pid=$(cat "$TMP/pid")
	[[ $pid =~ ^[0-9]+$ ]]
	[ "$(wc -c < "$TMP/pid")" -eq "${#pid}" ]
	kill -0 "$pid"
	[ "$(k ps --format json c1)" = "[$SLEEPER,$pid]" ]
	run k ps c1
	[[ $output == *"$pid"*"exec'd"* ]]
	kill -USR1 "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null
	grep '^SIGNALPROCESS' "$TMP/proxy.log"
	grep -q '^SIGNALPROCESS {"container":"c1","process":"exec-1","signal":10}$' "$TMP/proxy.log"
	[ "$(k ps --format json c1)" = "[$SLEEPER]" ]
}

@test "exec --tty --console-socket: the pty master goes there; its size and resizes reach the agent" {
	running signal
	cat > "$TMP/t.json" <<-EOF
	{"terminal":true,"consoleSize":{"height":30,"width":100},
	 "user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"}
	EOF
	"$TOP/build/tests/recvtty" "$TMP/cs" "$TMP/resize" 50 132 >"$TMP/tty.out" &
	RECV=$!
	for _ in $(seq 100); do [[ -S $TMP/cs ]] && break; sleep 0.1; done
	k exec --detach --pid-file "$TMP/pid" --console-socket "$TMP/cs" \
		--process "$TMP/t.json" c1 </dev/null >"$TMP/out" 2>&1
	pid=$(cat "$TMP/pid")
	j=$(grep '^EXECCMD ' "$TMP/proxy.log")
	[ "$(echo "${j#EXECCMD }" | "$JSONQ" process terminal)" = true ]
	# One stream with a terminal: stderr is the pty too.
	[ "$(echo "${j#EXECCMD }" | "$JSONQ" process stderr)" = 0 ]
	wait_log '^WINSIZE {"container":"c1","process":"exec-1","row":30,"column":100}$'
	touch "$TMP/resize"
	wait_log '^WINSIZE {"container":"c1","process":"exec-1","row":50,"column":132}$'
	kill -TERM "$pid"
	wait "$RECV"
	cat "$TMP/tty.out"
	grep -q out-from-fake "$TMP/tty.out"
	[ -z "$(shims_left)" ]
}

# exec against fake-proxy in MODE fails with MESSAGE and leaves no pid
# file, no shim and no exec entry.
fails_cleanly() {
	running "$1"
	run k exec --detach --pid-file "$TMP/pid" c1 true
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$2"* ]]
	[ ! -e "$TMP/pid" ]
	[ -z "$(shims_left)" ]
	[[ $(cat "$ROOT/c1/state.json") != *'"exec.1"'* ]]
	[ "$(k ps --format json c1)" = "[$SLEEPER]" ]
}

@test "exec: the agent's refusal is reported; no pid file, no shim, no entry left" {
	fails_cleanly refuse "the VM's agent refused EXECCMD: container not found"
}

@test "exec: a shim that cannot attach fails exec at once, leaving nothing" {
	fails_cleanly hangup "could not attach to the VM's proxy"
}
