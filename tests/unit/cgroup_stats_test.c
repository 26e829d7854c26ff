/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/cgroup_stats.h"
#include "tests/unit/cgtest.h"

static void fake_cgroup(const char *d)
{
	cgt_put(d, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
		"nr_periods 10\nnr_throttled 3\nthrottled_usec 77\n"
		"core_sched.force_idle_usec 0\n");
	cgt_put(d, "memory.current", "123456789\n");
	cgt_put(d, "memory.max", "max\n");
	cgt_put(d, "memory.peak", "200000000\n");
	cgt_put(d, "memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n");
	cgt_put(d, "memory.stat", "anon 1000\nfile 2000\nbogus line here\nkernel 300\n");
	cgt_put(d, "pids.current", "9\n");
	cgt_put(d, "pids.max", "max\n");
}

START_TEST(test_read)
{
	char *d = cgt_root();
	struct cg_stats s;

	fake_cgroup(d);
	ck_assert_int_eq(cg_stats_read(d, &s), 0);
	ck_assert_uint_eq(s.cpu_usage_usec, 1500);
	ck_assert_uint_eq(s.cpu_user_usec, 1000);
	ck_assert_uint_eq(s.cpu_system_usec, 500);
	ck_assert_uint_eq(s.nr_periods, 10);
	ck_assert_uint_eq(s.nr_throttled, 3);
	ck_assert_uint_eq(s.throttled_usec, 77);
	ck_assert_uint_eq(s.mem_current, 123456789);
	ck_assert(s.mem_max == CG_UNLIMITED);
	ck_assert_uint_eq(s.mem_peak, 200000000);
	ck_assert_uint_eq(s.mem_events_max, 4);
	ck_assert_uint_eq(s.oom_kill, 1);
	ck_assert_uint_eq(s.n_raw, 3);
	ck_assert_uint_eq(cg_stats_raw(&s, "file"), 2000);
	ck_assert_uint_eq(cg_stats_raw(&s, "kernel"), 300);
	ck_assert_uint_eq(cg_stats_raw(&s, "nosuch"), 0);
	ck_assert_uint_eq(s.pids_current, 9);
	ck_assert_uint_eq(s.pids_max, 0);

	/* Without the memory and pids controllers: zeros, not a failure. */
	cgt_free(d);
	d = cgt_root();
	cgt_put(d, "cpu.stat", "usage_usec 5\n");
	cgt_put(d, "pids.max", "100\n");
	ck_assert_int_eq(cg_stats_read(d, &s), 0);
	ck_assert_uint_eq(s.cpu_usage_usec, 5);
	ck_assert_uint_eq(s.mem_current, 0);
	ck_assert(s.mem_max == CG_UNLIMITED);
	ck_assert_uint_eq(s.pids_max, 100);
	cgt_free(d);

	ck_assert_int_eq(cg_stats_read("/nonexistent-cg", &s), -ENOENT);
}
END_TEST

static uint64_t num_at(const struct json *j, const char *const *keys)
{
	uint64_t v = 0;
	int t = 0;

	for (; *keys; keys++) {
		t = json_get(j, t, *keys);
		if (t < 0)
			ck_abort_msg("member %s missing", *keys);
	}
	ck_assert_int_eq(json_uint64(j, t, &v), 0);
	return v;
}

#define NUM(j, ...) num_at(j, (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_json)
{
	char *d = cgt_root(), *text, *id = NULL;
	struct cg_stats s;
	struct json j;

	fake_cgroup(d);
	ck_assert_int_eq(cg_stats_read(d, &s), 0);
	text = cg_stats_json("c\"1", &s, 576ULL << 20);
	ck_assert_ptr_nonnull(text);
	ck_assert(!strchr(text, '\n'));
	ck_assert_int_eq(json_parse(&j, text, strlen(text), NULL), 0);
	ck_assert(json_eq(&j, json_get(&j, 0, "type"), "stats"));
	ck_assert_int_eq(json_string(&j, json_get(&j, 0, "id"), &id), 0);
	ck_assert_str_eq(id, "c\"1");
	/* runc's units: nanoseconds. */
	ck_assert_uint_eq(NUM(&j, "data", "cpu", "usage", "total"), 1500000);
	ck_assert_uint_eq(NUM(&j, "data", "cpu", "usage", "user"), 1000000);
	ck_assert_uint_eq(NUM(&j, "data", "cpu", "usage", "kernel"), 500000);
	ck_assert_uint_eq(NUM(&j, "data", "cpu", "throttling", "periods"), 10);
	ck_assert_uint_eq(NUM(&j, "data", "cpu", "throttling", "throttledPeriods"), 3);
	ck_assert_uint_eq(NUM(&j, "data", "cpu", "throttling", "throttledTime"), 77000);
	ck_assert_uint_eq(NUM(&j, "data", "memory", "usage", "usage"), 123456789);
	/* memory.max is "max": the guest's RAM is the limit. */
	ck_assert_uint_eq(NUM(&j, "data", "memory", "usage", "limit"), 576ULL << 20);
	ck_assert_uint_eq(NUM(&j, "data", "memory", "usage", "max"), 200000000);
	ck_assert_uint_eq(NUM(&j, "data", "memory", "usage", "failcnt"), 4);
	ck_assert_uint_eq(NUM(&j, "data", "memory", "cache"), 2000);
	ck_assert_uint_eq(NUM(&j, "data", "memory", "raw", "anon"), 1000);
	ck_assert_uint_eq(NUM(&j, "data", "pids", "current"), 9);
	/* No pids limit: left out, as runc's omitempty does. */
	ck_assert_int_lt(json_get(&j, json_get(&j, json_get(&j, 0, "data"), "pids"),
				  "limit"), 0);
	json_free(&j);
	free(text);
	free(id);

	/* A memory.max that is set wins. */
	s.mem_max = 1 << 20;
	s.pids_max = 50;
	text = cg_stats_json("c1", &s, 576ULL << 20);
	ck_assert_int_eq(json_parse(&j, text, strlen(text), NULL), 0);
	ck_assert_uint_eq(NUM(&j, "data", "memory", "usage", "limit"), 1 << 20);
	ck_assert_uint_eq(NUM(&j, "data", "pids", "limit"), 50);
	json_free(&j);
	free(text);

	text = cg_oom_json("c1");
	ck_assert_str_eq(text, "{\"type\":\"oom\",\"id\":\"c1\"}");
	free(text);
	cgt_free(d);
}
END_TEST

static Suite *cgroup_stats_suite(void)
{
	Suite *s = suite_create("cgroup_stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(cgroup_stats_suite)
