/*
 * virtio-9p-pci.  Each request is one descriptor chain: its readable part
 * is the T-message, its writable part receives the R-message.  The
 * chain's iovecs (checked against guest RAM by virtq_pop) go to the p9
 * server as they are, so Tread/Twrite data moves between the file and
 * guest memory with no copy.
 *
 * Threads and locks: requests are popped on vm->loop under the device
 * lock and handed to the server after the lock is dropped (the server's
 * completion lock must never be taken inside the device lock).  They
 * complete on the server's worker threads, which queue them on the done
 * list and wake the loop through an eventfd; the loop pushes a batch to
 * the used ring and interrupts once.  list_lock is innermost: taken under
 * the device lock (pop, push) and under the server's completion lock
 * (req_done), never around either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <linux/virtio_9p.h>
#include <linux/virtio_ids.h>

#include "devices/virtio/9p.h"
#include "devices/virtio/pci.h"
#include "lib/lazymem.h"
#include "lib/log.h"
#include "p9/p9.h"
#include "vmm/vm.h"

#define QUEUE_SIZE	128
#define WORKERS		4
#define PCI_CLASS_9P	0x028000	/* network controller, other */

struct vreq {
	struct p9_req p;
	struct virtio_9p *dev;
	unsigned int gen;		/* dev->gen when popped */
	size_t len;			/* reply length, once done */
	struct vreq *next;		/* free, todo or done list */
	struct virtq_req q;
};

struct virtio_9p {
	struct virtio_pci vp;
	struct p9_server *srv;
	struct vm *vm;
	int wake_fd;			/* eventfd: requests or replies wait */
	unsigned int gen;		/* bumped by reset: old replies drop */
	/* QUEUE_SIZE slots of ~16 KiB (the iovecs of a chain), touched only
	 * when first used: pool[fresh..QUEUE_SIZE) never were, free_list
	 * holds the others that are free (LIFO: the same few are reused).
	 * Under the device lock. */
	struct vreq *pool;
	unsigned int fresh;
	struct vreq *free_list;

	pthread_mutex_t list_lock;	/* todo and done lists */
	struct vreq *todo;		/* popped, not yet submitted (LIFO) */
	struct vreq *done, **done_tail;	/* completed, not yet pushed: FIFO,
					 * since a Tflush's reply must follow
					 * its request's */

	uint8_t cfg[2 + VIRTIO_9P_TAG_MAX];	/* tag_len[2] tag[] */
	char tag[VIRTIO_9P_TAG_MAX + 1];
};

