/* unit-deps: runtime lib */
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "runtime/lifecycle.h"
#include "tests/unit/unit.h"

START_TEST(test_pid_file_digits_only)
{
	char dir[] = "/tmp/lc_proc_test.XXXXXX", path[64], *text;
	struct kvmc_ctx ctx = { .root = "/r" };
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pid", dir);
	ck_assert_int_eq(lc_write_pid_file(&ctx, path, 12345), 0);
	ck_assert_int_eq(fs_read_file(path, 64, &text, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(memcmp(text, "12345", 5), 0);
	free(text);
	snprintf(path, sizeof(path), "%s/no/such/dir/pid", dir);
	ck_assert_int_lt(lc_write_pid_file(&ctx, path, 1), 0);
	ck_assert_ptr_nonnull(strstr(ctx.err, "--pid-file"));
	fs_remove_tree(dir);
}
END_TEST

START_TEST(test_wait_exit_code)
{
	pid_t pid = fork();

	if (!pid)
		_exit(3);
	ck_assert_int_eq(lc_wait(pid), 3);
}
END_TEST

START_TEST(test_wait_killed_is_128_plus)
{
	pid_t pid = fork();

	if (!pid) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	ck_assert_int_eq(lc_wait(pid), 128 + SIGKILL);
}
END_TEST

/* A signal sent to the waiting process (as a user's kill(1) would) is
 * passed on to the shim. */
START_TEST(test_wait_forwards_signals)
{
	sigset_t usr1;
	pid_t pid;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	pid = fork();
	if (!pid) {
		if (sigwait(&usr1, &sig) || sig != SIGUSR1)
			_exit(1);
		_exit(42);
	}
	/* Pending (blocked) until lc_wait takes it. */
	kill(getpid(), SIGUSR1);
	ck_assert_int_eq(lc_wait(pid), 42);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
}
END_TEST

static Suite *lc_proc_suite(void)
{
	Suite *s = suite_create("lc_proc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pid_file_digits_only);
	tcase_add_test(tc, test_wait_exit_code);
	tcase_add_test(tc, test_wait_killed_is_128_plus);
	tcase_add_test(tc, test_wait_forwards_signals);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(lc_proc_suite)
