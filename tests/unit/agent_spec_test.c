/* unit-deps: guest lib */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "guest/agent.h"
#include "tests/unit/unit.h"

static char err[AGENT_ERR_MAX];

static int container(const char *json, struct container_spec *c)
{
	err[0] = '\0';
	return spec_container(json, strlen(json), c, err, sizeof(err));
}

START_TEST(test_container_full)
{
	struct container_spec c;
	const char *doc =
		"{\"id\":\"c1\",\"rootfs\":\"rootfs\",\"image\":\"img\","
		"\"shareDir\":\"tag0\",\"readOnly\":true,"
		"\"fsmap\":[{\"source\":\"vol/a\",\"path\":\"/data\",\"readOnly\":true},"
		"{\"source\":\"hosts\",\"path\":\"/etc/hosts\",\"shareTag\":\"etc\"}],"
		"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
		"\"restartPolicy\":\"never\","
		"\"process\":{\"terminal\":true,\"stdio\":5,\"stderr\":6,"
		"\"args\":[\"sh\",\"-c\",\"echo hi\"],"
		"\"envs\":[{\"env\":\"A\",\"value\":\"b=c\"},{\"env\":\"EMPTY\"}],"
		"\"workdir\":\"/w\",\"user\":\"alice\",\"group\":\"50\","
		"\"additionalGroups\":[\"audio\",\"7\"],"
		"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":100,\"soft\":50}],"
		"\"umask\":63,\"noNewPrivileges\":true,\"stdin\":false}}";

	ck_assert_int_eq(container(doc, &c), 0);
	ck_assert_str_eq(c.id, "c1");
	ck_assert_str_eq(c.rootfs, "rootfs");
	ck_assert_str_eq(c.image, "img");
	ck_assert_str_eq(c.share_tag, "tag0");
	ck_assert(c.readonly);
	ck_assert_int_eq(c.nmaps, 2);
	ck_assert_str_eq(c.maps[0].source, "vol/a");
	ck_assert(c.maps[0].readonly);
	ck_assert_ptr_null(c.maps[0].share_tag);
	ck_assert_str_eq(c.maps[1].share_tag, "etc");
	ck_assert(!c.maps[1].readonly);
	ck_assert_int_eq(c.nsysctls, 1);
	ck_assert_str_eq(c.sysctls[0].key, "net/ipv4/ip_forward");
	ck_assert_str_eq(c.sysctls[0].value, "1");
	/* The init's id defaults to "init". */
	ck_assert_str_eq(c.proc.id, "init");
	ck_assert(c.proc.terminal);
	ck_assert(!c.proc.stdin_open);
	ck_assert(c.proc.stdio_seq == 5 && c.proc.stderr_seq == 6);
	ck_assert_str_eq(c.proc.args[2], "echo hi");
	ck_assert_ptr_null(c.proc.args[3]);
	/* The env exactly, then PATH because it was absent. */
	ck_assert_str_eq(c.proc.env[0], "A=b=c");
	ck_assert_str_eq(c.proc.env[1], "EMPTY=");
	ck_assert_str_eq(c.proc.env[2], AGENT_DEFAULT_PATH);
	ck_assert_ptr_null(c.proc.env[3]);
	ck_assert_str_eq(c.proc.workdir, "/w");
	ck_assert_str_eq(c.proc.user, "alice");
	ck_assert_str_eq(c.proc.group, "50");
	ck_assert_str_eq(c.proc.groups[0], "audio");
	ck_assert_str_eq(c.proc.groups[1], "7");
	ck_assert_int_eq(c.proc.nrlimits, 1);
	ck_assert_int_eq(c.proc.rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert(c.proc.rlimits[0].hard == 100 && c.proc.rlimits[0].soft == 50);
	ck_assert_uint_eq(c.proc.umask, 63);
	ck_assert(c.proc.no_new_privs);
	spec_container_free(&c);
}
END_TEST

START_TEST(test_defaults)
{
	struct container_spec c;

	ck_assert_int_eq(container("{\"id\":\"x\",\"process\":{\"args\":[\"true\"],"
				   "\"stdio\":1,\"envs\":[{\"env\":\"PATH\","
				   "\"value\":\"/mine\"}]}}", &c), 0);
	ck_assert_str_eq(c.proc.workdir, "/");
	ck_assert(c.proc.stdin_open);
	ck_assert(!c.proc.terminal);
	ck_assert_uint_eq(c.proc.umask, 022);
	ck_assert_ptr_null(c.proc.user);
	ck_assert_ptr_null(c.proc.groups[0]);
	/* PATH given: not added again. */
	ck_assert_str_eq(c.proc.env[0], "PATH=/mine");
	ck_assert_ptr_null(c.proc.env[1]);
	ck_assert(c.proc.stderr_seq == 0);
	spec_container_free(&c);
}
END_TEST

/* Every bad document is refused with a message naming the field. */
START_TEST(test_container_invalid)
{
	static const struct { const char *doc, *field; } bad[] = {
		{ "{", "malformed" },
		{ "[1]", "not a JSON object" },
		{ "{\"process\":{}}", "id" },
		{ "{\"id\":\"../x\",\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "id" },
		{ "{\"id\":\"a/b\",\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "id" },
		{ "{\"id\":\"x\"}", "process" },
		{ "{\"id\":\"x\",\"process\":{\"stdio\":1}}", "process.args" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[],\"stdio\":1}}", "process.args" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[1],\"stdio\":1}}", "process.args" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"]}}", "process.stdio" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":-1}}", "process.stdio" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"workdir\":\"rel\"}}", "process.workdir" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"terminal\":\"yes\"}}", "process.terminal" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"envs\":[{\"env\":\"A=B\"}]}}", "process.envs" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"envs\":[{\"value\":\"v\"}]}}", "env" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"hard\":1,\"soft\":1}]}}", "rlimits" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":2}]}}", "rlimits" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"umask\":512}}", "umask" },
		{ "{\"id\":\"x\",\"process\":{\"args\":[\"a\"],\"stdio\":1,\"id\":\"a b\"}}", "process.id" },
		{ "{\"id\":\"x\",\"rootfs\":\"../../etc\",\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "rootfs" },
		{ "{\"id\":\"x\",\"image\":\"/abs\",\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "rootfs" },
		{ "{\"id\":\"x\",\"fsmap\":[{\"source\":\"a/../../b\",\"path\":\"/x\"}],\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "fsmap" },
		{ "{\"id\":\"x\",\"fsmap\":[{\"source\":\"a\",\"path\":\"x\"}],\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "fsmap" },
		{ "{\"id\":\"x\",\"fsmap\":[{\"source\":\"a\"}],\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "path" },
		{ "{\"id\":\"x\",\"fsmap\":{},\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "fsmap" },
		{ "{\"id\":\"x\",\"sysctl\":{\"../x\":\"1\"},\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "sysctl" },
		{ "{\"id\":\"x\",\"sysctl\":{\"a..b\":\"1\"},\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "sysctl" },
		{ "{\"id\":\"x\",\"sysctl\":{\"a\":1},\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "sysctl" },
		{ "{\"id\":\"x\",\"shareDir\":\"a/b\",\"process\":{\"args\":[\"a\"],\"stdio\":1}}", "shareDir" },
	};
	struct container_spec c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(container(bad[i].doc, &c) == -EINVAL,
			      "accepted: %s", bad[i].doc);
		ck_assert_msg(strstr(err, bad[i].field), "%s: message \"%s\"",
			      bad[i].doc, err);
		ck_assert_ptr_null(c.id);
	}
}
END_TEST

START_TEST(test_exec)
{
	struct proc_spec p;
	char *cid;
	const char *ok = "{\"container\":\"c1\",\"process\":{\"id\":\"e1\","
			 "\"args\":[\"ls\"],\"stdio\":3}}";
	const char *noid = "{\"container\":\"c1\",\"process\":{\"args\":[\"ls\"],"
			   "\"stdio\":3}}";
	const char *nocontainer = "{\"process\":{\"id\":\"e\",\"args\":[\"ls\"],"
				  "\"stdio\":3}}";

	ck_assert_int_eq(spec_exec(ok, strlen(ok), &cid, &p, err, sizeof(err)), 0);
	ck_assert_str_eq(cid, "c1");
	ck_assert_str_eq(p.id, "e1");
	free(cid);
	spec_proc_free(&p);
	ck_assert_int_eq(spec_exec(noid, strlen(noid), &cid, &p, err,
				   sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "process.id"));
	ck_assert_ptr_null(cid);
	ck_assert_int_eq(spec_exec(nocontainer, strlen(nocontainer), &cid, &p,
				   err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "container"));
}
END_TEST

START_TEST(test_kill_and_signal)
{
	struct kill_spec k;
	const char *kill = "{\"container\":\"c\",\"signal\":9,\"allProcesses\":true}";
	const char *sig = "{\"container\":\"c\",\"process\":\"p\",\"signal\":15}";
	static const char *const bad[] = {
		"{\"container\":\"c\"}",
		"{\"container\":\"c\",\"signal\":65}",
		"{\"container\":\"c\",\"signal\":-1}",
		"{\"container\":\"c\",\"signal\":\"9\"}",
		"{\"signal\":9}",
	};

	ck_assert_int_eq(spec_kill(kill, strlen(kill), false, &k, err,
				   sizeof(err)), 0);
	ck_assert(k.all && k.signal == 9 && !k.process);
	spec_kill_free(&k);
	ck_assert_int_eq(spec_kill(sig, strlen(sig), true, &k, err,
				   sizeof(err)), 0);
	ck_assert_str_eq(k.process, "p");
	ck_assert_int_eq(k.signal, 15);
	spec_kill_free(&k);
	/* SIGNALPROCESS needs the process. */
	ck_assert_int_eq(spec_kill(kill, strlen(kill), true, &k, err,
				   sizeof(err)), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(spec_kill(bad[i], strlen(bad[i]), false, &k,
					   err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(test_winsize)
{
	struct winsize_spec w;
	const char *byseq = "{\"seq\":7,\"row\":24,\"column\":80}";
	const char *byid = "{\"container\":\"c\",\"process\":\"p\",\"row\":1,\"column\":2}";
	static const char *const bad[] = {
		"{\"row\":24,\"column\":80}",
		"{\"seq\":7,\"row\":70000,\"column\":80}",
		"{\"seq\":7,\"column\":80}",
		"{\"container\":\"c\",\"row\":1,\"column\":2}",
	};

	ck_assert_int_eq(spec_winsize(byseq, strlen(byseq), &w, err,
				      sizeof(err)), 0);
	ck_assert(w.seq == 7 && w.row == 24 && w.col == 80);
	spec_winsize_free(&w);
	ck_assert_int_eq(spec_winsize(byid, strlen(byid), &w, err,
				      sizeof(err)), 0);
	ck_assert_str_eq(w.process, "p");
	spec_winsize_free(&w);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(spec_winsize(bad[i], strlen(bad[i]), &w, err,
					      sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(test_pod_and_net)
{
	struct pod_spec pod;
	struct iface_spec ifc;
	struct route_spec *r;
	int n;
	const char *doc =
		"{\"hostname\":\"h\",\"shareDir\":\"s\",\"dns\":[\"8.8.8.8\"],"
		"\"interfaces\":[{\"device\":\"eth0\",\"newDeviceName\":\"eth1\","
		"\"ipAddresses\":[{\"ipAddress\":\"10.0.0.2\",\"netMask\":\"255.255.255.0\"},"
		"{\"ipAddress\":\"fd00::2\",\"netMask\":\"64\"}],\"mtu\":\"1400\","
		"\"macAddr\":\"02:00:00:00:00:01\"}],"
		"\"routes\":[{\"dest\":\"default\",\"gateway\":\"10.0.0.1\"}]}";
	const char *num_mtu = "{\"device\":\"e\",\"mtu\":9000}";
	const char *routes = "{\"routes\":[{\"dest\":\"10.1.0.0/16\",\"device\":\"eth0\"}]}";
	static const char *const bad_iface[] = {
		"{\"ipAddresses\":[]}",
		"{\"device\":\"e\",\"mtu\":\"9\"}",
		"{\"device\":\"e\",\"mtu\":65536}",
		"{\"device\":\"e\",\"mtu\":\"15x\"}",
		"{\"device\":\"e\",\"mtu\":-1}",
		"{\"device\":\"e\",\"mtu\":true}",
		"{\"device\":\"e\",\"ipAddresses\":[{\"ipAddress\":\"1.2.3.4\",\"netMask\":\"255.0.255.0\"}]}",
		"{\"device\":\"e\",\"ipAddresses\":[{\"ipAddress\":\"1.2.3.4\"}]}",
	};

	ck_assert_int_eq(spec_pod(doc, strlen(doc), &pod, err, sizeof(err)), 0);
	ck_assert_str_eq(pod.hostname, "h");
	ck_assert_str_eq(pod.share_tag, "s");
	ck_assert_str_eq(pod.dns[0], "8.8.8.8");
	ck_assert_int_eq(pod.nifaces, 1);
	ck_assert_str_eq(pod.ifaces[0].new_name, "eth1");
	ck_assert_str_eq(pod.ifaces[0].addrs[0], "10.0.0.2/24");
	ck_assert_str_eq(pod.ifaces[0].addrs[1], "fd00::2/64");
	ck_assert_uint_eq(pod.ifaces[0].mtu, 1400);
	ck_assert_int_eq(pod.nroutes, 1);
	ck_assert_str_eq(pod.routes[0].gateway, "10.0.0.1");
	spec_pod_free(&pod);

	ck_assert_int_eq(spec_routes(routes, strlen(routes), &r, &n, err,
				     sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(r[0].device, "eth0");
	spec_routes_free(r, n);
	for (size_t i = 0; i < sizeof(bad_iface) / sizeof(bad_iface[0]); i++)
		ck_assert_msg(spec_iface(bad_iface[i], strlen(bad_iface[i]), &ifc,
					 err, sizeof(err)) == -EINVAL,
			      "accepted %s", bad_iface[i]);
	/* runv and cc-oci-runtime send a number; hyperstart takes both. */
	ck_assert_int_eq(spec_iface(num_mtu, strlen(num_mtu), &ifc, err,
				    sizeof(err)), 0);
	ck_assert_uint_eq(ifc.mtu, 9000);
	spec_iface_free(&ifc);
}
END_TEST

START_TEST(test_ids)
{
	ck_assert(spec_valid_id("abc-1.2_3"));
	ck_assert(!spec_valid_id(""));
	ck_assert(!spec_valid_id("."));
	ck_assert(!spec_valid_id(".."));
	ck_assert(!spec_valid_id("a/b"));
	ck_assert(!spec_valid_id("a b"));
	ck_assert(!spec_valid_id("0123456789012345678901234567890123456789"
				 "01234567890123456789012345"));
}
END_TEST

static Suite *agent_spec_suite(void)
{
	Suite *s = suite_create("agent_spec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_container_full);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_container_invalid);
	tcase_add_test(tc, test_exec);
	tcase_add_test(tc, test_kill_and_signal);
	tcase_add_test(tc, test_winsize);
	tcase_add_test(tc, test_pod_and_net);
	tcase_add_test(tc, test_ids);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_spec_suite)
