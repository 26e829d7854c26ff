/* unit-deps: lib */
#include <string.h>

#include "lib/log.h"
#include "tests/unit/unit.h"

START_TEST(test_json_escapes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	log_init("t", f, true, LOG_INFO);
	log_error("bad \"field\" at\n%s", "x");
	log_debug("hidden");
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"level\":\"error\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"msg\":\"bad \\\"field\\\" at\\u000ax\""));
	ck_assert_ptr_null(strstr(buf, "hidden"));
	free(buf);
}
END_TEST

START_TEST(test_text_prefix)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	log_init("kvmc-vmm", f, false, LOG_INFO);
	log_warn("queue %d", 3);
	fclose(f);
	ck_assert_str_eq(buf, "kvmc-vmm: warning: queue 3\n");
	free(buf);
}
END_TEST

START_TEST(test_ratelimit)
{
	struct log_ratelimit rl = { 0 };
	int ok = 0;

	for (int i = 0; i < 1000; i++)
		ok += log_ratelimit_ok(&rl);
	/* 1000 calls within at most two one-second windows. */
	ck_assert_int_ge(ok, 10);
	ck_assert_int_le(ok, 20);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_json_escapes);
	tcase_add_test(tc, test_text_prefix);
	tcase_add_test(tc, test_ratelimit);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(log_suite)
