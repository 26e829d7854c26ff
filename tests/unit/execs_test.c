/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "runtime/exec.h"
#include "tests/unit/unit.h"

START_TEST(test_numbers_and_streams)
{
	struct kvmc_state st = { 0 };
	uint64_t in, err;
	unsigned int a, b;
	char id[32];

	ck_assert_int_eq(execs_next(&st, &a), 0);
	ck_assert_int_eq(execs_next(&st, &b), 0);
	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(b, 2);
	ck_assert_str_eq(state_extra_get(&st, "exec.next"), "3");
	execs_streams(a, &in, &err);
	/* The init has 1 and 2: an exec's never collide with them. */
	ck_assert_uint_eq(in, 3);
	ck_assert_uint_eq(err, 4);
	execs_streams(b, &in, &err);
	ck_assert_uint_eq(in, 5);
	ck_assert_uint_eq(err, 6);
	execs_id(b, id, sizeof(id));
	ck_assert_str_eq(id, "exec-2");
	state_free(&st);
}
END_TEST

START_TEST(test_bad_counter_restarts)
{
	struct kvmc_state st = { 0 };
	unsigned int n;

	ck_assert_int_eq(state_extra_set(&st, "exec.next", "x7"), 0);
	ck_assert_int_eq(execs_next(&st, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(state_extra_set(&st, "exec.next", "1073741824"), 0);
	ck_assert_int_eq(execs_next(&st, &n), -ENOSPC);
	state_free(&st);
}
END_TEST

START_TEST(test_list_in_order_and_prune)
{
	struct kvmc_state st = { 0 };
	struct kvmc_proc me, dead, *v;
	size_t n;

	ck_assert_int_eq(state_proc_get(getpid(), &me), 0);
	/* Our pid with another start time: a reused pid, so not alive. */
	dead = me;
	dead.start++;
	ck_assert_int_eq(execs_set(&st, 10, &me), 0);
	ck_assert_int_eq(execs_set(&st, 2, &dead), 0);
	ck_assert_int_eq(execs_set(&st, 3, &me), 0);
	/* Not exec entries: never listed, never pruned. */
	ck_assert_int_eq(state_extra_set(&st, "exec.next", "11"), 0);
	ck_assert_int_eq(state_extra_set(&st, "exec.0", "1 1"), 0);
	ck_assert_int_eq(state_extra_set(&st, "netns", "/x"), 0);
	ck_assert_int_eq(execs_list(&st, &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(v[0].start, dead.start);	/* exec.2 */
	ck_assert_uint_eq(v[1].start, me.start);
	ck_assert_int_eq(v[2].pid, getpid());
	free(v);
	ck_assert_int_eq(execs_prune(&st), 0);
	ck_assert_int_eq(execs_list(&st, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[0].pid, getpid());
	ck_assert_uint_eq(v[0].start, me.start);
	free(v);
	ck_assert_ptr_null(state_extra_get(&st, "exec.2"));
	ck_assert_str_eq(state_extra_get(&st, "exec.next"), "11");
	ck_assert_str_eq(state_extra_get(&st, "netns"), "/x");
	ck_assert_int_eq(execs_set(&st, 10, NULL), 0);
	ck_assert_int_eq(execs_set(&st, 3, NULL), 0);
	ck_assert_int_eq(execs_list(&st, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	state_free(&st);
}
END_TEST

START_TEST(test_malformed_entries_skipped_and_pruned)
{
	struct kvmc_state st = { 0 };
	struct kvmc_proc *v;
	size_t n;

	/* state.json is ours, but a hand-edited one must not crash ps. */
	ck_assert_int_eq(state_extra_set(&st, "exec.4", "12 x"), 0);
	ck_assert_int_eq(state_extra_set(&st, "exec.5", "-3 9"), 0);
	ck_assert_int_eq(state_extra_set(&st, "exec.6", "7 9 1"), 0);
	ck_assert_int_eq(execs_list(&st, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(execs_prune(&st), 0);
	ck_assert_uint_eq(st.extra.n, 0);
	state_free(&st);
}
END_TEST

static Suite *execs_suite(void)
{
	Suite *s = suite_create("execs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_numbers_and_streams);
	tcase_add_test(tc, test_bad_counter_restarts);
	tcase_add_test(tc, test_list_in_order_and_prune);
	tcase_add_test(tc, test_malformed_entries_skipped_and_pruned);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(execs_suite)
