/* What vmm/ keeps about a VM beyond what devices see in struct vm. */
#ifndef KVMC_VMM_VM_PRIV_H
#define KVMC_VMM_VM_PRIV_H

#include "vmm/coalesced.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "vmm/vm.h"

#define VM_MAX_GSI	1024	/* routing table size; MSI GSIs from 24 */
#define VM_IOAPIC_PINS	24

struct vcpu;

struct vm_private {
	/* GSI routing: the default IOAPIC/PIC routes plus MSI routes. */
	pthread_mutex_t irq_lock;
	struct kvm_irq_routing *routes;
	uint8_t gsi_used[VM_MAX_GSI / 8];

	/* Ending: the first request wins. */
	pthread_mutex_t exit_lock;
	bool exiting;
	int exit_status;
	int exit_efd;			/* main thread waits on it */

	int nr_vcpus;
	struct vcpu **vcpus;
	int vcpu_mmap_size;

	/* Coalesced MMIO: the ring's page in the vCPUs' mapping (0: KVM
	 * has none, zones are not registered) and the ring, mapped on its
	 * own from vCPU 0 (ring_map, munmap'd with the VM). */
	bool kvm_stats;			/* open each vCPU's statistics */
	int coalesced_page;
	struct coalesced coal;
	void *ring_map;
};

int vm_irq_init(struct vm *vm);
void vm_irq_free(struct vm *vm);

#endif
