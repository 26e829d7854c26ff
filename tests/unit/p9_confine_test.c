/* unit-deps: p9 lib */
/* A hostile client: every way out of the export, and every malformed
 * message, must fail and leave the host untouched. */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "tests/unit/p9_client.h"

static struct tcl C;
static char outside[96];	/* a directory next to the export */

static void setup(void)
{
	t_setup(&C, false);
	snprintf(outside, sizeof(outside), "%s.out", C.dir);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	close(creat(t_host(&C, "inside"), 0644));
}

static void teardown(void)
{
	t_teardown(&C);
	nftw(outside, t_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The host path the walk's last qid names, via Tgetattr's qid.path. */
static uint64_t qpath(uint32_t fid)
{
	uint64_t q;

	ck_assert_int_eq(t_getattr(&C, fid, NULL, NULL, &q), 0);
	return q;
}

START_TEST(test_dotdot_stays_at_root)
{
	uint64_t root = qpath(0);

	ck_assert_int_eq(t_walk(&C, 0, 1, 3, "..", "..", ".."), 3);
	ck_assert_uint_eq(qpath(1), root);
	ck_assert_int_eq(t_mkdir(&C, 0, "d"), 0);
	ck_assert_int_eq(t_walk(&C, 0, 2, 5, "d", "..", "..", "..", "d"), 5);
	ck_assert_int_eq(t_walk(&C, 2, 3, 4, "..", "..", "..", "inside"), 4);
	/* A creation through such a fid lands in the export. */
	ck_assert_int_eq(t_walk(&C, 2, 4, 3, "..", "..", ".."), 3);
	ck_assert_int_eq(t_mkdir(&C, 4, "made"), 0);
	ck_assert_int_eq(access(t_host(&C, "made"), F_OK), 0);
}
END_TEST

START_TEST(test_symlink_to_root_not_followed)
{
	/* The guest makes a link to / and walks through it. */
	ck_assert_int_eq(t_symlink(&C, 0, "evil", "/"), 0);
	/* A walk stopped by the link gets its qid back, and no fid. */
	ck_assert_int_eq(t_walk(&C, 0, 1, 2, "evil", "etc"), 1);
	ck_assert_int_eq(t_clunk(&C, 1), -EBADF);
	ck_assert_int_eq(t_walk(&C, 0, 1, 3, "inside", "evil", "etc"), 1);
	ck_assert_int_eq(t_clunk(&C, 1), -EBADF);
	/* The link itself is reachable, as a link. */
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "evil"), 1);
	ck_assert_int_eq(t_lopen(&C, 1, 0), -EPERM);
	ck_assert_int_eq(t_walk(&C, 0, 2, 0), 0);
	ck_assert_int_eq(t_mkdir(&C, 2, "x"), 0);
	ck_assert_int_eq(t_walk(&C, 1, 3, 1, "tmp"), -ENOTDIR);
	ck_assert_int_eq(t_walk(&C, 0, 4, 3, "x", "evil", "etc"), 1);
	ck_assert_int_eq(t_symlink(&C, 0, "up", "../.."), 0);
	ck_assert_int_eq(t_walk(&C, 0, 4, 3, "x", "..", "up"), 3);
	ck_assert_int_eq(t_walk(&C, 4, 5, 1, "etc"), -ENOTDIR);
	ck_assert_int_eq(t_walk(&C, 0, 5, 3, "up", "..", "etc"), 1);
	ck_assert_int_eq(t_clunk(&C, 5), -EBADF);
	ck_assert_int_eq(t_walk(&C, 0, 6, 2, "x", "missing"), 1);
	ck_assert_int_eq(t_clunk(&C, 6), -EBADF);
}
END_TEST

