/* unit-deps: runtime lib */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/volumes.h"
#include "tests/unit/unit.h"

#define MAXM 20

/* A config with mounts built by add(); sources are real paths here. */
struct fixture {
	struct oci_config cfg;
	struct oci_mount m[MAXM];
	char *opts[MAXM][2];
	char dir[64], file[80];
};

static struct fixture fx;

static void setup(void)
{
	int fd;

	memset(&fx, 0, sizeof(fx));
	fx.cfg.mounts = fx.m;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/kvmc-vol-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(fx.file, sizeof(fx.file), "%s/file", fx.dir);
	fd = creat(fx.file, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(fx.file);
	rmdir(fx.dir);
}

static void add(const char *type, const char *src, const char *dest,
		const char *opt)
{
	struct oci_mount *m = &fx.m[fx.cfg.n_mounts];

	m->type = (char *)type;
	m->source = (char *)src;
	m->destination = (char *)dest;
	if (opt) {
		fx.opts[fx.cfg.n_mounts][0] = (char *)opt;
		m->options.items = fx.opts[fx.cfg.n_mounts];
		m->options.n = 1;
	}
	fx.cfg.n_mounts++;
}

static int plan(struct volumes *v, char *err, size_t errlen)
{
	return volumes_plan(&fx.cfg, v, err, errlen);
}

START_TEST(test_docker_mounts)
{
	struct volumes v;
	char err[256] = "";

	/* What Docker sends for `-v DIR:/data:ro`, in its order. */
	add("proc", "proc", "/proc", NULL);
	add("tmpfs", "tmpfs", "/dev", "nosuid");
	add("bind", "/nonexistent/shm", "/dev/shm", "rbind");
	add("bind", "/nonexistent/resolv.conf", "/etc/resolv.conf", "rbind");
	add("bind", fx.file, "/etc/hosts", "rbind");
	add("bind", fx.dir, "/data", "ro");
	add(NULL, fx.dir, "/rw", "rbind");
	ck_assert_int_eq(plan(&v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 2);
	ck_assert_str_eq(v.v[0].tag, "vol0");
	ck_assert_str_eq(v.v[0].source, fx.dir);
	ck_assert_str_eq(v.v[0].destination, "/data");
	ck_assert(v.v[0].readonly);
	ck_assert_str_eq(v.v[1].tag, "vol1");
	ck_assert_str_eq(v.v[1].destination, "/rw");
	ck_assert(!v.v[1].readonly);
}
END_TEST

START_TEST(test_fsmap_json)
{
	struct volumes v;
	struct jbuf b;
	char err[256] = "", *json;

	add("bind", fx.dir, "/data", "ro");
	add("bind", fx.dir, "/w x", NULL);
	ck_assert_int_eq(plan(&v, err, sizeof(err)), 0);
	jb_init(&b);
	volumes_fsmap_json(&v, &b);
	json = jb_finish(&b, NULL);
	ck_assert_str_eq(json,
		"[{\"source\":\"\",\"path\":\"/data\",\"readOnly\":true,\"shareTag\":\"vol0\"},"
		"{\"source\":\"\",\"path\":\"/w x\",\"readOnly\":false,\"shareTag\":\"vol1\"}]");
	free(json);
	v.n = 0;
	jb_init(&b);
	volumes_fsmap_json(&v, &b);
	json = jb_finish(&b, NULL);
	ck_assert_str_eq(json, "[]");
	free(json);
}
END_TEST

START_TEST(test_refused)
{
	struct volumes v;
	char err[256] = "", dir_ro[80];

	add("proc", "proc", "/proc", NULL);
	add("bind", fx.file, "/etc/passwd", NULL);
	ck_assert_int_eq(plan(&v, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "config.json: mounts[1].source: ") &&
		      strstr(err, "only directories"), "%s", err);

	fx.cfg.n_mounts = 0;
	add("bind", "/nonexistent/dir", "/data", NULL);
	ck_assert_int_eq(plan(&v, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "config.json: mounts[0].source: /nonexistent/dir: "
			 "No such file or directory");

	fx.cfg.n_mounts = 0;
	add("bind", "relative", "/data", NULL);
	ck_assert_int_eq(plan(&v, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "config.json: mounts[0].source: a bind needs an "
			 "absolute source");

	/* kvmc-vmm would read the suffix as its read-only flag. */
	fx.cfg.n_mounts = 0;
	snprintf(dir_ro, sizeof(dir_ro), "%s,ro", fx.dir);
	ck_assert_int_eq(mkdir(dir_ro, 0755), 0);
	add("bind", dir_ro, "/data", NULL);
	ck_assert_int_eq(plan(&v, err, sizeof(err)), -EINVAL);
	rmdir(dir_ro);
	ck_assert_msg(strstr(err, "\",ro\""), "%s", err);
}
END_TEST

START_TEST(test_too_many)
{
	struct volumes v;
	char err[256] = "";

	for (int i = 0; i < VOL_MAX; i++)
		add("bind", fx.dir, "/data", NULL);
	ck_assert_int_eq(plan(&v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, VOL_MAX);
	ck_assert_str_eq(v.v[VOL_MAX - 1].tag, "vol14");
	add("bind", fx.dir, "/one-more", NULL);
	ck_assert_int_eq(plan(&v, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "config.json: mounts[15]: more than 15 bind "
			 "mounts of directories");
}
END_TEST

static Suite *volumes_suite(void)
{
	Suite *s = suite_create("volumes");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_docker_mounts);
	tcase_add_test(tc, test_fsmap_json);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_too_many);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(volumes_suite)
