/*
 * The syscalls kvmc-vmm makes after setup, by the part that makes them
 * (docs/sandbox.md has the reasoning).  Everything that opens a device,
 * creates a socket, a thread or a VM is done before the filter: none of
 * socket, bind, clone, execve, open of a new path outside the 9p exports'
 * *at calls, mount, ptrace, bpf or KVM_CREATE_* is here.
 */
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>

#include "vmm/seccomp.h"

#define ALLOW(name)		{ __NR_##name, 0, 0 }
#define ALLOW_NOT(name, a, m)	{ __NR_##name, a, m }

static const struct seccomp_rule rules[] = {
	/* Memory: malloc, free, thread stacks at exit; never executable.
	 * madvise(MADV_DONTNEED) also drops the guest's reported free
	 * pages (virtio-balloon). */
	ALLOW_NOT(mmap, 2, PROT_EXEC),
	ALLOW_NOT(mprotect, 2, PROT_EXEC),
	ALLOW(munmap), ALLOW(mremap), ALLOW(madvise), ALLOW(brk),
	/* glibc's malloc counts the CPUs when threads need more arenas. */
	ALLOW(sched_getaffinity),

	/* Threads: locks, sleeps, vCPU kicks (pthread_kill), joins. */
	ALLOW(futex), ALLOW(sched_yield), ALLOW(getpid), ALLOW(gettid),
	ALLOW(tgkill), ALLOW(rt_sigprocmask), ALLOW(rt_sigreturn),
	ALLOW(restart_syscall), ALLOW(clock_gettime), ALLOW(clock_nanosleep),
	ALLOW(nanosleep), ALLOW(exit), ALLOW(exit_group),
	/* The CMOS clock reads the time (the vDSO's when there is one). */
	ALLOW(time), ALLOW(gettimeofday),

	/* The device loop: epoll, eventfds (queue kicks, interrupts, the
	 * 9p completions), the tap, the console, the log. */
	ALLOW(epoll_wait), ALLOW(epoll_pwait), ALLOW(epoll_ctl),
	ALLOW(eventfd2), ALLOW(read), ALLOW(write), ALLOW(readv),
	ALLOW(writev), ALLOW(close), ALLOW(ioctl),
	/* a device's later look at a queue whose kicks it put off */
	ALLOW(timerfd_settime),
	/* The 8250 backs off for a millisecond when its FIFO is full. */
	ALLOW(poll),

	/* The proxy and the console ports' unix sockets (already bound);
	 * the DNS relay's udp socket (connected by the runtime, --dns). */
	ALLOW(accept4), ALLOW(sendto), ALLOW(recvfrom), ALLOW(sendmsg),

	/* The 9p server: *at calls on the O_PATH descriptors it holds, and
	 * /proc/self/fd/N to reopen them (docs/9p.md). */
	ALLOW(openat), ALLOW(newfstatat), ALLOW(fstat), ALLOW(fstatfs),
	ALLOW(fcntl), ALLOW(lseek), ALLOW(getdents64), ALLOW(pread64),
	ALLOW(pwrite64), ALLOW(preadv), ALLOW(pwritev), ALLOW(ftruncate),
	ALLOW(fsync), ALLOW(fdatasync), ALLOW(mkdirat), ALLOW(mknodat),
	ALLOW(symlinkat), ALLOW(linkat), ALLOW(renameat), ALLOW(renameat2),
	ALLOW(unlinkat), ALLOW(fchownat), ALLOW(chmod), ALLOW(utimensat),
	ALLOW(readlinkat), ALLOW(getxattr), ALLOW(listxattr),
	ALLOW(setxattr), ALLOW(removexattr), ALLOW(geteuid),
#ifdef __SANITIZE_ADDRESS__
	/* The unit tests' ASan removes its signal stack as a thread ends. */
	ALLOW(sigaltstack),
#endif
};

static const uint32_t ioctls[] = {
	/* vCPU threads */
	KVM_RUN,
	/* their register dump when the guest stops unexpectedly */
	KVM_GET_REGS, KVM_GET_SREGS, KVM_TRANSLATE,
	/* the guest programs its devices: legacy IRQs, MSI-X routes,
	 * irqfds and ioeventfds come and go while it runs */
	KVM_IRQ_LINE, KVM_SET_GSI_ROUTING, KVM_IRQFD, KVM_IOEVENTFD,
	KVM_SIGNAL_MSI,
	/* ... and the MSI-X tables' coalesced zones follow a moved BAR */
	KVM_REGISTER_COALESCED_MMIO, KVM_UNREGISTER_COALESCED_MMIO,
	/* virtio-net: the offloads the guest negotiates */
	TUNSETOFFLOAD,
	/* the 8250's terminal restored at exit */
	TCSETS,
};

const struct seccomp_allow vmm_seccomp_allow = {
	rules, sizeof(rules) / sizeof(rules[0]),
	ioctls, sizeof(ioctls) / sizeof(ioctls[0]),
};
