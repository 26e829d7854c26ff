#!/usr/bin/env bats
# kvmc spec: runc's default config.json, which kvmc itself accepts.

load kvmc_helpers

setup() { kvmc_setup; }
teardown() { kvmc_teardown; }

@test "spec writes a config.json that kvmc accepts" {
	# kvmc_setup ran `kvmc spec` in the bundle.
	"$JSONQ" < "$BUNDLE/config.json" > /dev/null
	run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 0 ]
	[[ $output == *"rootfs=$BUNDLE/rootfs"* ]]
	[[ $output == *"args[0]=sh"* ]]
	[[ $output == *"terminal=1"* ]]
	[[ $output == *"hostname=kvmc"* ]]
}

@test "spec: runc's defaults" {
	c=$BUNDLE/config.json
	[ "$("$JSONQ" ociVersion < "$c")" = "1.0.2" ]
	[ "$("$JSONQ" root path < "$c")" = "rootfs" ]
	[ "$("$JSONQ" root readonly < "$c")" = "true" ]
	[ "$("$JSONQ" process cwd < "$c")" = "/" ]
	[ "$("$JSONQ" process user uid < "$c")" = "0" ]
	[ "$("$JSONQ" process noNewPrivileges < "$c")" = "true" ]
	[ "$("$JSONQ" process rlimits 0 type < "$c")" = "RLIMIT_NOFILE" ]
	[ "$("$JSONQ" mounts 0 destination < "$c")" = "/proc" ]
	[ "$("$JSONQ" -n mounts < "$c")" = "7" ]
	[ "$("$JSONQ" linux namespaces 1 type < "$c")" = "network" ]
	[ "$("$JSONQ" linux maskedPaths 2 < "$c")" = "/proc/kcore" ]
}

@test "spec --bundle DIR writes DIR/config.json" {
	mkdir "$TMP/other"
	run "$KVMC" spec --bundle "$TMP/other"
	[ "$status" -eq 0 ]
	cmp "$TMP/other/config.json" "$BUNDLE/config.json"
	run "$KVMC" spec -b "$TMP/other2"
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: spec: $TMP/other2/config.json: No such file or directory" ]
}

@test "spec never overwrites a config.json" {
	echo '{"mine":true}' > "$TMP/c.json"
	cp "$TMP/c.json" "$BUNDLE/config.json"
	cd "$BUNDLE"
	run "$KVMC" spec
	[ "$status" -eq 1 ]
	[ "$output" = "kvmc: spec: ./config.json exists, remove it first" ]
	cmp "$TMP/c.json" "$BUNDLE/config.json"
}

@test "spec --rootless is refused with the reason" {
	mkdir "$TMP/rl"
	run "$KVMC" spec --rootless --bundle "$TMP/rl"
	[ "$status" -eq 1 ]
	[[ $output == "kvmc: spec: --rootless: not supported"* ]]
	[ ! -e "$TMP/rl/config.json" ]
}

@test "spec rejects unknown options and arguments" {
	run "$KVMC" spec --bundel x
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: spec: unknown option '--bundel' (see 'kvmc spec --help')" ]
	run "$KVMC" spec extra
	[ "$status" -eq 2 ]
	[ "$output" = "kvmc: spec: unexpected argument 'extra' (see 'kvmc spec --help')" ]
}
