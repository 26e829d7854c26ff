/* unit-deps: p9 lib */
/* Every 9P2000.L message against a temporary export, as the Linux client
 * sends them. */
#include <sys/stat.h>
#include <sys/xattr.h>

#include "tests/unit/p9_client.h"

static struct tcl C;

static void setup(void)
{
	t_setup(&C, false);
}

static void teardown(void)
{
	t_teardown(&C);
}

START_TEST(test_version_msize)
{
	t_begin(&C, P9_TVERSION);
	p9_put_u32(&C.e, 1u << 30);
	p9_put_str(&C.e, "9P2000.L", 8);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_uint_eq(p9_get_u32(&C.d), P9_MAX_MSIZE);
	ck_assert_uint_ge(P9_MAX_MSIZE, 512000);

	/* Version resets the session: fid 0 is gone. */
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), -EBADF);

	t_begin(&C, P9_TVERSION);
	p9_put_u32(&C.e, 4095);
	p9_put_str(&C.e, "9P2000.L", 8);
	ck_assert_int_eq(t_rpc(&C), -EINVAL);

	t_begin(&C, P9_TVERSION);
	p9_put_u32(&C.e, 8192);
	p9_put_str(&C.e, "9P2000.u", 8);
	ck_assert_int_eq(t_rpc(&C), 0);
	p9_get_u32(&C.d);
	{
		const char *v;
		uint16_t n;

		p9_get_str(&C.d, &v, &n);
		ck_assert_int_eq(n, 7);
		ck_assert(!memcmp(v, "unknown", 7));
	}
	/* Not versioned now: everything else is refused. */
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), -EPROTO);
}
END_TEST

START_TEST(test_create_write_read)
{
	char buf[64];

	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "f", 2, 0640), 0);
	ck_assert_uint_eq(p9_get_u8(&C.d), P9_QTFILE);
	ck_assert_int_eq(t_write(&C, 1, 0, "hello world", 11), 11);
	ck_assert_int_eq(t_read(&C, 1, 6, buf, sizeof(buf)), 5);
	ck_assert(!memcmp(buf, "world", 5));
	ck_assert_int_eq(t_clunk(&C, 1), 0);
	ck_assert_int_eq(t_clunk(&C, 1), -EBADF);

	/* Exclusive create: an existing name is never opened by Tlcreate. */
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "f", 2, 0640), -EEXIST);

	ck_assert_int_eq(t_walk(&C, 0, 2, 1, "f"), 1);
	ck_assert_int_eq(t_lopen(&C, 2, 0), 0);
	ck_assert_int_eq(t_lopen(&C, 2, 0), -EBADF);	/* already open */
	ck_assert_int_eq(t_read(&C, 2, 0, buf, 5), 5);
	ck_assert(!memcmp(buf, "hello", 5));
	ck_assert_int_eq(t_write(&C, 2, 0, "x", 1), -EBADF);
	ck_assert_int_eq(t_read(&C, 2, 100, buf, 5), 0);

	/* Append and truncate through Tlopen flags. */
	ck_assert_int_eq(t_walk(&C, 0, 3, 1, "f"), 1);
	ck_assert_int_eq(t_lopen(&C, 3, 1 | P9_DOTL_APPEND), 0);
	ck_assert_int_eq(t_write(&C, 3, 0, "!", 1), 1);
	ck_assert_int_eq(t_read(&C, 2, 0, buf, sizeof(buf)), 12);
	ck_assert(!memcmp(buf, "hello world!", 12));
	ck_assert_int_eq(t_walk(&C, 0, 4, 1, "f"), 1);
	ck_assert_int_eq(t_lopen(&C, 4, 1 | P9_DOTL_TRUNC), 0);
	ck_assert_int_eq(t_read(&C, 2, 0, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(test_read_clamped_to_msize)
{
	static char big[200000];
	int got;

	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "big", 2, 0600), 0);
	ck_assert_int_eq(t_write(&C, 1, 0, big, sizeof(big)), sizeof(big));
	/* The reply buffer is smaller than the count asked for. */
	t_begin(&C, P9_TREAD);
	p9_put_u32(&C.e, 1);
	p9_put_u64(&C.e, 0);
	p9_put_u32(&C.e, 0xffffffff);
	ck_assert_int_eq(t_rpc_cap(&C, 4096), 0);
	got = p9_get_u32(&C.d);
	ck_assert_int_eq(got, 4096 - 11);
}
END_TEST

