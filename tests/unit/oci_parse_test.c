/* unit-deps: runtime lib */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/oci_parse.h"
#include "tests/unit/unit.h"

static struct json j;
static char err[512];
static struct oci_parser p = { .j = &j, .name = "f.json", .err = err,
			       .errlen = sizeof(err) };

static void load(const char *text)
{
	err[0] = '\0';
	ck_assert_int_eq(json_parse(&j, text, strlen(text), NULL), 0);
}

START_TEST(test_paths)
{
	char buf[OCI_PATH_MAX], key[400];

	oci_path(buf, "", "process");
	ck_assert_str_eq(buf, "process");
	oci_path(buf, "process", "args");
	ck_assert_str_eq(buf, "process.args");
	oci_path_index(buf, "mounts", 12);
	ck_assert_str_eq(buf, "mounts[12]");
	/* A document's member name can be long: the path is cut, marked. */
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	oci_path(buf, "annotations", key);
	ck_assert_uint_eq(strlen(buf), OCI_PATH_MAX - 1);
	ck_assert_str_eq(buf + OCI_PATH_MAX - 4, "...");
}
END_TEST

START_TEST(test_absent_null_required)
{
	char *s = NULL;
	bool b = true;
	int t;

	load("{\"a\":null,\"o\":{}}");
	ck_assert_int_eq(oci_get_string(&p, 0, "", "a", false, &s), 0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(oci_get_string(&p, 0, "", "zz", false, &s), 0);
	ck_assert_int_eq(oci_get_bool(&p, 0, "", "a", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(oci_get_string(&p, 0, "x", "a", true, &s), -EINVAL);
	ck_assert_str_eq(err, "f.json: x.a: missing (required)");
	ck_assert_int_eq(oci_get_object(&p, 0, "", "o", true, &t), 0);
	ck_assert_int_ge(t, 0);
	ck_assert_int_eq(oci_get_object(&p, 0, "", "a", false, &t), 0);
	ck_assert_int_eq(t, -1);
	json_free(&j);
}
END_TEST

START_TEST(test_numbers)
{
	uint32_t u;
	uint64_t u64;
	int64_t i64;
	bool has;

	load("{\"max\":4294967295,\"over\":4294967296,\"neg\":-1,\"f\":1.5,"
	     "\"big\":18446744073709551615,\"s\":\"1\"}");
	ck_assert_int_eq(oci_get_u32(&p, 0, "", "max", true, &u), 0);
	ck_assert_uint_eq(u, UINT32_MAX);
	ck_assert_int_eq(oci_get_u32(&p, 0, "", "over", true, &u), -EINVAL);
	ck_assert_str_eq(err, "f.json: over: expected an integer from 0 to 4294967295");
	ck_assert_int_eq(oci_get_u32(&p, 0, "", "neg", true, &u), -EINVAL);
	ck_assert_int_eq(oci_get_uint64(&p, 0, "", "big", &has, &u64), 0);
	ck_assert(has);
	ck_assert_uint_eq(u64, UINT64_MAX);
	ck_assert_int_eq(oci_get_int64(&p, 0, "", "neg", &has, &i64), 0);
	ck_assert_int_eq(i64, -1);
	ck_assert_int_eq(oci_get_int64(&p, 0, "", "f", &has, &i64), -EINVAL);
	ck_assert_int_eq(oci_get_int64(&p, 0, "", "s", &has, &i64), -EINVAL);
	ck_assert_int_eq(oci_get_uint64(&p, 0, "", "missing", &has, &u64), 0);
	ck_assert(!has);
	json_free(&j);
}
END_TEST

START_TEST(test_strv_and_map)
{
	struct oci_strv v = { 0 };
	struct oci_map m = { 0 };
	char *s = NULL;

	load("{\"v\":[\"a\",\"b\\u00e9\\n\"],\"e\":[],\"bad\":[\"a\",null],"
	     "\"m\":{\"k\\\"q\":\"v\"},\"path\":\"rel\"}");
	ck_assert_int_eq(oci_get_strv(&p, 0, "", "v", &v), 0);
	ck_assert_uint_eq(v.n, 2);
	ck_assert_str_eq(v.items[1], "b\xc3\xa9\n");
	ck_assert_ptr_null(v.items[2]);
	oci_strv_free(&v);
	ck_assert_int_eq(oci_get_strv(&p, 0, "", "e", &v), 0);
	ck_assert_uint_eq(v.n, 0);
	ck_assert_ptr_nonnull(v.items);
	ck_assert_ptr_null(v.items[0]);
	oci_strv_free(&v);
	ck_assert_int_eq(oci_get_strv(&p, 0, "", "bad", &v), -EINVAL);
	ck_assert_str_eq(err, "f.json: bad: expected an array of strings");
	oci_strv_free(&v);
	ck_assert_int_eq(oci_get_map(&p, 0, "", "m", &m), 0);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_str_eq(m.items[0].key, "k\"q");
	oci_map_free(&m);
	ck_assert_int_eq(oci_get_path(&p, 0, "", "path", false, &s), -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err, "f.json: path: expected an absolute path, got 'rel'");
	json_free(&j);
}
END_TEST

static Suite *oci_parse_suite(void)
{
	Suite *s = suite_create("oci_parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_absent_null_required);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_strv_and_map);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(oci_parse_suite)
