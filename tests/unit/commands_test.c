/* unit-deps: runtime lib */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/commands.h"
#include "tests/unit/unit.h"

START_TEST(test_table)
{
	static const char *const names[] = {
		"create", "start", "run", "state", "kill", "delete", "exec",
		"ps", "list", "pause", "resume", "events", "update",
		"features", "spec", "version",
	};
	size_t n = 0;

	for (const struct kvmc_command *c = kvmc_commands; c->name; c++) {
		ck_assert_ptr_nonnull(c->fn);
		ck_assert_ptr_nonnull(c->args);
		ck_assert_ptr_nonnull(c->summary);
		n++;
	}
	ck_assert_uint_eq(n, sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(command_find(names[i])->name, names[i]);
	ck_assert_ptr_null(command_find("Create"));
	ck_assert_ptr_null(command_find(""));
}
END_TEST

START_TEST(test_help)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cmd_help("kill", f);
	cmd_help("nosuch", f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "Usage: kvmc [global options] kill [--all] ID [SIGNAL]\n"));
	ck_assert_ptr_nonnull(strstr(buf, "--all"));
	ck_assert_ptr_nonnull(strstr(buf, "-h, --help"));
	free(buf);
}
END_TEST

static int noopts(struct kvmc_ctx *ctx, int min, int max, char *a1, char *a2)
{
	char *argv[] = { "state", a1, a2, NULL };
	int argc = 1 + (a1 != NULL) + (a2 != NULL);

	ctx->err[0] = '\0';
	return cmd_noopts(ctx, argc, argv, min, max);
}

START_TEST(test_noopts)
{
	struct kvmc_ctx ctx = { .root = "/r" };

	ck_assert_int_eq(noopts(&ctx, 1, 1, "id", NULL), -1);
	ck_assert_int_eq(optind, 1);
	ck_assert_int_eq(noopts(&ctx, 1, 1, NULL, NULL), 2);
	ck_assert_str_eq(ctx.err, "state: expected a container id (see 'kvmc state --help')");
	ck_assert_int_eq(noopts(&ctx, 1, 1, "a", "b"), 2);
	ck_assert_str_eq(ctx.err, "state: unexpected argument 'b' (see 'kvmc state --help')");
	ck_assert_int_eq(noopts(&ctx, 1, 1, "--bogus", "a"), 2);
	ck_assert_str_eq(ctx.err, "state: unknown option '--bogus' (see 'kvmc state --help')");
	ck_assert_int_eq(noopts(&ctx, 1, 1, "-z", "a"), 2);
	ck_assert_str_eq(ctx.err, "state: unknown option '-z' (see 'kvmc state --help')");
	ck_assert_int_eq(noopts(&ctx, 1, 1, "--", "-a"), -1);
	ck_assert_int_eq(optind, 2);
	ck_assert_int_eq(noopts(&ctx, 0, 0, NULL, NULL), -1);
}
END_TEST

static Suite *commands_suite(void)
{
	Suite *s = suite_create("commands");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_noopts);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(commands_suite)
