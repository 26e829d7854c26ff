/*
 * The container's network: inside the network namespace Docker or CNI
 * made, each interface with an address (a veth) gets a tap, and tc ingress
 * filters redirect veth <-> tap both ways (Kata's "tcfilter" model).  The
 * guest NIC behind the tap takes the veth's MAC; the agent gives it the
 * veth's addresses, MTU and routes (STARTPOD).  See docs/network.md.
 */
#ifndef KVMC_RUNTIME_NETWORK_H
#define KVMC_RUNTIME_NETWORK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/json.h"

#define NET_MAX_IFACES	8
#define NET_MAX_ADDRS	8
#define NET_MAX_ROUTES	32
#define NET_ERR_MAX	256

struct net_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefixlen;
};

struct net_iface {
	char name[IFNAMSIZ];	/* the veth in the netns; the guest's name */
	int ifindex;		/* the veth's, in the netns */
	char tap[IFNAMSIZ];	/* its tap, in the same netns */
	int tap_fd;		/* IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, blocking,
				 * close-on-exec: pass to kvmc-vmm as
				 * --net fd=N,mac=MAC */
	uint8_t mac[6];		/* the veth's: the guest NIC's MAC */
	unsigned int mtu;
	struct net_addr addrs[NET_MAX_ADDRS];
	unsigned int nr_addrs;
};

struct net_route {
	int family;
	uint8_t dst[16];
	uint8_t dst_len;	/* 0: default route */
	uint8_t gw[16];
	bool has_gw;
	unsigned int iface;	/* index in net_setup.ifaces */
};

struct net_setup {
	struct net_iface ifaces[NET_MAX_IFACES];
	unsigned int nr_ifaces;
	struct net_route routes[NET_MAX_ROUTES];
	unsigned int nr_routes;
};

/*
 * Enters the namespace at netns_path (on the calling thread only, and
 * back), finds the interfaces with a global address, creates a tap for
 * each (named tapN_kvmc, up, the veth's MTU) and the redirect filters.
 * The names are recorded in state_dir/network first (state_dir may be
 * NULL: nothing recorded), so net_teardown can undo a half-done setup.
 * Routes kept: the main table's unicast routes through those interfaces,
 * except the kernel's own (subnet and link-local) ones.
 *
 * 0 with *out filled (nr_ifaces may be 0: loopback only), or -errno with
 * a one-line reason in err; on failure everything done is undone and no
 * fd is left open.  The tap fds belong to the caller (net_close_fds).
 */
int net_setup(const char *netns_path, const char *state_dir,
	      struct net_setup *out, char *err, size_t errlen);

/* Closes the tap fds still open in s (sets them to -1). */
void net_close_fds(struct net_setup *s);

/*
 * Removes the taps and ingress qdiscs recorded in state_dir/network, then
 * the record.  Whatever already went away (the namespace, the VMM holding
 * the taps, a link) is fine.  0 or -errno with a reason in err.
 */
int net_teardown(const char *netns_path, const char *state_dir,
		 char *err, size_t errlen);

/*
 * Adds the "interfaces" and "routes" members of STARTPOD to the object
 * being written in b (hyperstart's format, docs/network.md):
 *   "interfaces": [{"device": "eth0", "newDeviceName": "eth0",
 *                   "macAddr": "02:42:ac:11:00:02", "mtu": "1500",
 *                   "ipAddresses": [{"ipAddress": "172.17.0.2",
 *                                    "netMask": "16"}]}],
 *   "routes": [{"dest": "default", "gateway": "172.17.0.1",
 *               "device": "eth0"}]
 */
void net_startpod_json(const struct net_setup *s, struct jbuf *b);

/* "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes). */
void net_mac_str(const uint8_t mac[6], char *buf);

#endif
