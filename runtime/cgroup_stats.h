/*
 * Statistics of the container's host cgroup (cgroup v2), and runc's
 * `events` JSON for them (runc's types.Stats names): one object per line,
 *   {"type":"stats","id":ID,"data":{"cpu":{...},"memory":{...},"pids":{...}}}
 *   {"type":"oom","id":ID}
 * Where each number comes from is in docs/cli.md ("events").
 */
#ifndef KVMC_RUNTIME_CGROUP_STATS_H
#define KVMC_RUNTIME_CGROUP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_RAW_MAX	96	/* memory.stat entries kept */
#define CG_UNLIMITED	UINT64_MAX

struct cg_stats {
	/* cpu.stat, µs */
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t nr_periods, nr_throttled, throttled_usec;
	/* memory.*, bytes; max is CG_UNLIMITED for "max" (or no memory
	 * controller), peak 0 when the kernel has no memory.peak */
	uint64_t mem_current, mem_max, mem_peak;
	uint64_t mem_events_max, oom_kill;	/* memory.events */
	struct { char key[40]; uint64_t val; } raw[CG_RAW_MAX];	/* memory.stat */
	size_t n_raw;
	uint64_t pids_current, pids_max;	/* pids_max 0 for "max" */
};

/* Reads dir's files; a file a controller did not provide leaves its
 * numbers 0.  -ENOENT when dir (or its cpu.stat) is missing. */
int cg_stats_read(const char *dir, struct cg_stats *s);
/* memory.stat's value for key, or 0. */
uint64_t cg_stats_raw(const struct cg_stats *s, const char *key);

/* The lines, malloc'd, without the newline.  guest_ram (bytes, 0 if
 * unknown) is the memory limit reported while memory.max is "max". */
char *cg_stats_json(const char *id, const struct cg_stats *s,
		    uint64_t guest_ram);
char *cg_oom_json(const char *id);

#endif
