/*
 * VM size from the container's limits (docs/cli.md, "Sizing"):
 *   memory: linux.resources.memory.limit rounded up to MiB, plus
 *           memory_overhead_mib (the guest kernel and agent), at least
 *           min_memory_mib; without a limit, default_memory_mib.
 *   vCPUs:  ceil(cpu.quota / cpu.period) when both are set, and at most
 *           the number of CPUs in cpu.cpus when that is set; otherwise
 *           default_vcpus.  Never above max_vcpus (0: the host's CPUs).
 */
#ifndef KVMC_RUNTIME_SIZING_H
#define KVMC_RUNTIME_SIZING_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/oci.h"
#include "runtime/rtconfig.h"

struct vm_size {
	uint64_t memory_mib;
	unsigned int vcpus;
};

/* 0, or -EINVAL with the field at fault in err. */
int sizing_compute(const struct oci_config *cfg, const struct rtconfig *rc,
		   struct vm_size *out, char *err, size_t errlen);
/* Number of CPUs in a cpuset list ("0-3,8,10-11"), or -EINVAL. */
int sizing_cpuset_count(const char *list);

#endif
