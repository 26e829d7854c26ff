/* unit-deps: vmm lib */
/*
 * The filter program run by the kernel: a child installs it, makes an
 * allowed call and a denied one, and must die of SIGSYS (or, in the debug
 * mode, print the syscall number and exit 159).  Needs no KVM.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>

#include "tests/unit/unit.h"
#include "vmm/seccomp.h"

static const struct seccomp_rule small_rules[] = {
	{ __NR_getpid, 0, 0 }, { __NR_write, 0, 0 }, { __NR_exit_group, 0, 0 },
	{ __NR_ioctl, 0, 0 }, { __NR_mmap, 2, PROT_EXEC },
	{ __NR_futex, 0, 0 }, { __NR_nanosleep, 0, 0 },
};
static const uint32_t small_ioctls[] = { TCGETS };
static const struct seccomp_allow small = {
	small_rules, sizeof(small_rules) / sizeof(small_rules[0]),
	small_ioctls, 1,
};

/* Leaves without atexit handlers (the sanitizers' need more syscalls). */
#define EXIT(n)	syscall(__NR_exit_group, (n))

enum probe {
	P_ALLOWED, P_DENIED, P_IOCTL_OK, P_IOCTL_BAD, P_X32, P_MMAP_RW,
	P_MMAP_EXEC, P_THREAD, P_VMM_OK, P_VMM_SOCKET, P_VMM_EXEC,
	P_VMM_KVM_CREATE,
};

static pthread_barrier_t installed;

/* Made before the filter; makes the denied call after it. */
static void *denied_thread(void *arg)
{
	pthread_barrier_wait(&installed);
	syscall(__NR_getppid);
	return arg;
}

static void run_probe(enum probe p)
{
	void *m;

	switch (p) {
	case P_ALLOWED:
		EXIT(syscall(__NR_getpid) > 0 ? 0 : 1);
		break;
	case P_DENIED:
		syscall(__NR_getppid);
		break;
	case P_IOCTL_OK:	/* allowed number: the kernel's own answer */
		EXIT(ioctl(-1, TCGETS, NULL) < 0 && errno == EBADF ? 0 : 1);
		break;
	case P_IOCTL_BAD:
		ioctl(-1, TIOCSTI, "x");
		break;
	case P_X32:
		syscall(0x40000000 | __NR_getpid);
		break;
	case P_MMAP_RW:
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		EXIT(m != MAP_FAILED ? 0 : 1);
		break;
	case P_MMAP_EXEC:
		mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case P_THREAD:
	case P_VMM_OK:
	case P_VMM_SOCKET:
	case P_VMM_EXEC:
	case P_VMM_KVM_CREATE:
		break;
	}
	switch (p) {
	case P_VMM_OK:	/* the vCPU's KVM_RUN, on no vCPU */
		EXIT(ioctl(-1, KVM_RUN, 0) < 0 && errno == EBADF &&
		     syscall(__NR_getpid) > 0 ? 0 : 1);
		break;
	case P_VMM_SOCKET:
		socket(AF_INET, SOCK_STREAM, 0);
		break;
	case P_VMM_EXEC:
		execl("/bin/true", "true", (char *)NULL);
		break;
	case P_VMM_KVM_CREATE:	/* setup-only ioctls are gone too */
		ioctl(-1, KVM_CREATE_VCPU, 0);
		break;
	default:
		break;
	}
	EXIT(42);	/* the denied call came back */
}

/* Forks a child that installs a (trap: debug mode) and runs probe p; its
 * wait status, and in out what it wrote to stderr. */
