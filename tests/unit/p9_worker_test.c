/* unit-deps: p9 lib */
#include <pthread.h>
#include <semaphore.h>

#include "p9/worker.h"
#include "tests/unit/unit.h"

struct job {
	struct p9_work w;
	sem_t *gate;
	int *order, *next;
	pthread_mutex_t *lock;
	int slot;
};

static void job_fn(struct p9_work *w)
{
	struct job *j = (struct job *)w;

	if (j->gate)
		sem_wait(j->gate);
	pthread_mutex_lock(j->lock);
	j->order[j->slot] = (*j->next)++;
	pthread_mutex_unlock(j->lock);
}

START_TEST(test_out_of_order)
{
	struct p9_workers *p = p9_workers_new(2);
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int order[2] = { -1, -1 }, next = 0;
	struct job slow = { .slot = 0, .order = order, .next = &next,
			    .lock = &lock };
	struct job fast = slow;
	sem_t gate;

	ck_assert_ptr_nonnull(p);
	sem_init(&gate, 0, 0);
	slow.gate = &gate;
	fast.slot = 1;
	slow.w.fn = fast.w.fn = job_fn;
	/* The first job blocks; the second still runs, and finishes first. */
	p9_workers_submit(p, &slow.w);
	p9_workers_submit(p, &fast.w);
	for (;;) {
		pthread_mutex_lock(&lock);
		int done = next;
		pthread_mutex_unlock(&lock);
		if (done)
			break;
		sched_yield();
	}
	sem_post(&gate);
	p9_workers_free(p);
	ck_assert_int_eq(order[1], 0);
	ck_assert_int_eq(order[0], 1);
}
END_TEST

START_TEST(test_free_drains)
{
	struct p9_workers *p = p9_workers_new(3);
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct job jobs[500];
	static int order[500];
	int next = 0;

	for (int i = 0; i < 500; i++) {
		jobs[i] = (struct job){ .w.fn = job_fn, .order = order,
					.next = &next, .lock = &lock,
					.slot = i };
		p9_workers_submit(p, &jobs[i].w);
	}
	p9_workers_free(p);
	ck_assert_int_eq(next, 500);
	ck_assert_ptr_null(p9_workers_new(0));
}
END_TEST

static Suite *p9_worker_suite(void)
{
	Suite *s = suite_create("p9_worker");
	TCase *tc = tcase_create("worker");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_free_drains);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(p9_worker_suite)
