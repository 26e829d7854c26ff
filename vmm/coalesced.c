/*
 * The coalesced MMIO ring's consumer.  KVM appends an entry at `last` for
 * each write to a zone and, when the ring is full, makes the write an
 * ordinary MMIO exit instead; userspace consumes from `first`.  Every
 * vCPU drains the ring as KVM_RUN returns, so a write that exits (or a
 * read, or a port access) is handled after every write queued before it:
 * the guest sees its posted writes land in order, and a read of the
 * table (Linux reads back after each MSI-X update, as PCI's posted
 * writes require) finds them applied.
 */
#include <string.h>

#include "lib/log.h"
#include "vmm/coalesced.h"

void coalesced_init(struct coalesced *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

void coalesced_attach(struct coalesced *c, void *ring, size_t ring_bytes)
{
	size_t hdr = sizeof(struct kvm_coalesced_mmio_ring);

	if (!ring || ring_bytes <= hdr)
		return;
	c->max = (uint32_t)((ring_bytes - hdr) / sizeof(struct kvm_coalesced_mmio));
	if (c->max < 2)
		return;
	__atomic_store_n(&c->ring, ring, __ATOMIC_RELEASE);
}

unsigned int coalesced_drain(struct coalesced *c, struct io_bus *bus)
{
	struct kvm_coalesced_mmio_ring *r = __atomic_load_n(&c->ring, __ATOMIC_ACQUIRE);
	unsigned int n = 0;
	uint32_t first, last;

	if (!r)
		return 0;
	/* The common case, unlocked: nothing queued. */
	if (__atomic_load_n(&r->first, __ATOMIC_RELAXED) ==
	    __atomic_load_n(&r->last, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&c->lock);
	first = r->first;
	for (;;) {
		struct kvm_coalesced_mmio e;

		last = __atomic_load_n(&r->last, __ATOMIC_ACQUIRE);
		if (first == last)
			break;
		if (first >= c->max || last >= c->max) {
			log_error("coalesced MMIO ring: index %u/%u past its %u entries: ring dropped",
				  first, last, c->max);
			__atomic_store_n(&c->ring, NULL, __ATOMIC_RELEASE);
			break;
		}
		memcpy(&e, &r->coalesced_mmio[first], sizeof(e));
		if (e.len == 0 || e.len > sizeof(e.data) || e.pio) {
			log_error("coalesced MMIO: %s write of %u bytes at %#llx dropped",
				  e.pio ? "port" : "memory", e.len,
				  (unsigned long long)e.phys_addr);
			c->dropped++;
		} else {
			io_bus_dispatch(bus, e.phys_addr, e.data, e.len, true);
			c->replayed++;
			n++;
		}
		first = (first + 1) % c->max;
		__atomic_store_n(&r->first, first, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}

void coalesced_free(struct coalesced *c)
{
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}
