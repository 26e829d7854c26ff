#!/usr/bin/env bats
# kvmc's command line: help, version, global options, unknown commands.

load kvmc_helpers

setup() { kvmc_setup; }
teardown() { kvmc_teardown; }

@test "--help lists every command and the global options" {
	run "$KVMC" --help
	[ "$status" -eq 0 ]
	for c in create start run state kill delete exec ps list pause resume \
		 events update features spec version; do
		[[ $output == *"  $c "* ]] || { echo "missing $c"; false; }
	done
	for o in --root --log --log-format --debug --systemd-cgroup; do
		[[ $output == *"$o"* ]] || { echo "missing $o"; false; }
	done
}

@test "every command has --help and -h" {
	for c in create start run state kill delete exec ps list pause resume \
		 events update features spec version; do
		run "$KVMC" "$c" --help
		[ "$status" -eq 0 ] || { echo "$c --help: $status"; false; }
		[[ $output == "Usage: kvmc [global options] $c"* ]]
		run "$KVMC" "$c" -h
		[ "$status" -eq 0 ] || { echo "$c -h: $status"; false; }
	done
}

@test "version and --version print version, commit and spec" {
	run "$KVMC" version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^kvmc\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ ${lines[1]} == "commit: "* ]]
	[[ ${lines[2]} == "spec: 1.0.2" ]]
	v=$output
	run "$KVMC" --version
	[ "$status" -eq 0 ]
	[ "$output" = "$v" ]
	run "$KVMC" -v
	[ "$output" = "$v" ]
}

@test "no command: usage on stderr, exit 2" {
	run "$KVMC"
	[ "$status" -eq 2 ]
	[[ $output == "Usage: kvmc"* ]]
}

@test "an unknown command is named" {
	run "$KVMC" frobnicate
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: unknown command 'frobnicate' (see 'kvmc --help')" ]
}

@test "bad global options are named" {
	run "$KVMC" --bogus list
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: unknown global option '--bogus' (see 'kvmc --help')" ]
	run "$KVMC" -x list
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: unknown global option '-x' (see 'kvmc --help')" ]
	run "$KVMC" --root
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: --root: missing argument (see 'kvmc --help')" ]
	run "$KVMC" --root "" list
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: --root: empty path" ]
	run "$KVMC" --log-format yaml list
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: --log-format: expected text or json, got 'yaml'" ]
}

@test "bad command options are named" {
	run k list --bogus
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: list: unknown option '--bogus' (see 'kvmc list --help')" ]
	run k list --format
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: list: --format: missing argument (see 'kvmc list --help')" ]
	run k state
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: state: expected a container id (see 'kvmc state --help')" ]
	run k state a b
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: state: unexpected argument 'b' (see 'kvmc state --help')" ]
	run k version extra
	[ "$status" -eq 2 ]
}

@test "runc's global options from containerd are accepted" {
	run "$KVMC" --root "$ROOT" --log "$TMP/log.json" --log-format json \
		--systemd-cgroup --debug list --quiet
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run "$KVMC" --root="$ROOT" --log-format=text list -q
	[ "$status" -eq 0 ]
}

@test "--log-format json: the error is the last error line of the log" {
	run "$KVMC" --root "$ROOT" --log "$TMP/log.json" --log-format json state nope
	[ "$status" -eq 1 ]
	# People still see it on stderr.
	[ "$output" = 'kvmc: container "nope" does not exist' ]
	line=$(grep '"level":"error"' "$TMP/log.json" | tail -n1)
	[ "$(echo "$line" | "$JSONQ" msg)" = 'container "nope" does not exist' ]
	[[ $(echo "$line" | "$JSONQ" time) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$ ]]
}

@test "--log: the log file is appended to, never truncated" {
	echo '{"level":"info","msg":"earlier","time":"x"}' > "$TMP/log"
	run "$KVMC" --root "$ROOT" --log "$TMP/log" --log-format json state nope
	[ "$(wc -l < "$TMP/log")" -eq 2 ]
	[[ $(head -n1 "$TMP/log") == *earlier* ]]
}

@test "a relative --root is taken from the working directory" {
	cd "$TMP"
	mkdir -p rel/c1
	cp /dev/null rel/c1/state.json
	run "$KVMC" --root rel state c1
	[ "$output" = "kvmc: $TMP/rel/c1/state.json: not valid JSON" ]
}

@test "--log in a missing directory is named" {
	run "$KVMC" --log /nonexistent/dir/log list
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: --log: /nonexistent/dir/log: No such file or directory" ]
}

@test "--debug logs debug lines, and not without it" {
	run "$KVMC" --root "$ROOT" --debug list
	[[ $output == *"kvmc: list: root $ROOT"* ]]
	run "$KVMC" --root "$ROOT" list
	[[ $output != *"kvmc: list: root"* ]]
}

@test "features: runc's features structure" {
	run "$KVMC" features
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | "$JSONQ" ociVersionMin)" = "1.0.0" ]
	[ "$(echo "$output" | "$JSONQ" ociVersionMax)" = "1.1.0" ]
	ns=$(echo "$output" | "$JSONQ" linux namespaces)
	[[ $ns == *'"network"'* && $ns == *'"pid"'* && $ns != *'"user"'* ]]
	[[ $(echo "$output" | "$JSONQ" linux capabilities) == *CAP_SYS_ADMIN* ]]
	[ "$(echo "$output" | "$JSONQ" linux seccomp enabled)" = "false" ]
	[ "$(echo "$output" | "$JSONQ" linux cgroup v2)" = "true" ]
	[ "$(echo "$output" | "$JSONQ" linux cgroup v1)" = "false" ]
	[ -n "$(echo "$output" | "$JSONQ" annotations org.kvmc.version)" ]
}
