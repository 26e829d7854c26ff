/* unit-deps: runtime lib */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "runtime/netns.h"
#include "tests/unit/unit.h"

static char tmp[64];

static void setup(void)
{
	strcpy(tmp, "/tmp/netns-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
	fs_remove_tree(tmp);
}

/* The network namespace inode of a process. */
static ino_t net_ino(pid_t pid)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
	ck_assert_int_eq(stat(p, &st), 0);
	return st.st_ino;
}

START_TEST(test_ours_and_join)
{
	struct netns_holder h;
	char err[256] = "";

	/* In ours: the hooks see our namespace. */
	ck_assert_int_eq(netns_holder_start(NULL, NULL, &h, err, sizeof(err)), 0);
	ck_assert_int_gt(h.pid, 0);
	ck_assert(net_ino(h.pid) == net_ino(getpid()));
	netns_holder_stop(&h);
	ck_assert_int_eq(h.pid, -1);
	ck_assert_int_eq(h.release_fd, -1);
	netns_holder_stop(&h);	/* twice is fine */

	/* Joining a namespace by path (ours, the only one we can enter). */
	ck_assert_int_eq(netns_holder_start("/proc/self/ns/net", NULL, &h, err,
					    sizeof(err)), 0);
	ck_assert(net_ino(h.pid) == net_ino(getpid()));
	netns_holder_stop(&h);
}
END_TEST

START_TEST(test_errors)
{
	struct netns_holder h;
	char err[256] = "", pin[128];

	/* A namespace path that is not there: named, holder reaped. */
	ck_assert_int_eq(netns_holder_start("/nonexistent/ns", NULL, &h, err,
					    sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "entering the network namespace /nonexistent/ns: "
			 "No such file or directory");
	ck_assert_int_eq(h.pid, -1);
	/* Not a namespace. */
	ck_assert_int_eq(netns_holder_start("/dev/null", NULL, &h, err,
					    sizeof(err)), -EINVAL);
	/* A pin in a missing directory, or one that exists already. */
	snprintf(pin, sizeof(pin), "%s/missing/netns", tmp);
	ck_assert_int_eq(netns_holder_start(NULL, pin, &h, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "network namespace pin "));
	snprintf(pin, sizeof(pin), "%s/netns", tmp);
	ck_assert_int_eq(fs_write_atomic(pin, "", 0, 0644), 0);
	ck_assert_int_eq(netns_holder_start(NULL, pin, &h, err, sizeof(err)),
			 -EEXIST);
	/* Unpinning a plain file or nothing. */
	ck_assert_int_eq(netns_unpin(pin), 0);
	ck_assert_int_eq(access(pin, F_OK), -1);
	ck_assert_int_eq(netns_unpin(pin), 0);
}
END_TEST

/* A new namespace, pinned: needs CAP_SYS_ADMIN, which a user namespace
 * with a mount namespace of its own gives (this test runs in its own
 * process).  Without them it says so and passes nothing off as done. */
START_TEST(test_new_pinned)
{
	struct netns_holder h;
	char err[256] = "", pin[128];
	struct stat st;
	ino_t ino;
	int ret;

	if (geteuid() != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		fprintf(stderr, "netns_test: no user namespace (%s): "
			"test_new_pinned skipped\n", strerror(errno));
		return;
	}
	/* Private: the pin must not propagate to the host's mounts. */
	if (geteuid() == 0)
		ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	snprintf(pin, sizeof(pin), "%s/netns", tmp);
	ret = netns_holder_start(NULL, pin, &h, err, sizeof(err));
	if (ret == -EPERM || ret == -EACCES) {
		fprintf(stderr, "netns_test: %s: test_new_pinned skipped\n", err);
		return;
	}
	ck_assert_msg(ret == 0, "%s", err);
	ino = net_ino(h.pid);
	ck_assert(ino != net_ino(getpid()));
	netns_holder_stop(&h);
	/* The pin keeps it after the holder is gone. */
	ck_assert_int_eq(stat(pin, &st), 0);
	ck_assert(st.st_ino == ino);
	ck_assert_int_eq(netns_holder_start(pin, NULL, &h, err, sizeof(err)), 0);
	ck_assert(net_ino(h.pid) == ino);
	netns_holder_stop(&h);
	ck_assert_int_eq(netns_unpin(pin), 0);
	ck_assert_int_eq(access(pin, F_OK), -1);
}
END_TEST

static Suite *netns_suite(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ours_and_join);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_new_pinned);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(netns_suite)
