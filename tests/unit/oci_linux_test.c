/* unit-deps: runtime lib */
#include <stdio.h>
#include <string.h>

#include "runtime/oci.h"
#include "tests/unit/oci_cases.h"

#define L(linux) "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"}," \
	"\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":" linux "}"

static int parse(const char *json, struct oci_config **c, char *err, size_t n)
{
	return oci_config_parse(json, strlen(json), "config.json", "/b", c, err, n);
}

START_TEST(test_full_linux)
{
	static const char json[] = L("{\"namespaces\":[{\"type\":\"pid\"},"
		"{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},{\"type\":\"mount\"},"
		"{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"cgroup\"}],"
		"\"uidMappings\":[],\"gidMappings\":null,"
		"\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
		"\"memory\":{\"limit\":536870912,\"swap\":1},"
		"\"cpu\":{\"quota\":200000,\"period\":100000,\"shares\":512,\"cpus\":\"0-3\"},"
		"\"pids\":{\"limit\":100}},"
		"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
		"\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
		"\"cgroupsPath\":\"/docker/x\",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},"
		"\"mountLabel\":\"m\",\"rootfsPropagation\":\"rprivate\"}");
	const struct oci_namespace *ns;
	struct oci_config *c;
	char err[256] = "";

	ck_assert_msg(parse(json, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c->linux_cfg.n_namespaces, 6);
	ns = oci_namespace_find(c, OCI_NS_NETWORK);
	ck_assert_ptr_nonnull(ns);
	ck_assert_str_eq(ns->path, "/proc/1/ns/net");
	ck_assert_ptr_null(oci_namespace_find(c, OCI_NS_PID)->path);
	ck_assert_ptr_null(oci_namespace_find(c, OCI_NS_TIME));
	ck_assert(c->linux_cfg.resources.has_memory_limit);
	ck_assert_int_eq(c->linux_cfg.resources.memory_limit, 536870912);
	ck_assert(c->linux_cfg.resources.has_cpu_quota);
	ck_assert_int_eq(c->linux_cfg.resources.cpu_quota, 200000);
	ck_assert_uint_eq(c->linux_cfg.resources.cpu_period, 100000);
	ck_assert_uint_eq(c->linux_cfg.resources.cpu_shares, 512);
	ck_assert_str_eq(c->linux_cfg.resources.cpu_cpus, "0-3");
	ck_assert_int_eq(c->linux_cfg.resources.pids_limit, 100);
	ck_assert_uint_eq(c->linux_cfg.sysctl.n, 1);
	ck_assert_str_eq(c->linux_cfg.sysctl.items[0].key, "net.ipv4.ip_forward");
	ck_assert_uint_eq(c->linux_cfg.masked_paths.n, 1);
	ck_assert_uint_eq(c->linux_cfg.readonly_paths.n, 1);
	ck_assert_str_eq(c->linux_cfg.cgroups_path, "/docker/x");
	ck_assert_str_eq(c->linux_cfg.rootfs_propagation, "rprivate");
	ck_assert_str_eq(oci_ns_name(OCI_NS_UTS), "uts");
	oci_config_free(c);
}
END_TEST

/* "Unlimited" spellings mean no limit. */
START_TEST(test_unlimited)
{
	static const char json[] = L("{\"resources\":{\"memory\":{\"limit\":-1},"
		"\"cpu\":{\"quota\":-1,\"cpus\":\"\"}}}");
	struct oci_config *c;
	char err[256] = "";

	ck_assert_int_eq(parse(json, &c, err, sizeof(err)), 0);
	ck_assert(!c->linux_cfg.resources.has_memory_limit);
	ck_assert(!c->linux_cfg.resources.has_cpu_quota);
	ck_assert_ptr_null(c->linux_cfg.resources.cpu_cpus);
	oci_config_free(c);
}
END_TEST

static const struct oci_case bad[] = {
	{ L("{\"namespaces\":{}}"), "config.json: linux.namespaces: expected an array" },
	{ L("{\"namespaces\":[\"pid\"]}"), "config.json: linux.namespaces[0]: expected an object" },
	{ L("{\"namespaces\":[{}]}"), "config.json: linux.namespaces[0].type: missing (required)" },
	{ L("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"netns\"}]}"),
	  "config.json: linux.namespaces[1].type: unknown namespace type 'netns'" },
	{ L("{\"namespaces\":[{\"type\":\"user\"}]}"),
	  "config.json: linux.namespaces[0].type: user namespaces are not supported" },
	{ L("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}"),
	  "config.json: linux.namespaces[1]: pid namespace listed twice" },
	{ L("{\"namespaces\":[{\"type\":\"network\",\"path\":\"ns/net\"}]}"),
	  "config.json: linux.namespaces[0].path: expected an absolute path, got 'ns/net'" },
	{ L("{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}"),
	  "config.json: linux.uidMappings: id mappings are not supported" },
	{ L("{\"gidMappings\":[{}]}"), "config.json: linux.gidMappings: id mappings are not supported" },
	{ L("{\"uidMappings\":{}}"), "config.json: linux.uidMappings: expected an array" },
	{ L("{\"resources\":[]}"), "config.json: linux.resources: expected an object" },
	{ L("{\"resources\":{\"memory\":1}}"),
	  "config.json: linux.resources.memory: expected an object" },
	{ L("{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}"),
	  "config.json: linux.resources.memory.limit: expected a 64-bit integer" },
	{ L("{\"resources\":{\"memory\":{\"limit\":-2}}}"),
	  "config.json: linux.resources.memory.limit: expected a positive number of bytes or -1" },
	{ L("{\"resources\":{\"cpu\":[]}}"), "config.json: linux.resources.cpu: expected an object" },
	{ L("{\"resources\":{\"cpu\":{\"quota\":-5}}}"),
	  "config.json: linux.resources.cpu.quota: expected a positive number of microseconds or -1" },
	{ L("{\"resources\":{\"cpu\":{\"period\":-1}}}"),
	  "config.json: linux.resources.cpu.period: expected an unsigned 64-bit integer" },
	{ L("{\"resources\":{\"cpu\":{\"shares\":true}}}"),
	  "config.json: linux.resources.cpu.shares: expected an unsigned 64-bit integer" },
	{ L("{\"resources\":{\"cpu\":{\"cpus\":\"0-x\"}}}"),
	  "config.json: linux.resources.cpu.cpus: invalid CPU list '0-x'" },
	{ L("{\"resources\":{\"cpu\":{\"cpus\":3}}}"),
	  "config.json: linux.resources.cpu.cpus: expected a string" },
	{ L("{\"resources\":{\"pids\":7}}"),
	  "config.json: linux.resources.pids: expected an object" },
	{ L("{\"resources\":{\"pids\":{\"limit\":\"7\"}}}"),
	  "config.json: linux.resources.pids.limit: expected a 64-bit integer" },
	{ L("{\"sysctl\":{\"a\":1}}"), "config.json: linux.sysctl.a: expected a string" },
	{ L("{\"sysctl\":[]}"), "config.json: linux.sysctl: expected an object of strings" },
	{ L("{\"maskedPaths\":\"/proc\"}"), "config.json: linux.maskedPaths: expected an array of strings" },
	{ L("{\"readonlyPaths\":[1]}"), "config.json: linux.readonlyPaths: expected an array of strings" },
	{ L("{\"cgroupsPath\":1}"), "config.json: linux.cgroupsPath: expected a string" },
	{ L("{\"mountLabel\":1}"), "config.json: linux.mountLabel: expected a string" },
	{ L("{\"rootfsPropagation\":1}"), "config.json: linux.rootfsPropagation: expected a string" },
};

START_TEST(test_bad)
{
	oci_expect_error(&bad[_i]);
}
END_TEST

static Suite *oci_linux_suite(void)
{
	Suite *s = suite_create("oci_linux");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full_linux);
	tcase_add_test(tc, test_unlimited);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(oci_linux_suite)
