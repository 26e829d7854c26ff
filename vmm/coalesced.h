/* KVM's coalesced MMIO: writes to registered zones (the MSI-X tables) are
 * queued by KVM in a ring shared with userspace instead of exiting, and
 * replayed here, in order, before any exit a vCPU takes is handled. */
#ifndef KVMC_VMM_COALESCED_H
#define KVMC_VMM_COALESCED_H

#include <pthread.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "vmm/io.h"

struct coalesced {
	struct kvm_coalesced_mmio_ring *ring;	/* NULL: not in use */
	uint32_t max;				/* entries in the ring */
	pthread_mutex_t lock;			/* one consumer at a time */
	uint64_t replayed, dropped;
};

void coalesced_init(struct coalesced *c);
/* The ring page, ring_bytes long, as KVM shares it (a page of every
 * vCPU's mapping); max is computed from ring_bytes. */
void coalesced_attach(struct coalesced *c, void *ring, size_t ring_bytes);
/* Replays every queued write on bus, oldest first; the number replayed.
 * An entry KVM could not have written here (length 0 or over 8, port
 * I/O, an index past the ring) is dropped with a log line. */
unsigned int coalesced_drain(struct coalesced *c, struct io_bus *bus);
void coalesced_free(struct coalesced *c);

#endif
