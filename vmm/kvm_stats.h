/* KVM's binary statistics of a vCPU (KVM_GET_STATS_FD, Linux 5.14 on):
 * the counters --boot-timing reports, exits handled inside the kernel
 * among them. */
#ifndef KVMC_VMM_KVM_STATS_H
#define KVMC_VMM_KVM_STATS_H

#include <stdint.h>

/* The counters reported, in this order (KVM's names). */
enum kvm_stat {
	KVM_STAT_EXITS,		/* "exits": every exit, in the kernel or not */
	KVM_STAT_HALT,		/* "halt_exits" */
	KVM_STAT_IRQ,		/* "irq_exits": a host interrupt */
	KVM_STAT_IO,		/* "io_exits": port I/O, to userspace */
	KVM_STAT_MMIO,		/* "mmio_exits": MMIO, to userspace */
	KVM_STAT_EMULATED,	/* "insn_emulation": instructions KVM emulated */
	KVM_STAT_INJECTED,	/* "irq_injections" */
	KVM_STATS
};

extern const char *const kvm_stat_names[KVM_STATS];

/* The vCPU's statistics file, or -errno (KVM without it: -EINVAL). */
int kvm_stats_open(int vcpu_fd);
/* Adds each counter found in the statistics file fd to vals[] (a
 * counter the file lacks adds nothing).  0, or -errno for a file that
 * cannot be read or does not parse. */
int kvm_stats_add(int fd, uint64_t vals[KVM_STATS]);

#endif
