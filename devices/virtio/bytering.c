/* A fixed-size byte FIFO with free-running indices. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/bytering.h"
#include "lib/lazymem.h"

int bytering_init(struct bytering *r, size_t size)
{
	size_t n = 1;

	while (n < size)
		n <<= 1;
	/* Not from malloc: its 256 KiB buffers are mappings of their own,
	 * which merge with their neighbours into one of 2 MiB and more, and
	 * a host with transparent huge pages `always` then fills 2 MiB of
	 * them on one touch (faults.bats saw the VMM's RSS jump by 3 MiB
	 * over a 16 MiB stream).  Pages are touched as the ring fills. */
	r->buf = lazymem_alloc(1, n);
	if (!r->buf)
		return -ENOMEM;
	r->size = n;
	r->head = r->tail = 0;
	return 0;
}

void bytering_free(struct bytering *r)
{
	lazymem_free(r->buf, 1, r->size);
	r->buf = NULL;
	r->size = r->head = r->tail = 0;
}

size_t bytering_put(struct bytering *r, const void *data, size_t len)
{
	size_t off, first;

	if (len > bytering_room(r))
		len = bytering_room(r);
	off = r->head & (r->size - 1);
	first = r->size - off < len ? r->size - off : len;
	memcpy(r->buf + off, data, first);
	memcpy(r->buf, (const uint8_t *)data + first, len - first);
	r->head += len;
	return len;
}

size_t bytering_get(struct bytering *r, void *data, size_t len)
{
	size_t off, first;

	if (len > bytering_used(r))
		len = bytering_used(r);
	off = r->tail & (r->size - 1);
	first = r->size - off < len ? r->size - off : len;
	memcpy(data, r->buf + off, first);
	memcpy((uint8_t *)data + first, r->buf, len - first);
	bytering_consume(r, len);
	return len;
}

/* [from, from + len) of the ring's buffer as up to two iovecs. */
static unsigned int span(const struct bytering *r, size_t from, size_t len,
			 struct iovec iov[2])
{
	size_t off = from & (r->size - 1), first;

	if (!len)
		return 0;
	first = r->size - off < len ? r->size - off : len;
	iov[0].iov_base = r->buf + off;
	iov[0].iov_len = first;
	if (first == len)
		return 1;
	iov[1].iov_base = r->buf;
	iov[1].iov_len = len - first;
	return 2;
}

unsigned int bytering_peek(const struct bytering *r, struct iovec iov[2])
{
	return span(r, r->tail, bytering_used(r), iov);
}

unsigned int bytering_space(const struct bytering *r, struct iovec iov[2])
{
	return span(r, r->head, bytering_room(r), iov);
}

void bytering_consume(struct bytering *r, size_t n)
{
	if (n > bytering_used(r))
		n = bytering_used(r);
	r->tail += n;
	/* Emptied: start again at the front, so that a ring drained as fast
	 * as it fills only ever touches its first pages, not all of them. */
	if (r->tail == r->head)
		r->head = r->tail = 0;
}

void bytering_commit(struct bytering *r, size_t n)
{
	if (n > bytering_room(r))
		n = bytering_room(r);
	r->head += n;
}
