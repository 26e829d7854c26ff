# Shared by the BATS files that drive kvmc end to end: a work directory
# under /run (tmpfs) per test, containers left behind deleted, and the
# check that nothing of a container outlives its delete.
# Expects ROOT; sets W (the work directory) and STATE (kvmc's --root).
KVMC=$ROOT/build/kvmc
JSONQ=$ROOT/build/tests/jsonq
TIMEOUT=${KVMC_IT_STEP_TIMEOUT:-300}

kvmc_it_setup() {
	export KVMC_CONFIG=$ROOT/build/kvmc.conf
	# Far slower than hardware in the emulated test host (default 120 s).
	export KVMC_BOOT_TIMEOUT=${KVMC_BOOT_TIMEOUT:-600}
	W=$(mktemp -d /run/kvmc-it.XXXXXX)
	STATE=$W/state
}

kvmc_it_teardown() {
	for id in $(ls "$STATE" 2>/dev/null); do
		"$KVMC" --root "$STATE" delete --force "$id" || true
	done
	rm -rf "$W"
}

# Nothing of a container may outlive its delete: no kvmc process, no
# state directory, no socket.
assert_clean() {
	local left
	[ -z "$(ls -A "$STATE" 2>/dev/null)" ] || {
		echo "state left: $(ls -A "$STATE")"; return 1; }
	left=$(pgrep -af "kvmc-(vmm|shim).*$W" || true)
	[ -z "$left" ] || { echo "processes left: $left"; return 1; }
	# Without linux.cgroupsPath a container's cgroup is /ID (kvmc runs
	# in the root cgroup here); delete removes it.
	left=$(ls /sys/fs/cgroup | grep -E '^c[0-9]+$' || true)
	[ -z "$left" ] || { echo "cgroups left: $left"; return 1; }
}