START_TEST(test_symlinked_dir_not_followed)
{
	char p[128];

	/* A link made on the host to a directory outside. */
	snprintf(p, sizeof(p), "%s/secret", outside);
	close(creat(p, 0600));
	ck_assert_int_eq(symlink(outside, t_host(&C, "out")), 0);
	ck_assert_int_eq(t_walk(&C, 0, 1, 2, "out", "secret"), 1);
	ck_assert_int_eq(t_clunk(&C, 1), -EBADF);
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "out"), 1);
	ck_assert_int_eq(t_mkdir(&C, 1, "planted"), -ENOTDIR);
	ck_assert_int_eq(t_lcreate(&C, 1, "planted", 2, 0644), -ENOTDIR);
	ck_assert_int_eq(t_renameat(&C, 0, "inside", 1, "planted"), -ENOTDIR);
	snprintf(p, sizeof(p), "%s/planted", outside);
	ck_assert_int_eq(access(p, F_OK), -1);
	/* Tsetattr on the link never reaches the directory it names. */
	t_begin(&C, P9_TSETATTR);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, P9_SETATTR_MODE);
	p9_put_u32(&C.e, 0777);
	for (int i = 0; i < 2; i++)
		p9_put_u32(&C.e, 0);
	for (int i = 0; i < 5; i++)
		p9_put_u64(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), -EOPNOTSUPP);
	{
		struct stat st;

		ck_assert_int_eq(stat(outside, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0755);
	}
}
END_TEST

START_TEST(test_bad_names)
{
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "../../etc"), -EINVAL);
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "/etc"), -EINVAL);
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, ""), -EINVAL);
	ck_assert_int_eq(t_mkdir(&C, 0, "a/b"), -EINVAL);
	ck_assert_int_eq(t_mkdir(&C, 0, ".."), -EINVAL);
	ck_assert_int_eq(t_mkdir(&C, 0, "."), -EINVAL);
	ck_assert_int_eq(t_symlink(&C, 0, "../x", "y"), -EINVAL);
	ck_assert_int_eq(t_mknod(&C, 0, "..", S_IFIFO | 0600, 0, 0), -EINVAL);
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "../escape", 2, 0644), -EINVAL);
	ck_assert_int_eq(t_lcreate(&C, 1, "..", 2, 0644), -EINVAL);
	ck_assert_int_eq(t_renameat(&C, 0, "inside", 0, "../moved"), -EINVAL);
	ck_assert_int_eq(t_renameat(&C, 0, "../x", 0, "y"), -EINVAL);
	ck_assert_int_eq(t_unlinkat(&C, 0, "..", P9_DOTL_AT_REMOVEDIR),
			 -EINVAL);
	ck_assert_int_eq(t_unlinkat(&C, 0, "../x", 0), -EINVAL);
	/* A NUL inside a name. */
	ck_assert_int_eq(t_mkdir(&C, 0, "a"), 0);
	t_begin(&C, P9_TMKDIR);
	p9_put_u32(&C.e, 0);
	p9_put_str(&C.e, "a\0/b", 4);
	p9_put_u32(&C.e, 0755);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), -EINVAL);
	/* Too long. */
	{
		char longname[300];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		ck_assert_int_eq(t_mkdir(&C, 0, longname), -ENAMETOOLONG);
	}
	ck_assert_int_eq(access(t_host(&C, "../escape"), F_OK), -1);
}
END_TEST

START_TEST(test_rename_out_of_export)
{
	/* The only directories a client can name are fids, all inside. */
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, ".."), 1);
	ck_assert_int_eq(t_renameat(&C, 0, "inside", 1, "moved"), 0);
	ck_assert_int_eq(access(t_host(&C, "moved"), F_OK), 0);
	ck_assert_int_eq(t_walk(&C, 0, 2, 1, "moved"), 1);
	t_begin(&C, P9_TRENAME);
	p9_put_u32(&C.e, 2);
	p9_put_u32(&C.e, 1);
	p9_put_str(&C.e, "../../gone", 10);
	ck_assert_int_eq(t_rpc(&C), -EINVAL);
	ck_assert_int_eq(access(t_host(&C, "moved"), F_OK), 0);
	/* Removing the root is refused. */
	ck_assert_int_eq(t_walk(&C, 0, 3, 0), 0);
	t_begin(&C, P9_TREMOVE);
	p9_put_u32(&C.e, 3);
	ck_assert_int_eq(t_rpc(&C), -EBUSY);
	ck_assert_int_eq(access(C.dir, F_OK), 0);
}
END_TEST

