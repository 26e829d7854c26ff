/* unit-deps: lib */
#include <sys/resource.h>

#include "lib/rlimit.h"
#include "tests/unit/unit.h"

START_TEST(test_names)
{
	ck_assert_int_eq(rlimit_by_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	ck_assert_int_eq(rlimit_by_name("RLIMIT_STACK"), RLIMIT_STACK);
	ck_assert_int_eq(rlimit_by_name("RLIMIT_AS"), RLIMIT_AS);
	ck_assert_int_eq(rlimit_by_name("rlimit_nofile"), -1);
	ck_assert_int_eq(rlimit_by_name("NOFILE"), -1);
	ck_assert_int_eq(rlimit_by_name(""), -1);
}
END_TEST

static Suite *rlimit_suite(void)
{
	Suite *s = suite_create("rlimit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(rlimit_suite)
