/* Watching a detached kvmc-vmm end: see vm_watch.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/vm_watch.h"

#define WATCH_PREFIX	"kvmc: kvmc-vmm "

void vm_exit_describe(pid_t pid, int st, char *buf, size_t len)
{
	buf[0] = '\0';
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		snprintf(buf, len, WATCH_PREFIX "killed by seccomp (SIGSYS): pid %d made a syscall outside its allowlist; vmm_sandbox = debug names it (docs/sandbox.md)",
			 (int)pid);
	else if (WIFSIGNALED(st))
		snprintf(buf, len, WATCH_PREFIX "(pid %d) killed by signal %d (%s)",
			 (int)pid, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st) && WEXITSTATUS(st))
		snprintf(buf, len, WATCH_PREFIX "(pid %d) exited with status %d",
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

bool vm_watch_armed(int fd)
{
	char b;
	ssize_t r;

	do
		r = read(fd, &b, 1);
	while (r < 0 && errno == EINTR);
	return r == 1;
}

int vm_watch_find(const char *path, char *line, size_t len)
{
	char buf[8192], *p, *found = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	off_t end;

	if (fd < 0)
		return -ENOENT;
	/* The watcher writes last: its line is in the log's tail. */
	end = lseek(fd, 0, SEEK_END);
	n = end < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1,
				 end > (off_t)sizeof(buf) - 1 ?
				 end - (off_t)sizeof(buf) + 1 : 0);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, WATCH_PREFIX)); p++)
		if (p == buf || p[-1] == '\n')
			found = p;
	if (!found)
		return -ENOENT;
	found += strlen("kvmc: ");
	snprintf(line, len, "%.*s", (int)strcspn(found, "\n"), found);
	return 0;
}