START_TEST(test_open_unlink_fstat)
{
	uint64_t size;

	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "gone", 2, 0600), 0);
	ck_assert_int_eq(t_write(&C, 1, 0, "abc", 3), 3);
	ck_assert_int_eq(t_unlinkat(&C, 0, "gone", 0), 0);
	ck_assert_int_eq(access(t_host(&C, "gone"), F_OK), -1);
	ck_assert_int_eq(t_getattr(&C, 1, &size, NULL, NULL), 0);
	ck_assert_uint_eq(size, 3);
	ck_assert_int_eq(t_write(&C, 1, 3, "d", 1), 1);
	ck_assert_int_eq(t_getattr(&C, 1, &size, NULL, NULL), 0);
	ck_assert_uint_eq(size, 4);
}
END_TEST

START_TEST(test_setattr)
{
	struct stat st;
	uint32_t mode;

	close(creat(t_host(&C, "a"), 0644));
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "a"), 1);
	t_begin(&C, P9_TSETATTR);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, P9_SETATTR_MODE | P9_SETATTR_SIZE |
		   P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET | P9_SETATTR_ATIME);
	p9_put_u32(&C.e, 0600);
	p9_put_u32(&C.e, 0);
	p9_put_u32(&C.e, 0);
	p9_put_u64(&C.e, 5000000000ull);	/* sparse, beyond 4 GiB */
	p9_put_u64(&C.e, 0);
	p9_put_u64(&C.e, 0);
	p9_put_u64(&C.e, 1234567);
	p9_put_u64(&C.e, 89);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(stat(t_host(&C, "a"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, 5000000000ll);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1234567);
	ck_assert_int_eq(st.st_mtim.tv_nsec, 89);
	ck_assert_int_eq(t_getattr(&C, 1, NULL, &mode, NULL), 0);
	ck_assert_uint_eq(mode, S_IFREG | 0600);

	/* Set-id bits survive a chmod that Linux sends with CTIME. */
	t_begin(&C, P9_TSETATTR);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, P9_SETATTR_MODE | P9_SETATTR_CTIME);
	p9_put_u32(&C.e, 04755);
	p9_put_u32(&C.e, 0);
	p9_put_u32(&C.e, 0);
	for (int i = 0; i < 5; i++)
		p9_put_u64(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(t_getattr(&C, 1, NULL, &mode, NULL), 0);
	ck_assert_uint_eq(mode, S_IFREG | 04755);
}
END_TEST

START_TEST(test_readdir_offsets)
{
	enum { N = 300 };
	char name[128], seen[N] = { 0 };
	uint64_t off = 0;
	int total = 0, calls = 0;

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "%s/entry-%04d", C.dir, i);
		close(creat(name, 0644));
	}
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lopen(&C, 1, 0), 0);
	for (;;) {
		uint32_t count;
		size_t end;

		/* Small counts: many calls, each resuming at an offset. */
		t_begin(&C, P9_TREADDIR);
		p9_put_u32(&C.e, 1);
		p9_put_u64(&C.e, off);
		p9_put_u32(&C.e, 200);
		ck_assert_int_eq(t_rpc(&C), 0);
		count = p9_get_u32(&C.d);
		ck_assert_uint_le(count, 200);
		if (!count)
			break;
		calls++;
		end = C.d.off + count;
		while (C.d.off < end) {
			const char *s;
			uint16_t n;
			int idx;

			p9_get_u8(&C.d);
			p9_get_u32(&C.d);
			p9_get_u64(&C.d);
			off = p9_get_u64(&C.d);
			p9_get_u8(&C.d);
			p9_get_str(&C.d, &s, &n);
			ck_assert_int_eq(C.d.err, 0);
			if (n == 10 && sscanf(s, "entry-%04d", &idx) == 1) {
				ck_assert_int_eq(seen[idx], 0);
				seen[idx] = 1;
				total++;
			}
		}
	}
	ck_assert_int_eq(total, N);
	ck_assert_int_gt(calls, 10);
}
END_TEST

