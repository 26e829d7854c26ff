/* unit-deps: runtime lib */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "runtime/state.h"
#include "tests/unit/unit.h"

START_TEST(test_runc_json)
{
	struct oci_kv kv[] = { { "k", "v" } };
	struct kvmc_state st = {
		.id = "j", .bundle = "/bundle", .rootfs = "/bundle/rootfs",
		.created = "2026-01-02T03:04:05.000000006Z", .owner = "root",
		.annotations = { kv, 1 },
	};
	struct json j;
	char *text, *s;
	int64_t pid;

	state_proc_get(getpid(), &st.shim);
	text = state_to_runc_json(&st, KVMC_RUNNING);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(json_parse(&j, text, strlen(text), NULL), 0);
	ck_assert(json_eq(&j, json_get(&j, 0, "ociVersion"), OCI_VERSION));
	ck_assert(json_eq(&j, json_get(&j, 0, "id"), "j"));
	ck_assert(json_eq(&j, json_get(&j, 0, "status"), "running"));
	ck_assert(json_eq(&j, json_get(&j, 0, "bundle"), "/bundle"));
	ck_assert(json_eq(&j, json_get(&j, 0, "rootfs"), "/bundle/rootfs"));
	ck_assert(json_eq(&j, json_get(&j, 0, "created"), st.created));
	ck_assert(json_eq(&j, json_get(&j, json_get(&j, 0, "annotations"), "k"), "v"));
	ck_assert_int_eq(json_string(&j, json_get(&j, 0, "owner"), &s), 0);
	ck_assert_str_eq(s, st.owner);
	free(s);
	ck_assert_int_eq(json_int64(&j, json_get(&j, 0, "pid"), &pid), 0);
	ck_assert_int_eq(pid, getpid());
	json_free(&j);
	free(text);
	/* Stopped: pid 0, as runc. */
	text = state_to_runc_json(&st, KVMC_STOPPED);
	ck_assert_ptr_nonnull(strstr(text, "\"pid\":0,"));
	free(text);
	/* No annotations: the member is left out, as runc does. */
	st.annotations.n = 0;
	text = state_to_runc_json(&st, KVMC_CREATED);
	ck_assert_ptr_null(strstr(text, "annotations"));
	ck_assert_ptr_nonnull(strstr(text, "\"status\":\"created\""));
	free(text);
}
END_TEST

START_TEST(test_roundtrip)
{
	struct oci_kv ann[] = { { "a", "1" }, { "b\"", "\n" } };
	struct oci_kv extra[] = { { "tty", "1" } };
	struct kvmc_state st = {
		.id = "x", .bundle = "/b", .rootfs = "/b/r",
		.created = "2026-01-02T03:04:05.000000006Z", .owner = "me",
		.creator = { 1, 2 }, .shim = { 3, 4 }, .vmm = { 5, 6 },
		.started = true, .paused = true,
		.annotations = { ann, 2 }, .extra = { extra, 1 },
	};
	struct kvmc_state back;
	const char *field;
	size_t len;
	char *text = state_encode(&st, &len);

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_int_eq(state_decode(text, len, &back, &field), 0);
	ck_assert_str_eq(back.id, "x");
	ck_assert_str_eq(back.rootfs, "/b/r");
	ck_assert_str_eq(back.owner, "me");
	ck_assert_int_eq(back.creator.pid, 1);
	ck_assert_uint_eq(back.vmm.start, 6);
	ck_assert(back.started && back.paused);
	ck_assert_uint_eq(back.annotations.n, 2);
	ck_assert_str_eq(back.annotations.items[1].key, "b\"");
	ck_assert_str_eq(back.annotations.items[1].value, "\n");
	ck_assert_str_eq(state_extra_get(&back, "tty"), "1");
	state_free(&back);
	free(text);
}
END_TEST

/* Each member is checked: a damaged file names the one at fault. */
START_TEST(test_decode_errors)
{
	static const struct {
		const char *text;
		const char *field;
	} bad[] = {
		{ "{", "" },
		{ "{}", "id" },
		{ "{\"id\":1}", "id" },
		{ "{\"id\":\"x\"}", "created" },
		{ "{\"id\":\"x\",\"created\":\"c\",\"bundle\":\"/b\","
		  "\"rootfs\":\"/r\",\"owner\":\"o\",\"creator\":{\"pid\":-1,\"start\":0}}",
		  "creator" },
		{ "{\"id\":\"x\",\"created\":\"c\",\"bundle\":\"/b\","
		  "\"rootfs\":\"/r\",\"owner\":\"o\",\"creator\":{\"pid\":1,\"start\":0},"
		  "\"shim\":{\"pid\":1,\"start\":0},\"vmm\":{\"pid\":1,\"start\":0},"
		  "\"started\":false,\"paused\":false,\"annotations\":{\"a\":1}}",
		  "annotations" },
	};
	struct kvmc_state st;
	const char *field;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_lt(state_decode(bad[i].text, strlen(bad[i].text),
					      &st, &field), 0);
		ck_assert_str_eq(field, bad[i].field);
		ck_assert_ptr_null(st.bundle);
	}
}
END_TEST

/* Whatever a damaged state.json holds, decoding fails cleanly or yields a
 * complete state (ASan and LeakSanitizer watch). */
START_TEST(test_mutations)
{
	struct oci_kv ann[] = { { "a", "1" } };
	struct kvmc_state st = {
		.id = "x", .bundle = "/b", .rootfs = "/b/r",
		.created = "2026-01-02T03:04:05.000000006Z", .owner = "me",
		.shim = { 3, 4 }, .annotations = { ann, 1 },
	};
	unsigned int seed = 7;
	size_t len;
	char *base = state_encode(&st, &len), *buf = malloc(len + 1);

	for (int i = 0; i < 20000; i++) {
		struct kvmc_state back;
		const char *field;
		size_t at = (size_t)rand_r(&seed) % len, n = len;

		memcpy(buf, base, len);
		if (rand_r(&seed) % 2)
			buf[at] = "{}[]\",:0a-"[rand_r(&seed) % 11];
		else
			n = at;
		if (state_decode(buf, n, &back, &field) == 0) {
			ck_assert_ptr_nonnull(back.bundle);
			ck_assert_ptr_nonnull(back.owner);
			state_free(&back);
		}
	}
	free(buf);
	free(base);
}
END_TEST

static Suite *state_json_suite(void)
{
	Suite *s = suite_create("state_json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_runc_json);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_decode_errors);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(state_json_suite)
