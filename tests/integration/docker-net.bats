#!/usr/bin/env bats
# Docker's networking with kvmc containers: a private dockerd started with
# its bridge network, iptables and the userland proxy on
# (tests/kvmhost/docker-up --network; the bridge is kvmcdk0,
# 10.203.0.1/24).  Each container's veth is redirected to a tap of its VM
# (docs/network.md); these tests check that what Docker builds around the
# veth (gateway, published ports, user-defined networks, --network none)
# works as it does for runc.  One daemon for the whole file.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TIMEOUT=${KVMC_IT_STEP_TIMEOUT:-300}
GW=10.203.0.1

load lib/docker-fixture

setup_file() {
	[[ $EUID -eq 0 ]] || skip "docker-up needs root"
	echo "# docker-net tests: ${TIMEOUT}s per docker command and per wait" >&3
	docker_fixture_up --network
}

teardown_file() {
	[[ -n ${KVMC_DOCKER_DIR:-} ]] && docker rm -f $(docker ps -aq) > /dev/null 2>&1
	docker_fixture_down
}

# httpd_cmd TEXT: a container command serving TEXT as /www/index.html
# with busybox httpd on port 80 (made by the container itself).
httpd_cmd() {
	echo "mkdir -p /www && echo '$1' > /www/index.html && exec httpd -f -p 80 -h /www"
}

# fetch URL: the page, retried until the server answers or TIMEOUT.
fetch() {
	local i out
	for ((i = 0; i < TIMEOUT; i++)); do
		# Not wget -T: busybox 1.35's wget crashes with it.
		out=$(timeout 20 busybox wget -q -O - "$1" 2>/dev/null) && {
			printf '%s\n' "$out"
			return 0
		}
		sleep 1
	done
	return 1
}

# diag ID...: what a failed test needs to be understood: the containers,
# their logs, the guests' consoles and VMM logs, the host's sockets, NAT
# rules and neighbours.
diag() {
	local id d
	echo "--- diagnostics"
	docker ps -a
	for id in "$@"; do
		echo "--- docker logs $id"
		docker logs "$id" 2>&1 | tail -n 20
		docker inspect -f '{{.State.Status}} {{json .NetworkSettings.Networks}}' "$id"
	done
	for d in $(find /run -name vmm.log -printf '%h\n' 2>/dev/null); do
		echo "--- $d"
		tail -n 20 "$d/console.log" "$d/vmm.log" 2>/dev/null
	done
	ss -ltnp
	iptables -t nat -S
	ip neigh
	ip -s link show kvmcdk0
}

@test "docker-net: a kvmc container gets its veth's address and reaches the bridge gateway" {
	run dk run --runtime kvmc --rm bb sh -c \
		"ip -o -4 addr show eth0; ip route; ping -c 3 -W 10 $GW"
	echo "$output"
	# The VM is gone with --rm: the host's side says where packets
	# stopped (once, on 2026-12-01, none of three came back).
	[ "$status" -eq 0 ] || { diag; false; }
	[[ $output == *"inet 10.203.0."* ]]
	[[ $output == *"default via $GW dev eth0"* ]]
	[[ $output == *"3 packets transmitted, 3 packets received"* ]]
}

@test "docker-net: run -d -p 8080:80 busybox httpd, reachable at 127.0.0.1:8080" {
	id=$(dk run --runtime kvmc -d -p 8080:80 bb sh -c "$(httpd_cmd served-by-kvmc-8080)")
	ip=$(dk inspect -f '{{.NetworkSettings.IPAddress}}' "$id")
	# Through the bridge at the container's own address first, then
	# through the published port (docker-proxy, then the same path).
	run fetch "http://$ip:80/"
	echo "$ip: $output"
	direct=$output
	run fetch http://127.0.0.1:8080/
	echo "127.0.0.1:8080: $output"
	[[ $direct == served-by-kvmc-8080 && $output == served-by-kvmc-8080 ]] ||
		diag "$id"
	dk rm -f "$id"
	[ "$direct" = served-by-kvmc-8080 ]
	[ "$output" = served-by-kvmc-8080 ]
}

