/* unit-deps: runtime lib */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/network.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/kvmc-network-test.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/network", dir);
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/kvmc-network-test.XXXXXX");
}

START_TEST(test_no_namespace_is_loopback_only)
{
	struct net_setup s;
	char err[NET_ERR_MAX];

	ck_assert_int_eq(net_setup(NULL, dir, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr_ifaces, 0);
	ck_assert_uint_eq(s.nr_routes, 0);
}
END_TEST

START_TEST(test_missing_namespace_named)
{
	struct net_setup s;
	char err[NET_ERR_MAX];

	ck_assert_int_eq(net_setup("/nonexistent/netns", dir, &s, err,
				   sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "entering network namespace /nonexistent/netns: "
			 "No such file or directory");
	ck_assert_uint_eq(s.nr_ifaces, 0);
}
END_TEST

START_TEST(test_teardown_without_record)
{
	char err[NET_ERR_MAX];

	ck_assert_int_eq(net_teardown("/nonexistent", dir, err, sizeof(err)), 0);
	ck_assert_int_eq(net_teardown(NULL, NULL, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_teardown_after_namespace_gone)
{
	char err[NET_ERR_MAX], path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/network", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("eth0 tap0_kvmc\n", f);
	fclose(f);
	ck_assert_int_eq(net_teardown("/nonexistent/netns", dir, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_mac_str)
{
	static const uint8_t mac[6] = { 0xde, 0xad, 0, 0xbe, 0xef, 0x01 };
	char buf[18];

	net_mac_str(mac, buf);
	ck_assert_str_eq(buf, "de:ad:00:be:ef:01");
}
END_TEST

static Suite *network_suite(void)
{
	Suite *s = suite_create("network");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_namespace_is_loopback_only);
	tcase_add_test(tc, test_missing_namespace_named);
	tcase_add_test(tc, test_teardown_without_record);
	tcase_add_test(tc, test_teardown_after_namespace_gone);
	tcase_add_test(tc, test_mac_str);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(network_suite)
