/* unit-deps: vmm lib */
/*
 * The whole sandbox in a child process with threads, as kvmc-vmm enters
 * it, checked from outside through /proc/CHILD: Seccomp 2, NoNewPrivs 1
 * and the kept capabilities on every thread, a root holding only /proc;
 * and from inside: a file reached through a descriptor opened before
 * (what the 9p server does) still opens through /proc/self/fd.
 * Needs root (skipped otherwise), not KVM.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "lib/log.h"
#include "tests/unit/unit.h"
#include "vmm/sandbox.h"

#define EXIT(n)	syscall(__NR_exit_group, (n))

static int go[2], report[2];

static void *idle_thread(void *arg)
{
	char c;

	/* Blocks as a 9p worker or the device loop would. */
	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	return arg;
}

/* The child: threads, then the sandbox, then one check from inside. */
static void sandboxed_child(const char *dir)
{
	char err[256], path[64], c = 0;
	pthread_t t[2];
	bool ns;
	int dfd, fd;

	close(go[1]);
	close(report[0]);
	if (sandbox_prepare(&ns, err, sizeof(err)) || !ns)
		EXIT(10);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || pthread_create(&t[0], NULL, idle_thread, NULL) ||
	    pthread_create(&t[1], NULL, idle_thread, NULL))
		EXIT(11);
	if (sandbox_enter(SANDBOX_ON, ns, err, sizeof(err))) {
		if (write(STDERR_FILENO, err, strlen(err)) < 0)
			EXIT(13);
		EXIT(12);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d/file", dfd);
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, &c, 1) == 1 && c == 'x')
		c = 'R';	/* reached */
	if (write(report[1], &c, 1) != 1)
		EXIT(14);
	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	EXIT(0);
}

/* The hex mask after "Key:\t" in /proc/PID/task/TID/status, or -1. */
static long long status_field(const char *status, const char *key)
{
	FILE *f = fopen(status, "r");
	char line[256];
	long long v = -1;
	size_t n = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL,
				    strcmp(key, "Seccomp") && strcmp(key, "NoNewPrivs") ? 16 : 10);
	fclose(f);
	return v;
}

START_TEST(test_sandbox_every_thread)
{
	char dir[] = "/tmp/kvmc-sandbox-test.XXXXXX", path[256], c;
	unsigned int tasks = 0, entries = 0;
	struct dirent *e;
	int status, fd;
	DIR *d;
	pid_t pid;

	if (geteuid() != 0)
		return;	/* unshare and capabilities need root */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(report), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		sandboxed_child(dir);
	ck_assert_int_eq(read(report[0], &c, 1), 1);
	ck_assert_msg(c == 'R', "the file was not reachable through /proc/self/fd");

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char st[600];

		if (e->d_name[0] == '.')
			continue;
		snprintf(st, sizeof(st), "%s/%s/status", path, e->d_name);
		ck_assert_int_eq(status_field(st, "Seccomp"), 2);
		ck_assert_int_eq(status_field(st, "NoNewPrivs"), 1);
		ck_assert_int_eq(status_field(st, "CapEff"), (long long)sandbox_keep_caps);
		ck_assert_int_eq(status_field(st, "CapPrm"), (long long)sandbox_keep_caps);
		ck_assert_int_eq(status_field(st, "CapBnd"), (long long)sandbox_keep_caps);
		ck_assert_int_eq(status_field(st, "CapInh"), 0);
		tasks++;
	}
	closedir(d);
	ck_assert_uint_eq(tasks, 3);

	/* Its root holds /proc and nothing else. */
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ck_assert_str_eq(e->d_name, "proc");
		entries++;
	}
	closedir(d);
	ck_assert_uint_eq(entries, 1);

	close(go[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %#x", status);
	/* Our own root is untouched. */
	snprintf(path, sizeof(path), "%s/file", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_drop_caps)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		return;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (sandbox_drop_caps(1ULL << CAP_CHOWN))
			EXIT(1);
		/* CAP_SYS_ADMIN is gone: no more namespaces. */
		EXIT(unshare(CLONE_NEWNS) == 0 ? 2 :
		     status_field("/proc/self/status", "CapEff") == 1 &&
		     status_field("/proc/self/status", "CapBnd") == 1 ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %#x", status);
}
END_TEST

static Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	log_init("sandbox_test", stderr, false, LOG_INFO);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sandbox_every_thread);
	tcase_add_test(tc, test_drop_caps);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(sandbox_suite)
