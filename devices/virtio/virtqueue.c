/* Split virtqueues: ring access with barriers, EVENT_IDX, and the
 * descriptor-chain walker that checks everything the guest wrote. */
#include <errno.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/virtqueue.h"
#include "lib/log.h"

/* The rings live in guest memory that a vCPU may change at any time:
 * every field is loaded once, and a value checked is the value used. */
static inline uint16_t load16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static inline void store16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

void virtq_reset(struct virtq *vq, uint16_t max_size)
{
	void (*interrupt)(void *) = vq->interrupt;
	void *opaque = vq->opaque;

	memset(vq, 0, sizeof(*vq));
	vq->size = vq->max_size = max_size;
	vq->msix_vector = VIRTQ_NO_VECTOR;
	vq->kick_batch = 1;
	vq->interrupt = interrupt;
	vq->opaque = opaque;
}

int virtq_start(struct virtq *vq, const struct guest_mem *mem,
		uint64_t features)
{
	uint64_t n = vq->size;

	if (n == 0 || n > vq->max_size || (n & (n - 1))) {
		log_guest("virtq: queue size %u is not a power of two up to %u",
			  vq->size, vq->max_size);
		return -EINVAL;
	}
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3)) {
		log_guest("virtq: misaligned rings (desc %#llx avail %#llx used %#llx)",
			  (unsigned long long)vq->desc_gpa,
			  (unsigned long long)vq->avail_gpa,
			  (unsigned long long)vq->used_gpa);
		return -EINVAL;
	}
	/* Rings with their trailing event fields (used_event, avail_event),
	 * which exist in memory whether or not EVENT_IDX is negotiated. */
	vq->desc = guest_mem_ptr(mem, vq->desc_gpa, 16 * n);
	vq->avail = guest_mem_ptr(mem, vq->avail_gpa, 6 + 2 * n);
	vq->used = guest_mem_ptr(mem, vq->used_gpa, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used) {
		log_guest("virtq: rings outside guest RAM");
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return -EINVAL;
	}
	vq->mem = mem;
	vq->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->last_avail = vq->used_idx = vq->signalled = 0;
	vq->pending = false;
	vq->kick_batch = 1;
	vq->broken = false;
	vq->ready = true;
	return 0;
}

static void read_desc(const struct vring_desc *table, uint32_t i,
		      struct vring_desc *d)
{
	memcpy(d, (const char *)table + 16 * (size_t)i, sizeof(*d));
	/* Forces the copy: the compiler may not reload from guest memory. */
	__asm__ __volatile__("" ::: "memory");
}

/*
 * Walks the chain at head into req.  Checks: every buffer inside guest
 * RAM (guest_mem_ptr, overflow included); at most size hops in the ring
 * and table-length hops in an indirect table (so no loop); next indices
 * inside their table; indirect only if negotiated, never nested, never
 * with NEXT, length a non-zero multiple of 16 up to VIRTQ_MAX_SEGS
 * entries; readable buffers before writable ones; at most VIRTQ_MAX_SEGS
 * buffers.  Returns NULL or what was wrong.
 */
static const char *walk_chain(const struct virtq *vq, uint16_t head,
			      struct virtq_req *req)
{
	const struct vring_desc *table = vq->desc;
	uint32_t tsize = vq->size, idx = head, hops = 0;
	bool in_indirect = false;
	struct vring_desc d;
	unsigned int n;
	void *p;