START_TEST(test_names)
{
	uint32_t mode;
	char buf[64];
	struct stat st;

	ck_assert_int_eq(t_mkdir(&C, 0, "d"), 0);
	ck_assert_uint_eq(p9_get_u8(&C.d), P9_QTDIR);
	ck_assert_int_eq(t_mkdir(&C, 0, "d"), -EEXIST);
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "d"), 1);
	ck_assert_int_eq(t_symlink(&C, 1, "l", "../target"), 0);
	ck_assert_uint_eq(p9_get_u8(&C.d), P9_QTSYMLINK);
	ck_assert_int_eq(t_walk(&C, 1, 2, 1, "l"), 1);
	t_begin(&C, P9_TREADLINK);
	p9_put_u32(&C.e, 2);
	ck_assert_int_eq(t_rpc(&C), 0);
	{
		const char *s;
		uint16_t n;

		p9_get_str(&C.d, &s, &n);
		ck_assert_int_eq(n, 9);
		ck_assert(!memcmp(s, "../target", 9));
	}
	ck_assert_int_eq(t_mknod(&C, 1, "fifo", S_IFIFO | 0600, 0, 0), 0);
	ck_assert_int_eq(lstat(t_host(&C, "d/fifo"), &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(t_mknod(&C, 1, "sock", S_IFSOCK | 0600, 0, 0), 0);

	/* Tlink, Trenameat, Tunlinkat. */
	close(creat(t_host(&C, "d/f"), 0644));
	ck_assert_int_eq(t_walk(&C, 1, 3, 1, "f"), 1);
	t_begin(&C, P9_TLINK);
	p9_put_u32(&C.e, 0);
	p9_put_u32(&C.e, 3);
	p9_put_str(&C.e, "hard", 4);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(stat(t_host(&C, "hard"), &st), 0);
	ck_assert_uint_eq(st.st_nlink, 2);
	ck_assert_int_eq(t_renameat(&C, 0, "hard", 1, "moved"), 0);
	ck_assert_int_eq(access(t_host(&C, "d/moved"), F_OK), 0);
	ck_assert_int_eq(t_unlinkat(&C, 1, "moved", 0), 0);
	ck_assert_int_eq(t_unlinkat(&C, 0, "d", P9_DOTL_AT_REMOVEDIR),
			 -ENOTEMPTY);

	/* Trename moves the file a fid names; Tremove removes it. */
	t_begin(&C, P9_TRENAME);
	p9_put_u32(&C.e, 3);
	p9_put_u32(&C.e, 0);
	p9_put_str(&C.e, "top", 3);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(access(t_host(&C, "top"), F_OK), 0);
	ck_assert_int_eq(t_walk(&C, 0, 4, 1, "top"), 1);
	t_begin(&C, P9_TREMOVE);
	p9_put_u32(&C.e, 4);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(access(t_host(&C, "top"), F_OK), -1);
	ck_assert_int_eq(t_clunk(&C, 4), -EBADF);

	/* Tstatfs and a directory's getattr. */
	t_begin(&C, P9_TSTATFS);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(t_getattr(&C, 1, NULL, &mode, NULL), 0);
	ck_assert(S_ISDIR(mode));
	(void)buf;
}
END_TEST

START_TEST(test_fsync_and_locks)
{
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "f", 2, 0600), 0);
	t_begin(&C, P9_TFSYNC);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, 1);
	ck_assert_int_eq(t_rpc(&C), 0);
	t_begin(&C, P9_TFSYNC);
	p9_put_u32(&C.e, 0);		/* not open */
	ck_assert_int_eq(t_rpc(&C), -EBADF);

	t_begin(&C, P9_TLOCK);
	p9_put_u32(&C.e, 1);
	p9_put_u8(&C.e, P9_LOCK_TYPE_WRLCK);
	p9_put_u32(&C.e, 0);
	p9_put_u64(&C.e, 0);
	p9_put_u64(&C.e, 10);
	p9_put_u32(&C.e, 42);
	p9_put_str(&C.e, "guest", 5);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_uint_eq(p9_get_u8(&C.d), P9_LOCK_SUCCESS);

	t_begin(&C, P9_TGETLOCK);
	p9_put_u32(&C.e, 1);
	p9_put_u8(&C.e, P9_LOCK_TYPE_WRLCK);
	p9_put_u64(&C.e, 0);
	p9_put_u64(&C.e, 10);
	p9_put_u32(&C.e, 42);
	p9_put_str(&C.e, "guest", 5);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_uint_eq(p9_get_u8(&C.d), P9_LOCK_TYPE_UNLCK);

	t_begin(&C, P9_TLOCK);
	p9_put_u32(&C.e, 1);
	p9_put_u8(&C.e, 7);		/* no such lock type */
	p9_put_u32(&C.e, 0);
	p9_put_u64(&C.e, 0);
	p9_put_u64(&C.e, 0);
	p9_put_u32(&C.e, 42);
	p9_put_str(&C.e, "guest", 5);
	ck_assert_int_eq(t_rpc(&C), -EINVAL);
}
END_TEST

