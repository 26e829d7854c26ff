/* One epoll event loop.  Handlers are registered per fd; evloop_call queues
 * work for the loop thread through an eventfd, so other threads (vCPUs,
 * 9p workers) never touch loop-owned state directly. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/evloop.h"

struct ev_handler {
	int fd;
	ev_fn fn;
	void *opaque;
	struct ev_handler *next;
};

struct ev_call {
	ev_fn fn;
	void *opaque;
	struct ev_call *next;
};

struct evloop {
	int epfd;
	int wakefd;
	bool stop;
	pthread_mutex_t lock;
	struct ev_handler *handlers;	/* freed lazily: see dead */
	struct ev_handler *dead;
	struct ev_call *calls, **calls_tail;
};

static void evloop_wake(struct evloop *l)
{
	uint64_t one = 1;

	if (write(l->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		abort();
}

struct evloop *evloop_new(void)
{
	struct evloop *l = calloc(1, sizeof(*l));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto err_free;
	l->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wakefd < 0)
		goto err_ep;
	ev.data.ptr = NULL;	/* NULL marks the wake fd */
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &ev) < 0)
		goto err_wake;
	pthread_mutex_init(&l->lock, NULL);
	l->calls_tail = &l->calls;
	return l;

err_wake:
	close(l->wakefd);
err_ep:
	close(l->epfd);
err_free:
	free(l);
	return NULL;
}

static void free_list(struct ev_handler *h)
{
	while (h) {
		struct ev_handler *n = h->next;

		free(h);
		h = n;
	}
}

void evloop_free(struct evloop *l)
{
	struct ev_call *c;

	if (!l)
		return;
	free_list(l->handlers);
	free_list(l->dead);
	while ((c = l->calls)) {
		l->calls = c->next;
		free(c);
	}
	close(l->wakefd);
	close(l->epfd);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

int evloop_add(struct evloop *l, int fd, uint32_t events, ev_fn fn,
	       void *opaque)
{
	struct ev_handler *h = calloc(1, sizeof(*h));
	struct epoll_event ev = { .events = events };

	if (!h)
		return -ENOMEM;
	h->fd = fd;
	h->fn = fn;
	h->opaque = opaque;
	ev.data.ptr = h;
	pthread_mutex_lock(&l->lock);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		pthread_mutex_unlock(&l->lock);
		free(h);
		return err;
	}
	h->next = l->handlers;
	l->handlers = h;
	pthread_mutex_unlock(&l->lock);
	return 0;
}

static struct ev_handler **find(struct evloop *l, int fd)
{
	struct ev_handler **p;

	for (p = &l->handlers; *p; p = &(*p)->next)
		if ((*p)->fd == fd)
			return p;
	return NULL;
}

int evloop_mod(struct evloop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	struct ev_handler **p;
	int ret = 0;

	pthread_mutex_lock(&l->lock);
	p = find(l, fd);
	if (!p) {
		ret = -ENOENT;
	} else {
		ev.data.ptr = *p;
		if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
			ret = -errno;
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}

int evloop_del(struct evloop *l, int fd)
{
	struct ev_handler **p, *h;

	pthread_mutex_lock(&l->lock);
	p = find(l, fd);
	if (!p) {
		pthread_mutex_unlock(&l->lock);
		return -ENOENT;
	}
	h = *p;
	*p = h->next;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	/* An event for h may already be in the batch being dispatched:
	 * keep it allocated, but make it inert, until the batch ends. */
	h->fn = NULL;
	h->next = l->dead;
	l->dead = h;
	pthread_mutex_unlock(&l->lock);
	return 0;
}

int evloop_call(struct evloop *l, ev_fn fn, void *opaque)
{
	struct ev_call *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->opaque = opaque;
	pthread_mutex_lock(&l->lock);
	*l->calls_tail = c;
	l->calls_tail = &c->next;
	pthread_mutex_unlock(&l->lock);
	evloop_wake(l);
	return 0;
}

static void run_calls(struct evloop *l)
{
	struct ev_call *c;
	uint64_t n;

	if (read(l->wakefd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&l->lock);
	c = l->calls;
	l->calls = NULL;
	l->calls_tail = &l->calls;
	pthread_mutex_unlock(&l->lock);
	while (c) {
		struct ev_call *next = c->next;

		c->fn(c->opaque, 0);
		free(c);
		c = next;
	}
}

int evloop_run(struct evloop *l)
{
	struct epoll_event evs[32];

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		struct ev_handler *dead;
		int i, n;

		n = epoll_wait(l->epfd, evs, 32, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			struct ev_handler *h = evs[i].data.ptr;
			ev_fn fn;

			if (!h) {
				run_calls(l);
				continue;
			}
			pthread_mutex_lock(&l->lock);
			fn = h->fn;
			pthread_mutex_unlock(&l->lock);
			if (fn)
				fn(h->opaque, evs[i].events);
		}
		pthread_mutex_lock(&l->lock);
		dead = l->dead;
		l->dead = NULL;
		pthread_mutex_unlock(&l->lock);
		free_list(dead);
	}
	return 0;
}

void evloop_stop(struct evloop *l)
{
	__atomic_store_n(&l->stop, true, __ATOMIC_RELEASE);
	evloop_wake(l);
}
