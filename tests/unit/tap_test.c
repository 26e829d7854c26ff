/* unit-deps: lib */
#include <errno.h>
#include <unistd.h>

#include "lib/tap.h"
#include "tests/unit/unit.h"

START_TEST(test_name_too_long)
{
	ck_assert_int_eq(tap_open("0123456789abcdef", NULL), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_prepare_refuses_non_tap)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(tap_prepare(p[0]), -EINVAL);
	close(p[0]);
	close(p[1]);
}
END_TEST

static Suite *tap_suite(void)
{
	Suite *s = suite_create("tap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_name_too_long);
	tcase_add_test(tc, test_prepare_refuses_non_tap);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(tap_suite)
