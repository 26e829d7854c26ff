/* unit-deps: lib */
#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "tests/unit/unit.h"

struct ctx {
	struct evloop *l;
	int pipe[2];
	int reads;
	int calls;
};

static void on_read(void *opaque, uint32_t events)
{
	struct ctx *c = opaque;
	char buf[16];

	ck_assert(events & EPOLLIN);
	ck_assert_int_gt(read(c->pipe[0], buf, sizeof(buf)), 0);
	if (++c->reads == 2)
		evloop_stop(c->l);
}

static void on_call(void *opaque, uint32_t events)
{
	struct ctx *c = opaque;

	c->calls++;
	/* Runs on the loop thread: writing here is seen by on_read next. */
	ck_assert_int_eq(write(c->pipe[1], "y", 1), 1);
}

static void *caller(void *opaque)
{
	struct ctx *c = opaque;

	ck_assert_int_eq(evloop_call(c->l, on_call, c), 0);
	return NULL;
}

START_TEST(test_fd_and_cross_thread_call)
{
	struct ctx c = { 0 };
	pthread_t t;

	c.l = evloop_new();
	ck_assert_ptr_nonnull(c.l);
	ck_assert_int_eq(pipe(c.pipe), 0);
	ck_assert_int_eq(evloop_add(c.l, c.pipe[0], EPOLLIN, on_read, &c), 0);
	ck_assert_int_eq(evloop_add(c.l, c.pipe[0], EPOLLIN, on_read, &c), -EEXIST);
	ck_assert_int_eq(write(c.pipe[1], "x", 1), 1);
	pthread_create(&t, NULL, caller, &c);
	ck_assert_int_eq(evloop_run(c.l), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(c.reads, 2);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(evloop_del(c.l, c.pipe[0]), 0);
	ck_assert_int_eq(evloop_del(c.l, c.pipe[0]), -ENOENT);
	ck_assert_int_eq(evloop_mod(c.l, c.pipe[0], EPOLLIN), -ENOENT);
	evloop_free(c.l);
	close(c.pipe[0]);
	close(c.pipe[1]);
}
END_TEST

struct delctx {
	struct evloop *l;
	int a[2], b[2];
	int fired;
};

/* Both fds are ready in the same batch; the first handler removes the
 * other, whose queued event must then not run. */
static void on_either(void *opaque, uint32_t events)
{
	struct delctx *d = opaque;

	d->fired++;
	evloop_del(d->l, d->a[0]);
	evloop_del(d->l, d->b[0]);
	evloop_stop(d->l);
}

START_TEST(test_delete_in_same_batch)
{
	struct delctx d = { 0 };

	d.l = evloop_new();
	ck_assert_int_eq(pipe(d.a), 0);
	ck_assert_int_eq(pipe(d.b), 0);
	evloop_add(d.l, d.a[0], EPOLLIN, on_either, &d);
	evloop_add(d.l, d.b[0], EPOLLIN, on_either, &d);
	ck_assert_int_eq(write(d.a[1], "x", 1), 1);
	ck_assert_int_eq(write(d.b[1], "x", 1), 1);
	ck_assert_int_eq(evloop_run(d.l), 0);
	ck_assert_int_eq(d.fired, 1);
	evloop_free(d.l);
	close(d.a[0]); close(d.a[1]); close(d.b[0]); close(d.b[1]);
}
END_TEST

static Suite *evloop_suite(void)
{
	Suite *s = suite_create("evloop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fd_and_cross_thread_call);
	tcase_add_test(tc, test_delete_in_same_batch);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(evloop_suite)
