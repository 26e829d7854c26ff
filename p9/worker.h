/* A bounded pool of threads for blocking 9P calls: jobs run in any order
 * on any of the threads, so one slow fsync does not hold up the rest. */
#ifndef KVMC_P9_WORKER_H
#define KVMC_P9_WORKER_H

struct p9_work {
	void (*fn)(struct p9_work *w);
	struct p9_work *next;		/* private to the pool */
};

struct p9_workers;

/* nthreads >= 1.  NULL and errno set on failure. */
struct p9_workers *p9_workers_new(unsigned int nthreads);
/* Queues w; w->fn runs later on a pool thread.  Never blocks. */
void p9_workers_submit(struct p9_workers *p, struct p9_work *w);
/* Runs every queued job, then joins the threads. */
void p9_workers_free(struct p9_workers *p);

#endif
