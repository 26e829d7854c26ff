/* Split virtqueues (virtio 1.x): the one place where a descriptor chain
 * from the guest is checked and turned into host iovecs.
 *
 * A device pops a request, reads its readable part (iov[0, nr_rd)) and
 * fills its writable part (iov[nr_rd, nr_rd + nr_wr)), then pushes the
 * head back with the number of bytes written and calls virtq_notify.
 * Every iovec points into guest RAM and was checked by guest_mem_ptr.
 *
 * Not thread-safe: the transport's device lock (virtio_pci_lock) is held
 * around every call.
 */
#ifndef KVMC_DEVICES_VIRTIO_VIRTQUEUE_H
#define KVMC_DEVICES_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

#include "vmm/mem.h"

#define VIRTQ_MAX_SIZE	1024	/* largest queue size a device may offer */
#define VIRTQ_MAX_SEGS	1024	/* descriptors per request, direct + indirect */
#define VIRTQ_NO_VECTOR	0xffff	/* msix_vector: no interrupt */

struct virtq {
	/* Written by the driver through the transport while not ready. */
	uint16_t size;
	uint16_t max_size;	/* what the device offers */
	uint16_t msix_vector;
	uint64_t desc_gpa, avail_gpa, used_gpa;

	/* Set by virtq_start. */
	bool ready;
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool broken;		/* the driver broke the ring: device needs reset */
	const struct guest_mem *mem;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	/* next avail entry the device takes */
	uint16_t used_idx;	/* device's copy of used->idx */
	uint16_t signalled;	/* used_idx at the last interrupt */
	bool pending;		/* used entries not yet signalled */
	uint16_t kick_batch;	/* buffers the driver adds before it kicks
				 * (virtq_kick_after); 1 by default */

	/* Raises the queue's interrupt: set by the transport. */
	void (*interrupt)(void *opaque);
	void *opaque;
};

struct virtq_req {
	uint16_t head;
	unsigned int nr_rd, nr_wr;	/* iov[0, nr_rd) readable, then writable */
	size_t rd_len, wr_len;		/* total bytes of each part */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

/* Back to the state after device reset (size = max_size, no vector). */
void virtq_reset(struct virtq *vq, uint16_t max_size);

/*
 * The driver enabled the queue: checks size (power of two, 1..max) and
 * ring addresses (aligned, inside RAM) and maps the rings.  features is
 * the negotiated feature set.  0, or -EINVAL with a log line.
 */
int virtq_start(struct virtq *vq, const struct guest_mem *mem,
		uint64_t features);

/*
 * Takes the next available chain into req.  Returns 1 with a request, 0
 * when the ring is empty (having asked the driver for a kick when it adds
 * more), -EIO when the ring itself is broken (the device must set
 * DEVICE_NEEDS_RESET).  A malformed chain is completed with length 0 and
 * skipped, with a log line: it costs the guest that request only.
 */
int virtq_pop(struct virtq *vq, struct virtq_req *req);

/* True if the driver has made buffers available that pop would take. */
bool virtq_has_avail(struct virtq *vq);
/* How many (at most the queue size; 0 if not ready or broken). */
uint16_t virtq_avail_count(struct virtq *vq);

/*
 * When the driver should kick next, through EVENT_IDX's avail_event: once
 * it has added n buffers the device has not taken.  1 (the default, and
 * after every reset) is every buffer; n > 1 lets n gather first (at most
 * the queue size); 0 asks for no kick at all, for a queue the device
 * looks at on its own (a receive queue it has nothing for).  Written now
 * and again by every pop that empties the ring.  The driver may add
 * buffers without a kick after this: a caller that needs them looks with
 * virtq_has_avail afterwards.  Without EVENT_IDX the driver kicks at
 * every buffer whatever this says.
 */
void virtq_kick_after(struct virtq *vq, uint16_t n);

/* Returns a request to the driver, len bytes written to its buffers. */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/* Interrupts the driver for pushed requests unless it suppressed it
 * (VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX). */
void virtq_notify(struct virtq *vq);

/* Copies between a request's iovecs and a flat buffer, from byte off of
 * the part; return the bytes copied (short at the end of the part). */
size_t virtq_read(const struct virtq_req *req, size_t off, void *buf,
		  size_t len);
size_t virtq_write(struct virtq_req *req, size_t off, const void *buf,
		   size_t len);

#endif
