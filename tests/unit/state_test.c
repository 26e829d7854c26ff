/* unit-deps: runtime lib */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "runtime/state.h"
#include "tests/unit/unit.h"

static char root[] = "/tmp/state_test.XXXXXX";
static struct kvmc_ctx ctx;

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(root));
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = root;
}

static void teardown(void)
{
	fs_remove_tree(root);
	strcpy(root, "/tmp/state_test.XXXXXX");
}

static void make(const char *id, struct kvmc_state *st)
{
	struct oci_kv kv[] = { { "k", "v" } };
	struct oci_map ann = { kv, 1 };
	int fd;

	ck_assert_msg(state_create(&ctx, id, "/bundle", "/bundle/rootfs", &ann,
				   st, &fd) == 0, "%s", ctx.err);
	state_unlock(fd);
}

START_TEST(test_ids)
{
	static const char *good[] = { "a", "0", "abc-DEF_1.2", "x..y" };
	static const char *badid[] = { "", "-a", ".a", "_a", "a/b", "..",
				       "a b", "a\n", "é" };
	char long_id[KVMC_ID_MAX + 2];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_int_eq(state_validate_id(&ctx, good[i]), 0);
	for (size_t i = 0; i < sizeof(badid) / sizeof(badid[0]); i++) {
		ctx.err[0] = '\0';
		ck_assert_int_eq(state_validate_id(&ctx, badid[i]), -EINVAL);
		ck_assert_ptr_nonnull(strstr(ctx.err, "invalid container id"));
	}
	memset(long_id, 'a', sizeof(long_id));
	long_id[KVMC_ID_MAX] = '\0';
	ck_assert_int_eq(state_validate_id(&ctx, long_id), 0);
	long_id[KVMC_ID_MAX] = 'a';
	long_id[KVMC_ID_MAX + 1] = '\0';
	ctx.err[0] = '\0';
	ck_assert_int_eq(state_validate_id(&ctx, long_id), -EINVAL);
	ck_assert_str_eq(ctx.err, "invalid container id: longer than 128 characters");
}
END_TEST

START_TEST(test_create_load_roundtrip)
{
	struct kvmc_state st, back;
	char path[512];
	struct stat sb;

	make("c1", &st);
	ck_assert_str_eq(st.id, "c1");
	ck_assert_uint_eq(strlen(st.created), 30);	/* ....T..:..:..,9 digits,Z */
	ck_assert_int_eq(st.created[29], 'Z');
	ck_assert_int_eq(st.creator.pid, getpid());
	st.shim.pid = 1234;
	st.shim.start = 99;
	st.vmm.pid = 1235;
	st.vmm.start = 100;
	st.started = true;
	ck_assert_int_eq(state_extra_set(&st, "console", "/dev/pts/3"), 0);
	ck_assert_int_eq(state_extra_set(&st, "tty", "1"), 0);
	ck_assert_int_eq(state_extra_set(&st, "tty", "0"), 0);
	ck_assert_int_eq(state_extra_set(&st, "console", NULL), 0);
	ck_assert_int_eq(state_save(&ctx, &st), 0);

	ck_assert_int_eq(state_load(&ctx, "c1", &back), 0);
	ck_assert_str_eq(back.bundle, "/bundle");
	ck_assert_str_eq(back.rootfs, "/bundle/rootfs");
	ck_assert_str_eq(back.created, st.created);
	ck_assert_str_eq(back.owner, st.owner);
	ck_assert_int_eq(back.creator.pid, st.creator.pid);
	ck_assert_uint_eq(back.creator.start, st.creator.start);
	ck_assert_int_eq(back.shim.pid, 1234);
	ck_assert_uint_eq(back.shim.start, 99);
	ck_assert_int_eq(back.vmm.pid, 1235);
	ck_assert(back.started);
	ck_assert(!back.paused);
	ck_assert_uint_eq(back.annotations.n, 1);
	ck_assert_str_eq(back.annotations.items[0].value, "v");
	ck_assert_str_eq(state_extra_get(&back, "tty"), "0");
	ck_assert_ptr_null(state_extra_get(&back, "console"));
	state_free(&back);
	state_free(&st);

	snprintf(path, sizeof(path), "%s/c1/" STATE_FILE, root);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
}
END_TEST

START_TEST(test_exists_and_missing)
{
	struct kvmc_state st, again;
	int fd;

	make("dup", &st);
	ck_assert_int_eq(state_create(&ctx, "dup", "/b", "/b/r", NULL, &again,
				      &fd), -EEXIST);
	ck_assert_str_eq(ctx.err, "container \"dup\" already exists");
	ctx.err[0] = '\0';
	ck_assert_int_eq(state_load(&ctx, "nope", &again), -ENOENT);
	/* containerd matches this text. */
	ck_assert_str_eq(ctx.err, "container \"nope\" does not exist");
	ctx.err[0] = '\0';
	ck_assert_int_eq(state_lock(&ctx, "nope", &fd), -ENOENT);
	ck_assert_ptr_nonnull(strstr(ctx.err, "does not exist"));
	ctx.err[0] = '\0';
	ck_assert_int_eq(state_load(&ctx, "../etc", &again), -EINVAL);
	state_free(&st);
}
END_TEST

/* The root is created on demand, parents included. */
START_TEST(test_root_created)
{
	char sub[256];
	struct kvmc_state st;
	int fd;

	snprintf(sub, sizeof(sub), "%s/a/b/root", root);
	ctx.root = sub;
	ck_assert_int_eq(state_create(&ctx, "x", "/b", "/b/r", NULL, &st, &fd), 0);
	state_unlock(fd);
	state_free(&st);
	ck_assert_int_eq(state_load(&ctx, "x", &st), 0);
	state_free(&st);
}
END_TEST