static int child(const struct seccomp_allow *a, bool trap, enum probe p,
		 char *out, size_t outlen)
{
	int pfd[2], status, ret;
	pthread_t t;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pfd[1], STDERR_FILENO);
		if (p == P_THREAD) {
			struct timespec ts = { 10, 0 };

			pthread_barrier_init(&installed, NULL, 2);
			if (pthread_create(&t, NULL, denied_thread, NULL))
				EXIT(3);
			ret = seccomp_install(a, trap);
			if (ret)
				EXIT(2);
			pthread_barrier_wait(&installed);
			syscall(__NR_nanosleep, &ts, NULL);
			EXIT(42);
		}
		ret = seccomp_install(a, trap);
		if (ret)
			EXIT(2);
		run_probe(p);
		EXIT(43);
	}
	close(pfd[1]);
	n = read(pfd[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

START_TEST(test_program_shape)
{
	struct sock_filter insns[SECCOMP_MAX_INSNS];
	int n = seccomp_build(&small, SECCOMP_RET_KILL_PROCESS, insns);

	ck_assert_int_gt(n, 6);
	/* The architecture is checked first and a mismatch kills. */
	ck_assert_uint_eq(insns[0].k, offsetof(struct seccomp_data, arch));
	ck_assert_uint_eq(insns[2].code, BPF_RET | BPF_K);
	ck_assert_uint_eq(insns[2].k, SECCOMP_RET_KILL_PROCESS);
	/* The last instruction denies what no rule matched. */
	ck_assert_uint_eq(insns[n - 1].k, SECCOMP_RET_KILL_PROCESS);
	n = seccomp_build(&vmm_seccomp_allow, SECCOMP_RET_TRAP, insns);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(insns[n - 1].k, SECCOMP_RET_TRAP);
}
END_TEST

START_TEST(test_too_many_ioctls)
{
	static uint32_t many[200];
	struct sock_filter insns[SECCOMP_MAX_INSNS];
	const struct seccomp_allow a = { small_rules, 4, many, 200 };

	ck_assert_int_eq(seccomp_build(&a, SECCOMP_RET_KILL_PROCESS, insns),
			 -E2BIG);
}
END_TEST

/* Each probe under a filter: a clean exit, or death by SIGSYS. */
static const struct {
	const struct seccomp_allow *allow;
	bool trap;
	enum probe probe;
	bool killed;
} cases[] = {
	{ &small, false, P_ALLOWED, false },
	{ &small, false, P_DENIED, true },
	{ &small, false, P_IOCTL_OK, false },	/* allowed number */
	{ &small, false, P_IOCTL_BAD, true },
	{ &small, true, P_X32, true },		/* never trapped: killed */
	{ &small, false, P_MMAP_RW, false },
	{ &small, false, P_MMAP_EXEC, true },
	{ &small, false, P_THREAD, true },	/* threads made before */
	{ &vmm_seccomp_allow, false, P_VMM_OK, false },
	{ &vmm_seccomp_allow, false, P_VMM_SOCKET, true },
	{ &vmm_seccomp_allow, false, P_VMM_EXEC, true },
	{ &vmm_seccomp_allow, false, P_VMM_KVM_CREATE, true },
	{ &vmm_seccomp_allow, false, P_MMAP_EXEC, true },
};

START_TEST(test_probe)
{
	char out[256];
	int st = child(cases[_i].allow, cases[_i].trap, cases[_i].probe, out,
		       sizeof(out));

	if (cases[_i].killed) {
		ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
			      "case %d: status %#x, not killed by SIGSYS", _i, st);
		ck_assert_msg(!out[0], "case %d: said %s", _i, out);
	} else {
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "case %d: status %#x, not a clean exit", _i, st);
	}
}
END_TEST

/* The debug mode: one line naming the call, then status 159. */
static void assert_trapped(enum probe p, const char *want)
{
	char out[256];
	int st = child(&small, true, p, out, sizeof(out));

	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGSYS,
		      "status %#x", st);
	ck_assert_msg(strstr(out, want), "stderr: %s", out);
}

START_TEST(test_debug_mode_names_the_syscall)
{
	char want[64];

	snprintf(want, sizeof(want), "seccomp: syscall %d denied", __NR_getppid);
	assert_trapped(P_DENIED, want);
	snprintf(want, sizeof(want), "syscall %d (ioctl request 0x%x) denied",
		 __NR_ioctl, (unsigned int)TIOCSTI);
	assert_trapped(P_IOCTL_BAD, want);
}
END_TEST

static Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("filter");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_program_shape);
	tcase_add_test(tc, test_too_many_ioctls);
	tcase_add_loop_test(tc, test_probe, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_debug_mode_names_the_syscall);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(seccomp_suite)
