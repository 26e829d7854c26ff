# Shared by the kvmc CLI tests: a fresh --root and bundle per test, on
# /tmp (a tmpfs in the test host), never in the build tree.
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
KVMC=$TOP/build/kvmc
OCICHECK=$TOP/build/tests/ocicheck
JSONQ=$TOP/build/tests/jsonq

kvmc_setup() {
	[[ -x $KVMC ]] || skip "build/kvmc missing: run 'make bins'"
	[[ -x $OCICHECK && -x $JSONQ ]] || skip "test tools missing: run 'make tools'"
	TMP=$(mktemp -d /tmp/kvmc-cli.XXXXXX)
	ROOT=$TMP/root
	BUNDLE=$TMP/bundle
	mkdir -p "$BUNDLE/rootfs"
	(cd "$BUNDLE" && "$KVMC" spec)
}

kvmc_teardown() {
	[[ -n ${SLEEPER:-} ]] && kill "$SLEEPER" 2>/dev/null
	[[ -n ${TMP:-} ]] && rm -rf "$TMP"
	return 0
}

# kvmc with this test's --root.
k() {
	"$KVMC" --root "$ROOT" "$@"
}

# Field 22 of /proc/PID/stat (fields counted after the command's ')').
start_time() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $20 }'
}

# A long-lived process standing in for a shim and a VMM.
start_sleeper() {
	sleep 1000 &
	SLEEPER=$!
}

# fake_state ID SHIM_PID SHIM_START VMM_PID VMM_START STARTED PAUSED:
# a state directory as create would leave it, without a VM.
fake_state() {
	mkdir -p "$ROOT/$1"
	cat > "$ROOT/$1/state.json" <<-EOF
	{"id":"$1","bundle":"$BUNDLE","rootfs":"$BUNDLE/rootfs",
	 "created":"2026-01-02T03:04:05.000000006Z","owner":"root",
	 "creator":{"pid":0,"start":0},
	 "shim":{"pid":$2,"start":$3},"vmm":{"pid":$4,"start":$5},
	 "started":$6,"paused":$7,"annotations":{"org.test":"yes"},"kvmc":{}}
	EOF
}

# Whether a lifecycle command exists yet (the placeholders fail so).  The
# probe is an invalid id from an empty directory: it can start nothing.
implemented() {
	mkdir -p "$TMP/probe"
	run bash -c 'cd "$1" && "$2" --root "$1/root" "$3" bad/id' _ \
		"$TMP/probe" "$KVMC" "$1"
	[[ $output != *"$1: not implemented"* ]]
}
