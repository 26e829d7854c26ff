/* unit-deps: virtio lib */
#include <string.h>

#include "devices/virtio/net.h"
#include "tests/unit/unit.h"

START_TEST(test_tap_and_mac)
{
	struct virtio_net_opts o;
	char err[128];

	ck_assert_int_eq(virtio_net_parse("tap=tap0,mac=02:42:ac:11:00:02", &o,
					  err, sizeof(err)), 0);
	ck_assert_str_eq(o.tap, "tap0");
	ck_assert_int_eq(o.fd, -1);
	ck_assert(o.has_mac);
	ck_assert_uint_eq(o.mac[2], 0xac);
	ck_assert_uint_eq(o.mac[5], 0x02);
}
END_TEST

START_TEST(test_fd_random_mac)
{
	struct virtio_net_opts o;
	char err[128];

	ck_assert_int_eq(virtio_net_parse("fd=3", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.fd, 3);
	ck_assert(!o.has_mac);
	/* locally administered, unicast */
	ck_assert_uint_eq(o.mac[0] & 3, 2);
}
END_TEST

START_TEST(test_bad)
{
	static const char *const bad[] = {
		"", "tap=", "fd=3,tap=x", "fd=-1", "fd=3x", "tap",
		"tap=x,mac=01:00:5e:00:00:01", "tap=x,mac=02:42:ac:11:00",
		"tap=x,mac=02:42:ac:11:00:02:03", "tap=0123456789abcdef",
		"tap=x,speed=10",
	};
	struct virtio_net_opts o;
	char err[128];

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(virtio_net_parse(bad[i], &o, err, sizeof(err)) < 0,
			      "accepted '%s'", bad[i]);
		ck_assert_msg(err[0], "no reason for '%s'", bad[i]);
	}
	virtio_net_parse("tap=x,speed=10", &o, err, sizeof(err));
	ck_assert_str_eq(err, "unknown key 'speed' (tap, fd, mac)");
}
END_TEST

static Suite *net_opts_suite(void)
{
	Suite *s = suite_create("net_opts");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tap_and_mac);
	tcase_add_test(tc, test_fd_random_mac);
	tcase_add_test(tc, test_bad);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(net_opts_suite)
