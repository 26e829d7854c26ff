/* unit-deps: runtime lib */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "runtime/hooks.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/hooks_test.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	fs_remove_tree(dir);
	strcpy(dir, "/tmp/hooks_test.XXXXXX");
}

/* A shell script hook at DIR/name. */
static char *script(const char *name, const char *body)
{
	static char paths[8][256];
	static int next;
	char *path = paths[next++ % 8];
	char text[1024];

	snprintf(path, 256, "%s/%s", dir, name);
	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	ck_assert_int_eq(fs_write_atomic(path, text, strlen(text), 0755), 0);
	return path;
}

static char *slurp(const char *name)
{
	char path[256], *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fs_read_file(path, 1 << 20, &buf, NULL))
		return NULL;
	return buf;
}

START_TEST(test_state_args_env)
{
	char out[300], *got;
	char *args[] = { "hookname", out, NULL };
	char *env[] = { "ONLY=this", NULL };
	struct oci_hook h = {
		.path = script("h", "cat > \"$1\"; echo \"$# $ONLY ${HOME:-nohome}\" >> \"$1\""),
		.args = { args, 2 }, .env = { env, 1 },
	};
	struct oci_hooks_list list = { &h, 1 };
	char err[512] = "";

	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_msg(hooks_run(&list, "prestart", "{\"id\":\"c\"}", err,
				sizeof(err)) == 0, "%s", err);
	got = slurp("out");
	ck_assert_ptr_nonnull(got);
	/* args after argv[0] (a script's $0 is its path whatever argv[0]
	 * is), exactly the given environment. */
	ck_assert_str_eq(got, "{\"id\":\"c\"}1 this nohome\n");
	free(got);
}
END_TEST

START_TEST(test_failure_stops_the_list)
{
	struct oci_hook h[3] = {
		{ .path = script("ok", "exit 0") },
		{ .path = script("bad", "echo oops; echo more >&2; exit 3") },
		{ .path = script("never", "touch \"$(dirname \"$0\")/ran\"") },
	};
	struct oci_hooks_list list = { h, 3 };
	char err[512] = "", want[512];

	ck_assert_int_eq(hooks_run(&list, "poststart", "{}", err, sizeof(err)),
			 -ECANCELED);
	snprintf(want, sizeof(want), "hook poststart[1] %s: exit status 3: oops\nmore\n",
		 h[1].path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(slurp("ran"));
}
END_TEST

START_TEST(test_missing_and_killed)
{
	struct oci_hook h = { .path = "/nonexistent/hook" };
	struct oci_hooks_list list = { &h, 1 };
	char err[512] = "";

	ck_assert_int_lt(hooks_run(&list, "poststop", "{}", err, sizeof(err)), 0);
	ck_assert_str_eq(err, "hook poststop[0] /nonexistent/hook: exit status 127: "
			 "exec /nonexistent/hook: No such file or directory");
	h.path = script("k", "kill -9 $$");
	ck_assert_int_lt(hooks_run(&list, "poststop", "{}", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, ": killed by signal 9"));
}
END_TEST

START_TEST(test_timeout)
{
	struct oci_hook h = { .path = script("slow", "sleep 1000"), .timeout = 1 };
	struct oci_hooks_list list = { &h, 1 };
	char err[512] = "", want[512];

	ck_assert_int_eq(hooks_run(&list, "createRuntime", "{}", err, sizeof(err)),
			 -ETIMEDOUT);
	snprintf(want, sizeof(want), "hook createRuntime[0] %s: timed out after 1 s",
		 h.path);
	ck_assert_str_eq(err, want);
}
END_TEST

/* A hook that ignores a large stdin, and one that leaves a background
 * child holding its output, both finish: no SIGPIPE, no wait for EOF. */
START_TEST(test_unread_stdin_and_lingering_child)
{
	struct oci_hook h[2] = {
		{ .path = script("deaf", "exit 0") },
		{ .path = script("fork", "sleep 1000 & echo $! > \"$(dirname \"$0\")/pid\"") },
	};
	struct oci_hooks_list list = { h, 2 };
	size_t big = 1 << 20;
	char *state = malloc(big + 1), err[512] = "", *pid;

	memset(state, ' ', big);
	state[big] = '\0';
	ck_assert_msg(hooks_run(&list, "prestart", state, err, sizeof(err)) == 0,
		      "%s", err);
	free(state);
	pid = slurp("pid");
	ck_assert_ptr_nonnull(pid);
	kill(atoi(pid), SIGKILL);
	free(pid);
}
END_TEST

START_TEST(test_empty_list)
{
	struct oci_hooks_list list = { NULL, 0 };
	char err[16] = "";

	ck_assert_int_eq(hooks_run(&list, "prestart", "{}", err, sizeof(err)), 0);
}
END_TEST

static Suite *hooks_suite(void)
{
	Suite *s = suite_create("hooks");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_state_args_env);
	tcase_add_test(tc, test_failure_stops_the_list);
	tcase_add_test(tc, test_missing_and_killed);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_unread_stdin_and_lingering_child);
	tcase_add_test(tc, test_empty_list);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(hooks_suite)