START_TEST(test_walk_17_names)
{
	ck_assert_int_eq(t_walk(&C, 0, 1, 17, "..", "..", "..", "..", "..",
				"..", "..", "..", "..", "..", "..", "..", "..",
				"..", "..", "..", ".."), -EINVAL);
	ck_assert_int_eq(t_walk(&C, 0, 1, 16, "..", "..", "..", "..", "..",
				"..", "..", "..", "..", "..", "..", "..", "..",
				"..", "..", ".."), 16);
}
END_TEST

START_TEST(test_oversize_counts)
{
	/* A string length beyond the message. */
	t_begin(&C, P9_TWALK);
	p9_put_u32(&C.e, 0);
	p9_put_u32(&C.e, 1);
	p9_put_u16(&C.e, 1);
	p9_put_u16(&C.e, 60000);
	p9_put_space(&C.e, 10);
	ck_assert_int_eq(t_rpc(&C), -EPROTO);
	/* A Twrite count beyond the message. */
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "w", 2, 0644), 0);
	t_begin(&C, P9_TWRITE);
	p9_put_u32(&C.e, 1);
	p9_put_u64(&C.e, 0);
	p9_put_u32(&C.e, 1000000);
	p9_put_space(&C.e, 100);
	ck_assert_int_eq(t_rpc(&C), -EPROTO);
	/* Offsets beyond what the host takes. */
	t_begin(&C, P9_TWRITE);
	p9_put_u32(&C.e, 1);
	p9_put_u64(&C.e, ~0ull);
	p9_put_u32(&C.e, 1);
	p9_put_u8(&C.e, 'x');
	ck_assert_int_eq(t_rpc(&C), -EINVAL);
	/* A size field larger than msize is refused whole. */
	t_begin(&C, P9_TVERSION);
	p9_put_u32(&C.e, 4096);
	p9_put_str(&C.e, "9P2000.L", 8);
	ck_assert_int_eq(t_rpc(&C), 0);
	t_begin(&C, P9_TGETATTR);
	p9_put_u32(&C.e, 0);
	p9_put_u64(&C.e, 0);
	p9_put_space(&C.e, 5000);
	ck_assert_int_eq(t_rpc(&C), -EPROTO);
	/* Replies never exceed msize: Tread asks for more. */
	ck_assert_uint_eq(p9_server_msize(C.s), 4096);
}
END_TEST

START_TEST(test_readonly_export)
{
	struct tcl r;
	struct stat st;

	t_teardown(&C);
	t_setup(&C, false);
	close(creat(t_host(&C, "inside"), 0644));
	/* Same directory, read-only server. */
	r = C;
	p9_server_free(C.s);
	t_open_server(&r, true, 0);
	C.s = r.s;
	t_version_attach(&C);

	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "inside"), 1);
	ck_assert_int_eq(t_lopen(&C, 1, 1), -EROFS);
	ck_assert_int_eq(t_lopen(&C, 1, P9_DOTL_TRUNC), -EROFS);
	ck_assert_int_eq(t_lopen(&C, 1, 0), 0);
	ck_assert_int_eq(t_write(&C, 1, 0, "x", 1), -EROFS);
	ck_assert_int_eq(t_walk(&C, 0, 2, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 2, "new", 2, 0644), -EROFS);
	ck_assert_int_eq(t_mkdir(&C, 0, "d"), -EROFS);
	ck_assert_int_eq(t_symlink(&C, 0, "l", "x"), -EROFS);
	ck_assert_int_eq(t_mknod(&C, 0, "p", S_IFIFO | 0600, 0, 0), -EROFS);
	ck_assert_int_eq(t_unlinkat(&C, 0, "inside", 0), -EROFS);
	ck_assert_int_eq(t_renameat(&C, 0, "inside", 0, "x"), -EROFS);
	t_begin(&C, P9_TSETATTR);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, P9_SETATTR_SIZE);
	for (int i = 0; i < 3; i++)
		p9_put_u32(&C.e, 0);
	for (int i = 0; i < 5; i++)
		p9_put_u64(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), -EROFS);
	t_begin(&C, P9_TXATTRCREATE);
	p9_put_u32(&C.e, 1);
	p9_put_str(&C.e, "user.x", 6);
	p9_put_u64(&C.e, 1);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), -EROFS);
	t_begin(&C, P9_TREMOVE);
	p9_put_u32(&C.e, 1);
	ck_assert_int_eq(t_rpc(&C), -EROFS);
	ck_assert_int_eq(stat(t_host(&C, "inside"), &st), 0);
	ck_assert_int_eq(access(t_host(&C, "new"), F_OK), -1);
}
END_TEST