static int xattr_supported(const char *dir)
{
	char p[128];
	int ok;

	snprintf(p, sizeof(p), "%s/.probe", dir);
	close(creat(p, 0600));
	ok = !setxattr(p, "user.probe", "1", 1, 0);
	unlink(p);
	return ok;
}

START_TEST(test_xattr)
{
	char buf[64];

	if (!xattr_supported(C.dir))
		return;
	close(creat(t_host(&C, "x"), 0644));
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "x"), 1);
	t_begin(&C, P9_TXATTRCREATE);
	p9_put_u32(&C.e, 1);
	p9_put_str(&C.e, "user.k", 6);
	p9_put_u64(&C.e, 5);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(t_write(&C, 1, 0, "va", 2), 2);
	ck_assert_int_eq(t_write(&C, 1, 2, "lue", 3), 3);
	ck_assert_int_eq(t_write(&C, 1, 4, "xx", 2), -ENOSPC);
	ck_assert_int_eq(t_clunk(&C, 1), 0);
	ck_assert_int_eq(getxattr(t_host(&C, "x"), "user.k", buf, 64), 5);
	ck_assert(!memcmp(buf, "value", 5));

	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "x"), 1);
	t_begin(&C, P9_TXATTRWALK);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, 2);
	p9_put_str(&C.e, "user.k", 6);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_uint_eq(p9_get_u64(&C.d), 5);
	ck_assert_int_eq(t_read(&C, 2, 1, buf, 64), 4);
	ck_assert(!memcmp(buf, "alue", 4));
	ck_assert_int_eq(t_clunk(&C, 2), 0);

	/* The empty name lists. */
	t_begin(&C, P9_TXATTRWALK);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, 2);
	p9_put_str(&C.e, "", 0);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_uint_eq(p9_get_u64(&C.d), 7);
	ck_assert_int_eq(t_read(&C, 2, 0, buf, 64), 7);
	ck_assert(!memcmp(buf, "user.k", 7));
	ck_assert_int_eq(t_clunk(&C, 2), 0);

	/* Size 0 removes, as Linux's removexattr does. */
	t_begin(&C, P9_TXATTRCREATE);
	p9_put_u32(&C.e, 1);
	p9_put_str(&C.e, "user.k", 6);
	p9_put_u64(&C.e, 0);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), 0);
	ck_assert_int_eq(t_clunk(&C, 1), 0);
	ck_assert_int_eq(getxattr(t_host(&C, "x"), "user.k", buf, 64), -1);

	t_begin(&C, P9_TXATTRCREATE);
	p9_put_u32(&C.e, 0);
	p9_put_str(&C.e, "user.big", 8);
	p9_put_u64(&C.e, 1 << 20);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), -E2BIG);
}
END_TEST

START_TEST(test_qid_unique)
{
	uint64_t a, b, r;

	close(creat(t_host(&C, "a"), 0644));
	close(creat(t_host(&C, "b"), 0644));
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "a"), 1);
	ck_assert_int_eq(t_walk(&C, 0, 2, 1, "b"), 1);
	ck_assert_int_eq(t_getattr(&C, 1, NULL, NULL, &a), 0);
	ck_assert_int_eq(t_getattr(&C, 2, NULL, NULL, &b), 0);
	ck_assert_int_eq(t_getattr(&C, 0, NULL, NULL, &r), 0);
	ck_assert_uint_ne(a, b);
	ck_assert_uint_ne(a, r);
}
END_TEST

static Suite *p9_ops_suite(void)
{
	Suite *s = suite_create("p9_ops");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_version_msize);
	tcase_add_test(tc, test_create_write_read);
	tcase_add_test(tc, test_read_clamped_to_msize);
	tcase_add_test(tc, test_open_unlink_fstat);
	tcase_add_test(tc, test_setattr);
	tcase_add_test(tc, test_readdir_offsets);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_fsync_and_locks);
	tcase_add_test(tc, test_xattr);
	tcase_add_test(tc, test_qid_unique);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(p9_ops_suite)
