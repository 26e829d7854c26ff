/* unit-deps: runtime lib */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/fsutil_test.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	fs_remove_tree(dir);
	strcpy(dir, "/tmp/fsutil_test.XXXXXX");
}

START_TEST(test_write_read)
{
	char path[256], *buf;
	struct stat st;
	size_t len;

	snprintf(path, sizeof(path), "%s/f", dir);
	ck_assert_int_eq(fs_write_atomic(path, "hello", 5, 0640), 0);
	ck_assert_int_eq(fs_read_file(path, 100, &buf, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(buf, "hello");
	free(buf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	/* Replaced whole, and nothing else left in the directory. */
	ck_assert_int_eq(fs_write_atomic(path, "bye", 3, 0640), 0);
	ck_assert_int_eq(fs_read_file(path, 100, &buf, NULL), 0);
	ck_assert_str_eq(buf, "bye");
	free(buf);
	snprintf(path, sizeof(path), "%s/f.%ld.tmp", dir, (long)getpid());
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_read_limits)
{
	char path[256], *buf, big[10000];

	snprintf(path, sizeof(path), "%s/big", dir);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(fs_write_atomic(path, big, sizeof(big), 0600), 0);
	ck_assert_int_eq(fs_read_file(path, 9999, &buf, NULL), -EFBIG);
	ck_assert_int_eq(fs_read_file(path, 10000, &buf, NULL), 0);
	ck_assert_uint_eq(strlen(buf), 10000);
	free(buf);
	snprintf(path, sizeof(path), "%s/none", dir);
	ck_assert_int_eq(fs_read_file(path, 10, &buf, NULL), -ENOENT);
	ck_assert_int_eq(fs_read_file(dir, 10, &buf, NULL), -EISDIR);
}
END_TEST

START_TEST(test_write_errors)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/no/such/dir/f", dir);
	ck_assert_int_eq(fs_write_atomic(path, "x", 1, 0600), -ENOENT);
}
END_TEST

START_TEST(test_remove_tree)
{
	char outside[] = "/tmp/fsutil_out.XXXXXX", p[512], keep[512];

	ck_assert_ptr_nonnull(mkdtemp(outside));
	snprintf(keep, sizeof(keep), "%s/keep", outside);
	ck_assert_int_eq(fs_write_atomic(keep, "k", 1, 0600), 0);
	snprintf(p, sizeof(p), "%s/a", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/a/b", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/a/b/f", dir);
	ck_assert_int_eq(fs_write_atomic(p, "x", 1, 0600), 0);
	/* A symlink is removed, never followed. */
	snprintf(p, sizeof(p), "%s/a/link", dir);
	ck_assert_int_eq(symlink(outside, p), 0);
	snprintf(p, sizeof(p), "%s/a", dir);
	ck_assert_int_eq(fs_remove_tree(p), 0);
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_int_eq(access(keep, F_OK), 0);
	ck_assert_int_eq(fs_remove_tree(p), 0);
	unlink(keep);
	rmdir(outside);
}
END_TEST

static Suite *fsutil_suite(void)
{
	Suite *s = suite_create("fsutil");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_read);
	tcase_add_test(tc, test_read_limits);
	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_remove_tree);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(fsutil_suite)
