/*
 * Runs a command as a child subreaper, so that the daemons it leaves
 * behind (a kvmc create's shim) become its children, and logs the end of
 * every process it reaps:
 *   reaper LOG CMD [ARG...]
 * LOG gets one line per reaped process, "PID exit N" or "PID signal N",
 * flushed at once; reaper returns when it has no children left, with
 * CMD's status.  For faults.bats: a shim's exit status after its VMM was
 * killed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status, ret = 127;
	pid_t cmd, pid;
	FILE *log;

	if (argc < 3) {
		fprintf(stderr, "usage: reaper LOG CMD [ARG...]\n");
		return 2;
	}
	log = fopen(argv[1], "a");
	if (!log || prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		perror(argv[1]);
		return 2;
	}
	cmd = fork();
	if (cmd < 0) {
		perror("fork");
		return 2;
	}
	if (cmd == 0) {
		fclose(log);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	while ((pid = wait(&status)) > 0 || errno == EINTR) {
		if (pid <= 0)
			continue;
		if (WIFSIGNALED(status))
			fprintf(log, "%d signal %d\n", pid, WTERMSIG(status));
		else
			fprintf(log, "%d exit %d\n", pid, WEXITSTATUS(status));
		fflush(log);
		if (pid == cmd)
			ret = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
						    WEXITSTATUS(status);
	}
	fclose(log);
	return ret;
}
