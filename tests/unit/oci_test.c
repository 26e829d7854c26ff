/* unit-deps: runtime lib */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/oci.h"
#include "tests/unit/oci_cases.h"

#define PROC "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}"
#define HEAD "{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"rootfs\"},"
#define CFG(rest) HEAD PROC rest "}"

static int parse(const char *json, struct oci_config **c, char *err, size_t len)
{
	return oci_config_parse(json, strlen(json), "config.json", "/b", c, err,
				len);
}

START_TEST(test_minimal)
{
	struct oci_config *c;
	char err[256] = "";

	ck_assert_int_eq(parse(CFG(""), &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c->oci_version, "1.0.2-dev");
	ck_assert_str_eq(c->rootfs, "/b/rootfs");
	ck_assert(!c->root_readonly);
	ck_assert_uint_eq(c->process->args.n, 1);
	ck_assert_str_eq(c->process->args.items[0], "sh");
	ck_assert_ptr_null(c->process->args.items[1]);
	ck_assert_str_eq(c->process->cwd, "/");
	ck_assert_int_eq(c->process->user.umask, -1);
	ck_assert_ptr_null(c->hostname);
	ck_assert_uint_eq(c->n_mounts, 0);
	oci_config_free(c);
}
END_TEST

START_TEST(test_full_top_level)
{
	static const char json[] = CFG(
		",\"hostname\":\"h\",\"domainname\":\"d\","
		"\"unknownProperty\":{\"x\":[1,2]},"
		"\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\","
		"\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]},"
		"{\"destination\":\"/proc\"}],"
		"\"hooks\":{\"prestart\":[{\"path\":\"/bin/h\",\"args\":[\"h\",\"1\"],"
		"\"env\":[\"A=1\"],\"timeout\":5}],\"poststop\":[{\"path\":\"/x\"}]},"
		"\"annotations\":{\"a\":\"1\",\"b\":\"2\"}");
	struct oci_config *c;
	char err[256] = "";

	ck_assert_msg(parse(json, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c->hostname, "h");
	ck_assert_str_eq(c->domainname, "d");
	ck_assert_uint_eq(c->n_mounts, 2);
	ck_assert_str_eq(c->mounts[0].destination, "/data");
	ck_assert_str_eq(c->mounts[0].type, "bind");
	ck_assert_str_eq(c->mounts[0].source, "/srv");
	ck_assert_uint_eq(c->mounts[0].options.n, 2);
	ck_assert_str_eq(c->mounts[0].options.items[1], "ro");
	ck_assert_ptr_null(c->mounts[1].type);
	ck_assert_uint_eq(c->hooks.prestart.n, 1);
	ck_assert_str_eq(c->hooks.prestart.items[0].path, "/bin/h");
	ck_assert_int_eq(c->hooks.prestart.items[0].timeout, 5);
	ck_assert_uint_eq(c->hooks.prestart.items[0].args.n, 2);
	ck_assert_uint_eq(c->hooks.poststop.n, 1);
	ck_assert_str_eq(oci_annotation(c, "b"), "2");
	ck_assert_ptr_null(oci_annotation(c, "c"));
	oci_config_free(c);
}
END_TEST

START_TEST(test_absolute_root_and_nulls)
{
	static const char json[] = "{\"ociVersion\":\"1.1.0\","
		"\"root\":{\"path\":\"/r\",\"readonly\":true},\"hostname\":null,"
		"\"process\":{\"args\":[\"a\"],\"cwd\":\"/w\",\"env\":null}}";
	struct oci_config *c;
	char err[256] = "";

	ck_assert_int_eq(parse(json, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c->rootfs, "/r");
	ck_assert(c->root_readonly);
	ck_assert_ptr_null(c->hostname);
	ck_assert_uint_eq(c->process->env.n, 0);
	oci_config_free(c);
}
END_TEST

/* Every top-level field's validation names its JSON path. */
static const struct oci_case bad[] = {
	{ "", "config.json: not valid JSON (at byte 0)" },
	{ "{\"ociVersion\":", "config.json: not valid JSON (at byte 14)" },
	{ "[]", "config.json: expected a JSON object" },
	{ "{}", "config.json: ociVersion: missing (required)" },
	{ "{\"ociVersion\":1}", "config.json: ociVersion: expected a string" },
	{ "{\"ociVersion\":\"2.0.0\"}",
	  "config.json: ociVersion: unsupported version '2.0.0' (kvmc implements 1.x)" },
	{ "{\"ociVersion\":\"1.0\"}",
	  "config.json: ociVersion: unsupported version '1.0' (kvmc implements 1.x)" },
	{ "{\"ociVersion\":\"1.0.0\"}", "config.json: root: missing (required)" },
	{ "{\"ociVersion\":\"1.0.0\",\"root\":[]}", "config.json: root: expected an object" },
	{ "{\"ociVersion\":\"1.0.0\",\"root\":{}}", "config.json: root.path: missing (required)" },
	{ "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"\"}}",
	  "config.json: root.path: expected a path, got ''" },
	{ "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
	  "config.json: root.readonly: expected true or false" },
	{ HEAD "\"x\":1}", "config.json: process: missing (required)" },
	{ HEAD "\"process\":\"sh\"}", "config.json: process: expected an object" },
	{ CFG(",\"hostname\":7"), "config.json: hostname: expected a string" },
	{ CFG(",\"domainname\":[]"), "config.json: domainname: expected a string" },
	{ CFG(",\"mounts\":{}"), "config.json: mounts: expected an array" },
	{ CFG(",\"mounts\":[1]"), "config.json: mounts[0]: expected an object" },
	{ CFG(",\"mounts\":[{\"destination\":\"/a\"},{\"type\":\"tmpfs\"}]"),
	  "config.json: mounts[1].destination: missing (required)" },
	{ CFG(",\"mounts\":[{\"destination\":\"a\"}]"),
	  "config.json: mounts[0].destination: expected an absolute path, got 'a'" },
	{ CFG(",\"mounts\":[{\"destination\":\"/a\",\"type\":1}]"),
	  "config.json: mounts[0].type: expected a string" },
	{ CFG(",\"mounts\":[{\"destination\":\"/a\",\"source\":false}]"),
	  "config.json: mounts[0].source: expected a string" },
	{ CFG(",\"mounts\":[{\"destination\":\"/a\",\"options\":[\"ro\",1]}]"),
	  "config.json: mounts[0].options: expected an array of strings" },
	{ CFG(",\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{}]}]"),
	  "config.json: mounts[0].uidMappings: id-mapped mounts are not supported" },
	{ CFG(",\"hooks\":[]"), "config.json: hooks: expected an object" },
	{ CFG(",\"hooks\":{\"prestart\":{}}"), "config.json: hooks.prestart: expected an array" },
	{ CFG(",\"hooks\":{\"poststart\":[{}]}"),
	  "config.json: hooks.poststart[0].path: missing (required)" },
	{ CFG(",\"hooks\":{\"createRuntime\":[{\"path\":\"h\"}]}"),
	  "config.json: hooks.createRuntime[0].path: expected an absolute path, got 'h'" },
	{ CFG(",\"hooks\":{\"poststop\":[{\"path\":\"/h\",\"args\":\"a\"}]}"),
	  "config.json: hooks.poststop[0].args: expected an array of strings" },
	{ CFG(",\"hooks\":{\"startContainer\":[{\"path\":\"/h\",\"env\":[1]}]}"),
	  "config.json: hooks.startContainer[0].env: expected an array of strings" },
	{ CFG(",\"hooks\":{\"createContainer\":[{\"path\":\"/h\",\"timeout\":0}]}"),
	  "config.json: hooks.createContainer[0].timeout: expected a positive number of seconds" },
	{ CFG(",\"annotations\":[]"), "config.json: annotations: expected an object of strings" },
	{ CFG(",\"annotations\":{\"a\":\"1\",\"b\":2}"),
	  "config.json: annotations.b: expected a string" },
	{ CFG(",\"linux\":[]"), "config.json: linux: expected an object" },
};

START_TEST(test_bad)
{
	oci_expect_error(&bad[_i]);
}
END_TEST

START_TEST(test_load_bundle)
{
	char dir[] = "/tmp/oci_test.XXXXXX", path[256], err[512] = "";
	struct oci_config *c;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	fputs(CFG(""), f);
	fclose(f);
	/* The rootfs must exist and be a directory. */
	ck_assert_int_lt(oci_config_load(dir, &c, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "config.json: root.path: "));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_msg(oci_config_load(dir, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c->rootfs, path);
	oci_config_free(c);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	ck_assert_int_lt(oci_config_load(dir, &c, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "config.json: No such file"));
	rmdir(dir);
	ck_assert_int_lt(oci_config_load(dir, &c, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "bundle /tmp/oci_test."));
}
END_TEST

/* Damaged documents (fixed-seed mutations of a full config) are either
 * accepted or refused with one "config.json: ..." line; never a crash,
 * a leak or an unterminated message (ASan and LeakSanitizer watch). */
START_TEST(test_mutations)
{
	static const char base[] = CFG(
		",\"hostname\":\"h\",\"mounts\":[{\"destination\":\"/d\","
		"\"options\":[\"ro\"]}],\"hooks\":{\"prestart\":[{\"path\":\"/h\","
		"\"timeout\":3}]},\"annotations\":{\"a\":\"b\"},"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\","
		"\"path\":\"/n\"}],\"resources\":{\"memory\":{\"limit\":1048576},"
		"\"cpu\":{\"quota\":1000,\"period\":1000,\"cpus\":\"0-1\"}},"
		"\"sysctl\":{\"k\":\"v\"}}");
	static const char alphabet[] = "{}[]\",:\\-0123456789aeltrunfx/ \n";
	unsigned int seed = 12345;
	char buf[sizeof(base)];
	int accepted = 0;

	for (int i = 0; i < 20000; i++) {
		struct oci_config *c;
		char err[512];
		size_t len = sizeof(base) - 1;
		int edits = 1 + (int)(rand_r(&seed) % 4);

		memcpy(buf, base, sizeof(base));
		while (edits-- && len) {
			size_t at = (size_t)rand_r(&seed) % len;

			switch (rand_r(&seed) % 3) {
			case 0:
				buf[at] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at);
				len--;
				break;
			default:
				len = at + 1;
				break;
			}
		}
		err[0] = '\0';
		if (oci_config_parse(buf, len, "config.json", "/b", &c, err,
				     sizeof(err)) == 0) {
			ck_assert_ptr_nonnull(c->process);
			ck_assert_uint_ge(c->process->args.n, 1);
			oci_config_free(c);
			accepted++;
			continue;
		}
		ck_assert_ptr_null(c);
		ck_assert_msg(!strncmp(err, "config.json: ", 13), "%s", err);
		ck_assert_msg(!strchr(err, '\n'), "%s", err);
	}
	/* Some mutations are harmless (inside a string): both paths ran. */
	ck_assert_int_gt(accepted, 0);
}
END_TEST

static Suite *oci_suite(void)
{
	Suite *s = suite_create("oci");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_full_top_level);
	tcase_add_test(tc, test_absolute_root_and_nulls);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_load_bundle);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(oci_suite)
