/* CPUID for the guest: what KVM supports, normalised per vCPU. */
#ifndef KVMC_VMM_CPUID_H
#define KVMC_VMM_CPUID_H

#include <linux/kvm.h>

/* Rewrites the entries KVM_GET_SUPPORTED_CPUID returned for vCPU id of
 * ncpus: APIC ids, topology leaves, the hypervisor bit. */
void cpuid_normalise(struct kvm_cpuid2 *c, unsigned int id,
		     unsigned int ncpus);

#endif
