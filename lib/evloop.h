/* One epoll loop; callbacks run on the thread that calls evloop_run. */
#ifndef KVMC_LIB_EVLOOP_H
#define KVMC_LIB_EVLOOP_H

#include <stdint.h>

typedef void (*ev_fn)(void *opaque, uint32_t events);

struct evloop;

struct evloop *evloop_new(void);
void evloop_free(struct evloop *l);
/* events: EPOLLIN/EPOLLOUT/...; 0 or -errno.  Safe from any thread. */
int evloop_add(struct evloop *l, int fd, uint32_t events, ev_fn fn,
	       void *opaque);
int evloop_mod(struct evloop *l, int fd, uint32_t events);
int evloop_del(struct evloop *l, int fd);
/* Runs fn(opaque, 0) on the loop thread soon.  Safe from any thread. */
int evloop_call(struct evloop *l, ev_fn fn, void *opaque);
/* Runs until evloop_stop; returns 0 or -errno. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l);

#endif
