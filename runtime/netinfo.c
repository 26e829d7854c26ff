/* Reading the container namespace's links, addresses and routes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <net/if_arp.h>
#include <linux/rtnetlink.h>

#include "runtime/netinfo.h"

static struct netinfo_link *netinfo_link(struct netinfo *ni, int ifindex)
{
	for (unsigned int i = 0; i < ni->nr_links; i++)
		if (ni->links[i].ifindex == ifindex)
			return &ni->links[i];
	return NULL;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Address bytes of an IP family; 0 for any other family. */
static size_t family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int netinfo_on_link(const struct nlmsghdr *h, void *arg)
{
	struct netinfo *ni = arg;
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct netinfo_link *l;
	size_t n;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (nl_parse_msg(tb, IFLA_MAX, h, sizeof(*ifi)))
		return -EPROTO;
	/* Ethernet links only: the guest NIC is one. */
	if (ifi->ifi_type != ARPHRD_ETHER || (ifi->ifi_flags & IFF_LOOPBACK))
		return 0;
	if (!tb[IFLA_IFNAME] || !tb[IFLA_ADDRESS] ||
	    nl_len(tb[IFLA_ADDRESS]) != 6)
		return 0;
	n = strnlen(nl_data(tb[IFLA_IFNAME]), nl_len(tb[IFLA_IFNAME]));
	if (n == 0 || n >= IFNAMSIZ || ni->nr_links == NETINFO_MAX_LINKS)
		return 0;
	l = &ni->links[ni->nr_links];
	memset(l, 0, sizeof(*l));
	memcpy(l->iface.name, nl_data(tb[IFLA_IFNAME]), n);
	if (has_suffix(l->iface.name, NET_TAP_SUFFIX))
		return 0;
	l->ifindex = ifi->ifi_index;
	l->iface.ifindex = ifi->ifi_index;
	l->iface.tap_fd = -1;
	memcpy(l->iface.mac, nl_data(tb[IFLA_ADDRESS]), 6);
	l->iface.mtu = nl_get_u32(tb[IFLA_MTU], 1500);
	ni->nr_links++;
	return 0;
}

int netinfo_on_addr(const struct nlmsghdr *h, void *arg)
{
	struct netinfo *ni = arg;
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct nlattr *a;
	struct netinfo_link *l;
	struct net_addr *na;
	size_t alen;

	if (h->nlmsg_type != RTM_NEWADDR)
		return 0;
	if (nl_parse_msg(tb, IFA_MAX, h, sizeof(*ifa)))
		return -EPROTO;
	/* Link-local and host addresses are the guest kernel's own business. */
	if (ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;
	alen = family_len(ifa->ifa_family);
	if (!alen || ifa->ifa_prefixlen > alen * 8)
		return 0;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer's on
	 * point-to-point links and the same as IFA_LOCAL otherwise. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	l = netinfo_link(ni, ifa->ifa_index);
	if (!a || nl_len(a) != alen || !l ||
	    l->iface.nr_addrs == NET_MAX_ADDRS)
		return 0;
	na = &l->iface.addrs[l->iface.nr_addrs++];
	na->family = ifa->ifa_family;
	memcpy(na->addr, nl_data(a), alen);
	na->prefixlen = ifa->ifa_prefixlen;
	return 0;
}

void netinfo_select(struct netinfo *ni)
{
	struct net_setup *out = ni->out;

	for (unsigned int i = 0; i < ni->nr_links; i++) {
		if (ni->links[i].iface.nr_addrs == 0 ||
		    out->nr_ifaces == NET_MAX_IFACES)
			continue;
		out->ifaces[out->nr_ifaces++] = ni->links[i].iface;
	}
}

int netinfo_iface_of(const struct netinfo *ni, int ifindex)
{
	for (unsigned int i = 0; i < ni->out->nr_ifaces; i++)
		if (ni->out->ifaces[i].ifindex == ifindex)
			return i;
	return -1;
}

int netinfo_on_route(const struct nlmsghdr *h, void *arg)
{
	struct netinfo *ni = arg;
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rt = NLMSG_DATA(h);
	struct net_route *r;
	size_t alen;
	uint32_t table;
	int iface;

	if (h->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (nl_parse_msg(tb, RTA_MAX, h, sizeof(*rt)))
		return -EPROTO;
	table = nl_get_u32(tb[RTA_TABLE], rt->rtm_table);
	/* The kernel adds subnet and link-local routes by itself when the
	 * agent sets the addresses; everything else is the container's. */
	if (table != RT_TABLE_MAIN || rt->rtm_type != RTN_UNICAST ||
	    rt->rtm_protocol == RTPROT_KERNEL)
		return 0;
	alen = family_len(rt->rtm_family);
	if (!alen || rt->rtm_dst_len > alen * 8)
		return 0;
	iface = netinfo_iface_of(ni, (int)nl_get_u32(tb[RTA_OIF], 0));
	if (iface < 0 || ni->out->nr_routes == NET_MAX_ROUTES)
		return 0;
	if ((tb[RTA_DST] && nl_len(tb[RTA_DST]) != alen) ||
	    (!tb[RTA_DST] && rt->rtm_dst_len) ||
	    (tb[RTA_GATEWAY] && nl_len(tb[RTA_GATEWAY]) != alen))
		return 0;
	r = &ni->out->routes[ni->out->nr_routes++];
	memset(r, 0, sizeof(*r));
	r->family = rt->rtm_family;
	r->dst_len = rt->rtm_dst_len;
	if (tb[RTA_DST])
		memcpy(r->dst, nl_data(tb[RTA_DST]), alen);
	if (tb[RTA_GATEWAY]) {
		memcpy(r->gw, nl_data(tb[RTA_GATEWAY]), alen);
		r->has_gw = true;
	}
	r->iface = iface;
	return 0;
}

static int netinfo_dump(struct nl_sock *s, uint16_t type, nl_msg_fn fn,
			struct netinfo *ni)
{
	struct nl_msg m;
	struct rtgenmsg *g;

	/* rtgenmsg is the family header every dump request accepts; the
	 * kernel reads the family from its first byte. */
	g = nl_msg_init(&m, type, NLM_F_DUMP, sizeof(struct ifinfomsg));
	g->rtgen_family = AF_UNSPEC;
	return nl_talk(s, &m, fn, ni);
}

int netinfo_discover(struct nl_sock *s, struct net_setup *out)
{
	struct netinfo *ni = calloc(1, sizeof(*ni));
	int r;

	memset(out, 0, sizeof(*out));
	if (!ni)
		return -ENOMEM;
	ni->out = out;
	r = netinfo_dump(s, RTM_GETLINK, netinfo_on_link, ni);
	if (!r)
		r = netinfo_dump(s, RTM_GETADDR, netinfo_on_addr, ni);
	if (!r) {
		netinfo_select(ni);
		r = netinfo_dump(s, RTM_GETROUTE, netinfo_on_route, ni);
	}
	free(ni);
	return r;
}
