/* unit-deps: runtime lib */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/rtconfig.h"
#include "tests/unit/unit.h"

static char dir[] = "/tmp/rtconfig_test.XXXXXX";
static char path[300];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/" RTCONFIG_NAME, dir);
	unsetenv("KVMC_CONFIG");
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/rtconfig_test.XXXXXX");
}

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_all_keys)
{
	struct rtconfig rc;
	char err[256] = "", want[400];

	write_conf("# kvmc runtime configuration\n"
		   "\n"
		   "kernel = /boot/vmlinux\n"
		   "  initrd=guest/initrd.img   \n"
		   "kernel_params = \" quiet loglevel=3 \"\n"
		   "vmm = /opt/kvmc-vmm\n"
		   "shim = bin/kvmc-shim\n"
		   "default_memory_mib = 512\n"
		   "memory_overhead_mib = 0\n"
		   "min_memory_mib = 64\n"
		   "max_memory_mib = 8192\n"
		   "default_vcpus = 2\n"
		   "max_vcpus = 16\n"
		   "vmm_sandbox = debug\n");
	ck_assert_msg(rtconfig_load_file(path, &rc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(rc.source, path);
	ck_assert_str_eq(rc.kernel, "/boot/vmlinux");
	snprintf(want, sizeof(want), "%s/guest/initrd.img", dir);
	ck_assert_str_eq(rc.initrd, want);
	ck_assert_str_eq(rc.kernel_params, " quiet loglevel=3 ");
	ck_assert_str_eq(rc.vmm, "/opt/kvmc-vmm");
	snprintf(want, sizeof(want), "%s/bin/kvmc-shim", dir);
	ck_assert_str_eq(rc.shim, want);
	ck_assert_uint_eq(rc.default_memory_mib, 512);
	ck_assert_uint_eq(rc.memory_overhead_mib, 0);
	ck_assert_uint_eq(rc.min_memory_mib, 64);
	ck_assert_uint_eq(rc.max_memory_mib, 8192);
	ck_assert_uint_eq(rc.default_vcpus, 2);
	ck_assert_uint_eq(rc.max_vcpus, 16);
	ck_assert_str_eq(rc.vmm_sandbox, "debug");
	rtconfig_free(&rc);
}
END_TEST

START_TEST(test_defaults_and_binaries)
{
	struct rtconfig rc;
	char err[256] = "";

	write_conf("");
	ck_assert_int_eq(rtconfig_load_file(path, &rc, err, sizeof(err)), 0);
	ck_assert_str_eq(rc.kernel, KVMC_PREFIX "/share/kvmc/vmlinux");
	ck_assert_str_eq(rc.initrd, KVMC_PREFIX "/share/kvmc/initrd.img");
	ck_assert_str_eq(rc.kernel_params, "");
	ck_assert_uint_eq(rc.default_memory_mib, 256);
	ck_assert_uint_eq(rc.memory_overhead_mib, 64);
	ck_assert_uint_eq(rc.default_vcpus, 1);
	ck_assert_uint_eq(rc.max_vcpus, 0);
	ck_assert_str_eq(rc.vmm_sandbox, "on");
	/* Binaries default to the directory of the running executable. */
	ck_assert_ptr_nonnull(strstr(rc.vmm, "/kvmc-vmm"));
	ck_assert_ptr_nonnull(strstr(rc.shim, "/kvmc-shim"));
	rtconfig_free(&rc);
}
END_TEST

static void touch(const char *name)
{
	char p[400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
}

static void rm(const char *name)
{
	char p[400];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

/* Kernels in order of preference: the first that exists, with the initrd
 * at its position. */
START_TEST(test_kernel_preference)
{
	struct rtconfig rc;
	char err[256] = "", want[400];

	write_conf("kernel = min-vmlinux  mid-vmlinux\t /nonexistent/vmlinux\n"
		   "initrd = min-initrd.img mid-initrd.img /nonexistent/initrd.img\n");
	/* None exists: the last, the fallback, so that the VMM's error
	 * names it. */
	ck_assert_msg(rtconfig_load_file(path, &rc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(rc.kernel, "/nonexistent/vmlinux");
	ck_assert_str_eq(rc.initrd, "/nonexistent/initrd.img");
	rtconfig_free(&rc);

	/* The first that exists, with the initrd at its position. */
	touch("mid-vmlinux");
	ck_assert_msg(rtconfig_load_file(path, &rc, err, sizeof(err)) == 0, "%s", err);
	snprintf(want, sizeof(want), "%s/mid-vmlinux", dir);
	ck_assert_str_eq(rc.kernel, want);
	snprintf(want, sizeof(want), "%s/mid-initrd.img", dir);
	ck_assert_str_eq(rc.initrd, want);
	rtconfig_free(&rc);

	touch("min-vmlinux");
	ck_assert_msg(rtconfig_load_file(path, &rc, err, sizeof(err)) == 0, "%s", err);
	snprintf(want, sizeof(want), "%s/min-vmlinux", dir);
	ck_assert_str_eq(rc.kernel, want);
	snprintf(want, sizeof(want), "%s/min-initrd.img", dir);
	ck_assert_str_eq(rc.initrd, want);
	rtconfig_free(&rc);

	/* One initrd goes with every kernel. */
	write_conf("kernel = /nonexistent/k mid-vmlinux\ninitrd = /one.img\n");
	ck_assert_msg(rtconfig_load_file(path, &rc, err, sizeof(err)) == 0, "%s", err);
	snprintf(want, sizeof(want), "%s/mid-vmlinux", dir);
	ck_assert_str_eq(rc.kernel, want);
	ck_assert_str_eq(rc.initrd, "/one.img");
	rtconfig_free(&rc);

	/* A kernel alone goes with the Debian kernel's default initrd, not
	 * the built-in list. */
	write_conf("kernel = mid-vmlinux\n");
	ck_assert_msg(rtconfig_load_file(path, &rc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(rc.initrd, KVMC_PREFIX "/share/kvmc/initrd.img");
	rtconfig_free(&rc);
	write_conf("initrd = x.img\n");
	ck_assert_msg(rtconfig_load_file(path, &rc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(rc.kernel, KVMC_PREFIX "/share/kvmc/vmlinux");
	rtconfig_free(&rc);
	rm("mid-vmlinux");
	rm("min-vmlinux");
}
END_TEST

static const struct {
	const char *text;
	const char *err;	/* after "FILE" */
} bad[] = {
	{ "kernel /x\n", ":1: expected 'key = value'" },
	{ "\n# c\nkernal = /x\n", ":3: unknown key 'kernal'" },
	{ "default_memory_mib = 0\n",
	  ":1: default_memory_mib: expected a number of MiB from 1 to 4194304, got '0'" },
	{ "default_memory_mib = 12k\n",
	  ":1: default_memory_mib: expected a number of MiB from 1 to 4194304, got '12k'" },
	{ "memory_overhead_mib = -1\n",
	  ":1: memory_overhead_mib: expected a number of MiB from 0 to 4194304, got '-1'" },
	{ "min_memory_mib =\n",
	  ":1: min_memory_mib: expected a number of MiB from 1 to 4194304, got ''" },
	{ "default_vcpus = 256\n",
	  ":1: default_vcpus: expected a number of vCPUs from 1 to 255, got '256'" },
	{ "max_vcpus = x\n",
	  ":1: max_vcpus: expected a number of vCPUs from 0 (the host's CPUs) to 255, got 'x'" },
	{ "max_memory_mib = 99999999999999999999999\n",
	  ":1: max_memory_mib: expected a number of MiB from 0 (no limit) to 4194304, got '99999999999999999999999'" },
	{ "vmm_sandbox = yes\n",
	  ":1: vmm_sandbox: expected on, off or debug, got 'yes'" },
	{ "min_memory_mib = 512\nmax_memory_mib = 256\n",
	  ": max_memory_mib is below min_memory_mib" },
	{ "kernel =\n", ":1: kernel: expected one or more paths, got ''" },
	{ "kernel = a b c\ninitrd = x y\n",
	  ": initrd: 2 paths for 3 kernels (one, or one per kernel)" },
	{ "kernel = \" \"\ninitrd = x\n", ": kernel: no path" },
	{ "kernel = 1 2 3 4 5 6 7 8 9\ninitrd = x\n",
	  ": kernel: more than 8 paths" },
	{ "kernel = k\ninitrd = 1 2 3 4 5 6 7 8 9\n",
	  ": initrd: more than 8 paths" },
};

START_TEST(test_bad)
{
	struct rtconfig rc;
	char err[512] = "", want[512];

	write_conf(bad[_i].text);
	ck_assert_int_lt(rtconfig_load_file(path, &rc, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s%s", path, bad[_i].err);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(rc.kernel);
}
END_TEST

START_TEST(test_search_order)
{
	struct rtconfig rc;
	char err[512] = "";

	/* The bundle's own file wins over /etc and the prefix. */
	write_conf("default_vcpus = 3\n");
	ck_assert_int_eq(rtconfig_load(dir, &rc, err, sizeof(err)), 0);
	ck_assert_str_eq(rc.source, path);
	ck_assert_uint_eq(rc.default_vcpus, 3);
	rtconfig_free(&rc);

	/* KVMC_CONFIG wins over everything, and must exist. */
	setenv("KVMC_CONFIG", "/nonexistent/kvmc.conf", 1);
	ck_assert_int_eq(rtconfig_load(dir, &rc, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/kvmc.conf: No such file or directory");
	unsetenv("KVMC_CONFIG");

	/* A bundle without one falls through to the system's files or the
	 * built-in defaults. */
	unlink(path);
	ck_assert_int_eq(rtconfig_load(dir, &rc, err, sizeof(err)), 0);
	if (access(RTCONFIG_ETC, F_OK) &&
	    access(KVMC_PREFIX "/share/kvmc/" RTCONFIG_NAME, F_OK))
		ck_assert_ptr_null(rc.source);
	else
		ck_assert_ptr_nonnull(rc.source);
	ck_assert_ptr_nonnull(rc.vmm);
	rtconfig_free(&rc);
}
END_TEST

static Suite *rtconfig_suite(void)
{
	Suite *s = suite_create("rtconfig");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_keys);
	tcase_add_test(tc, test_defaults_and_binaries);
	tcase_add_test(tc, test_kernel_preference);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_search_order);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(rtconfig_suite)
