# The docker fixture of docker.bats and exec.bats: a private dockerd +
# containerd (tests/kvmhost/docker-up) with kvmc added as the runtime
# "kvmc".  One daemon per file: under the emulated test host it takes
# minutes to start.  Call docker_fixture_up [docker-up option]... from
# setup_file (docker-net.bats passes --network) and docker_fixture_down
# from teardown_file; dk is docker with the step timeout.
# FIXTURE_MAX_VCPUS=N: the runtime's config is the build's with
# max_vcpus = N (a test host of one CPU caps every VM at one otherwise).

docker_fixture_up() {
	[[ $EUID -eq 0 ]] || skip "docker-up needs root"
	# containerd passes no environment: a wrapper names the build's config.
	WRAP=$(mktemp /run/kvmc-rt.XXXXXX)
	local conf=$ROOT/build/kvmc.conf
	if [[ -n ${FIXTURE_MAX_VCPUS:-} ]]; then
		# Beside the build's: its relative paths are the directory's.
		conf=$(mktemp -p "$ROOT/build" kvmc-fixture.XXXXXX)
		FIXTURE_CONF=$conf
		sed "s/^max_vcpus *=.*/max_vcpus = $FIXTURE_MAX_VCPUS/" \
			"$ROOT/build/kvmc.conf" > "$conf"
		grep -q "^max_vcpus = $FIXTURE_MAX_VCPUS\$" "$conf" ||
			echo "max_vcpus = $FIXTURE_MAX_VCPUS" >> "$conf"
	fi
	# The emulated test host boots several guests at once far slower
	# than hardware: a boot timeout to match (kvmc's default is 120 s).
	printf '#!/bin/sh\nKVMC_BOOT_TIMEOUT=%s KVMC_CONFIG=%s exec %s "$@"\n' \
		"${KVMC_BOOT_TIMEOUT:-600}" "$conf" "$ROOT/build/kvmc" > "$WRAP"
	chmod +x "$WRAP"
	export WRAP
	eval "$(KVMC_DOCKER_TIMEOUT=900 "$ROOT/tests/kvmhost/docker-up" "$@" \
		--add-runtime "kvmc=$WRAP")"
	export DOCKER_HOST KVMC_DOCKER_DIR
}

docker_fixture_down() {
	[[ -n ${KVMC_DOCKER_DIR:-} ]] && "$ROOT/tests/kvmhost/docker-down" "$KVMC_DOCKER_DIR"
	rm -f "${WRAP:-}" "${FIXTURE_CONF:-}"
}

# -k: an attached docker CLI passes SIGTERM on to the container.
dk() {
	timeout -k 10 "$TIMEOUT" docker "$@"
}
