/* Watching a detached kvmc-vmm end: see vm_watch.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/vm_watch.h"

void vm_exit_describe(pid_t pid, int st, char *buf, size_t len)
{
	buf[0] = '\0';
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		snprintf(buf, len, "kvmc: kvmc-vmm killed by seccomp (SIGSYS): pid %d made a syscall outside its allowlist; vmm_sandbox = debug names it (docs/sandbox.md)",
			 (int)pid);
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "kvmc: kvmc-vmm (pid %d) killed by signal %d (%s)",
			 (int)pid, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st) && WEXITSTATUS(st))
		snprintf(buf, len, "kvmc: kvmc-vmm (pid %d) exited with status %d",
			 (int)pid, WEXITSTATUS(st));
}

int vm_watch(pid_t pid, int log_fd)
{
	char line[512];
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	vm_exit_describe(pid, st, line, sizeof(line) - 1);
	if (line[0]) {
		strcat(line, "\n");
		if (write(log_fd, line, strlen(line)) < 0)
			return -errno;
	}
	return st;
}
