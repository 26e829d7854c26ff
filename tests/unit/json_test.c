/* unit-deps: lib */
#include <errno.h>
#include <string.h>

#include "lib/json.h"
#include "tests/unit/unit.h"

static int parse(struct json *j, const char *s)
{
	return json_parse(j, s, strlen(s), NULL);
}

START_TEST(test_lookup_and_types)
{
	const char *doc = "{\"a\":{\"x\":[1,2,{\"y\":3}]},\"b\":\"h\\u00e9\\n\","
			  "\"c\":true,\"n\":null,\"i\":-42,\"u\":18446744073709551615}";
	struct json j;
	int64_t i;
	uint64_t u;
	bool v;
	char *s;
	int a, x, n, k;

	ck_assert_int_eq(parse(&j, doc), 0);
	a = json_get(&j, 0, "a");
	ck_assert(json_is_object(&j, a));
	x = json_get(&j, a, "x");
	ck_assert_int_eq(json_size(&j, x), 3);
	k = json_first(&j, x);
	for (n = 0; n < 2; n++)
		k = json_skip(&j, k);
	ck_assert_int_eq(json_int64(&j, json_get(&j, k, "y"), &i), 0);
	ck_assert_int_eq(i, 3);
	ck_assert_int_eq(json_string(&j, json_get(&j, 0, "b"), &s), 0);
	ck_assert_str_eq(s, "h\xc3\xa9\n");
	free(s);
	ck_assert_int_eq(json_bool(&j, json_get(&j, 0, "c"), &v), 0);
	ck_assert(v);
	ck_assert(json_is_null(&j, json_get(&j, 0, "n")));
	ck_assert_int_eq(json_int64(&j, json_get(&j, 0, "i"), &i), 0);
	ck_assert_int_eq(i, -42);
	ck_assert_int_eq(json_uint64(&j, json_get(&j, 0, "u"), &u), 0);
	ck_assert(u == UINT64_MAX);
	/* Keys are looked up only among the object's own members. */
	ck_assert_int_eq(json_get(&j, 0, "y"), -1);
	ck_assert_int_eq(json_get(&j, 0, "missing"), -1);
	/* Type mismatches are refused. */
	ck_assert_int_eq(json_int64(&j, json_get(&j, 0, "b"), &i), -EINVAL);
	ck_assert_int_eq(json_string(&j, json_get(&j, 0, "i"), &s), -EINVAL);
	ck_assert_int_eq(json_uint64(&j, json_get(&j, 0, "i"), &u), -EINVAL);
	json_free(&j);
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":}", "{\"a\"}", "{\"a\" 1}", "{\"a\":1,}",
		"[1,,2]", "[,1]", "{\"a\"::1}", "[1 2]", "[1,2", "{a:1}", "{} {}",
		"\"unterminated", "[1,]x",
	};
	struct json j;
	size_t off;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(json_parse(&j, bad[i], strlen(bad[i]), &off) < 0,
			      "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_bad_escapes)
{
	static const char *const bad[] = {
		"\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\q\"",
		"\"\\u12\"",
	};
	struct json j;
	char *s;

	/* jsmn refuses some bad escapes itself; the rest json_string must. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&j, bad[i]))
			continue;
		ck_assert_msg(json_string(&j, 0, &s) == -EINVAL, "%s", bad[i]);
		json_free(&j);
	}
	ck_assert_int_eq(parse(&j, "\"\\ud83d\\ude00\""), 0);
	ck_assert_int_eq(json_string(&j, 0, &s), 0);
	ck_assert_str_eq(s, "\xf0\x9f\x98\x80");
	free(s);
	json_free(&j);
}
END_TEST

START_TEST(test_out_of_range)
{
	struct json j;
	int64_t i;

	ck_assert_int_eq(parse(&j, "[99999999999999999999, 1.5, 1e3]"), 0);
	ck_assert_int_eq(json_int64(&j, 1, &i), -EINVAL);
	ck_assert_int_eq(json_int64(&j, 2, &i), -EINVAL);
	ck_assert_int_eq(json_int64(&j, 3, &i), -EINVAL);
	json_free(&j);
}
END_TEST

START_TEST(test_writer_roundtrip)
{
	struct jbuf b;
	struct json j;
	char *out, *s;
	size_t len;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "id");
	jb_str(&b, "q\"\\\n\x01");
	jb_key(&b, "list");
	jb_arr_begin(&b);
	jb_int(&b, -1);
	jb_uint(&b, 2);
	jb_bool(&b, false);
	jb_null(&b);
	jb_raw(&b, "{\"z\":1}", 7);
	jb_arr_end(&b);
	jb_obj_end(&b);
	out = jb_finish(&b, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "{\"id\":\"q\\\"\\\\\\n\\u0001\","
			 "\"list\":[-1,2,false,null,{\"z\":1}]}");
	ck_assert_int_eq(json_parse(&j, out, len, NULL), 0);
	ck_assert_int_eq(json_string(&j, json_get(&j, 0, "id"), &s), 0);
	ck_assert_str_eq(s, "q\"\\\n\x01");
	free(s);
	json_free(&j);
	free(out);
}
END_TEST

START_TEST(test_writer_unbalanced)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "k");
	ck_assert_ptr_null(jb_finish(&b, NULL));
	jb_arr_end(&b);
	ck_assert_ptr_null(jb_finish(&b, NULL));
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lookup_and_types);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_bad_escapes);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_writer_roundtrip);
	tcase_add_test(tc, test_writer_unbalanced);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(json_suite)