int virtio_9p_parse_share(const char *arg, struct virtio_9p_share *out,
			  char *err, size_t errlen)
{
	const char *eq = strchr(arg, '='), *path;
	size_t taglen, plen;

	memset(out, 0, sizeof(*out));
	if (!eq || eq == arg) {
		snprintf(err, errlen, "expected TAG=PATH[,ro]");
		return -EINVAL;
	}
	taglen = eq - arg;
	if (taglen > VIRTIO_9P_TAG_MAX) {
		snprintf(err, errlen, "the tag is longer than %d bytes",
			 VIRTIO_9P_TAG_MAX);
		return -EINVAL;
	}
	path = eq + 1;
	plen = strlen(path);
	if (plen >= 3 && !strcmp(path + plen - 3, ",ro")) {
		out->ro = true;
		plen -= 3;
	}
	if (!plen) {
		snprintf(err, errlen, "the path is empty");
		return -EINVAL;
	}
	memcpy(out->tag, arg, taglen);
	out->tag[taglen] = '\0';
	out->path = strndup(path, plen);
	if (!out->path) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static struct virtio_9p *dev_of(struct virtio_pci *vp)
{
	return vp->priv;
}

static void config_read(struct virtio_pci *vp, uint32_t off, void *data,
			uint32_t len)
{
	struct virtio_9p *d = dev_of(vp);

	/* off + len <= config_size, checked by the transport. */
	memcpy(data, d->cfg + off, len);
}

static void wake(struct virtio_9p *d)
{
	uint64_t one = 1;

	if (write(d->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("virtio-9p: eventfd: %s", strerror(errno));
}

/* Server thread (or inline in p9_submit): queue it for the loop. */
static void req_done(struct p9_req *p, size_t len)
{
	struct vreq *r = (struct vreq *)p;
	struct virtio_9p *d = r->dev;

	r->len = len;
	r->next = NULL;
	pthread_mutex_lock(&d->list_lock);
	*d->done_tail = r;
	d->done_tail = &r->next;
	pthread_mutex_unlock(&d->list_lock);
	wake(d);
}

/* Loop thread, device lock not held: hand popped requests to the
 * server, in the order they were popped. */
static void submit_todo(struct virtio_9p *d)
{
	struct vreq *r, *rev = NULL;

	pthread_mutex_lock(&d->list_lock);
	r = d->todo;
	d->todo = NULL;
	pthread_mutex_unlock(&d->list_lock);
	while (r) {		/* the list is newest first */
		struct vreq *next = r->next;

		r->next = rev;
		rev = r;
		r = next;
	}
	for (r = rev; r; ) {
		struct vreq *next = r->next;

		p9_submit(d->srv, &r->p);
		r = next;
	}
}

static void queue_notify(struct virtio_pci *vp, unsigned int q);

/* Loop thread: push completed requests and interrupt once. */
static void push_done(struct virtio_9p *d)
{
	struct vreq *r;
	bool pushed = false;

	pthread_mutex_lock(&d->list_lock);
	r = d->done;
	d->done = NULL;
	d->done_tail = &d->done;
	pthread_mutex_unlock(&d->list_lock);

	virtio_pci_lock(&d->vp);
	while (r) {
		struct vreq *next = r->next;
		struct virtq *vq = virtio_pci_vq(&d->vp, 0);

		/* A reply from before a device reset has no ring to go to. */
		if (r->gen == d->gen && vq && vq->ready &&
		    virtio_pci_running(&d->vp)) {
			virtq_push(vq, r->q.head, r->len);
			pushed = true;
		}
		r->next = d->free_list;
		d->free_list = r;
		r = next;
	}
	if (pushed)
		virtio_pci_notify(&d->vp, 0);
	/* Requests left on the ring while every slot was taken (possible
	 * only just after a reset) are taken now. */
	if (virtio_pci_running(&d->vp) && virtio_pci_vq(&d->vp, 0) &&
	    virtio_pci_vq(&d->vp, 0)->ready &&
	    virtq_has_avail(virtio_pci_vq(&d->vp, 0)))
		queue_notify(&d->vp, 0);
	virtio_pci_unlock(&d->vp);
}

static void on_wake(void *opaque, uint32_t events)
{
	struct virtio_9p *d = opaque;
	uint64_t n;

	if (read(d->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("virtio-9p: eventfd: %s", strerror(errno));
	submit_todo(d);
	push_done(d);
}

/* The slot the next request goes into, or NULL if all are taken; it
 * stays free until slot_take.  Device lock held. */
static struct vreq *slot_peek(struct virtio_9p *d)
{
	struct vreq *r;

	if (d->free_list)
		return d->free_list;
	if (d->fresh == QUEUE_SIZE)
		return NULL;
	r = &d->pool[d->fresh];
	r->dev = d;
	return r;
}

static void slot_take(struct virtio_9p *d, struct vreq *r)
{
	if (r == d->free_list)
		d->free_list = r->next;
	else
		d->fresh++;
}

/* Device lock held (the transport's op). */
static void queue_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_9p *d = dev_of(vp);
	struct virtq *vq = virtio_pci_vq(vp, q);
	bool any = false;

	struct vreq *r;

	while (vq && (r = slot_peek(d))) {
		int ret = virtq_pop(vq, &r->q);

		if (ret < 0) {
			log_guest("virtio-9p %s: broken queue", d->tag);
			virtio_pci_needs_reset(vp);
			break;
		}
		if (ret == 0)
			break;
		slot_take(d, r);
		r->gen = d->gen;
		r->p = (struct p9_req){
			.in = r->q.iov, .in_cnt = r->q.nr_rd,
			.out = r->q.iov + r->q.nr_rd, .out_cnt = r->q.nr_wr,
			.done = req_done,
		};
		pthread_mutex_lock(&d->list_lock);
		r->next = d->todo;
		d->todo = r;
		pthread_mutex_unlock(&d->list_lock);
		any = true;
	}
	if (any)
		wake(d);
}

static void reset(struct virtio_pci *vp)
{
	/* In-flight requests finish against guest RAM, which stays mapped,
	 * and are then dropped by push_done. */
	dev_of(vp)->gen++;
}

static const struct virtio_ops ops_9p = {
	.features = 1ULL << VIRTIO_9P_MOUNT_TAG,
	.config_size = sizeof(((struct virtio_9p *)0)->cfg),
	.config_read = config_read,
	.queue_notify = queue_notify,
	.reset = reset,
};

int virtio_9p_new(struct vm *vm, const struct virtio_9p_share *share,
		  struct virtio_9p **out)
{
	struct p9_server_opts o = { .root = share->path, .ro = share->ro,
				    .workers = WORKERS };
	struct virtio_9p *d = calloc(1, sizeof(*d));
	size_t taglen = strlen(share->tag);
	int ret;

	if (!d)
		return -ENOMEM;
	if (!taglen || taglen > VIRTIO_9P_TAG_MAX) {
		free(d);
		return -EINVAL;
	}
	d->vm = vm;
	d->wake_fd = -1;
	d->done_tail = &d->done;
	pthread_mutex_init(&d->list_lock, NULL);
	d->cfg[0] = taglen;
	d->cfg[1] = taglen >> 8;
	memcpy(d->cfg + 2, share->tag, taglen);
	memcpy(d->tag, share->tag, taglen + 1);
	d->pool = lazymem_alloc(QUEUE_SIZE, sizeof(*d->pool));
	if (!d->pool) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = p9_server_new(&o, &d->srv);
	if (ret)
		goto fail;
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = evloop_add(vm->loop, d->wake_fd, EPOLLIN, on_wake, d);
	if (ret)
		goto fail;
	ret = virtio_pci_init(&d->vp, vm, VIRTIO_ID_9P, PCI_CLASS_9P, 1,
			      QUEUE_SIZE, &ops_9p, d);
	if (ret) {
		evloop_del(vm->loop, d->wake_fd);
		goto fail;
	}
	*out = d;
	return 0;
fail:
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	p9_server_free(d->srv);
	pthread_mutex_destroy(&d->list_lock);
	lazymem_free(d->pool, QUEUE_SIZE, sizeof(*d->pool));
	free(d);
	return ret;
}

int virtio_9p_realize(struct virtio_9p *d)
{
	return virtio_pci_register(&d->vp);
}

void virtio_9p_free(struct virtio_9p *d)
{
	if (!d)
		return;
	virtio_pci_free(&d->vp);
	/* Joins the workers: every request submitted has completed after. */
	p9_server_free(d->srv);
	evloop_del(d->vm->loop, d->wake_fd);
	close(d->wake_fd);
	pthread_mutex_destroy(&d->list_lock);
	lazymem_free(d->pool, QUEUE_SIZE, sizeof(*d->pool));
	free(d);
}
