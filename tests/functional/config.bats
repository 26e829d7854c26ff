#!/usr/bin/env bats
# config.json validation: every malformed field is named by its JSON path.
# Checked with build/tests/ocicheck (the loading `kvmc create` does), and
# through `kvmc create` itself once it exists.

load kvmc_helpers

setup() { kvmc_setup; }
teardown() { kvmc_teardown; }

P='"process":{"args":["sh"],"cwd":"/"}'
H='"ociVersion":"1.0.2","root":{"path":"rootfs"}'

# config | the error after "config.json: "
CASES=(
	'{'"$H"',"process":{"cwd":"/"}}|process.args: expected a non-empty array of strings'
	'{'"$H"',"process":{"args":"sh","cwd":"/"}}|process.args: expected an array of strings'
	'{'"$H"',"process":{"args":["sh",1],"cwd":"/"}}|process.args: expected an array of strings'
	'{'"$H"',"process":{"args":["sh"]}}|process.cwd: missing (required)'
	'{'"$H"',"process":{"args":["sh"],"cwd":"rel"}}|process.cwd: expected an absolute path, got '"'rel'"
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","terminal":"yes"}}|process.terminal: expected true or false'
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","user":{"uid":-1,"gid":0}}}|process.user.uid: expected an integer from 0 to 4294967295'
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","user":{"uid":0}}}|process.user.gid: missing (required)'
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","user":{"uid":0,"gid":0,"additionalGids":["x"]}}}|process.user.additionalGids: expected an array of group ids'
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","env":["PATH"]}}|process.env[0]: expected KEY=VALUE, got '"'PATH'"
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","consoleSize":{"width":80}}}|process.consoleSize.height: missing (required)'
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","capabilities":{"bounding":["CAP_FLY"]}}}|process.capabilities.bounding: unknown capability '"'CAP_FLY'"
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","rlimits":[{"type":"RLIMIT_X","soft":1,"hard":1}]}}|process.rlimits[0].type: unknown resource limit '"'RLIMIT_X'"
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","noNewPrivileges":1}}|process.noNewPrivileges: expected true or false'
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","oomScoreAdj":-2000}}|process.oomScoreAdj: expected an integer from -1000 to 1000'
	'{'"$H"',"process":{"args":["sh"],"cwd":"/","apparmorProfile":1}}|process.apparmorProfile: expected a string'
	'{"root":{"path":"rootfs"},'"$P"'}|ociVersion: missing (required)'
	'{"ociVersion":"0.6.0","root":{"path":"rootfs"},'"$P"'}|ociVersion: unsupported version '"'0.6.0'"' (kvmc implements 1.x)'
	'{"ociVersion":"1.0.2",'"$P"'}|root: missing (required)'
	'{"ociVersion":"1.0.2","root":{"readonly":true},'"$P"'}|root.path: missing (required)'
	'{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":"no"},'"$P"'}|root.readonly: expected true or false'
	'{'"$H"'}|process: missing (required)'
	'{'"$H"','"$P"',"hostname":1}|hostname: expected a string'
	'{'"$H"','"$P"',"mounts":[{"destination":"/a"},{"source":"/x"}]}|mounts[1].destination: missing (required)'
	'{'"$H"','"$P"',"mounts":[{"destination":"data"}]}|mounts[0].destination: expected an absolute path, got '"'data'"
	'{'"$H"','"$P"',"mounts":[{"destination":"/a","options":"ro"}]}|mounts[0].options: expected an array of strings'
	'{'"$H"','"$P"',"hooks":{"prestart":[{"path":"rel"}]}}|hooks.prestart[0].path: expected an absolute path, got '"'rel'"
	'{'"$H"','"$P"',"hooks":{"poststop":[{"path":"/h","timeout":-1}]}}|hooks.poststop[0].timeout: expected a positive number of seconds'
	'{'"$H"','"$P"',"annotations":{"a":1}}|annotations.a: expected a string'
	'{'"$H"','"$P"',"linux":{"namespaces":[{"type":"user"}]}}|linux.namespaces[0].type: user namespaces are not supported'
	'{'"$H"','"$P"',"linux":{"namespaces":[{"type":"pid"},{"type":"bogus"}]}}|linux.namespaces[1].type: unknown namespace type '"'bogus'"
	'{'"$H"','"$P"',"linux":{"namespaces":[{"type":"network","path":"net"}]}}|linux.namespaces[0].path: expected an absolute path, got '"'net'"
	'{'"$H"','"$P"',"linux":{"uidMappings":[{"containerID":0,"hostID":1000,"size":1}]}}|linux.uidMappings: id mappings are not supported'
	'{'"$H"','"$P"',"linux":{"resources":{"memory":{"limit":"512m"}}}}|linux.resources.memory.limit: expected a 64-bit integer'
	'{'"$H"','"$P"',"linux":{"resources":{"cpu":{"quota":-3}}}}|linux.resources.cpu.quota: expected a positive number of microseconds or -1'
	'{'"$H"','"$P"',"linux":{"resources":{"cpu":{"cpus":"1-0"}}}}|linux.resources.cpu.cpus: invalid CPU list '"'1-0'"
	'{'"$H"','"$P"',"linux":{"sysctl":{"kernel.x":1}}}|linux.sysctl.kernel.x: expected a string'
	'{'"$H"','"$P"',"linux":{"maskedPaths":[1]}}|linux.maskedPaths: expected an array of strings'
	'{'"$H"','"$P"',"linux":"yes"}|linux: expected an object'
	'{'"$H"','"$P"'|not valid JSON (at byte 82)'
)

