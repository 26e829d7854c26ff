/* What the container's namespace holds: its interfaces with a global
 * address, their MAC and MTU, and the routes through them (used by
 * network.c; the message handlers are exposed for the unit tests). */
#ifndef KVMC_RUNTIME_NETINFO_H
#define KVMC_RUNTIME_NETINFO_H

#include "runtime/netlink.h"
#include "runtime/network.h"

#define NETINFO_MAX_LINKS 64
/* Our taps end so; they are never taken for container interfaces. */
#define NET_TAP_SUFFIX "_kvmc"

struct netinfo_link {
	int ifindex;
	struct net_iface iface;		/* name, mac, mtu, addrs */
};

struct netinfo {
	struct netinfo_link links[NETINFO_MAX_LINKS];
	unsigned int nr_links;
	struct net_setup *out;
};

/* Dump handlers, one message each: 0 or -errno. */
int netinfo_on_link(const struct nlmsghdr *h, void *arg);
int netinfo_on_addr(const struct nlmsghdr *h, void *arg);
int netinfo_on_route(const struct nlmsghdr *h, void *arg);
/* Moves the links that got an address to out->ifaces (in ifindex order).
 * Returns out->ifaces's index of a link by ifindex, or -1. */
void netinfo_select(struct netinfo *ni);
int netinfo_iface_of(const struct netinfo *ni, int ifindex);

/* Fills out (tap fields empty) from three dumps on s.  0 or -errno. */
int netinfo_discover(struct nl_sock *s, struct net_setup *out);

#endif
