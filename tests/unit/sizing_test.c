/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>

#include "runtime/sizing.h"
#include "tests/unit/unit.h"

static struct rtconfig rc_fixed(void)
{
	struct rtconfig rc;

	memset(&rc, 0, sizeof(rc));
	rc.default_memory_mib = 256;
	rc.memory_overhead_mib = 64;
	rc.min_memory_mib = 128;
	rc.default_vcpus = 1;
	rc.max_vcpus = 8;
	return rc;
}

static struct vm_size size_of(struct oci_resources r, struct rtconfig rc)
{
	struct oci_config cfg;
	struct vm_size sz = { 0, 0 };
	char err[256] = "";

	memset(&cfg, 0, sizeof(cfg));
	cfg.linux_cfg.resources = r;
	ck_assert_msg(sizing_compute(&cfg, &rc, &sz, err, sizeof(err)) == 0,
		      "%s", err);
	return sz;
}

START_TEST(test_defaults)
{
	struct oci_resources r = { 0 };
	struct vm_size sz = size_of(r, rc_fixed());

	ck_assert_uint_eq(sz.memory_mib, 256);
	ck_assert_uint_eq(sz.vcpus, 1);
}
END_TEST

START_TEST(test_memory_limit)
{
	struct oci_resources r = { .has_memory_limit = true,
				   .memory_limit = 512LL << 20 };

	/* docker --memory 512m: 512 MiB for the container + the overhead. */
	ck_assert_uint_eq(size_of(r, rc_fixed()).memory_mib, 576);
	/* Partial MiB round up. */
	r.memory_limit = (100LL << 20) + 1;
	ck_assert_uint_eq(size_of(r, rc_fixed()).memory_mib, 165);
	/* Tiny limits still get a bootable VM. */
	r.memory_limit = 4096;
	ck_assert_uint_eq(size_of(r, rc_fixed()).memory_mib, 128);
}
END_TEST

START_TEST(test_memory_ceiling)
{
	struct oci_resources r = { .has_memory_limit = true,
				   .memory_limit = 8LL << 30 };
	struct rtconfig rc = rc_fixed();
	struct oci_config cfg;
	struct vm_size sz;
	char err[256] = "";

	rc.max_memory_mib = 4096;
	memset(&cfg, 0, sizeof(cfg));
	cfg.linux_cfg.resources = r;
	ck_assert_int_eq(sizing_compute(&cfg, &rc, &sz, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "linux.resources.memory.limit: "));
	ck_assert_ptr_nonnull(strstr(err, "max_memory_mib (4096)"));
	/* The default is clamped, not refused: nobody asked for it. */
	rc.default_memory_mib = 8192;
	memset(&r, 0, sizeof(r));
	ck_assert_uint_eq(size_of(r, rc).memory_mib, 4096);
}
END_TEST

START_TEST(test_cpu_quota)
{
	struct oci_resources r = { .has_cpu_quota = true, .cpu_quota = 200000,
				   .cpu_period = 100000 };

	/* docker --cpus 2 */
	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 2);
	r.cpu_quota = 150000;	/* --cpus 1.5 rounds up */
	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 2);
	r.cpu_quota = 50000;
	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 1);
	r.cpu_period = 0;	/* kernel default period 100ms */
	r.cpu_quota = 300000;
	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 3);
	r.cpu_quota = 10000000;	/* capped at max_vcpus */
	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 8);
}
END_TEST

START_TEST(test_cpuset)
{
	struct oci_resources r = { .cpu_cpus = "0-2,5" };

	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 4);
	/* Quota and cpuset: the smaller. */
	r.has_cpu_quota = true;
	r.cpu_quota = 200000;
	r.cpu_period = 100000;
	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 2);
	r.cpu_cpus = "1";
	ck_assert_uint_eq(size_of(r, rc_fixed()).vcpus, 1);
}
END_TEST

START_TEST(test_cpuset_count)
{
	ck_assert_int_eq(sizing_cpuset_count("0"), 1);
	ck_assert_int_eq(sizing_cpuset_count("0-3"), 4);
	ck_assert_int_eq(sizing_cpuset_count("0-3,2,8-9"), 6);
	ck_assert_int_eq(sizing_cpuset_count("7-7"), 1);
	ck_assert_int_eq(sizing_cpuset_count(""), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("3-1"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("1,"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count(",1"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("1 ,2"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("a"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("-1"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("99999999999999999999"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("8192"), -EINVAL);
	ck_assert_int_eq(sizing_cpuset_count("0-8191"), 8192);
}
END_TEST

START_TEST(test_host_cpus_cap)
{
	struct oci_resources r = { .has_cpu_quota = true, .cpu_quota = 1LL << 40,
				   .cpu_period = 1 };
	struct rtconfig rc = rc_fixed();
	struct vm_size sz;

	rc.max_vcpus = 0;	/* the host's online CPUs */
	sz = size_of(r, rc);
	ck_assert_uint_ge(sz.vcpus, 1);
	ck_assert_uint_le(sz.vcpus, 4096);
}
END_TEST

static Suite *sizing_suite(void)
{
	Suite *s = suite_create("sizing");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_memory_limit);
	tcase_add_test(tc, test_memory_ceiling);
	tcase_add_test(tc, test_cpu_quota);
	tcase_add_test(tc, test_cpuset);
	tcase_add_test(tc, test_cpuset_count);
	tcase_add_test(tc, test_host_cpus_cap);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(sizing_suite)
