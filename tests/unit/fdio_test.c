/* unit-deps: lib */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/fdio.h"
#include "tests/unit/unit.h"

START_TEST(test_writes_everything_through_a_pipe)
{
	static char big[200000], back[200000];
	int p[2];
	pid_t pid;
	size_t got = 0;

	memset(big, 'k', sizeof(big));
	big[sizeof(big) - 1] = 'z';
	ck_assert_int_eq(pipe(p), 0);
	/* More than a pipe holds: short writes while the reader drains. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		_exit(fd_write_all(p[1], big, sizeof(big)) ? 1 : 0);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], back + got, sizeof(back) - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	ck_assert_uint_eq(got, sizeof(big));
	ck_assert_mem_eq(back, big, sizeof(big));
}
END_TEST

START_TEST(test_errors_are_returned)
{
	int p[2];

	ck_assert_int_eq(fd_write_all(-1, "x", 1), -EBADF);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(fd_write_all(p[1], "x", 1), -EPIPE);
	close(p[1]);
	ck_assert_int_eq(fd_write_all(-1, "", 0), 0);
}
END_TEST

static Suite *fdio_suite(void)
{
	Suite *s = suite_create("fdio");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_writes_everything_through_a_pipe);
	tcase_add_test(tc, test_errors_are_returned);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(fdio_suite)
