# Loaded by the BATS files that run kvmc under Docker (`load
# lib/docker-kvmc`): the fixture of tests/kvmhost/docker-up with kvmc added
# as the runtime `kvmc`.  containerd passes no environment, so a wrapper
# in /run names the build's kvmc.conf.

# docker_kvmc_up [docker-up option]...: from setup_file; exports
# DOCKER_HOST, KVMC_DOCKER_DIR and WRAP (the wrapper).
docker_kvmc_up() {
	WRAP=$(mktemp /run/kvmc-rt.XXXXXX)
	printf '#!/bin/sh\nKVMC_CONFIG=%s exec %s "$@"\n' \
		"$ROOT/build/kvmc.conf" "$ROOT/build/kvmc" > "$WRAP"
	chmod +x "$WRAP"
	export WRAP
	eval "$(KVMC_DOCKER_TIMEOUT=900 "$ROOT/tests/kvmhost/docker-up" "$@" \
		--add-runtime "kvmc=$WRAP")"
	export DOCKER_HOST KVMC_DOCKER_DIR
}

# docker_kvmc_down: from teardown_file.
docker_kvmc_down() {
	[[ -n ${KVMC_DOCKER_DIR:-} ]] && "$ROOT/tests/kvmhost/docker-down" "$KVMC_DOCKER_DIR"
	rm -f "${WRAP:-}"
}
