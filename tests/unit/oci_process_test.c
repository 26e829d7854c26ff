/* unit-deps: runtime lib */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runtime/oci.h"
#include "tests/unit/oci_cases.h"

#define HEAD "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":"
#define P(fields) HEAD "{\"args\":[\"sh\"],\"cwd\":\"/\"" fields "}}"

START_TEST(test_full_process)
{
	static const char json[] = P(
		",\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
		"\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,"
		"\"additionalGids\":[5,6],\"username\":\"u\"},"
		"\"env\":[\"PATH=/bin\",\"EMPTY=\"],"
		"\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[],"
		"\"ambient\":[\"CAP_BPF\",\"CAP_CHOWN\"]},"
		"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512}],"
		"\"noNewPrivileges\":true,\"oomScoreAdj\":-999,"
		"\"apparmorProfile\":\"p\",\"selinuxLabel\":\"l\"");
	struct oci_config *c;
	struct oci_process *p;
	char err[256] = "";

	ck_assert_msg(oci_config_parse(json, strlen(json), "config.json", NULL,
				       &c, err, sizeof(err)) == 0, "%s", err);
	p = c->process;
	ck_assert(p->terminal);
	ck_assert(p->has_console_size);
	ck_assert_uint_eq(p->console_height, 24);
	ck_assert_uint_eq(p->console_width, 80);
	ck_assert_uint_eq(p->user.uid, 1000);
	ck_assert_uint_eq(p->user.gid, 100);
	ck_assert_int_eq(p->user.umask, 18);
	ck_assert_uint_eq(p->user.n_additional_gids, 2);
	ck_assert_uint_eq(p->user.additional_gids[1], 6);
	ck_assert_str_eq(p->user.username, "u");
	ck_assert_uint_eq(p->env.n, 2);
	ck_assert_str_eq(p->env.items[1], "EMPTY=");
	ck_assert_uint_eq(p->caps.bounding.n, 1);
	ck_assert_uint_eq(p->caps.effective.n, 0);
	ck_assert_uint_eq(p->caps.ambient.n, 2);
	ck_assert_uint_eq(p->caps.permitted.n, 0);
	ck_assert_uint_eq(p->n_rlimits, 1);
	ck_assert_int_eq(p->rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(p->rlimits[0].hard, 1024);
	ck_assert_uint_eq(p->rlimits[0].soft, 512);
	ck_assert(p->no_new_privileges);
	ck_assert(p->has_oom_score_adj);
	ck_assert_int_eq(p->oom_score_adj, -999);
	ck_assert_str_eq(p->apparmor_profile, "p");
	ck_assert_str_eq(p->selinux_label, "l");
	/* Without a bundle, a relative root stays as written. */
	ck_assert_str_eq(c->rootfs, "rootfs");
	oci_config_free(c);
}
END_TEST

static const struct oci_case bad[] = {
	{ HEAD "{\"cwd\":\"/\"}}", "config.json: process.args: expected a non-empty array of strings" },
	{ HEAD "{\"args\":[],\"cwd\":\"/\"}}",
	  "config.json: process.args: expected a non-empty array of strings" },
	{ HEAD "{\"args\":\"sh\",\"cwd\":\"/\"}}",
	  "config.json: process.args: expected an array of strings" },
	{ HEAD "{\"args\":[\"sh\",2],\"cwd\":\"/\"}}",
	  "config.json: process.args: expected an array of strings" },
	{ HEAD "{\"args\":[\"sh\"]}}", "config.json: process.cwd: missing (required)" },
	{ HEAD "{\"args\":[\"sh\"],\"cwd\":\"tmp\"}}",
	  "config.json: process.cwd: expected an absolute path, got 'tmp'" },
	{ P(",\"terminal\":1"), "config.json: process.terminal: expected true or false" },
	{ P(",\"consoleSize\":{\"height\":1}"),
	  "config.json: process.consoleSize.width: missing (required)" },
	{ P(",\"consoleSize\":{\"height\":-1,\"width\":1}"),
	  "config.json: process.consoleSize.height: expected an integer from 0 to 4294967295" },
	{ P(",\"user\":0"), "config.json: process.user: expected an object" },
	{ P(",\"user\":{\"gid\":0}"), "config.json: process.user.uid: missing (required)" },
	{ P(",\"user\":{\"uid\":0}"), "config.json: process.user.gid: missing (required)" },
	{ P(",\"user\":{\"uid\":4294967296,\"gid\":0}"),
	  "config.json: process.user.uid: expected an integer from 0 to 4294967295" },
	{ P(",\"user\":{\"uid\":\"0\",\"gid\":0}"),
	  "config.json: process.user.uid: expected an integer from 0 to 4294967295" },
	{ P(",\"user\":{\"uid\":0,\"gid\":0,\"username\":1}"),
	  "config.json: process.user.username: expected a string" },
	{ P(",\"user\":{\"uid\":0,\"gid\":0,\"umask\":512}"),
	  "config.json: process.user.umask: expected a mode from 0 to 0777" },
	{ P(",\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[1,-2]}"),
	  "config.json: process.user.additionalGids: expected an array of group ids" },
	{ P(",\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":7}"),
	  "config.json: process.user.additionalGids: expected an array" },
	{ P(",\"env\":[\"A=1\",\"NOEQUALS\"]"),
	  "config.json: process.env[1]: expected KEY=VALUE, got 'NOEQUALS'" },
	{ P(",\"env\":[\"=v\"]"), "config.json: process.env[0]: expected KEY=VALUE, got '=v'" },
	/* Quoted values stay on one line. */
	{ P(",\"env\":[\"A\\nB\"]"), "config.json: process.env[0]: expected KEY=VALUE, got 'A?B'" },
	{ P(",\"env\":{}"), "config.json: process.env: expected an array of strings" },
	{ P(",\"capabilities\":[\"CAP_KILL\"]"),
	  "config.json: process.capabilities: expected an object" },
	{ P(",\"capabilities\":{\"permitted\":[\"CAP_NOPE\"]}"),
	  "config.json: process.capabilities.permitted: unknown capability 'CAP_NOPE'" },
	{ P(",\"capabilities\":{\"bounding\":\"CAP_KILL\"}"),
	  "config.json: process.capabilities.bounding: expected an array of strings" },
	{ P(",\"rlimits\":{}"), "config.json: process.rlimits: expected an array" },
	{ P(",\"rlimits\":[7]"), "config.json: process.rlimits[0]: expected an object" },
	{ P(",\"rlimits\":[{\"hard\":1,\"soft\":1}]"),
	  "config.json: process.rlimits[0].type: missing (required)" },
	{ P(",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"hard\":1,\"soft\":1}]"),
	  "config.json: process.rlimits[0].type: unknown resource limit 'RLIMIT_FOO'" },
	{ P(",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":1}]"),
	  "config.json: process.rlimits[0].soft: missing (required)" },
	{ P(",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1}]"),
	  "config.json: process.rlimits[0].hard: missing (required)" },
	{ P(",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":-1,\"hard\":1}]"),
	  "config.json: process.rlimits[0].soft: expected an unsigned 64-bit integer" },
	{ P(",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":2,\"hard\":1}]"),
	  "config.json: process.rlimits[0].soft: above the hard limit" },
	{ P(",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1},"
	    "{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1}]"),
	  "config.json: process.rlimits[1]: RLIMIT_CORE set twice" },
	{ P(",\"noNewPrivileges\":\"true\""),
	  "config.json: process.noNewPrivileges: expected true or false" },
	{ P(",\"oomScoreAdj\":1001"),
	  "config.json: process.oomScoreAdj: expected an integer from -1000 to 1000" },
	{ P(",\"oomScoreAdj\":1.5"),
	  "config.json: process.oomScoreAdj: expected a 64-bit integer" },
	{ P(",\"apparmorProfile\":[]"),
	  "config.json: process.apparmorProfile: expected a string" },
	{ P(",\"selinuxLabel\":{}"), "config.json: process.selinuxLabel: expected a string" },
};

