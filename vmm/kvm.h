/* Creating and ending the VM (vmm/kvm.c) and running its vCPUs
 * (vmm/vcpu.c). */
#ifndef KVMC_VMM_KVM_H
#define KVMC_VMM_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/kvm_stats.h"
#include "vmm/vm.h"

struct boot_info;

/* Opens /dev/kvm, checks the API and every capability kvmc relies on,
 * creates the VM with its irqchip, PIT and memory.  0, or -1 with one
 * line in err naming what is missing. */
int vm_create(struct vm *vm, uint64_t mem_size, unsigned int cpus,
	      char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Creates and configures the vCPUs; the boot CPU gets bi's entry state. */
int vcpus_create(struct vm *vm, const struct boot_info *bi, char *err,
		 size_t errlen);
/* Starts the vCPU threads held, as if paused: each has named itself and
 * waits before its first KVM_RUN until vcpus_resume, so that the sandbox
 * (vmm/sandbox.h) is in place before the guest runs.  0 or -errno. */
int vcpus_start(struct vm *vm);
/* Kicks every vCPU out of KVM_RUN and joins the threads. */
void vcpus_stop(struct vm *vm);
/* Pause/resume: vCPUs leave KVM_RUN and wait (kvmc pause). */
void vcpus_pause(struct vm *vm);
void vcpus_resume(struct vm *vm);

/* Blocks until vm_request_exit; returns the status. */
int vm_wait_exit(struct vm *vm);

/* Exit counters for --boot-timing: those that reach userspace, and
 * KVM's own over the vCPUs' lives (kvm_valid: KVM has binary statistics
 * and vm_private.kvm_stats asked for them before vcpus_create). */
struct vm_stats {
	uint64_t io, mmio, hlt, intr, other;
	bool kvm_valid;
	uint64_t kvm[KVM_STATS];
};
void vm_get_stats(struct vm *vm, struct vm_stats *st);

#endif
