/* unit-deps: runtime lib */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/network.h"
#include "tests/unit/unit.h"

START_TEST(test_startpod_members)
{
	static const uint8_t mac[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 };
	struct net_setup s;
	struct jbuf b;
	char *json;

	memset(&s, 0, sizeof(s));
	s.nr_ifaces = 1;
	strcpy(s.ifaces[0].name, "eth0");
	memcpy(s.ifaces[0].mac, mac, 6);
	s.ifaces[0].mtu = 1500;
	s.ifaces[0].nr_addrs = 2;
	s.ifaces[0].addrs[0].family = AF_INET;
	inet_pton(AF_INET, "172.17.0.2", s.ifaces[0].addrs[0].addr);
	s.ifaces[0].addrs[0].prefixlen = 16;
	s.ifaces[0].addrs[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::2", s.ifaces[0].addrs[1].addr);
	s.ifaces[0].addrs[1].prefixlen = 64;
	s.nr_routes = 2;
	s.routes[0].family = AF_INET;
	s.routes[0].has_gw = true;
	inet_pton(AF_INET, "172.17.0.1", s.routes[0].gw);
	s.routes[1].family = AF_INET;
	s.routes[1].dst_len = 24;
	inet_pton(AF_INET, "10.1.2.0", s.routes[1].dst);

	jb_init(&b);
	jb_obj_begin(&b);
	net_startpod_json(&s, &b);
	jb_obj_end(&b);
	json = jb_finish(&b, NULL);
	ck_assert_str_eq(json,
		"{\"interfaces\":[{\"device\":\"eth0\",\"newDeviceName\":\"eth0\","
		"\"macAddr\":\"02:42:ac:11:00:02\",\"mtu\":\"1500\",\"ipAddresses\":["
		"{\"ipAddress\":\"172.17.0.2\",\"netMask\":\"16\"},"
		"{\"ipAddress\":\"2001:db8::2\",\"netMask\":\"64\"}]}],"
		"\"routes\":[{\"dest\":\"default\",\"gateway\":\"172.17.0.1\","
		"\"device\":\"eth0\"},{\"dest\":\"10.1.2.0/24\",\"device\":\"eth0\"}]}");
	free(json);
}
END_TEST

START_TEST(test_no_network)
{
	struct net_setup s;
	struct jbuf b;
	char *json;

	memset(&s, 0, sizeof(s));
	jb_init(&b);
	jb_obj_begin(&b);
	net_startpod_json(&s, &b);
	jb_obj_end(&b);
	json = jb_finish(&b, NULL);
	ck_assert_str_eq(json, "{\"interfaces\":[],\"routes\":[]}");
	free(json);
}
END_TEST

static Suite *network_json_suite(void)
{
	Suite *s = suite_create("network_json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_startpod_members);
	tcase_add_test(tc, test_no_network);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(network_json_suite)