START_TEST(test_bad)
{
	oci_expect_error(&bad[_i]);
}
END_TEST

/* exec --process FILE: a bare process object, paths relative to it. */
START_TEST(test_process_json)
{
	static const char ok[] = "{\"args\":[\"ls\",\"-l\"],\"cwd\":\"/tmp\","
		"\"env\":[\"A=B\"],\"terminal\":false}";
	static const char bad_json[] = "{\"args\":[\"ls\"],\"cwd\":\"/\",\"user\":{\"uid\":1}}";
	struct oci_process *p;
	char err[256] = "", path[] = "/tmp/oci_process_test.XXXXXX";
	FILE *f;
	int fd;

	ck_assert_int_eq(oci_process_parse(ok, strlen(ok), "process.json", &p,
					   err, sizeof(err)), 0);
	ck_assert_uint_eq(p->args.n, 2);
	ck_assert_str_eq(p->cwd, "/tmp");
	oci_process_free(p);
	ck_assert_int_lt(oci_process_parse(bad_json, strlen(bad_json),
					   "process.json", &p, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "process.json: user.gid: missing (required)");
	ck_assert_int_lt(oci_process_parse("[]", 2, "process.json", &p, err,
					   sizeof(err)), 0);
	ck_assert_str_eq(err, "process.json: expected an object");

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(ok, f);
	fclose(f);
	ck_assert_int_eq(oci_process_load(path, &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p->args.items[1], "-l");
	oci_process_free(p);
	unlink(path);
	ck_assert_int_lt(oci_process_load(path, &p, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
}
END_TEST

START_TEST(test_capability_names)
{
	ck_assert_str_eq(oci_capability_name(0), "CAP_CHOWN");
	ck_assert_str_eq(oci_capability_name(40), "CAP_CHECKPOINT_RESTORE");
	ck_assert_ptr_null(oci_capability_name(41));
}
END_TEST

static Suite *oci_process_suite(void)
{
	Suite *s = suite_create("oci_process");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full_process);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_process_json);
	tcase_add_test(tc, test_capability_names);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(oci_process_suite)
