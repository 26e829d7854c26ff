/* Container status, derived from the liveness of its processes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "runtime/state.h"

/* Field 3 (state) and field 22 (starttime) of /proc/PID/stat.  The comm
 * field may hold spaces and ')', so fields are counted after the last ')'. */
static int read_stat(pid_t pid, char *state, uint64_t *start)
{
	char path[64], *text, *p;
	unsigned long long v;
	int ret;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	ret = fs_read_file(path, 4096, &text, NULL);
	if (ret)
		return ret == -ENOENT ? -ESRCH : ret;
	p = strrchr(text, ')');
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %*s %*s %*s %*s %llu", state, &v) != 2) {
		free(text);
		return -EIO;
	}
	free(text);
	*start = v;
	return 0;
}

int state_proc_get(pid_t pid, struct kvmc_proc *out)
{
	char st;
	int ret;

	if (pid <= 0)
		return -ESRCH;
	ret = read_stat(pid, &st, &out->start);
	if (ret)
		return ret;
	if (st == 'Z' || st == 'X')
		return -ESRCH;
	out->pid = pid;
	return 0;
}

bool state_proc_alive(const struct kvmc_proc *p)
{
	struct kvmc_proc now;

	/* A zombie has finished (only its parent has not reaped it); a
	 * different start time means the pid now names another process. */
	return p->pid > 0 && !state_proc_get(p->pid, &now) &&
	       now.start == p->start;
}

int state_proc_signal(const struct kvmc_proc *p, int sig)
{
	int pidfd, ret = 0;

	if (p->pid <= 0)
		return -ESRCH;
	pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (pidfd < 0)
		return -errno;
	/* From here the pid cannot be reused: check it is still ours. */
	if (!state_proc_alive(p))
		ret = -ESRCH;
	else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0))
		ret = -errno;
	close(pidfd);
	return ret;
}

enum kvmc_status state_status(const struct kvmc_state *st)
{
	if (!st->shim.pid)
		return state_proc_alive(&st->creator) ? KVMC_CREATING
						      : KVMC_STOPPED;
	if (!state_proc_alive(&st->shim))
		return KVMC_STOPPED;
	if (st->vmm.pid && !state_proc_alive(&st->vmm))
		return KVMC_STOPPED;
	if (st->paused)
		return KVMC_PAUSED;
	return st->started ? KVMC_RUNNING : KVMC_CREATED;
}

int state_expect(struct kvmc_ctx *ctx, const struct kvmc_state *st,
		 enum kvmc_status s, unsigned int allowed, const char *action)
{
	if (allowed & KVMC_ST(s))
		return 0;
	if (s == KVMC_STOPPED)
		return kvmc_err(ctx, EINVAL, "cannot %s container \"%s\": container not running",
				action, st->id);
	return kvmc_err(ctx, EINVAL, "cannot %s container \"%s\": it is %s",
			action, st->id, state_status_name(s));
}

const char *state_status_name(enum kvmc_status s)
{
	static const char *const names[] = {
		[KVMC_CREATING] = "creating", [KVMC_CREATED] = "created",
		[KVMC_RUNNING] = "running", [KVMC_PAUSED] = "paused",
		[KVMC_STOPPED] = "stopped",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s]
								   : "unknown";
}
