/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "runtime/vm_cgroup.h"
#include "tests/unit/cgtest.h"

static struct kvmc_ctx ctx;
static char *state_root, *cg_root;

static void setup(void)
{
	state_root = cgt_root();
	cg_root = cgt_root();
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = state_root;
	cgt_put(cg_root, "cgroup.controllers", "cpu memory pids\n");
	cgt_put(cg_root, "cgroup.subtree_control", "");
	/* Where the caller goes back to: its own cgroup ("/" here, as in
	 * the tests' containers; see test_self). */
	cgt_put(cg_root, "cgroup.procs", "");
}

static void teardown(void)
{
	cgt_free(state_root);
	cgt_free(cg_root);
}

static struct oci_config *config(const char *linux_json)
{
	char json[2048], err[512];
	struct oci_config *cfg = NULL;

	snprintf(json, sizeof(json),
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/r\"},"
		 "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
		 "\"linux\":%s}", linux_json);
	ck_assert_msg(oci_config_parse(json, strlen(json), "config.json", NULL,
				       &cfg, err, sizeof(err)) == 0, "%s", err);
	return cfg;
}

static void make_state(struct kvmc_state *st)
{
	int lockfd;

	ck_assert_msg(state_create(&ctx, "c1", "/b", "/r", NULL, st, &lockfd) == 0,
		      "%s", ctx.err);
	state_unlock(lockfd);
}

START_TEST(test_enter_joins_and_limits)
{
	struct oci_config *cfg = config(
		"{\"cgroupsPath\":\"/docker/c1\",\"resources\":{"
		"\"memory\":{\"limit\":536870912},\"pids\":{\"limit\":64},"
		"\"cpu\":{\"quota\":150000,\"period\":100000,\"shares\":1024}}}");
	struct vm_size size = { .memory_mib = 576, .vcpus = 2 };
	struct kvmc_state st = { 0 }, back = { 0 };
	char leaf[PATH_MAX + 64];
	struct res_vm vm;
	struct vmcg cg;

	/* An existing cgroup (made by someone else) with its files. */
	cgt_mkdir(cg_root, "docker");
	cgt_mkdir(cg_root, "docker/c1");
	snprintf(leaf, sizeof(leaf), "%s/docker/c1", cg_root);
	for (const char *f = "cgroup.procs\0pids.max\0cpu.max\0cpu.weight\0";
	     *f; f += strlen(f) + 1)
		cgt_put(leaf, f, "");
	make_state(&st);
	ck_assert_msg(vmcg_enter(&ctx, cg_root, cfg, &size, &st, &cg) == 0, "%s",
		      ctx.err);
	ck_assert_str_eq(cg.dir, leaf);
	ck_assert(cg.entered);
	/* "0": the writer itself. */
	ck_assert_str_eq(cgt_get(leaf, "cgroup.procs"), "0");
	ck_assert_str_eq(cgt_get(leaf, "pids.max"), "64");
	ck_assert_str_eq(cgt_get(leaf, "cpu.max"), "150000 100000");
	ck_assert_str_eq(cgt_get(leaf, "cpu.weight"), "39");
	/* Memory is the guest's size, never a host-side cap. */
	ck_assert_str_eq(cgt_get(leaf, "memory.max"), "<missing>");
	vmcg_leave(&cg);
	ck_assert(!cg.entered);
	ck_assert_str_eq(cgt_get(cg_root, "cgroup.procs"), "0");

	/* Saved: what update and delete read back. */
	ck_assert_int_eq(state_load(&ctx, "c1", &back), 0);
	ck_assert_str_eq(vmcg_dir(&back), leaf);
	ck_assert_str_eq(state_extra_get(&back, VMCG_OWNED), "0");
	vmcg_vm(&back, &vm);
	ck_assert_int_eq(vm.memory_limit, 536870912);
	ck_assert_uint_eq(vm.memory_mib, 576);
	ck_assert_uint_eq(vm.vcpus, 2);
	ck_assert_int_eq(vm.cur_quota, 150000);
	ck_assert_uint_eq(vm.cur_period, 100000);
	/* Not made by create: delete leaves it. */
	ck_assert_int_eq(vmcg_remove(&ctx, &back), 0);
	ck_assert_int_eq(access(leaf, F_OK), 0);
	state_free(&back);
	state_free(&st);
	oci_config_free(cfg);
}
END_TEST

