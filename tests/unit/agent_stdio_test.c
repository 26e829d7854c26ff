/* unit-deps: guest lib */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "guest/agent.h"
#include "tests/unit/unit.h"

static struct proc_spec spec(bool terminal, bool stdin_open)
{
	struct proc_spec p = { .terminal = terminal, .stdin_open = stdin_open };

	return p;
}

static bool nonblocking(int fd)
{
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

static bool cloexec(int fd)
{
	return fcntl(fd, F_GETFD) & FD_CLOEXEC;
}

START_TEST(test_pipes)
{
	struct proc_spec p = spec(false, true);
	struct spawn_io io;
	struct stdio_ends e;
	char buf[8];

	ck_assert_int_eq(stdio_open(&p, true, &io, &e), 0);
	ck_assert_int_eq(io.pty_slave, -1);
	ck_assert_int_eq(e.pty, -1);
	ck_assert(io.err != io.out);
	/* The agent's ends are non-blocking; the child's are not. */
	ck_assert(nonblocking(e.in) && nonblocking(e.out) && nonblocking(e.err));
	ck_assert(!nonblocking(io.in) && !nonblocking(io.out) && !nonblocking(io.err));
	ck_assert(cloexec(e.in) && cloexec(e.out) && cloexec(e.err));
	/* in: agent -> child; out, err: child -> agent. */
	ck_assert_int_eq(write(e.in, "i", 1), 1);
	ck_assert_int_eq(read(io.in, buf, sizeof(buf)), 1);
	ck_assert_int_eq(write(io.out, "o", 1), 1);
	ck_assert_int_eq(read(e.out, buf, sizeof(buf)), 1);
	ck_assert_int_eq(buf[0], 'o');
	ck_assert_int_eq(write(io.err, "e", 1), 1);
	ck_assert_int_eq(read(e.err, buf, sizeof(buf)), 1);
	ck_assert_int_eq(buf[0], 'e');
	/* After the child's ends close, the agent reads EOF. */
	stdio_close_child(&io);
	ck_assert_int_eq(io.in, -1);
	ck_assert_int_eq(read(e.out, buf, sizeof(buf)), 0);
	ck_assert_int_eq(read(e.err, buf, sizeof(buf)), 0);
	stdio_close_ends(&e);
	ck_assert_int_eq(e.out, -1);
}
END_TEST

START_TEST(test_merged_and_no_stdin)
{
	struct proc_spec p = spec(false, false);
	struct spawn_io io;
	struct stdio_ends e;

	ck_assert_int_eq(stdio_open(&p, false, &io, &e), 0);
	ck_assert_int_eq(io.in, -1);
	ck_assert_int_eq(e.in, -1);
	ck_assert_int_eq(e.err, -1);
	ck_assert_int_eq(io.err, io.out);
	/* Closing a merged pair closes it once. */
	stdio_close_child(&io);
	ck_assert_int_eq(io.out, -1);
	ck_assert_int_eq(io.err, -1);
	stdio_close_ends(&e);
}
END_TEST

START_TEST(test_terminal)
{
	struct proc_spec p = spec(true, true);
	struct spawn_io io;
	struct stdio_ends e;
	struct winsize ws;
	char buf[16];
	int ret = stdio_open(&p, true, &io, &e);

	if (ret == -ENOENT || ret == -EACCES)
		return;		/* no /dev/ptmx where the tests run */
	ck_assert_int_eq(ret, 0);
	ck_assert_int_ge(io.pty_slave, 0);
	ck_assert_int_eq(io.in, -1);
	ck_assert_int_eq(e.err, -1);
	ck_assert(e.in >= 0 && e.out >= 0 && e.pty >= 0);
	ck_assert(e.in != e.out && e.pty != e.out);
	ck_assert(isatty(io.pty_slave));
	ck_assert(cloexec(e.in) && cloexec(e.pty));
	/* A usable size before the first WINSIZE. */
	ck_assert_int_eq(ioctl(io.pty_slave, TIOCGWINSZ, &ws), 0);
	ck_assert_int_eq(ws.ws_row, 24);
	ck_assert_int_eq(ws.ws_col, 80);
	/* What the child writes comes out of the master. */
	ck_assert_int_eq(write(io.pty_slave, "x", 1), 1);
	ck_assert_int_eq(read(e.out, buf, sizeof(buf)), 1);
	stdio_close_child(&io);
	/* The master reads EIO once the slave is gone: the agent's EOF. */
	ck_assert_int_eq(read(e.out, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EIO);
	stdio_close_ends(&e);
}
END_TEST

static Suite *agent_stdio_suite(void)
{
	Suite *s = suite_create("agent_stdio");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pipes);
	tcase_add_test(tc, test_merged_and_no_stdin);
	tcase_add_test(tc, test_terminal);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_stdio_suite)
