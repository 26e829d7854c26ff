/* CPUID normalisation: the guest sees its own APIC id, a flat topology of
 * ncpus single-threaded cores in one package, and that it is a VM. */
#include "vmm/cpuid.h"

#define CPUID_HYPERVISOR	(1U << 31)	/* leaf 1 ecx */
#define CPUID_HTT		(1U << 28)	/* leaf 1 edx */
#define CPUID_TSC_DEADLINE	(1U << 24)	/* leaf 1 ecx */

static unsigned int bits_for(unsigned int n)
{
	unsigned int b = 0;

	while ((1U << b) < n)
		b++;
	return b;
}

void cpuid_normalise(struct kvm_cpuid2 *c, unsigned int id,
		     unsigned int ncpus)
{
	unsigned int i, core_bits = bits_for(ncpus);

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffff) | id << 24 |
				 (ncpus > 1 ? ncpus : 1) << 16;
			e->ecx |= CPUID_HYPERVISOR | CPUID_TSC_DEADLINE;
			if (ncpus > 1)
				e->edx |= CPUID_HTT;
			else
				e->edx &= ~CPUID_HTT;
			break;
		case 4:		/* Intel: cores per package in eax[31:26] */
			e->eax = (e->eax & 0x03ffffff) |
				 ((ncpus ? ncpus - 1 : 0) & 0x3f) << 26;
			break;
		case 0xb:	/* x2APIC topology: thread level, core level */
			e->edx = id;
			if (e->index == 0) {
				e->eax = 0;
				e->ebx = 1;
				e->ecx = 1 << 8;
			} else if (e->index == 1) {
				e->eax = core_bits;
				e->ebx = ncpus;
				e->ecx = 2 << 8 | 1;
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		case 0x80000008:	/* AMD: ncpus - 1 cores, id size */
			e->ecx = (e->ecx & ~0xf0ffU) | (ncpus - 1) |
				 core_bits << 12;
			break;
		default:
			break;
		}
	}
}