START_TEST(test_enter_failure_leaves_nothing)
{
	struct oci_config *cfg = config("{\"cgroupsPath\":\"/kvmc-t/c1\"}");
	struct vm_size size = { .memory_mib = 256, .vcpus = 1 };
	struct kvmc_state st = { 0 };
	char leaf[PATH_MAX + 64];
	struct vmcg cg;

	/* A plain directory has no cgroup.procs: moving in fails. */
	make_state(&st);
	snprintf(leaf, sizeof(leaf), "%s/kvmc-t/c1", cg_root);
	ck_assert_int_eq(vmcg_enter(&ctx, cg_root, cfg, &size, &st, &cg), 1);
	ck_assert_msg(strstr(ctx.err, "/kvmc-t/c1: cannot move into it"), "%s",
		      ctx.err);
	ck_assert(!cg.entered);
	ck_assert_int_ne(access(leaf, F_OK), 0);
	/* The root offered cpu, memory, pids: enabled on the way down. */
	ck_assert_str_eq(cgt_get(cg_root, "cgroup.subtree_control"),
			 "+cpu+memory+pids");
	state_free(&st);
	oci_config_free(cfg);
}
END_TEST

START_TEST(test_bad_path_and_remove)
{
	struct oci_config *cfg = config("{\"cgroupsPath\":\"/a/../b\"}");
	struct vm_size size = { .memory_mib = 256, .vcpus = 1 };
	struct kvmc_state st = { 0 };
	char leaf[PATH_MAX + 64];
	struct vmcg cg;

	make_state(&st);
	ck_assert_int_eq(vmcg_enter(&ctx, cg_root, cfg, &size, &st, &cg), 1);
	ck_assert_str_eq(ctx.err,
			 "config.json: linux.cgroupsPath: '/a/../b': '..' is not allowed");
	oci_config_free(cfg);

	/* One create made: delete removes it. */
	cgt_mkdir(cg_root, "mine");
	snprintf(leaf, sizeof(leaf), "%s/mine", cg_root);
	ck_assert_int_eq(state_extra_set(&st, VMCG_DIR, leaf), 0);
	ck_assert_int_eq(state_extra_set(&st, VMCG_OWNED, "1"), 0);
	ck_assert_int_eq(vmcg_remove(&ctx, &st), 0);
	ck_assert_int_ne(access(leaf, F_OK), 0);
	/* One that cannot go is an error naming it. */
	cgt_mkdir(cg_root, "mine");
	cgt_put(leaf, "stuck", "");
	ctx.err[0] = '\0';
	ck_assert_int_eq(vmcg_remove(&ctx, &st), 1);
	ck_assert(strstr(ctx.err, "/mine: cannot remove it"));
	state_free(&st);
}
END_TEST

/* What exec does around starting its shim. */
START_TEST(test_join)
{
	struct kvmc_state st = { 0 };
	char leaf[PATH_MAX + 64];
	struct vmcg cg;

	make_state(&st);
	ck_assert_int_eq(vmcg_join(&ctx, cg_root, &st, &cg), 0);
	ck_assert(!cg.entered);		/* no cgroup recorded: nothing */
	cgt_mkdir(cg_root, "c1");
	snprintf(leaf, sizeof(leaf), "%s/c1", cg_root);
	cgt_put(leaf, "cgroup.procs", "");
	ck_assert_int_eq(state_extra_set(&st, VMCG_DIR, leaf), 0);
	ck_assert_int_eq(vmcg_join(&ctx, cg_root, &st, &cg), 0);
	ck_assert(cg.entered);
	ck_assert_str_eq(cgt_get(leaf, "cgroup.procs"), "0");
	vmcg_leave(&cg);
	ck_assert_str_eq(cgt_get(cg_root, "cgroup.procs"), "0");
	/* Gone: named. */
	ck_assert_int_eq(unlink(strcat(leaf, "/cgroup.procs")), 0);
	ck_assert_int_eq(vmcg_join(&ctx, cg_root, &st, &cg), 1);
	ck_assert(strstr(ctx.err, "/c1: cannot move into it: No such file"));
	ck_assert(!cg.entered);
	state_free(&st);
}
END_TEST

START_TEST(test_limits_from_config)
{
	struct oci_config *cfg = config(
		"{\"resources\":{\"pids\":{\"limit\":-1},\"cpu\":{\"cpus\":\"0-1\"}}}");
	struct cg_limits l;

	vmcg_limits(&cfg->linux_cfg.resources, &l);
	ck_assert_int_eq(l.pids_max, 0);	/* unlimited is the default */
	ck_assert(!l.set_cpu_max);
	ck_assert_uint_eq(l.cpu_weight, 0);
	ck_assert_str_eq(l.cpuset_cpus, "0-1");
	oci_config_free(cfg);
}
END_TEST

static Suite *vm_cgroup_suite(void)
{
	Suite *s = suite_create("vm_cgroup");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_enter_joins_and_limits);
	tcase_add_test(tc, test_enter_failure_leaves_nothing);
	tcase_add_test(tc, test_bad_path_and_remove);
	tcase_add_test(tc, test_join);
	tcase_add_test(tc, test_limits_from_config);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(vm_cgroup_suite)