START_TEST(test_device_nodes)
{
	/* The guest cannot make one... */
	ck_assert_int_eq(t_mknod(&C, 0, "null", S_IFCHR | 0666, 1, 3), -EPERM);
	ck_assert_int_eq(t_mknod(&C, 0, "sda", S_IFBLK | 0666, 8, 0), -EPERM);
	ck_assert_int_eq(access(t_host(&C, "null"), F_OK), -1);
	/* ...and one already there (or a fifo) is never opened. */
	ck_assert_int_eq(t_mknod(&C, 0, "fifo", S_IFIFO | 0666, 0, 0), 0);
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "fifo"), 1);
	ck_assert_int_eq(t_lopen(&C, 1, 0), -EPERM);
	ck_assert_int_eq(t_lopen(&C, 1, 2), -EPERM);
	ck_assert_int_eq(t_walk(&C, 0, 2, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 2, "fifo", 0, 0644), -EEXIST);
	if (mknod(t_host(&C, "tty"), S_IFCHR | 0666, makedev(5, 0)) == 0) {
		ck_assert_int_eq(t_walk(&C, 0, 3, 1, "tty"), 1);
		ck_assert_int_eq(t_lopen(&C, 3, 2), -EPERM);
	}
}
END_TEST

START_TEST(test_fid_misuse)
{
	char buf[8];

	ck_assert_int_eq(t_walk(&C, 99, 1, 0), -EBADF);
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_walk(&C, 0, 1, 0), -EEXIST);
	ck_assert_int_eq(t_walk(&C, 0, P9_NOFID, 0), -EINVAL);
	ck_assert_int_eq(t_read(&C, 1, 0, buf, 8), -EBADF);	/* not open */
	ck_assert_int_eq(t_lopen(&C, 0, 1), -EISDIR);
	ck_assert_int_eq(t_lcreate(&C, 1, "f", 2, 0644), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "g", 2, 0644), -ENOTDIR);
	ck_assert_int_eq(t_mkdir(&C, 1, "d"), -ENOTDIR);
	/* Attach over a live fid. */
	t_begin(&C, P9_TATTACH);
	p9_put_u32(&C.e, 1);
	p9_put_u32(&C.e, P9_NOFID);
	p9_put_str(&C.e, "", 0);
	p9_put_str(&C.e, "", 0);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), -EEXIST);
}
END_TEST

START_TEST(test_fid_limit)
{
	struct p9_server_opts o = { .root = C.dir, .max_fids = 8 };
	int i, ret = 0;

	p9_server_free(C.s);
	ck_assert_int_eq(p9_server_new(&o, &C.s), 0);
	t_begin(&C, P9_TVERSION);
	p9_put_u32(&C.e, 8192);
	p9_put_str(&C.e, "9P2000.L", 8);
	ck_assert_int_eq(t_rpc(&C), 0);
	for (i = 0; i < 20 && !ret; i++) {
		t_begin(&C, P9_TATTACH);
		p9_put_u32(&C.e, i);
		p9_put_u32(&C.e, P9_NOFID);
		p9_put_str(&C.e, "", 0);
		p9_put_str(&C.e, "", 0);
		p9_put_u32(&C.e, 0);
		ret = t_rpc(&C);
	}
	ck_assert_int_eq(ret, -EMFILE);
	ck_assert_int_eq(i, 9);
}
END_TEST

static Suite *p9_confine_suite(void)
{
	Suite *s = suite_create("p9_confine");
	TCase *tc = tcase_create("hostile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dotdot_stays_at_root);
	tcase_add_test(tc, test_symlink_to_root_not_followed);
	tcase_add_test(tc, test_symlinked_dir_not_followed);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_rename_out_of_export);
	tcase_add_test(tc, test_walk_17_names);
	tcase_add_test(tc, test_oversize_counts);
	tcase_add_test(tc, test_readonly_export);
	tcase_add_test(tc, test_device_nodes);
	tcase_add_test(tc, test_fid_misuse);
	tcase_add_test(tc, test_fid_limit);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(p9_confine_suite)
