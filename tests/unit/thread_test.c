/* unit-deps: lib */
#include <pthread.h>
#include <unistd.h>

#include "lib/thread.h"
#include "tests/unit/unit.h"

struct seen {
	size_t stack, guard;
	int attr_ret;
};

static void *report(void *arg)
{
	struct seen *s = arg;
	pthread_attr_t a;

	s->attr_ret = pthread_getattr_np(pthread_self(), &a);
	if (!s->attr_ret) {
		pthread_attr_getstacksize(&a, &s->stack);
		pthread_attr_getguardsize(&a, &s->guard);
		pthread_attr_destroy(&a);
	}
	return s;
}

static struct seen run_with(size_t size)
{
	struct seen s = { 0 };
	pthread_t t;
	void *ret = NULL;

	ck_assert_int_eq(thread_start(&t, size, report, &s), 0);
	ck_assert_int_eq(pthread_join(t, &ret), 0);
	ck_assert_ptr_eq(ret, &s);
	ck_assert_int_eq(s.attr_ret, 0);
	return s;
}

START_TEST(test_stack_size_and_guard)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct seen s = run_with(THREAD_STACK_SIZE);

	/* glibc reports the size asked for; the default would be 8 MiB. */
	ck_assert_uint_eq(s.stack, THREAD_STACK_SIZE);
	ck_assert_uint_eq(s.guard, page);
}
END_TEST

START_TEST(test_size_rounded_up)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct seen s;

	/* Below the minimum: raised to PTHREAD_STACK_MIN. */
	s = run_with(1);
	ck_assert_uint_ge(s.stack, (size_t)PTHREAD_STACK_MIN);
	ck_assert_uint_lt(s.stack, 2 * (size_t)PTHREAD_STACK_MIN);
	/* Not a page multiple: rounded up to one. */
	s = run_with(THREAD_STACK_SIZE + 1);
	ck_assert_uint_eq(s.stack, THREAD_STACK_SIZE + page);
}
END_TEST

static Suite *thread_suite(void)
{
	Suite *s = suite_create("thread");
	TCase *tc = tcase_create("core");

	/* thread_malloc_tune is not tested here: under ASan, malloc and
	 * mallopt are ASan's, not glibc's.  bench/density measures it. */
	tcase_add_test(tc, test_stack_size_and_guard);
	tcase_add_test(tc, test_size_rounded_up);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(thread_suite)
