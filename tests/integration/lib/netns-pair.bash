# Sourced by net.bats and kernel.bats.
# netns_pair NS PEER ADDR PEER_ADDR: two network namespaces joined by a
# veth, as a container's and its bridge's side: eth0 in NS with ADDR/24
# and a default route through PEER_ADDR, veth-peer in PEER with
# PEER_ADDR/24 and its loopback up.  The caller deletes both namespaces.
netns_pair() {
	ip netns add "$1"
	ip netns add "$2"
	ip -n "$1" link add eth0 type veth peer name veth-peer netns "$2"
	ip -n "$1" link set eth0 up
	ip -n "$2" link set veth-peer up
	ip -n "$2" link set lo up
	ip -n "$1" addr add "$3/24" dev eth0
	ip -n "$2" addr add "$4/24" dev veth-peer
	ip -n "$1" route add default via "$4"
}
