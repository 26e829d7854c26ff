/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "tests/unit/cgtest.h"

struct resolve_case {
	const char *own, *path;
	bool systemd;
	const char *want;	/* below /R, or the error */
};

START_TEST(test_resolve)
{
	static const struct resolve_case cases[] = {
		{ "/", "/docker/abc", false, "/R/docker/abc" },
		{ "/", "//docker/./abc/", false, "/R/docker/abc" },
		{ "/user.slice/s.scope", "/kubepods/pod1/c", false, "/R/kubepods/pod1/c" },
		/* Relative and absent: beside our own cgroup, as runc does. */
		{ "/user.slice/s.scope", "mine", false, "/R/user.slice/mine" },
		{ "/user.slice/s.scope", NULL, false, "/R/user.slice/c1" },
		{ "/", NULL, false, "/R/c1" },
		{ "/", "", false, "/R/c1" },
		{ "/", "/a/../../etc", false,
		  "linux.cgroupsPath: '/a/../../etc': '..' is not allowed" },
		{ "/", "..", false, "linux.cgroupsPath: '..': '..' is not allowed" },
		{ "/", "/", false,
		  "linux.cgroupsPath: '/' is the root cgroup, not a container's" },
		{ "/", "system.slice:docker:abc", true,
		  "/R/system.slice/docker-abc.scope" },
		{ "/", "user-1000.slice:kvmc:abc", true,
		  "/R/user.slice/user-1000.slice/kvmc-abc.scope" },
		{ "/", ":docker:abc", true, "/R/system.slice/docker-abc.scope" },
		{ "/", "-.slice::abc", true, "/R/abc.scope" },
		{ "/", "system.slice:x:my-pod.slice", true,
		  "/R/my.slice/my-pod.slice" },
		{ "/", NULL, true, "/R/system.slice/kvmc-c1.scope" },
		{ "/", "/docker/abc", true,
		  "linux.cgroupsPath: '/docker/abc' is not SLICE:PREFIX:NAME with a systemd slice name (--systemd-cgroup)" },
		{ "/", "a--b.slice:p:n", true,
		  "linux.cgroupsPath: 'a--b.slice:p:n' is not SLICE:PREFIX:NAME with a systemd slice name (--systemd-cgroup)" },
		{ "/", "x.slice:p:../n", true,
		  "linux.cgroupsPath: 'x.slice:p:../n' is not SLICE:PREFIX:NAME with a systemd slice name (--systemd-cgroup)" },
		{ "/", "x.slice:p:", true,
		  "linux.cgroupsPath: 'x.slice:p:' is not SLICE:PREFIX:NAME with a systemd slice name (--systemd-cgroup)" },
		{ "/", "x.slice:p:n:m", true,
		  "linux.cgroupsPath: 'x.slice:p:n:m' is not SLICE:PREFIX:NAME with a systemd slice name (--systemd-cgroup)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct resolve_case *c = &cases[i];
		char out[PATH_MAX] = "", err[512] = "";
		int ret = cg_resolve("/R", c->own, c->path, c->systemd, "c1",
				     out, sizeof(out), err, sizeof(err));

		if (c->want[0] == '/') {
			if (ret || strcmp(out, c->want))
				ck_abort_msg("%s: got %d '%s' (%s), want %s",
					     c->path ? c->path : "(null)", ret,
					     out, err, c->want);
		} else if (ret != -EINVAL || strcmp(err, c->want)) {
			ck_abort_msg("%s: got %d '%s', want error %s",
				     c->path ? c->path : "(null)", ret, err,
				     c->want);
		}
	}
}
END_TEST

START_TEST(test_make_enables_controllers)
{
	char *root = cgt_root(), dir[PATH_MAX + 64], docker[PATH_MAX + 64], err[512];
	bool created;

	cgt_put(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
	cgt_put(root, "cgroup.subtree_control", "memory\n");
	snprintf(dir, sizeof(dir), "%s/docker/c1", root);
	snprintf(docker, sizeof(docker), "%s/docker", root);
	ck_assert_int_eq(cg_make(root, dir, &created, err, sizeof(err)), 0);
	ck_assert(created);
	ck_assert_int_eq(access(dir, F_OK), 0);
	/* Only what is offered and not yet on, one controller per write. */
	ck_assert_str_eq(cgt_get(root, "cgroup.subtree_control"),
			 "memory\n+cpu+cpuset+pids");
	/* The new parent offers nothing (a plain directory): no writes. */
	ck_assert_str_eq(cgt_get(docker, "cgroup.subtree_control"), "<missing>");

	/* An existing cgroup is joined, not made. */
	ck_assert_int_eq(cg_make(root, dir, &created, err, sizeof(err)), 0);
	ck_assert(!created);

	snprintf(dir, sizeof(dir), "/elsewhere/c1");
	ck_assert_int_eq(cg_make(root, dir, &created, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "not below"));
	cgt_free(root);
}
END_TEST

START_TEST(test_make_fails_naming_the_dir)
{
	char *root = cgt_root(), dir[PATH_MAX + 64], err[512];
	bool created = true;

	cgt_put(root, "file", "");
	snprintf(dir, sizeof(dir), "%s/file/c1", root);
	ck_assert_int_eq(cg_make(root, dir, &created, err, sizeof(err)), -ENOTDIR);
	ck_assert(!created);
	ck_assert(strstr(err, "/file/c1: Not a directory"));
	cgt_free(root);
}
END_TEST

START_TEST(test_apply)
{
	char *root = cgt_root(), err[512];
	struct cg_limits l = {
		.pids_max = 42, .set_cpu_max = true, .cpu_quota = 150000,
		.cpu_period = 100000, .cpu_weight = 39, .cpuset_cpus = "0-1",
	};

	cgt_put(root, "pids.max", "");
	cgt_put(root, "cpu.max", "");
	cgt_put(root, "cpu.weight", "");
	cgt_put(root, "cpuset.cpus", "");
	ck_assert_int_eq(cg_apply(root, &l, err, sizeof(err)), 0);
	ck_assert_str_eq(cgt_get(root, "pids.max"), "42");
	ck_assert_str_eq(cgt_get(root, "cpu.max"), "150000 100000");
	ck_assert_str_eq(cgt_get(root, "cpu.weight"), "39");
	ck_assert_str_eq(cgt_get(root, "cpuset.cpus"), "0-1");

	/* "max", and the period kept when none is given. */
	cgt_put(root, "pids.max", "");
	cgt_put(root, "cpu.max", "");
	l = (struct cg_limits){ .pids_max = -1, .set_cpu_max = true,
				.cpu_quota = -1 };
	ck_assert_int_eq(cg_apply(root, &l, err, sizeof(err)), 0);
	ck_assert_str_eq(cgt_get(root, "pids.max"), "max");
	ck_assert_str_eq(cgt_get(root, "cpu.max"), "max");

	/* Zero members leave the files alone. */
	cgt_put(root, "pids.max", "7");
	l = (struct cg_limits){ 0 };
	ck_assert_int_eq(cg_apply(root, &l, err, sizeof(err)), 0);
	ck_assert_str_eq(cgt_get(root, "pids.max"), "7");

	/* A controller that is not enabled: its file is missing. */
	l = (struct cg_limits){ .cpuset_mems = "0" };
	ck_assert_int_eq(cg_apply(root, &l, err, sizeof(err)), -ENOENT);
	ck_assert(strstr(err, "/cpuset.mems: missing (is its controller enabled"));
	cgt_free(root);
}
END_TEST

START_TEST(test_cpu_max_and_weight)
{
	char *root = cgt_root();
	int64_t q;
	uint64_t p;

	cgt_put(root, "cpu.max", "max 100000\n");
	ck_assert_int_eq(cg_cpu_max(root, &q, &p), 0);
	ck_assert_int_eq(q, -1);
	ck_assert_uint_eq(p, 100000);
	cgt_put(root, "cpu.max", "50000 20000\n");
	ck_assert_int_eq(cg_cpu_max(root, &q, &p), 0);
	ck_assert_int_eq(q, 50000);
	ck_assert_uint_eq(p, 20000);
	cgt_put(root, "cpu.max", "junk\n");
	ck_assert_int_eq(cg_cpu_max(root, &q, &p), -EINVAL);
	cgt_free(root);

	/* runc's conversion: 1024 (Docker's default) is weight 39. */
	ck_assert_uint_eq(cg_shares_to_weight(0), 0);
	ck_assert_uint_eq(cg_shares_to_weight(2), 1);
	ck_assert_uint_eq(cg_shares_to_weight(1024), 39);
	ck_assert_uint_eq(cg_shares_to_weight(262144), 10000);
	ck_assert_uint_eq(cg_shares_to_weight(1 << 30), 10000);
}
END_TEST

START_TEST(test_attach_and_remove)
{
	char *root = cgt_root(), dir[PATH_MAX + 64];

	cgt_put(root, "cgroup.procs", "");
	ck_assert_int_eq(cg_attach(root, 1234), 0);
	ck_assert_str_eq(cgt_get(root, "cgroup.procs"), "1234");
	ck_assert_int_eq(cg_attach("/nonexistent-cg", 1), -ENOENT);

	cgt_mkdir(root, "c1");
	snprintf(dir, sizeof(dir), "%s/c1", root);
	ck_assert_int_eq(cg_remove(dir, 100, false), 0);
	ck_assert_int_ne(access(dir, F_OK), 0);
	/* Gone already: fine. */
	ck_assert_int_eq(cg_remove(dir, 100, false), 0);
	/* Anything but a busy cgroup fails at once. */
	cgt_mkdir(root, "c1");
	cgt_put(dir, "x", "");
	ck_assert_int_eq(cg_remove(dir, 100, true), -ENOTEMPTY);
	cgt_free(root);
}
END_TEST

START_TEST(test_self)
{
	char buf[PATH_MAX];
	int ret = cg_self(buf, sizeof(buf));

	/* Every Linux since 4.5 lists the v2 membership, mounted or not. */
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(buf[0], '/');
	ck_assert_int_eq(cg_self(buf, 1), -ENAMETOOLONG);
	ck_assert(!cg_is_unified("/proc"));
}
END_TEST

static Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_make_enables_controllers);
	tcase_add_test(tc, test_make_fails_naming_the_dir);
	tcase_add_test(tc, test_apply);
	tcase_add_test(tc, test_cpu_max_and_weight);
	tcase_add_test(tc, test_attach_and_remove);
	tcase_add_test(tc, test_self);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(cgroup_suite)
