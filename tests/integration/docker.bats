#!/usr/bin/env bats
# Docker end to end: a private dockerd + containerd (tests/kvmhost/docker-up)
# with kvmc added as a runtime; every container runs in its own VM.  One
# daemon for the whole file: under the emulated test host it takes minutes
# to start.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TIMEOUT=${KVMC_IT_STEP_TIMEOUT:-300}

load lib/docker-kvmc

setup_file() {
	[[ $EUID -eq 0 ]] || skip "docker-up needs root"
	echo "# docker tests: ${TIMEOUT}s per docker command" >&3
	docker_kvmc_up
}

teardown_file() {
	docker_kvmc_down
}

dk() {
	timeout "$TIMEOUT" docker "$@"
}

@test "docker: run --runtime kvmc --rm bb echo hi" {
	run dk run --runtime kvmc --rm bb echo hi-from-a-vm
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"hi-from-a-vm"* ]]
}

@test "docker: the container's exit status is docker run's" {
	run dk run --runtime kvmc --rm bb sh -c 'exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
}

@test "docker: run -i passes stdin and its EOF" {
	run sh -c "printf 'l1\nl2\n' | timeout $TIMEOUT docker run --runtime kvmc --rm -i bb wc -l"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *2* ]]
}

@test "docker: run -d, logs has stdout and stderr, stop ends it, nothing left" {
	id=$(dk run --runtime kvmc -d bb sh -c 'echo to-out; echo to-err >&2; trap "exit 0" TERM; while :; do sleep 1; done')
	for _ in $(seq "$TIMEOUT"); do
		dk logs "$id" 2>&1 | grep -q to-err && break
		sleep 1
	done
	run dk logs "$id"
	echo "$output"
	[[ $output == *to-out* && $output == *to-err* ]]
	dk stop -t 60 "$id"
	run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id"
	echo "$output"
	[[ $output == "exited 0" ]]
	dk rm "$id"
	left=$(pgrep -af 'kvmc-(vmm|shim)' || true)
	[ -z "$left" ] || { echo "left: $left"; false; }
}