static void write_raw(const char *id, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/" STATE_FILE, root, id);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_corrupt)
{
	struct kvmc_state st;

	make("bad", &st);
	state_free(&st);
	write_raw("bad", "{\"id\":\"bad\"");
	ck_assert_int_eq(state_load(&ctx, "bad", &st), -EIO);
	ck_assert_ptr_nonnull(strstr(ctx.err, "bad/state.json: not valid JSON"));
	ctx.err[0] = '\0';
	write_raw("bad", "{\"id\":\"bad\",\"created\":\"x\",\"bundle\":1}");
	ck_assert_int_eq(state_load(&ctx, "bad", &st), -EIO);
	ck_assert_ptr_nonnull(strstr(ctx.err, "state.json: bundle: missing or invalid"));
	ctx.err[0] = '\0';
	/* A damaged container can still be removed. */
	ck_assert_int_eq(state_remove(&ctx, "bad"), 0);
	ck_assert_int_eq(state_load(&ctx, "bad", &st), -ENOENT);
}
END_TEST

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Saves leave exactly state.json: no temporary file survives, and a
 * temporary file left by a crash does not disturb loading. */
START_TEST(test_atomic_save)
{
	struct kvmc_state st, back;
	char dir[512], stale[600];
	FILE *f;

	make("at", &st);
	snprintf(dir, sizeof(dir), "%s/at", root);
	for (int i = 0; i < 20; i++) {
		st.shim.pid = i + 1;
		ck_assert_int_eq(state_save(&ctx, &st), 0);
	}
	ck_assert_int_eq(count_entries(dir), 1);
	snprintf(stale, sizeof(stale), "%s/" STATE_FILE ".999999.tmp", dir);
	f = fopen(stale, "w");
	fputs("{\"half", f);
	fclose(f);
	ck_assert_int_eq(state_load(&ctx, "at", &back), 0);
	ck_assert_int_eq(back.shim.pid, 20);
	state_free(&back);
	state_free(&st);
}
END_TEST

START_TEST(test_list_and_remove)
{
	struct kvmc_state st;
	char path[512], **ids;
	size_t n;

	ck_assert_int_eq(state_list(&ctx, &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
	state_list_free(ids, n);
	make("b", &st);
	state_free(&st);
	make("a", &st);
	state_free(&st);
	make("c", &st);
	state_free(&st);
	/* Not containers: a file, a directory whose name is no id. */
	snprintf(path, sizeof(path), "%s/file", root);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/.hidden", root);
	mkdir(path, 0700);
	ck_assert_int_eq(state_list(&ctx, &ids, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(ids[0], "a");
	ck_assert_str_eq(ids[1], "b");
	ck_assert_str_eq(ids[2], "c");
	state_list_free(ids, n);

	ck_assert_int_eq(state_remove(&ctx, "b"), 0);
	ck_assert_int_eq(state_remove(&ctx, "b"), 0);
	ck_assert_int_eq(state_list(&ctx, &ids, &n), 0);
	ck_assert_uint_eq(n, 2);
	state_list_free(ids, n);

	/* A missing root lists nothing. */
	ctx.root = "/nonexistent/kvmc-root";
	ck_assert_int_eq(state_list(&ctx, &ids, &n), 0);
	ck_assert_uint_eq(n, 0);
	state_list_free(ids, n);
}
END_TEST

START_TEST(test_lock)
{
	struct kvmc_state st;
	char dir[512];
	int fd, fd2, other, status;
	pid_t pid;

	make("l", &st);
	state_free(&st);
	ck_assert_int_eq(state_lock(&ctx, "l", &fd), 0);
	/* Exclusive: another open of the directory cannot take it. */
	snprintf(dir, sizeof(dir), "%s/l", root);
	pid = fork();
	if (pid == 0) {
		other = open(dir, O_RDONLY | O_DIRECTORY);
		_exit(flock(other, LOCK_EX | LOCK_NB) == -1 &&
		      errno == EWOULDBLOCK ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	state_unlock(fd);
	ck_assert_int_eq(state_lock(&ctx, "l", &fd), 0);
	/* Deleted while a lock is held: the next locker finds nothing. */
	ck_assert_int_eq(state_remove(&ctx, "l"), 0);
	ck_assert_int_eq(state_lock(&ctx, "l", &fd2), -ENOENT);
	state_unlock(fd);
}
END_TEST

/* A writer killed at any point leaves a whole state.json behind: either
 * the previous or the new contents, never a mix or nothing. */
START_TEST(test_killed_writer)
{
	struct kvmc_state st, back;

	make("k", &st);
	for (int round = 0; round < 20; round++) {
		int pipefd[2], status;
		char c;
		pid_t pid;

		ck_assert_int_eq(pipe(pipefd), 0);
		pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
			for (int i = 1; ; i++) {
				st.shim.pid = i;
				if (state_save(&ctx, &st))
					_exit(1);
				/* Tell the parent the saves are under way. */
				if (i == 3 + round)
					(void)!write(pipefd[1], "x", 1);
			}
		}
		close(pipefd[1]);
		ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		close(pipefd[0]);
		ck_assert_msg(state_load(&ctx, "k", &back) == 0, "%s", ctx.err);
		ck_assert_int_ge(back.shim.pid, 3 + round);
		ck_assert_str_eq(back.bundle, "/bundle");
		state_free(&back);
	}
	state_free(&st);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_create_load_roundtrip);
	tcase_add_test(tc, test_exists_and_missing);
	tcase_add_test(tc, test_root_created);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_atomic_save);
	tcase_add_test(tc, test_list_and_remove);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_killed_writer);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(state_suite)
