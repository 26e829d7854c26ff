/*
 * The container's host cgroup (cgroup v2 only).  create puts the VMM and
 * the init's shim into the cgroup config.json's linux.cgroupsPath names,
 * as Kata puts its sandbox there, so that what the VM costs the host is
 * accounted where containerd and Docker look (the cgroup of the init pid)
 * and limited by the host-side limits (pids, CPU time, cpuset).  delete
 * removes it.  Every function takes the cgroupfs root (CG_MOUNT outside
 * the unit tests), so that a plain directory can stand in for it.
 */
#ifndef KVMC_RUNTIME_CGROUP_H
#define KVMC_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CG_MOUNT	"/sys/fs/cgroup"
/* The controllers create enables on the way down to the container's
 * cgroup, those of them the parent offers. */
#define CG_CONTROLLERS	"cpu", "cpuset", "memory", "pids"

/* Whether root is a cgroup2 (unified) mount. */
bool cg_is_unified(const char *root);

/* The cgroup v2 path of this process ("/user.slice/x.scope"), the "0::"
 * line of /proc/self/cgroup; -ENOENT when there is none. */
int cg_self(char *buf, size_t len);

/*
 * The directory of the container's cgroup for linux.cgroupsPath (NULL or
 * "" when absent), as runc places it:
 *   cgroupfs: "/a/b" -> ROOT/a/b; "a/b" -> ROOT/dirname(OWN)/a/b;
 *             absent -> ROOT/dirname(OWN)/ID;
 *   systemd (--systemd-cgroup): "SLICE:PREFIX:NAME" -> ROOT/<SLICE expanded
 *             as systemd nests slices>/PREFIX-NAME.scope ("a-b.slice" is
 *             a.slice/a-b.slice; an empty SLICE is system.slice; a NAME
 *             ending in .slice is that slice); absent -> system.slice:kvmc:ID.
 * ".." components, and a path that is the root itself, are refused.
 * 0, or -EINVAL with "linux.cgroupsPath: ..." in err.
 */
int cg_resolve(const char *root, const char *own, const char *path,
	       bool systemd, const char *id, char *out, size_t len,
	       char *err, size_t errlen);

/*
 * Makes dir (below root) and its missing parents; in root and in each
 * parent on the way, enables the CG_CONTROLLERS that its cgroup.controllers
 * offers (one at a time, failures ignored: a missing controller shows as a
 * missing file when a limit needs it).  *created: whether dir itself was
 * made here (an existing cgroup is joined, never removed).  0 or -errno
 * with the reason in err.
 */
int cg_make(const char *root, const char *dir, bool *created, char *err,
	    size_t errlen);

/* Reads dir/file (at most len - 1 bytes) into buf, NUL-terminated.  0 or
 * -errno. */
int cg_read(const char *dir, const char *file, char *buf, size_t len);

/* Moves pid (0: the caller) into dir (its cgroup.procs).  0 or -errno. */
int cg_attach(const char *dir, pid_t pid);

/* The limits kvmc applies to the container's cgroup; zero/NULL members
 * leave the file alone (runc's convention). */
struct cg_limits {
	int64_t pids_max;	/* > 0: that many tasks; < 0: "max" */
	bool set_cpu_max;
	int64_t cpu_quota;	/* µs per period, < 0: "max" */
	uint64_t cpu_period;	/* µs, 0: keep the current period */
	uint64_t cpu_weight;	/* 1..10000 */
	const char *cpuset_cpus;
	const char *cpuset_mems;
};

/* runc's conversion of cpu.shares (2..262144) to cpu.weight (1..10000);
 * 0 stays 0. */
uint64_t cg_shares_to_weight(uint64_t shares);

/* Writes the limits; 0, or -errno with "DIR/FILE: why" in err. */
int cg_apply(const char *dir, const struct cg_limits *l, char *err,
	     size_t errlen);

/* The quota and period of dir's cpu.max (quota -1 for "max"). */
int cg_cpu_max(const char *dir, int64_t *quota, uint64_t *period);

/*
 * Removes dir: rmdir, retried for up to timeout_ms while tasks are still
 * leaving it; when kill_left, whatever is still in it after half of that
 * is sent SIGKILL.  A missing dir is success.  0 or -errno.
 */
int cg_remove(const char *dir, int timeout_ms, bool kill_left);

#endif
