/* kvmc-vmm's seccomp-bpf allowlist (docs/sandbox.md). */
#ifndef KVMC_VMM_SECCOMP_H
#define KVMC_VMM_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/filter.h>

/* One allowed syscall; with arg_mask, only when none of those bits of
 * argument arg are set (mmap and mprotect: never PROT_EXEC). */
struct seccomp_rule {
	int nr;
	unsigned int arg;
	uint32_t arg_mask;
};

/* What a filter allows.  ioctl (if in rules) is further limited to the
 * request numbers in ioctls. */
struct seccomp_allow {
	const struct seccomp_rule *rules;
	unsigned int nr_rules;
	const uint32_t *ioctls;
	unsigned int nr_ioctls;
};

#define SECCOMP_MAX_INSNS	512

/*
 * Writes the program into insns (room for SECCOMP_MAX_INSNS): any other
 * architecture or an x32 syscall kills the process; a syscall or ioctl
 * outside a gets deny (SECCOMP_RET_KILL_PROCESS or SECCOMP_RET_TRAP).
 * The instruction count, or -E2BIG.
 */
int seccomp_build(const struct seccomp_allow *a, uint32_t deny,
		  struct sock_filter *insns);

/*
 * Installs the filter on every thread of the process (TSYNC), after
 * PR_SET_NO_NEW_PRIVS.  With trap, a violation runs a SIGSYS handler that
 * writes "kvmc-vmm: seccomp: syscall N denied" (and the ioctl request) to
 * stderr and exits with status 159 (128 + SIGSYS).  0 or -errno (-ESRCH:
 * a thread could not be synchronised).
 */
int seccomp_install(const struct seccomp_allow *a, bool trap);

/* What kvmc-vmm does after setup: the vCPUs, the device loop, the 9p
 * workers, the proxy and the teardown. */
extern const struct seccomp_allow vmm_seccomp_allow;

#endif
