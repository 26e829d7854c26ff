/*
 * Confining kvmc-vmm once it is set up: see sandbox.h and docs/sandbox.md.
 *
 * Mount namespaces, capabilities and no_new_privs belong to a thread, not
 * to the process.  The namespace is made before the first thread (they
 * all inherit it, and pivot_root moves the whole namespace); capabilities
 * are dropped by each thread itself, in a signal handler (glibc does the
 * same for setuid); the seccomp filter reaches every thread through
 * SECCOMP_FILTER_FLAG_TSYNC, which also sets no_new_privs on each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "lib/log.h"
#include "vmm/sandbox.h"
#include "vmm/seccomp.h"

#define CAP(c)		(1ULL << (c))
#define SIGDROP		(SIGRTMIN + 2)
#define THREAD_WAIT_S	10

/* The 9p server acts for the guest's root: owners (Tsetattr, files it
 * creates), files and directories of any mode, set-id bits kept. */
const uint64_t sandbox_keep_caps = CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) |
	CAP(CAP_DAC_READ_SEARCH) | CAP(CAP_FOWNER) | CAP(CAP_FSETID);

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int sandbox_prepare(bool *have_ns, char *err, size_t errlen)
{
	*have_ns = false;
	if (unshare(CLONE_NEWNS)) {
		if (errno != EPERM)
			fail("sandbox: unshare(CLONE_NEWNS): %s", strerror(errno));
		log_warn("sandbox: no mount namespace without CAP_SYS_ADMIN: the host's files stay reachable (docs/sandbox.md)");
		return 0;
	}
	/* Host mounts still reach us until we pivot; ours never reach it. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		fail("sandbox: making / a slave mount: %s", strerror(errno));
	*have_ns = true;
	return 0;
}

/*
 * An empty tmpfs becomes "/" and the host's tree is detached: only what
 * is already open (kernel, initrd, exports, sockets, /dev/kvm, taps)
 * stays reachable.  /proc is a new instance showing only processes
 * (subset=pid) that we may ptrace (hidepid: none, once the capabilities
 * are gone).
 */
static int pivot_empty_root(char *err, size_t errlen)
{
	int fs, mnt;

	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		fail("sandbox: fsopen(tmpfs): %s", strerror(errno));
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "16k", 0) ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0555", 0) ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		close(fs);
		fail("sandbox: creating the tmpfs root: %s", strerror(errno));
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		      MOUNT_ATTR_NOEXEC);
	close(fs);
	if (mnt < 0)
		fail("sandbox: fsmount(tmpfs): %s", strerror(errno));
	if (move_mount(mnt, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) ||
	    fchdir(mnt)) {
		close(mnt);
		fail("sandbox: mounting the tmpfs root: %s", strerror(errno));
	}
	close(mnt);
	if (mkdirat(AT_FDCWD, "proc", 0555))
		fail("sandbox: mkdir /proc in the new root: %s", strerror(errno));
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "hidepid=invisible,subset=pid") &&
	    mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "hidepid=2"))
		fail("sandbox: mounting /proc: %s", strerror(errno));
	if (syscall(SYS_pivot_root, ".", "."))
		fail("sandbox: pivot_root: %s", strerror(errno));
	if (umount2(".", MNT_DETACH))
		fail("sandbox: detaching the host's root: %s", strerror(errno));
	if (chdir("/") ||
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID |
		  MS_NODEV | MS_NOEXEC, NULL))
		fail("sandbox: making the new root read-only: %s", strerror(errno));
	return 0;
}

int sandbox_drop_caps(uint64_t keep)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t prm;
	int cap;

	if (syscall(SYS_capget, &h, d))
		return -errno;
	prm = ((uint64_t)d[1].permitted << 32 | d[0].permitted) & keep;
	/* The bounding set needs CAP_SETPCAP (root); without it the process
	 * had no capabilities to lose, and execve is denied anyway. */
	if (d[0].effective & CAP(CAP_SETPCAP)) {
		for (cap = 0; cap < 64; cap++) {
			if (keep & CAP(cap))
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
				return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -errno;
	memset(d, 0, sizeof(d));
	d[0].permitted = d[0].effective = (uint32_t)prm;
	d[1].permitted = d[1].effective = (uint32_t)(prm >> 32);
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return 0;
}

static sem_t drop_done;
static int drop_err;

static void on_sigdrop(int sig)
{
	int saved = errno, ret = sandbox_drop_caps(sandbox_keep_caps);

	if (ret)
		__atomic_store_n(&drop_err, ret, __ATOMIC_RELAXED);
	sem_post(&drop_done);
	errno = saved;
}

/* Every other thread drops its capabilities itself and says so. */
static int drop_caps_all_threads(char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_sigdrop,
				.sa_flags = SA_RESTART };
	pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
	struct dirent *e;
	struct timespec ts;
	int ret, sent = 0;
	DIR *dir;

	ret = sandbox_drop_caps(sandbox_keep_caps);
	if (ret)
		fail("sandbox: dropping capabilities: %s", strerror(-ret));
	sem_init(&drop_done, 0, 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGDROP, &sa, NULL))
		fail("sandbox: sigaction: %s", strerror(errno));
	dir = opendir("/proc/self/task");
	if (!dir)
		fail("sandbox: /proc/self/task: %s", strerror(errno));
	while ((e = readdir(dir))) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid <= 0 || tid == self)
			continue;
		if (syscall(SYS_tgkill, pid, tid, SIGDROP) == 0)
			sent++;
		else if (errno != ESRCH) {
			closedir(dir);
			fail("sandbox: signalling thread %d: %s", tid, strerror(errno));
		}
	}
	closedir(dir);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += THREAD_WAIT_S;
	for (; sent > 0; sent--)
		while (sem_timedwait(&drop_done, &ts))
			if (errno != EINTR)
				fail("sandbox: %d threads did not drop their capabilities within %d s",
				     sent, THREAD_WAIT_S);
	signal(SIGDROP, SIG_IGN);
	ret = __atomic_load_n(&drop_err, __ATOMIC_RELAXED);
	if (ret)
		fail("sandbox: a thread could not drop its capabilities: %s",
		     strerror(-ret));
	return 0;
}

int sandbox_enter(enum vmm_sandbox mode, bool have_ns, char *err,
		  size_t errlen)
{
	int ret;

	if (mode == SANDBOX_OFF)
		return 0;
	/* No core dump (it would hold the guest's memory), no ptrace by
	 * other users. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		fail("sandbox: PR_SET_DUMPABLE: %s", strerror(errno));
	if (have_ns && pivot_empty_root(err, errlen))
		return -1;
	if (drop_caps_all_threads(err, errlen))
		return -1;
	ret = seccomp_install(&vmm_seccomp_allow, mode == SANDBOX_DEBUG);
	if (ret)
		fail("sandbox: installing the seccomp filter: %s",
		     ret == -ESRCH ? "a thread could not be synchronised" :
		     strerror(-ret));
	return 0;
}