@test "docker-net: the bundle's /etc/resolv.conf, /etc/hosts and /etc/hostname arrive in the guest" {
	run dk run --runtime kvmc --rm --hostname kvmc-host-x --add-host peer-x:10.203.0.77 \
		--dns 10.203.0.53 bb sh -c 'cat /etc/resolv.conf /etc/hosts /etc/hostname; hostname'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"nameserver 10.203.0.53"* ]]
	[[ $output == *"10.203.0.77"*peer-x* ]]
	[[ $(echo "$output" | tail -n 2) == $'kvmc-host-x\nkvmc-host-x' ]]
}

@test "docker-net: two containers on a user-defined network reach each other by address" {
	dk network create kvmcnet
	srv=$(dk run --runtime kvmc -d --network kvmcnet --name kvmc-srv bb \
		sh -c "$(httpd_cmd served-to-a-peer)")
	ip=$(dk inspect -f '{{(index .NetworkSettings.Networks "kvmcnet").IPAddress}}' "$srv")
	[[ -n $ip ]]
	run dk run --runtime kvmc --rm --network kvmcnet bb sh -c \
		"cat /etc/resolv.conf; for i in \$(seq 60); do timeout 20 wget -q -O - http://$ip/ && break; sleep 1; done"
	echo "$output"
	[[ $status -eq 0 && $output == *served-to-a-peer* ]] || diag "$srv"
	dk rm -f "$srv"
	dk network rm kvmcnet
	[ "$status" -eq 0 ]
	# Docker's embedded DNS is named in resolv.conf (by name: below).
	[[ $output == *"nameserver 127.0.0.11"* ]]
	[[ $output == *served-to-a-peer* ]]
}

@test "docker-net: two containers on a user-defined network reach each other by name" {
	dk network create kvmcnet2
	srv=$(dk run --runtime kvmc -d --network kvmcnet2 --name kvmc-srv2 bb \
		sh -c "$(httpd_cmd served-by-name)")
	ip=$(dk inspect -f '{{(index .NetworkSettings.Networks "kvmcnet2").IPAddress}}' "$srv")
	[[ -n $ip ]]
	# Docker's embedded DNS (127.0.0.11) through the agent's relay and
	# the VMM's socket in the namespace (docs/network.md).
	run dk run --runtime kvmc --rm --network kvmcnet2 bb sh -c \
		"cat /etc/resolv.conf; timeout 60 nslookup kvmc-srv2; for i in \$(seq 60); do timeout 20 wget -q -O - http://kvmc-srv2/ && break; sleep 1; done"
	echo "$output"
	[[ $status -eq 0 && $output == *served-by-name* ]] || diag "$srv"
	dk rm -f "$srv"
	dk network rm kvmcnet2
	[ "$status" -eq 0 ]
	[[ $output == *"nameserver 127.0.0.11"* ]]
	[[ $output == *"Address: $ip"* ]]
	[[ $output == *served-by-name* ]]
}

@test "docker-net: --network none gives only loopback" {
	run dk run --runtime kvmc --rm --network none bb sh -c 'ip -o link; ip -o addr'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"lo:"* ]]
	links=$(echo "$output" | grep -c ': <' || true)
	[ "$links" -eq 1 ]
	[[ $output != *eth0* ]]
}

@test "docker-net: after all, no VM, tap, tc filter or kvmc state left" {
	# What a failed test above may have left goes the usual way first.
	left=$(dk ps -aq)
	[[ -z $left ]] || { echo "removing $left"; dk rm -f $left; }
	left=$(pgrep -af 'kvmc-(vmm|shim)' || true)
	[ -z "$left" ] || { echo "left: $left"; false; }
	run ip -o link show
	echo "$output"
	[[ $output != *_kvmc* ]]
	run tc qdisc show
	echo "$output"
	[[ $output != *ingress* ]]
	# Namespaces dockerd still holds (none should be left either).
	for ns in "$KVMC_DOCKER_DIR"/exec/netns/*; do
		[[ -e $ns ]] || continue
		run nsenter --net="$ns" ip -o link show
		echo "$ns: $output"
		[[ $output != *_kvmc* ]]
	done
	# A kvmc state directory holds vmm.log; delete removes the directory.
	run find /run -name vmm.log
	echo "state left: $output"
	[ -z "$output" ]
}