# check_all CMD...: runs CMD for each case, with config.json in place;
# every mismatch is printed before failing.
check_all() {
	local fails=0 c json want
	for c in "${CASES[@]}"; do
		json=${c%|*}
		want="config.json: ${c##*|}"
		printf '%s' "$json" > "$BUNDLE/config.json"
		run "$@"
		if [[ $status -eq 0 || $output != *"$want"* ]]; then
			echo "config: $json"
			echo "  want: $want"
			echo "  got:  $output (exit $status)"
			fails=$((fails + 1))
		fi
	done
	(( fails == 0 ))
}

@test "every malformed config.json field is named (loader)" {
	check_all "$OCICHECK" "$BUNDLE"
}

@test "every malformed config.json field is named (kvmc create)" {
	implemented create || skip "kvmc create is not implemented yet"
	check_all k create --bundle "$BUNDLE" --pid-file "$TMP/pid" bad
	# Nothing is left behind by a refused create.
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	[ ! -e "$TMP/pid" ]
}

@test "unknown properties are ignored, as the runtime spec requires" {
	printf '%s' '{'"$H"','"$P"',"future":{"x":[1]},"linux":{"newThing":1,"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}' \
		> "$BUNDLE/config.json"
	run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 0 ]
}

@test "a missing config.json or rootfs is named" {
	rm "$BUNDLE/config.json"
	run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 1 ]
	[ "$output" = "ocicheck: $BUNDLE/config.json: No such file or directory" ]
	(cd "$BUNDLE" && "$KVMC" spec)
	rmdir "$BUNDLE/rootfs"
	run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 1 ]
	[ "$output" = "ocicheck: config.json: root.path: $BUNDLE/rootfs: No such file or directory" ]
}

@test "sizing: docker --memory 512m --cpus 2" {
	printf '%s' '{'"$H"','"$P"',"linux":{"resources":{"memory":{"limit":536870912},"cpu":{"quota":200000,"period":100000}}}}' \
		> "$BUNDLE/config.json"
	printf 'memory_overhead_mib = 64\nmax_vcpus = 8\n' > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 0 ]
	[[ $output == *"memory_mib=576"* ]]
	[[ $output == *"vcpus=2"* ]]
	# Without limits: the configured defaults.
	printf 'default_memory_mib = 300\ndefault_vcpus = 3\nmax_vcpus = 8\n' > "$TMP/k.conf"
	(rm "$BUNDLE/config.json"; cd "$BUNDLE" && "$KVMC" spec)
	KVMC_CONFIG=$TMP/k.conf run "$OCICHECK" "$BUNDLE"
	[[ $output == *"memory_mib=300"* ]]
	[[ $output == *"vcpus=3"* ]]
}

@test "runtime config: the bundle's kvmc.conf, then KVMC_CONFIG over it" {
	printf 'kernel = k/vmlinux\nkernel_params = quiet\n' > "$BUNDLE/kvmc.conf"
	run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 0 ]
	[[ $output == *"config=$BUNDLE/kvmc.conf"* ]]
	[[ $output == *"kernel=$BUNDLE/k/vmlinux"* ]]
	[[ $output == *"kernel_params=quiet"* ]]
	printf 'kernel = /other\n' > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$OCICHECK" "$BUNDLE"
	[[ $output == *"kernel=/other"* ]]
}

@test "runtime config: errors name the file, line and key" {
	printf 'default_vcpus = 2\nkernal = /x\n' > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 1 ]
	[ "$output" = "ocicheck: $TMP/k.conf:2: unknown key 'kernal'" ]
	printf 'default_memory_mib = lots\n' > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$OCICHECK" "$BUNDLE"
	[ "$output" = "ocicheck: $TMP/k.conf:1: default_memory_mib: expected a number of MiB from 1 to 4194304, got 'lots'" ]
}

@test "runtime config: a kernel or initrd that is not there fails create with the file that named it, leaving nothing" {
	# Relative paths are the configuration file's: a copy elsewhere names
	# files that are not there.
	printf 'kernel = guest/vmlinux\ninitrd = /bin/true\n' > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$KVMC" --root "$ROOT" create --bundle "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ $output == *"$TMP/k.conf: kernel $TMP/guest/vmlinux: No such file or directory"* ]]
	[ "$(grep -c . <<< "$output")" -eq 1 ]
	printf 'kernel = /bin/true\ninitrd = /nonexistent/initrd.img\n' > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$KVMC" --root "$ROOT" create --bundle "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ $output == *"$TMP/k.conf: initrd /nonexistent/initrd.img: No such file or directory"* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
	[ -z "$(pgrep -f "kvmc-(vmm|shim).*$TMP" || true)" ]
}

@test "runtime config: the installed kvmc.conf.in is valid" {
	sed "s|@PREFIX@|/opt/kvmc|g" "$TOP/runtime/kvmc.conf.in" > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 0 ]
	[[ $output == *"kernel=/opt/kvmc/share/kvmc/vmlinux"* ]]
	[[ $output == *"initrd=/opt/kvmc/share/kvmc/initrd.img"* ]]
	[[ $output == *"memory_mib=256"* ]]
}

@test "a config.json in Docker 20.10's shape is accepted and sized" {
	cp "$BATS_TEST_DIRNAME/fixtures/docker-20.10-config.json" "$BUNDLE/config.json"
	printf 'memory_overhead_mib = 64\nmax_vcpus = 8\n' > "$TMP/k.conf"
	KVMC_CONFIG=$TMP/k.conf run "$OCICHECK" "$BUNDLE"
	[ "$status" -eq 0 ]
	[[ $output == *"args[2]=echo hi"* ]]
	[[ $output == *"cwd=/data"* ]]
	[[ $output == *"mounts=11"* ]]
	[[ $output == *"namespaces=6"* ]]
	[[ $output == *"memory_mib=576"* ]]
	[[ $output == *"vcpus=2"* ]]
}
