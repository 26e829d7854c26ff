/* unit-deps: runtime lib */
/* The watcher's line for each way a VMM can end, from real children. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/vm_watch.h"
#include "tests/unit/unit.h"

/* Runs a child that ends as told, watches it, returns what was logged. */
static void watch(int sig, int code, char *out, size_t len)
{
	int pfd[2], st;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (sig) {
			signal(sig, SIG_DFL);
			kill(getpid(), sig);
		}
		syscall(SYS_exit_group, code);
	}
	st = vm_watch(pid, pfd[1]);
	ck_assert_int_ge(st, 0);
	close(pfd[1]);
	n = read(pfd[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
}

/* Armed: the byte counts, an end closed without it does not, and a
 * peer that dies (its end closed by the kernel) does not either. */
START_TEST(test_armed)
{
	int sv[2];
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[0], "", 1), 1);
	ck_assert(vm_watch_armed(sv[1]));
	close(sv[0]);
	close(sv[1]);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	ck_assert(!vm_watch_armed(sv[1]));
	close(sv[1]);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[1]);
		kill(getpid(), SIGKILL);
	}
	close(sv[0]);
	ck_assert(!vm_watch_armed(sv[1]));
	close(sv[1]);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(test_seccomp_kill)
{
	char out[512];

	watch(SIGSYS, 0, out, sizeof(out));
	ck_assert_msg(strstr(out, "kvmc-vmm killed by seccomp (SIGSYS)"), "%s", out);
	ck_assert_msg(strstr(out, "docs/sandbox.md"), "%s", out);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
}
END_TEST

START_TEST(test_other_ends)
{
	char out[512];

	watch(SIGKILL, 0, out, sizeof(out));
	ck_assert_msg(strstr(out, "killed by signal 9"), "%s", out);
	ck_assert_ptr_null(strstr(out, "seccomp"));
	watch(0, 3, out, sizeof(out));
	ck_assert_msg(strstr(out, "exited with status 3"), "%s", out);
	watch(0, 0, out, sizeof(out));
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_not_a_child)
{
	ck_assert_int_lt(vm_watch(1, STDERR_FILENO), 0);
}
END_TEST

START_TEST(test_find_in_log)
{
	char path[] = "/tmp/vm_watch_test.XXXXXX", line[512];
	int fd = mkstemp(path);
	char out[512];
	static const char vmm_lines[] =
		"kvmc-vmm: warning: something the VMM said\n"
		"kvmc: exec /x: No such file or directory\n";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, vmm_lines, sizeof(vmm_lines) - 1),
			 (ssize_t)sizeof(vmm_lines) - 1);
	ck_assert_int_eq(vm_watch_find(path, line, sizeof(line)), -ENOENT);
	watch(SIGSYS, 0, out, sizeof(out));
	ck_assert_int_eq(write(fd, out, strlen(out)), (ssize_t)strlen(out));
	ck_assert_int_eq(vm_watch_find(path, line, sizeof(line)), 0);
	ck_assert_msg(!strncmp(line, "kvmc-vmm killed by seccomp (SIGSYS)", 35), "%s", line);
	ck_assert_ptr_null(strchr(line, '\n'));
	close(fd);
	unlink(path);
	ck_assert_int_eq(vm_watch_find(path, line, sizeof(line)), -ENOENT);
}
END_TEST

static Suite *vm_watch_suite(void)
{
	Suite *s = suite_create("vm_watch");
	TCase *tc = tcase_create("watch");

	tcase_add_test(tc, test_armed);
	tcase_add_test(tc, test_seccomp_kill);
	tcase_add_test(tc, test_other_ends);
	tcase_add_test(tc, test_not_a_child);
	tcase_add_test(tc, test_find_in_log);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(vm_watch_suite)
