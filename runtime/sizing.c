/* The VM's memory and vCPUs from the container's resource limits. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/sizing.h"

#define MIB (1ULL << 20)
#define CPUSET_MAX 8192	/* highest CPU number a list may name, + 1 */

static int parse_num(const char **s, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return -EINVAL;
	errno = 0;
	*out = strtoul(*s, &end, 10);
	if (errno || *out >= CPUSET_MAX)
		return -EINVAL;
	*s = end;
	return 0;
}

int sizing_cpuset_count(const char *list)
{
	unsigned long lo, hi;
	const char *s = list;
	int count = 0;

	/* Ranges may overlap ("0-3,2"): count distinct CPUs. */
	unsigned char seen[CPUSET_MAX / 8] = { 0 };

	if (!*s)
		return -EINVAL;
	for (;;) {
		if (parse_num(&s, &lo))
			return -EINVAL;
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_num(&s, &hi) || hi < lo)
				return -EINVAL;
		}
		for (unsigned long c = lo; c <= hi; c++) {
			if (!(seen[c / 8] & (1u << (c % 8))))
				count++;
			seen[c / 8] |= (unsigned char)(1u << (c % 8));
		}
		if (!*s)
			return count;
		if (*s++ != ',')
			return -EINVAL;
	}
}

static unsigned int host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

int sizing_compute(const struct oci_config *cfg, const struct rtconfig *rc,
		   struct vm_size *out, char *err, size_t errlen)
{
	const struct oci_resources *r = &cfg->linux_cfg.resources;
	unsigned int max_vcpus = rc->max_vcpus ? rc->max_vcpus : host_cpus();
	uint64_t mem, vcpus;

	if (r->has_memory_limit) {
		mem = ((uint64_t)r->memory_limit + MIB - 1) / MIB +
		      rc->memory_overhead_mib;
		if (mem < rc->min_memory_mib)
			mem = rc->min_memory_mib;
		if (rc->max_memory_mib && mem > rc->max_memory_mib) {
			snprintf(err, errlen,
				 "config.json: linux.resources.memory.limit: %lld bytes and the %llu MiB overhead exceed max_memory_mib (%llu)",
				 (long long)r->memory_limit,
				 (unsigned long long)rc->memory_overhead_mib,
				 (unsigned long long)rc->max_memory_mib);
			return -EINVAL;
		}
	} else {
		mem = rc->default_memory_mib;
		if (rc->max_memory_mib && mem > rc->max_memory_mib)
			mem = rc->max_memory_mib;
	}

	vcpus = rc->default_vcpus;
	if (r->has_cpu_quota) {
		/* The kernel's default CFS period when none is given. */
		uint64_t period = r->cpu_period ? r->cpu_period : 100000;

		vcpus = ((uint64_t)r->cpu_quota + period - 1) / period;
	}
	if (r->cpu_cpus) {
		int n = sizing_cpuset_count(r->cpu_cpus);

		if (n <= 0) {
			snprintf(err, errlen,
				 "config.json: linux.resources.cpu.cpus: invalid CPU list '%s'",
				 r->cpu_cpus);
			return -EINVAL;
		}
		if (!r->has_cpu_quota || (uint64_t)n < vcpus)
			vcpus = (uint64_t)n;
	}
	/* More vCPUs than host CPUs only adds contention, never capacity. */
	if (vcpus > max_vcpus)
		vcpus = max_vcpus;
	out->memory_mib = mem;
	out->vcpus = (unsigned int)vcpus;
	return 0;
}
