/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>

#include "runtime/ctx.h"
#include "tests/unit/unit.h"

START_TEST(test_first_error_wins)
{
	struct kvmc_ctx ctx = { .root = "/r" };

	ck_assert_int_eq(kvmc_err(&ctx, ENOENT, "inner %d", 1), -ENOENT);
	ck_assert_int_eq(kvmc_err(&ctx, EIO, "outer"), -EIO);
	ck_assert_str_eq(ctx.err, "inner 1");
}
END_TEST

START_TEST(test_errno_forms)
{
	struct kvmc_ctx ctx = { .root = "/r" };

	ck_assert_int_eq(kvmc_err(&ctx, -EPERM, "x"), -EPERM);
	ck_assert_int_eq(kvmc_err(&ctx, 0, "x"), -EINVAL);
}
END_TEST

START_TEST(test_set_replaces)
{
	struct kvmc_ctx ctx = { .root = "/r" };

	kvmc_err(&ctx, ENOENT, "inner");
	/* Arguments may point into the message being replaced. */
	ck_assert_int_eq(kvmc_err_set(&ctx, EIO, "outer: %s", ctx.err), -EIO);
	ck_assert_str_eq(ctx.err, "outer: inner");
}
END_TEST

START_TEST(test_truncated)
{
	struct kvmc_ctx ctx = { .root = "/r" };
	char big[KVMC_ERR_MAX * 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kvmc_err(&ctx, EIO, "%s", big);
	ck_assert_uint_eq(strlen(ctx.err), KVMC_ERR_MAX - 1);
}
END_TEST

static Suite *ctx_suite(void)
{
	Suite *s = suite_create("ctx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_first_error_wins);
	tcase_add_test(tc, test_errno_forms);
	tcase_add_test(tc, test_set_replaces);
	tcase_add_test(tc, test_truncated);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(ctx_suite)
