/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>

#include "runtime/resources.h"
#include "tests/unit/unit.h"

static int parse(const char *json, struct res_update *u, char *err, size_t n)
{
	return res_parse_json(json, strlen(json), "--resources r.json", u, err, n);
}

START_TEST(test_parse)
{
	struct res_update u;
	char err[512] = "";

	ck_assert_int_eq(parse("{\"memory\":{\"limit\":536870912,\"swap\":-1},"
			       "\"cpu\":{\"quota\":50000,\"period\":100000,\"shares\":1024,"
			       "\"cpus\":\"0\",\"mems\":\"\"},\"pids\":{\"limit\":42},"
			       "\"blockIO\":{\"weight\":0},\"unified\":{},\"devices\":[]}",
			       &u, err, sizeof(err)), 0);
	ck_assert_int_eq(u.mem_limit, 536870912);
	ck_assert_int_eq(u.mem_swap, -1);
	ck_assert_int_eq(u.cpu_quota, 50000);
	ck_assert_uint_eq(u.cpu_period, 100000);
	ck_assert_uint_eq(u.cpu_shares, 1024);
	ck_assert_str_eq(u.cpus, "0");
	ck_assert_ptr_null(u.mems);
	ck_assert_int_eq(u.pids_limit, 42);
	ck_assert(!u.has_unified && !u.has_hugepages && !u.blkio_weight);
	res_free(&u);

	/* null counts as absent; {} changes nothing. */
	ck_assert_int_eq(parse("{\"memory\":null,\"pids\":{\"limit\":null}}", &u,
			       err, sizeof(err)), 0);
	ck_assert(!res_applies(&u) && !u.mem_limit);
	res_free(&u);
}
END_TEST

START_TEST(test_parse_errors)
{
	static const struct { const char *json, *err; } cases[] = {
		{ "{", "--resources r.json: not valid JSON (at byte 1)" },
		{ "[]", "--resources r.json: expected a linux.resources object" },
		{ "{\"pids\":{\"limit\":\"ten\"}}",
		  "--resources r.json: pids.limit: expected a 64-bit integer" },
		{ "{\"pids\":{\"limit\":-5}}",
		  "--resources r.json: pids.limit: -5: expected a positive number, 0 (unchanged) or -1 (unlimited)" },
		{ "{\"pids\":3}", "--resources r.json: pids: expected an object" },
		{ "{\"memory\":{\"limit\":1.5}}",
		  "--resources r.json: memory.limit: expected a 64-bit integer" },
		{ "{\"cpu\":{\"period\":-1}}",
		  "--resources r.json: cpu.period: expected an unsigned 64-bit integer" },
		{ "{\"cpu\":{\"quota\":-2}}",
		  "--resources r.json: cpu.quota: -2: expected a positive number, 0 (unchanged) or -1 (unlimited)" },
		{ "{\"cpu\":{\"cpus\":\"0-x\"}}",
		  "--resources r.json: cpu.cpus: invalid list '0-x'" },
		{ "{\"cpu\":{\"mems\":7}}", "--resources r.json: cpu.mems: expected a string" },
		{ "{\"blockIO\":{\"weight\":true}}",
		  "--resources r.json: blockIO.weight: expected an unsigned 64-bit integer" },
		{ "{\"hugepageLimits\":{}}",
		  "--resources r.json: hugepageLimits: expected an array" },
	};
	struct res_update u;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		err[0] = '\0';
		if (parse(cases[i].json, &u, err, sizeof(err)) != -EINVAL ||
		    strcmp(err, cases[i].err))
			ck_abort_msg("%s:\n  got:  %s\n  want: %s", cases[i].json,
				     err, cases[i].err);
		ck_assert_ptr_null(u.cpus);
	}
}
END_TEST

