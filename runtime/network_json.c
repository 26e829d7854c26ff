/* The container's network as hyperstart's STARTPOD members. */
#include <arpa/inet.h>
#include <stdio.h>

#include "runtime/network.h"

void net_mac_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static void jb_ip(struct jbuf *b, int family, const uint8_t *addr)
{
	char s[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, s, sizeof(s)))
		s[0] = '\0';
	jb_str(b, s);
}

static void iface_json(const struct net_iface *ifc, struct jbuf *b)
{
	char mac[18], mask[4], mtu[12];

	net_mac_str(ifc->mac, mac);
	jb_obj_begin(b);
	jb_key(b, "device");
	jb_str(b, ifc->name);
	jb_key(b, "newDeviceName");
	jb_str(b, ifc->name);
	jb_key(b, "macAddr");
	jb_str(b, mac);
	/* A string, as hyperstart (and kvmc-agent) read it. */
	snprintf(mtu, sizeof(mtu), "%u", ifc->mtu);
	jb_key(b, "mtu");
	jb_str(b, mtu);
	jb_key(b, "ipAddresses");
	jb_arr_begin(b);
	for (unsigned int i = 0; i < ifc->nr_addrs; i++) {
		const struct net_addr *a = &ifc->addrs[i];

		snprintf(mask, sizeof(mask), "%u", a->prefixlen);
		jb_obj_begin(b);
		jb_key(b, "ipAddress");
		jb_ip(b, a->family, a->addr);
		jb_key(b, "netMask");
		jb_str(b, mask);
		jb_obj_end(b);
	}
	jb_arr_end(b);
	jb_obj_end(b);
}

static void route_json(const struct net_setup *s, const struct net_route *r,
		       struct jbuf *b)
{
	char dst[INET6_ADDRSTRLEN + 4];
	char ip[INET6_ADDRSTRLEN];

	jb_obj_begin(b);
	jb_key(b, "dest");
	if (r->dst_len == 0) {
		jb_str(b, "default");
	} else {
		if (!inet_ntop(r->family, r->dst, ip, sizeof(ip)))
			ip[0] = '\0';
		snprintf(dst, sizeof(dst), "%s/%u", ip, r->dst_len);
		jb_str(b, dst);
	}
	if (r->has_gw) {
		jb_key(b, "gateway");
		jb_ip(b, r->family, r->gw);
	}
	jb_key(b, "device");
	jb_str(b, r->iface < s->nr_ifaces ? s->ifaces[r->iface].name : "");
	jb_obj_end(b);
}

void net_startpod_json(const struct net_setup *s, struct jbuf *b)
{
	jb_key(b, "interfaces");
	jb_arr_begin(b);
	for (unsigned int i = 0; i < s->nr_ifaces; i++)
		iface_json(&s->ifaces[i], b);
	jb_arr_end(b);
	jb_key(b, "routes");
	jb_arr_begin(b);
	for (unsigned int i = 0; i < s->nr_routes; i++)
		route_json(s, &s->routes[i], b);
	jb_arr_end(b);
}
