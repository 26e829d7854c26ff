/*
 * A seccomp-bpf allowlist written as a classic BPF program (no libseccomp:
 * the program is a straight list of comparisons short enough to read, see
 * docs/sandbox.md).  Layout:
 *
 *	arch != x86-64            -> kill
 *	nr has the x32 bit        -> kill
 *	nr == rule: [arg check]   -> allow (or deny when the arg check fails)
 *	nr == ioctl: request in list -> allow, else deny
 *	                          -> deny
 *
 * Every comparison that matches returns at once, so no jump is longer
 * than an ioctl block: the 8-bit BPF jump offsets always suffice.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "vmm/seccomp.h"

#define SC_NR		offsetof(struct seccomp_data, nr)
#define SC_ARCH		offsetof(struct seccomp_data, arch)
/* The low 32 bits of an argument (x86-64 is little-endian). */
#define SC_ARG(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#define X32_SYSCALL_BIT	0x40000000U
#define SIGSYS_STATUS	(128 + SIGSYS)

#define EMIT(c, k_, jt_, jf_) do {					\
	if (n >= SECCOMP_MAX_INSNS)					\
		return -E2BIG;						\
	insns[n++] = (struct sock_filter){ (c), (jt_), (jf_), (k_) };	\
} while (0)
#define STMT(c, k)	EMIT(c, k, 0, 0)

int seccomp_build(const struct seccomp_allow *a, uint32_t deny,
		  struct sock_filter *insns)
{
	unsigned int i, n = 0;

	STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARCH);
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	STMT(BPF_LD | BPF_W | BPF_ABS, SC_NR);
	EMIT(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);

	for (i = 0; i < a->nr_rules; i++) {
		const struct seccomp_rule *r = &a->rules[i];

		if (r->nr == __NR_ioctl) {
			unsigned int len = 2 * a->nr_ioctls + 2, j;

			if (len > 255)
				return -E2BIG;
			EMIT(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, len);
			STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARG(1));
			for (j = 0; j < a->nr_ioctls; j++) {
				EMIT(BPF_JMP | BPF_JEQ | BPF_K, a->ioctls[j], 0, 1);
				STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
			}
			STMT(BPF_RET | BPF_K, deny);
		} else if (r->arg_mask) {
			if (r->arg > 5)
				return -EINVAL;
			EMIT(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, 4);
			STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARG(r->arg));
			EMIT(BPF_JMP | BPF_JSET | BPF_K, r->arg_mask, 1, 0);
			STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
			STMT(BPF_RET | BPF_K, deny);
		} else {
			EMIT(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, 1);
			STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		}
	}
	STMT(BPF_RET | BPF_K, deny);
	return (int)n;
}

/* Async-signal-safe: digits of v in base 10 or 16 into the end of buf. */
static char *fmt_u64(char *end, uint64_t v, unsigned int base)
{
	*--end = '\0';
	do {
		*--end = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return end;
}

static size_t append(char *buf, size_t at, size_t len, const char *s)
{
	while (*s && at < len)
		buf[at++] = *s++;
	return at;
}

/*
 * The debug mode's SIGSYS handler: one line on stderr with write(2),
 * then exit_group: both are in every allowlist.
 */
static void on_sigsys(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	char line[160], num[24];
	size_t at = 0;

	at = append(line, at, sizeof(line), "kvmc-vmm: seccomp: syscall ");
	at = append(line, at, sizeof(line),
		    fmt_u64(num + sizeof(num), (uint64_t)si->si_syscall, 10));
	if (si->si_syscall == __NR_ioctl) {
		at = append(line, at, sizeof(line), " (ioctl request 0x");
		at = append(line, at, sizeof(line),
			    fmt_u64(num + sizeof(num),
				    (uint32_t)uc->uc_mcontext.gregs[REG_RSI], 16));
		at = append(line, at, sizeof(line), ")");
	}
	at = append(line, at, sizeof(line),
		    " denied (see docs/sandbox.md); exiting\n");
	if (write(STDERR_FILENO, line, at) < 0)
		at = 0;
	syscall(__NR_exit_group, SIGSYS_STATUS);
}

int seccomp_install(const struct seccomp_allow *a, bool trap)
{
	struct sock_filter insns[SECCOMP_MAX_INSNS];
	struct sock_fprog prog;
	long ret;
	int n;

	n = seccomp_build(a, trap ? SECCOMP_RET_TRAP : SECCOMP_RET_KILL_PROCESS,
			  insns);
	if (n < 0)
		return n;
	if (trap) {
		struct sigaction sa = { .sa_sigaction = on_sigsys,
					.sa_flags = SA_SIGINFO };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL))
			return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	prog.len = (unsigned short)n;
	prog.filter = insns;
	ret = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		      SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (ret < 0)
		return -errno;
	/* TSYNC returns the id of a thread it could not synchronise. */
	return ret > 0 ? -ESRCH : 0;
}
