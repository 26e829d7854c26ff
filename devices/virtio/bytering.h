/* A fixed-size byte FIFO: the host side of a console port. */
#ifndef KVMC_DEVICES_VIRTIO_BYTERING_H
#define KVMC_DEVICES_VIRTIO_BYTERING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct bytering {
	uint8_t *buf;
	size_t size;		/* power of two */
	size_t head, tail;	/* free-running: used = head - tail */
};

/* size rounded up to a power of two.  0 or -ENOMEM. */
int bytering_init(struct bytering *r, size_t size);
void bytering_free(struct bytering *r);

static inline size_t bytering_used(const struct bytering *r)
{
	return r->head - r->tail;
}

static inline size_t bytering_room(const struct bytering *r)
{
	return r->size - bytering_used(r);
}

/* Copy in or out as much as fits or is there; return the bytes moved. */
size_t bytering_put(struct bytering *r, const void *data, size_t len);
size_t bytering_get(struct bytering *r, void *data, size_t len);

/* In place, for readv/writev-style I/O without a copy through a buffer
 * of one's own.  peek: the used bytes, oldest first, as up to two
 * iovecs; space: the free room likewise; each returns how many iovecs
 * (0 when there is nothing).  consume drops n used bytes, commit makes n
 * bytes written into space used; n is capped at what there is.  The
 * iovecs are valid until the ring is next changed. */
unsigned int bytering_peek(const struct bytering *r, struct iovec iov[2]);
unsigned int bytering_space(const struct bytering *r, struct iovec iov[2]);
void bytering_consume(struct bytering *r, size_t n);
void bytering_commit(struct bytering *r, size_t n);

#endif