	req->head = head;
	req->nr_rd = req->nr_wr = 0;
	req->rd_len = req->wr_len = 0;
	for (;;) {
		if (++hops > tsize)
			return "chain longer than its table (a loop?)";
		read_desc(table, idx, &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return "indirect descriptor not negotiated";
			if (in_indirect)
				return "indirect table inside an indirect table";
			if (d.flags & VRING_DESC_F_NEXT)
				return "indirect descriptor with NEXT";
			if (d.len == 0 || d.len % 16 ||
			    d.len / 16 > VIRTQ_MAX_SEGS)
				return "bad indirect table length";
			table = guest_mem_ptr(vq->mem, d.addr, d.len);
			if (!table)
				return "indirect table outside guest RAM";
			tsize = d.len / 16;
			idx = 0;
			hops = 0;
			in_indirect = true;
			continue;
		}
		n = req->nr_rd + req->nr_wr;
		if (d.len) {
			p = guest_mem_ptr(vq->mem, d.addr, d.len);
			if (!p)
				return "buffer outside guest RAM";
			if (n == VIRTQ_MAX_SEGS)
				return "too many buffers";
			if (d.flags & VRING_DESC_F_WRITE) {
				req->nr_wr++;
				req->wr_len += d.len;
			} else {
				if (req->nr_wr)
					return "readable buffer after a writable one";
				req->nr_rd++;
				req->rd_len += d.len;
			}
			req->iov[n].iov_base = p;
			req->iov[n].iov_len = d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return NULL;
		idx = d.next;
		if (idx >= tsize)
			return "next index outside the table";
	}
}

static void mark_broken(struct virtq *vq, const char *why)
{
	log_guest("virtq: %s: the device needs a reset", why);
	vq->broken = true;
}

bool virtq_has_avail(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_avail;
}

/*
 * The driver kicks when the buffers it adds move its avail index from old
 * past avail_event (vring_need_event): avail_event = last_avail + n - 1 is
 * a kick at the n-th buffer the device has not taken, and last_avail - 1
 * is behind every index the driver can have, so no kick.
 */
void virtq_kick_after(struct virtq *vq, uint16_t n)
{
	vq->kick_batch = n > vq->size ? vq->size : n;
	if (!vq->ready || vq->broken || !vq->event_idx)
		return;
	store16(&vq->used->ring[vq->size],
		(uint16_t)(vq->last_avail + vq->kick_batch - 1));
	/* Written before the caller looks at the avail index again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint16_t virtq_avail_count(struct virtq *vq)
{
	uint16_t n;

	if (!vq->ready || vq->broken)
		return 0;
	n = (uint16_t)(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) -
		       vq->last_avail);
	return n > vq->size ? vq->size : n;
}

int virtq_pop(struct virtq *vq, struct virtq_req *req)
{
	uint16_t avail_idx, head;
	const char *why;

	if (!vq->ready)
		return 0;
	if (vq->broken)
		return -EIO;
	for (;;) {
		/* Acquire: ring entries are read after the index. */
		avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
		if ((uint16_t)(avail_idx - vq->last_avail) > vq->size) {
			mark_broken(vq, "avail index ran ahead of the queue size");
			return -EIO;
		}
		if (avail_idx == vq->last_avail) {
			if (!vq->event_idx)
				return 0;
			/* Ask for a kick (at the next buffer by default),
			 * then look again: the driver may have added one
			 * before seeing it. */
			store16(&vq->used->ring[vq->size],
				(uint16_t)(vq->last_avail + vq->kick_batch - 1));
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) ==
			    vq->last_avail)
				return 0;
			continue;
		}
		head = load16(&vq->avail->ring[vq->last_avail % vq->size]);
		if (head >= vq->size) {
			mark_broken(vq, "avail ring names a descriptor past the queue");
			return -EIO;
		}
		vq->last_avail++;
		why = walk_chain(vq, head, req);
		if (!why)
			return 1;
		log_guest("virtq: bad descriptor chain at head %u: %s", head, why);
		virtq_push(vq, head, 0);
	}
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e;

	if (!vq->ready)
		return;
	e = &vq->used->ring[vq->used_idx % vq->size];
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
	vq->pending = true;
}

void virtq_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled;
	bool need;

	if (!vq->ready || !vq->pending)
		return;
	/* The used index must be visible before the driver's suppression
	 * fields are read, or both sides may wait for each other. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx)
		need = vring_need_event(load16(&vq->avail->ring[vq->size]),
					vq->used_idx, old);
	else
		need = !(load16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	vq->signalled = vq->used_idx;
	vq->pending = false;
	if (need && vq->interrupt)
		vq->interrupt(vq->opaque);
}

/* Copies between iov[0, n) from byte off and buf; to_iov says which way. */
static size_t iov_copy(const struct iovec *iov, unsigned int n, size_t off,
		       void *buf, size_t len, bool to_iov)
{
	size_t done = 0, k;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		k = iov[i].iov_len - off;
		if (k > len - done)
			k = len - done;
		if (to_iov)
			memcpy((char *)iov[i].iov_base + off, (char *)buf + done, k);
		else
			memcpy((char *)buf + done, (char *)iov[i].iov_base + off, k);
		done += k;
		off = 0;
	}
	return done;
}

size_t virtq_read(const struct virtq_req *req, size_t off, void *buf,
		  size_t len)
{
	return iov_copy(req->iov, req->nr_rd, off, buf, len, false);
}

size_t virtq_write(struct virtq_req *req, size_t off, const void *buf,
		   size_t len)
{
	return iov_copy(req->iov + req->nr_rd, req->nr_wr, off, (void *)buf,
			len, true);
}
