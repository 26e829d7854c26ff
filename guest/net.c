/* Network setup over rtnetlink: the interface the runtime hands over (by
 * name or MAC) gets its name, MTU, addresses and link up; routes follow.
 * Loopback comes up with the first interface. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/agent.h"

struct nlreq {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rt;
	};
	char attrs[512];
};

static void add_attr(struct nlreq *r, unsigned short type, const void *data,
		     size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends one request and waits for its acknowledgement: 0 or -errno. */
static int talk(struct nlreq *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;
	int ret = -EIO;

	if (fd < 0)
		return -errno;
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = 1;
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		ret = -errno;
	else if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == NLMSG_ERROR)
		ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
out:
	close(fd);
	return ret;
}

static void init_req(struct nlreq *r, unsigned short type, unsigned short flags,
		     size_t body)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = (unsigned int)NLMSG_LENGTH(body);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
}

static int set_link(int index, const char *name, unsigned int mtu, bool up)
{
	struct nlreq r;

	init_req(&r, RTM_NEWLINK, 0, sizeof(r.ifi));
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = index;
	r.ifi.ifi_change = IFF_UP;
	r.ifi.ifi_flags = up ? IFF_UP : 0;
	if (name)
		add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	if (mtu)
		add_attr(&r, IFLA_MTU, &mtu, sizeof(mtu));
	return talk(&r);
}

/* "1.2.3.4/24" or "fe80::1/64": family, bytes and prefix. */
static int parse_cidr(const char *s, int *family, unsigned char addr[16],
		      int *prefix)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(*family, buf, addr) != 1)
		return -EINVAL;
	*prefix = *family == AF_INET ? 32 : 128;
	if (slash) {
		long p = strtol(slash + 1, &end, 10);

		if (!slash[1] || *end || p < 0 || p > *prefix)
			return -EINVAL;
		*prefix = (int)p;
	}
	return 0;
}

static int add_addr(int index, const char *cidr)
{
	unsigned char addr[16];
	int family, prefix, ret;
	struct nlreq r;

	ret = parse_cidr(cidr, &family, addr, &prefix);
	if (ret)
		return ret;
	init_req(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(r.ifa));
	r.ifa.ifa_family = (unsigned char)family;
	r.ifa.ifa_prefixlen = (unsigned char)prefix;
	r.ifa.ifa_index = (unsigned int)index;
	add_attr(&r, IFA_LOCAL, addr, family == AF_INET ? 4 : 16);
	add_attr(&r, IFA_ADDRESS, addr, family == AF_INET ? 4 : 16);
	return talk(&r);
}

/* The interface whose MAC is mac (case-insensitive), or 0. */
static int index_by_mac(const char *mac)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	int index = 0;

	if (!d)
		return 0;
	while (!index && (e = readdir(d))) {
		char path[300], addr[32] = "";
		FILE *fp;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/address",
			 e->d_name);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		if (fgets(addr, sizeof(addr), fp)) {
			addr[strcspn(addr, "\n")] = '\0';
			if (!strcasecmp(addr, mac))
				index = (int)if_nametoindex(e->d_name);
		}
		fclose(fp);
	}
	closedir(d);
	return index;
}

int net_loopback_up(void)
{
	return set_link((int)if_nametoindex("lo"), NULL, 0, true);
}

int net_setup_iface(const struct iface_spec *ifc, char *err, size_t errlen)
{
	const char *what = ifc->device ? ifc->device : ifc->mac;
	int index = ifc->device ? (int)if_nametoindex(ifc->device) : 0;
	int ret;

	if (!index && ifc->mac)
		index = index_by_mac(ifc->mac);
	if (!index) {
		snprintf(err, errlen, "interface %s: not found", what);
		return -ENODEV;
	}
	ret = net_loopback_up();
	/* A rename needs the link down. */
	if (!ret && ifc->new_name)
		ret = set_link(index, NULL, 0, false);
	if (!ret)
		ret = set_link(index, ifc->new_name, ifc->mtu, false);
	for (char **a = ifc->addrs; !ret && a && *a; a++) {
		ret = add_addr(index, *a);
		if (ret) {
			snprintf(err, errlen, "interface %s: address %s: %s",
				 what, *a, strerror(-ret));
			return ret;
		}
	}
	if (!ret)
		ret = set_link(index, NULL, 0, true);
	if (ret)
		snprintf(err, errlen, "interface %s: %s", what, strerror(-ret));
	return ret;
}

int net_setup_route(const struct route_spec *rt, char *err, size_t errlen)
{
	unsigned char dst[16], gw[16];
	int family = AF_INET, gw_family = 0, prefix = 0, oif = 0, ret = 0;
	struct nlreq r;

	if (strcmp(rt->dest, "default"))
		ret = parse_cidr(rt->dest, &family, dst, &prefix);
	if (!ret && rt->gateway) {
		int p;

		ret = parse_cidr(rt->gateway, &gw_family, gw, &p);
		if (!ret && !strcmp(rt->dest, "default"))
			family = gw_family;
		if (!ret && gw_family != family)
			ret = -EINVAL;
	}
	if (ret) {
		snprintf(err, errlen, "route %s: bad address", rt->dest);
		return ret;
	}
	if (rt->device && !(oif = (int)if_nametoindex(rt->device))) {
		snprintf(err, errlen, "route %s: device %s not found", rt->dest,
			 rt->device);
		return -ENODEV;
	}
	init_req(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(r.rt));
	r.rt.rtm_family = (unsigned char)family;
	r.rt.rtm_dst_len = (unsigned char)prefix;
	r.rt.rtm_table = RT_TABLE_MAIN;
	r.rt.rtm_protocol = RTPROT_BOOT;
	r.rt.rtm_scope = rt->gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	r.rt.rtm_type = RTN_UNICAST;
	if (prefix)
		add_attr(&r, RTA_DST, dst, family == AF_INET ? 4 : 16);
	if (rt->gateway)
		add_attr(&r, RTA_GATEWAY, gw, family == AF_INET ? 4 : 16);
	if (oif)
		add_attr(&r, RTA_OIF, &oif, sizeof(oif));
	ret = talk(&r);
	if (ret)
		snprintf(err, errlen, "route %s: %s", rt->dest, strerror(-ret));
	return ret;
}
