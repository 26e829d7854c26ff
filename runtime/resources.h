/*
 * What `kvmc update` is asked to change: runc's LinuxResources JSON
 * (--resources FILE|-) or runc's update flags, checked against the VM as
 * create sized it before anything is applied.  What is applied to the
 * host cgroup and what is refused is documented in docs/cli.md ("update").
 * Zero means "unchanged", as in runc.
 */
#ifndef KVMC_RUNTIME_RESOURCES_H
#define KVMC_RUNTIME_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/cgroup.h"

struct res_update {
	int64_t mem_limit;		/* bytes; -1 unlimited */
	/* Accepted, not applied (docs/cli.md says why). */
	int64_t mem_reservation, mem_swap, mem_kernel, mem_kernel_tcp;
	int64_t cpu_quota;		/* µs; -1 unlimited */
	uint64_t cpu_period, cpu_shares;
	char *cpus, *mems;		/* NULL or "": unchanged */
	int64_t pids_limit;		/* < 0 unlimited */
	/* Refused when set. */
	uint64_t blkio_weight, rt_period;
	int64_t rt_runtime;
	bool has_unified, has_hugepages;
};

/* The VM as create made it (state.json), and the cgroup's current cpu.max. */
struct res_vm {
	int64_t memory_limit;	/* config.json's, bytes; 0 for none */
	uint64_t memory_mib;	/* guest RAM */
	unsigned int vcpus;
	int64_t cur_quota;	/* -1: "max" */
	uint64_t cur_period;	/* 0: unknown (100000 is assumed) */
};

/* A linux.resources object; name heads errors ("--resources r.json:
 * pids.limit: expected an integer").  0 or -errno with err set. */
int res_parse_json(const char *buf, size_t len, const char *name,
		   struct res_update *u, char *err, size_t errlen);
/* One of runc's update flags, by its long name without "--" ("memory",
 * "cpu-quota" ...).  -ENOENT for a flag that is not one, -EINVAL for a
 * bad value (err names the flag). */
int res_set_flag(struct res_update *u, const char *flag, const char *val,
		 char *err, size_t errlen);
/* The runc flag names res_set_flag takes: i = 0, 1, ... until NULL. */
const char *res_flag_name(size_t i);

/* 0 if everything asked can be applied to this VM; otherwise -EINVAL
 * and one line in err naming the first field refused. */
int res_check(const struct res_update *u, const struct res_vm *vm,
	      char *err, size_t errlen);
/* The host cgroup writes for u (after res_check). */
void res_limits(const struct res_update *u, const struct res_vm *vm,
		struct cg_limits *l);
/* Whether u asks for a cgroup write at all. */
bool res_applies(const struct res_update *u);
void res_free(struct res_update *u);

#endif
