/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>

#include "runtime/exec.h"
#include "runtime/oci.h"
#include "tests/unit/unit.h"

/* The container's own process, as config.json gives it. */
static struct oci_process *base(void)
{
	static const char json[] =
		"{\"terminal\":false,\"user\":{\"uid\":5,\"gid\":6,"
		"\"additionalGids\":[7,8]},\"args\":[\"init\"],"
		"\"env\":[\"PATH=/bin\",\"A=1\"],\"cwd\":\"/srv\"}";
	struct oci_process *p;
	char err[256];

	ck_assert_int_eq(oci_process_parse(json, strlen(json), "process.json",
					   &p, err, sizeof(err)), 0);
	return p;
}

START_TEST(test_defaults_from_the_container)
{
	struct oci_process *p = base();
	char *args[] = { "sh", "-c", "exit 3" }, err[256];
	struct exec_opts o = { .args = args, .n_args = 3 };

	ck_assert_int_eq(exec_spec_apply(p, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->args.n, 3);
	ck_assert_str_eq(p->args.items[2], "exit 3");
	ck_assert_ptr_null(p->args.items[3]);
	ck_assert_str_eq(p->cwd, "/srv");
	ck_assert_uint_eq(p->user.uid, 5);
	ck_assert_uint_eq(p->user.n_additional_gids, 2);
	ck_assert_uint_eq(p->env.n, 2);
	ck_assert(!p->terminal);
	oci_process_free(p);
}
END_TEST

START_TEST(test_options_override)
{
	struct oci_process *p = base();
	char *args[] = { "id" }, *env[] = { "A=2", "B=x=y" }, err[256];
	struct exec_opts o = { .args = args, .n_args = 1, .cwd = "/tmp",
			       .env = env, .n_env = 2, .user = "1000:1001",
			       .tty = true };

	ck_assert_int_eq(exec_spec_apply(p, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(p->cwd, "/tmp");
	ck_assert_uint_eq(p->user.uid, 1000);
	ck_assert_uint_eq(p->user.gid, 1001);
	ck_assert_uint_eq(p->user.n_additional_gids, 0);
	ck_assert_uint_eq(p->env.n, 3);
	ck_assert_str_eq(p->env.items[0], "PATH=/bin");
	ck_assert_str_eq(p->env.items[1], "A=2");	/* replaced in place */
	ck_assert_str_eq(p->env.items[2], "B=x=y");
	ck_assert_ptr_null(p->env.items[3]);
	ck_assert(p->terminal);
	oci_process_free(p);
}
END_TEST

START_TEST(test_user_without_group)
{
	struct oci_process *p = base();
	char *args[] = { "id" }, err[256];
	struct exec_opts o = { .args = args, .n_args = 1, .user = "42" };

	ck_assert_int_eq(exec_spec_apply(p, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->user.uid, 42);
	ck_assert_uint_eq(p->user.gid, 0);
	oci_process_free(p);
}
END_TEST

/* Each bad option fails naming itself, and leaves the process as it was. */
START_TEST(test_bad_options)
{
	static const struct {
		const char *cwd, *env, *user, *msg;
		bool no_args;
	} cases[] = {
		{ .no_args = true, .msg = "no command" },
		{ .cwd = "rel", .msg = "--cwd rel: not an absolute path" },
		{ .env = "NOEQ", .msg = "--env NOEQ: expected KEY=VALUE" },
		{ .env = "=v", .msg = "--env =v: expected KEY=VALUE" },
		{ .user = "root", .msg = "--user root: expected UID[:GID]" },
		{ .user = "1:", .msg = "--user 1:" },
		{ .user = ":1", .msg = "--user :1" },
		{ .user = "4294967296", .msg = "--user 4294967296" },
		{ .user = "1:2:3", .msg = "--user 1:2:3" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oci_process *p = base();
		char *args[] = { "id" }, *env[] = { (char *)cases[i].env },
		     err[256] = "";
		struct exec_opts o = {
			.args = args, .n_args = cases[i].no_args ? 0 : 1,
			.cwd = cases[i].cwd, .env = env,
			.n_env = cases[i].env ? 1 : 0, .user = cases[i].user,
		};

		ck_assert_int_eq(exec_spec_apply(p, &o, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, cases[i].msg), "case %zu: %s", i, err);
		ck_assert_str_eq(p->args.items[0], "init");
		ck_assert_uint_eq(p->user.uid, 5);
		oci_process_free(p);
	}
}
END_TEST

static Suite *exec_spec_suite(void)
{
	Suite *s = suite_create("exec_spec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults_from_the_container);
	tcase_add_test(tc, test_options_override);
	tcase_add_test(tc, test_user_without_group);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(exec_spec_suite)
