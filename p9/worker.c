/* The worker pool: see worker.h.  A FIFO under one mutex: 9P requests are
 * few and long next to the cost of the lock. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "lib/thread.h"
#include "p9/worker.h"

struct p9_workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct p9_work *head, **tail;
	bool stopping;
	unsigned int nthreads;
	pthread_t threads[];
};

static void *worker_main(void *arg)
{
	struct p9_workers *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct p9_work *w = p->head;

		if (!w) {
			if (p->stopping)
				break;
			pthread_cond_wait(&p->cond, &p->lock);
			continue;
		}
		p->head = w->next;
		if (!p->head)
			p->tail = &p->head;
		pthread_mutex_unlock(&p->lock);
		w->fn(w);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct p9_workers *p9_workers_new(unsigned int nthreads)
{
	struct p9_workers *p;
	unsigned int i;
	int ret;

	if (!nthreads) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p) + nthreads * sizeof(pthread_t));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->tail = &p->head;
	for (i = 0; i < nthreads; i++) {
		ret = thread_start(&p->threads[i], THREAD_STACK_SIZE,
				   worker_main, p);
		if (ret)
			break;
	}
	p->nthreads = i;
	if (i < nthreads) {
		p9_workers_free(p);
		errno = ret;
		return NULL;
	}
	return p;
}

void p9_workers_submit(struct p9_workers *p, struct p9_work *w)
{
	w->next = NULL;
	pthread_mutex_lock(&p->lock);
	*p->tail = w;
	p->tail = &w->next;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void p9_workers_free(struct p9_workers *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}
