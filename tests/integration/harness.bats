#!/usr/bin/env bats
# The test harness checks itself before anything is blamed on kvmc:
# /dev/kvm here really runs a guest, and the docker fixture
# (tests/kvmhost/docker-up) runs a container with the default runc.
# Runs directly where /dev/kvm works, else inside the KVM test host
# (tests/integration/run does that).
#
# Needs: make tools (build/tests/kvm-realmode), root, docker.io.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# Generous: under the emulated test host dockerd alone takes minutes.
TIMEOUT=${KVMC_HARNESS_TIMEOUT:-900}

setup_file() {
	echo "# harness tests: timeouts ${TIMEOUT}s per step" >&3
}

teardown() {
	if [[ -n ${KVMC_DOCKER_DIR:-} ]]; then
		"$ROOT/tests/kvmhost/docker-down" "$KVMC_DOCKER_DIR"
	fi
}

@test "harness: /dev/kvm runs a real-mode guest that writes to a port and halts" {
	[[ -x $ROOT/build/tests/kvm-realmode ]] || {
		echo "missing build/tests/kvm-realmode: run make tools"
		return 1
	}
	run timeout "$TIMEOUT" "$ROOT/build/tests/kvm-realmode" -v
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exit IO dir=1 size=1 port=0x10 count=1 data=0x35"* ]]
	[[ $output == *"exit HLT rax=0x1335"* ]]
}

@test "harness: docker run --rm bb echo hi with runc through the docker fixture" {
	[[ $EUID -eq 0 ]] || skip "docker-up mounts a tmpfs and starts dockerd: needs root"
	local env
	env=$(KVMC_DOCKER_TIMEOUT=$TIMEOUT "$ROOT/tests/kvmhost/docker-up")
	eval "$env"
	[[ $DOCKER_HOST == unix:///run/kvmc-docker.*/docker.sock ]]

	run timeout "$TIMEOUT" docker info --format '{{.DefaultRuntime}} {{.Driver}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "runc vfs" ]

	run timeout "$TIMEOUT" docker run --rm bb echo hi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hi" ]

	# --rm left nothing behind.
	run timeout "$TIMEOUT" docker ps -aq
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