START_TEST(test_flags)
{
	struct res_update u = { 0 };
	char err[512] = "";

	ck_assert_int_eq(res_set_flag(&u, "memory", "512m", err, sizeof(err)), 0);
	ck_assert_int_eq(u.mem_limit, 512LL << 20);
	ck_assert_int_eq(res_set_flag(&u, "memory-swap", "-1", err, sizeof(err)), 0);
	ck_assert_int_eq(u.mem_swap, -1);
	ck_assert_int_eq(res_set_flag(&u, "cpu-quota", "-1", err, sizeof(err)), 0);
	ck_assert_int_eq(u.cpu_quota, -1);
	ck_assert_int_eq(res_set_flag(&u, "cpu-period", "50000", err, sizeof(err)), 0);
	ck_assert_uint_eq(u.cpu_period, 50000);
	ck_assert_int_eq(res_set_flag(&u, "pids-limit", "100", err, sizeof(err)), 0);
	ck_assert_int_eq(u.pids_limit, 100);
	ck_assert_int_eq(res_set_flag(&u, "cpuset-cpus", "0-1", err, sizeof(err)), 0);
	ck_assert_int_eq(res_set_flag(&u, "cpuset-cpus", "1", err, sizeof(err)), 0);
	ck_assert_str_eq(u.cpus, "1");

	ck_assert_int_eq(res_set_flag(&u, "memory", "12x", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--memory: '12x' is not a size (512m, 1g) or -1");
	ck_assert_int_eq(res_set_flag(&u, "pids-limit", "-2", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--pids-limit: '-2' is not a number of tasks or -1");
	ck_assert_int_eq(res_set_flag(&u, "cpu-period", "-1", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(res_set_flag(&u, "cpu-quota", "", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(res_set_flag(&u, "cpuset-mems", "a", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--cpuset-mems: 'a' is not a node list (0-1)");
	ck_assert_int_eq(res_set_flag(&u, "nosuch", "1", err, sizeof(err)), -ENOENT);
	for (size_t i = 0; res_flag_name(i); i++)
		ck_assert_int_eq(res_set_flag(&u, res_flag_name(i), "1", err,
					      sizeof(err)), 0);
	res_free(&u);
}
END_TEST

/* A VM made for --memory 512m --cpus 2: 576 MiB, 2 vCPUs. */
static const struct res_vm vm512 = {
	.memory_limit = 512LL << 20, .memory_mib = 576, .vcpus = 2,
	.cur_quota = 200000, .cur_period = 100000,
};

static const char *check(const struct res_update *u, const struct res_vm *vm)
{
	static char err[512];

	err[0] = '\0';
	return res_check(u, vm, err, sizeof(err)) ? err : NULL;
}

START_TEST(test_check)
{
	struct res_update u = { 0 };
	struct res_vm none = { .memory_mib = 256, .vcpus = 1, .cur_quota = -1 };

	/* What Docker sends for `docker update --pids-limit`: the same
	 * memory limit, zeros elsewhere. */
	u.mem_limit = 512LL << 20;
	u.mem_swap = 1LL << 30;
	u.pids_limit = 10;
	ck_assert_ptr_null(check(&u, &vm512));
	u.mem_limit = 0;
	ck_assert_ptr_null(check(&u, &none));
	u.mem_limit = -1;
	ck_assert_ptr_null(check(&u, &none));

	u.mem_limit = 1LL << 30;
	ck_assert_str_eq(check(&u, &vm512),
			 "memory.limit: 1073741824 bytes is more than the VM's 576 MiB of RAM, which is fixed when it boots: kvmc cannot grow a VM's memory");
	u.mem_limit = 256LL << 20;
	ck_assert_str_eq(check(&u, &vm512),
			 "memory.limit: the VM was made for a limit of 536870912 bytes and its 576 MiB of RAM is fixed when it boots: kvmc cannot lower a running VM's memory limit");
	u.mem_limit = -1;
	ck_assert(strstr(check(&u, &vm512), "cannot remove a running VM's memory limit"));
	u.mem_limit = 128LL << 20;
	ck_assert(strstr(check(&u, &none), "the VM was made without a limit"));
	u.mem_limit = 0;

	/* CPU time within the vCPUs is applied; beyond them refused. */
	u.cpu_quota = 150000;
	ck_assert_ptr_null(check(&u, &vm512));
	u.cpu_quota = 300000;
	ck_assert_str_eq(check(&u, &vm512),
			 "cpu.quota: 300000 per 100000 µs is 3 CPUs, more than the VM's 2 vCPUs, which are fixed when it boots: kvmc cannot add vCPUs");
	u.cpu_quota = -1;
	ck_assert_ptr_null(check(&u, &vm512));
	/* A new period alone is checked against the current quota. */
	u.cpu_quota = 0;
	u.cpu_period = 50000;
	ck_assert(strstr(check(&u, &vm512), "200000 per 50000 µs is 4 CPUs"));
	u.cpu_period = 0;
	u.cpus = "0-3";
	ck_assert_str_eq(check(&u, &vm512),
			 "cpu.cpus: '0-3' is 4 CPUs, more than the VM's 2 vCPUs, which are fixed when it boots: kvmc cannot add vCPUs");
	u.cpus = "1";
	ck_assert_ptr_null(check(&u, &vm512));
	u.cpus = NULL;

	u.blkio_weight = 500;
	ck_assert_str_eq(check(&u, &vm512),
			 "blockIO.weight: not supported by kvmc (see 'update' in docs/cli.md)");
	u.blkio_weight = 0;
	u.rt_runtime = 5;
	ck_assert(strstr(check(&u, &vm512), "cpu.realtimeRuntime: not supported"));
	u.rt_runtime = 0;
	u.has_unified = true;
	ck_assert(strstr(check(&u, &vm512), "unified: not supported"));
}
END_TEST

START_TEST(test_limits)
{
	struct res_update u = { .pids_limit = -1, .cpu_shares = 1024,
				.cpu_period = 50000, .cpus = "1" };
	struct cg_limits l;

	ck_assert(res_applies(&u));
	res_limits(&u, &vm512, &l);
	ck_assert_int_eq(l.pids_max, -1);
	ck_assert_uint_eq(l.cpu_weight, 39);
	/* The period changes, the quota stays. */
	ck_assert(l.set_cpu_max);
	ck_assert_int_eq(l.cpu_quota, 200000);
	ck_assert_uint_eq(l.cpu_period, 50000);
	ck_assert_str_eq(l.cpuset_cpus, "1");

	u = (struct res_update){ .mem_limit = 5, .mem_swap = 5 };
	ck_assert(!res_applies(&u));
	res_limits(&u, &vm512, &l);
	ck_assert(!l.set_cpu_max && !l.pids_max && !l.cpu_weight);
}
END_TEST

static Suite *resources_suite(void)
{
	Suite *s = suite_create("resources");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(resources_suite)
