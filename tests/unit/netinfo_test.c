/* unit-deps: runtime lib */
#include <string.h>

#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>

#include "runtime/netinfo.h"
#include "tests/unit/unit.h"

static struct net_setup out;
static struct netinfo ni;

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	memset(&ni, 0, sizeof(ni));
	ni.out = &out;
}

static void link_msg(int idx, const char *name, unsigned short type)
{
	static const uint8_t mac[6] = { 0x02, 0x42, 0xac, 0x11, 0, 2 };
	struct nl_msg m;
	struct ifinfomsg *ifi;

	ifi = nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_index = idx;
	ifi->ifi_type = type;
	nl_put_str(&m, IFLA_IFNAME, name);
	nl_put(&m, IFLA_ADDRESS, mac, 6);
	nl_put_u32(&m, IFLA_MTU, 1450);
	ck_assert_int_eq(netinfo_on_link(&m.hdr, &ni), 0);
}

static void addr_msg(int idx, int family, const char *ip, int plen,
		     int scope)
{
	uint8_t a[16];
	struct nl_msg m;
	struct ifaddrmsg *ifa;

	ck_assert_int_eq(inet_pton(family, ip, a), 1);
	ifa = nl_msg_init(&m, RTM_NEWADDR, 0, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_index = idx;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = scope;
	nl_put(&m, IFA_ADDRESS, a, family == AF_INET ? 4 : 16);
	ck_assert_int_eq(netinfo_on_addr(&m.hdr, &ni), 0);
}

static void route_msg(int oif, const char *dst, int dlen, const char *gw,
		      int proto)
{
	uint8_t a[4];
	struct nl_msg m;
	struct rtmsg *rt;

	rt = nl_msg_init(&m, RTM_NEWROUTE, 0, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = dlen;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_type = RTN_UNICAST;
	rt->rtm_protocol = proto;
	if (dst) {
		inet_pton(AF_INET, dst, a);
		nl_put(&m, RTA_DST, a, 4);
	}
	if (gw) {
		inet_pton(AF_INET, gw, a);
		nl_put(&m, RTA_GATEWAY, a, 4);
	}
	nl_put_u32(&m, RTA_OIF, oif);
	ck_assert_int_eq(netinfo_on_route(&m.hdr, &ni), 0);
}

START_TEST(test_selects_addressed_ethernet_links)
{
	link_msg(1, "lo", ARPHRD_LOOPBACK);
	link_msg(2, "eth0", ARPHRD_ETHER);
	link_msg(3, "eth1", ARPHRD_ETHER);		/* no address */
	link_msg(4, "tap0_kvmc", ARPHRD_ETHER);	/* ours */
	addr_msg(2, AF_INET, "172.17.0.2", 16, RT_SCOPE_UNIVERSE);
	addr_msg(2, AF_INET6, "fe80::1", 64, RT_SCOPE_LINK);
	addr_msg(2, AF_INET6, "2001:db8::2", 64, RT_SCOPE_UNIVERSE);
	addr_msg(4, AF_INET, "10.0.0.1", 8, RT_SCOPE_UNIVERSE);
	netinfo_select(&ni);
	ck_assert_uint_eq(out.nr_ifaces, 1);
	ck_assert_str_eq(out.ifaces[0].name, "eth0");
	ck_assert_int_eq(out.ifaces[0].ifindex, 2);
	ck_assert_uint_eq(out.ifaces[0].mtu, 1450);
	ck_assert_uint_eq(out.ifaces[0].mac[2], 0xac);
	ck_assert_int_eq(out.ifaces[0].tap_fd, -1);
	ck_assert_uint_eq(out.ifaces[0].nr_addrs, 2);
	ck_assert_uint_eq(out.ifaces[0].addrs[0].prefixlen, 16);
	ck_assert_int_eq(out.ifaces[0].addrs[1].family, AF_INET6);
}
END_TEST

START_TEST(test_routes_kept_and_skipped)
{
	link_msg(2, "eth0", ARPHRD_ETHER);
	link_msg(3, "eth1", ARPHRD_ETHER);
	addr_msg(2, AF_INET, "172.17.0.2", 16, RT_SCOPE_UNIVERSE);
	netinfo_select(&ni);
	route_msg(2, NULL, 0, "172.17.0.1", RTPROT_BOOT);
	route_msg(2, "172.17.0.0", 16, NULL, RTPROT_KERNEL);	/* kernel's */
	route_msg(3, "10.1.0.0", 16, "10.1.0.1", RTPROT_BOOT);	/* not ours */
	route_msg(2, "10.9.0.0", 16, "172.17.0.9", RTPROT_STATIC);
	ck_assert_uint_eq(out.nr_routes, 2);
	ck_assert_uint_eq(out.routes[0].dst_len, 0);
	ck_assert(out.routes[0].has_gw);
	ck_assert_uint_eq(out.routes[0].gw[3], 1);
	ck_assert_uint_eq(out.routes[1].dst[1], 9);
	ck_assert_uint_eq(out.routes[1].iface, 0);
}
END_TEST

START_TEST(test_malformed_replies)
{
	struct nl_msg m;
	struct ifaddrmsg *ifa;
	uint8_t a[3] = { 1, 2, 3 };

	link_msg(2, "eth0", ARPHRD_ETHER);
	/* a 3-byte IPv4 address and a /40 are ignored, not trusted */
	ifa = nl_msg_init(&m, RTM_NEWADDR, 0, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_index = 2;
	nl_put(&m, IFA_ADDRESS, a, 3);
	ck_assert_int_eq(netinfo_on_addr(&m.hdr, &ni), 0);
	addr_msg(2, AF_INET, "1.2.3.4", 40, RT_SCOPE_UNIVERSE);
	ck_assert_uint_eq(ni.links[0].iface.nr_addrs, 0);
	/* an attribute running past the message is an error */
	m.hdr.nlmsg_len -= 4;
	ck_assert_int_lt(netinfo_on_addr(&m.hdr, &ni), 0);
}
END_TEST

static Suite *netinfo_suite(void)
{
	Suite *s = suite_create("netinfo");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_selects_addressed_ethernet_links);
	tcase_add_test(tc, test_routes_kept_and_skipped);
	tcase_add_test(tc, test_malformed_replies);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(netinfo_suite)
