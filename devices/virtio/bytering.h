/* A fixed-size byte FIFO: the host side of a console port. */
#ifndef KVMC_DEVICES_VIRTIO_BYTERING_H
#define KVMC_DEVICES_VIRTIO_BYTERING_H

#include <stddef.h>
#include <stdint.h>

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

#endif
