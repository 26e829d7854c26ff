/* unit-deps: runtime lib */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/commands.h"
#include "runtime/fsutil.h"
#include "runtime/oci.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/spec_test.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	fs_remove_tree(dir);
	strcpy(dir, "/tmp/spec_test.XXXXXX");
}

static int spec(struct kvmc_ctx *ctx, char *a1, char *a2)
{
	char *argv[] = { "spec", a1, a2, NULL };

	ctx->err[0] = '\0';
	return cmd_spec(ctx, 1 + (a1 != NULL) + (a2 != NULL), argv);
}

/* What `kvmc spec` writes, `kvmc create` accepts. */
START_TEST(test_roundtrip)
{
	struct kvmc_ctx ctx = { .root = "/r" };
	struct oci_config *c;
	char path[256], err[512] = "";

	ck_assert_int_eq(spec(&ctx, "--bundle", dir), 0);
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_msg(oci_config_load(dir, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c->oci_version, OCI_VERSION);
	ck_assert_str_eq(c->process->args.items[0], "sh");
	ck_assert(c->process->terminal);
	ck_assert(c->root_readonly);
	ck_assert_str_eq(c->hostname, "kvmc");
	ck_assert_uint_eq(c->n_mounts, 7);
	ck_assert_uint_eq(c->process->caps.bounding.n, 3);
	ck_assert_uint_eq(c->process->n_rlimits, 1);
	ck_assert_ptr_nonnull(oci_namespace_find(c, OCI_NS_NETWORK));
	ck_assert_uint_eq(c->linux_cfg.masked_paths.n, 10);
	oci_config_free(c);
}
END_TEST

START_TEST(test_refusals)
{
	struct kvmc_ctx ctx = { .root = "/r" };
	char missing[300];

	ck_assert_int_eq(spec(&ctx, "--bundle", dir), 0);
	ck_assert_int_eq(spec(&ctx, "--bundle", dir), 1);
	ck_assert_ptr_nonnull(strstr(ctx.err, "config.json exists, remove it first"));
	ck_assert_int_eq(spec(&ctx, "--rootless", NULL), 1);
	ck_assert_ptr_nonnull(strstr(ctx.err, "spec: --rootless: not supported"));
	snprintf(missing, sizeof(missing), "%s/none", dir);
	ck_assert_int_eq(spec(&ctx, "-b", missing), 1);
	ck_assert_ptr_nonnull(strstr(ctx.err, "No such file or directory"));
	ck_assert_int_eq(spec(&ctx, "--bogus", NULL), 2);
	ck_assert_int_eq(spec(&ctx, "extra", NULL), 2);
	ck_assert_int_eq(spec(&ctx, "--bundle", NULL), 2);
	ck_assert_ptr_nonnull(strstr(ctx.err, "--bundle: missing argument"));
}
END_TEST

static Suite *spec_suite(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(spec_suite)
