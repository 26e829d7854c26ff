/* A container process's host pid, the shim's: the pid file that tells
 * the caller, and waiting for it as an attached caller (lifecycle.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "runtime/fsutil.h"
#include "runtime/lifecycle.h"

int lc_write_pid_file(struct kvmc_ctx *ctx, const char *path, pid_t pid)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%d", pid), ret;

	/* Digits only, no newline: containerd parses it strictly. */
	ret = fs_write_atomic(path, buf, (size_t)n, 0644);
	if (ret)
		return kvmc_err(ctx, -ret, "--pid-file %s: %s", path, strerror(-ret));
	return 0;
}

/* The signals an attached kvmc passes on: all but those it cannot catch,
 * the synchronous ones, and job control, which stays with the terminal. */
static void forwarded(sigset_t *set)
{
	static const int keep[] = {
		SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
		SIGABRT, SIGSYS, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU,
	};

	sigfillset(set);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		sigdelset(set, keep[i]);
}

int lc_wait(pid_t shim)
{
	sigset_t set, old;
	siginfo_t si;
	int status;

	forwarded(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (;;) {
		pid_t r = waitpid(shim, &status, WNOHANG);

		if (r == shim)
			break;
		if (r < 0 && errno != EINTR) {
			status = 255 << 8;
			break;
		}
		if (r == 0 && sigwaitinfo(&set, &si) > 0 &&
		    si.si_signo != SIGCHLD &&
		    /* A terminal signals its whole foreground group, the
		     * shim included: passing that on would double it. */
		    si.si_code != SI_KERNEL)
			kill(shim, si.si_signo);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
