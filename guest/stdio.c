/* A process's stdio: pipes, or a pty created in the guest for a terminal.
 * The agent's ends are non-blocking (they live in its event loop); the
 * child's are blocking, as programs expect. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "guest/agent.h"

static int make_pipe(int fds[2], bool agent_reads)
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fcntl(fds[agent_reads ? 0 : 1], F_SETFL, O_NONBLOCK);
	return 0;
}

static int open_pty(int *master, int *slave)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char name[64];

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (*master < 0)
		return -errno;
	if (grantpt(*master) || unlockpt(*master) ||
	    ptsname_r(*master, name, sizeof(name))) {
		int ret = -errno;

		close(*master);
		return ret;
	}
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		int ret = -errno;

		close(*master);
		return ret;
	}
	/* A usable size until the host sends WINSIZE: programs treat 0x0 as
	 * "not a terminal" (busybox stty fails on it). */
	ioctl(*master, TIOCSWINSZ, &ws);
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void stdio_close_child(struct spawn_io *child)
{
	/* err may be out itself. */
	if (child->err == child->out)
		child->err = -1;
	close_fd(&child->in);
	close_fd(&child->out);
	close_fd(&child->err);
	close_fd(&child->pty_slave);
}

void stdio_close_ends(struct stdio_ends *ends)
{
	close_fd(&ends->in);
	close_fd(&ends->out);
	close_fd(&ends->err);
	close_fd(&ends->pty);
}

static int open_terminal(const struct proc_spec *p, struct spawn_io *child,
			 struct stdio_ends *ends)
{
	int ret = open_pty(&ends->out, &child->pty_slave);

	if (ret)
		return ret;
	/* Separate fds for output, input and resizing, so that each can be
	 * closed on its own. */
	if (p->stdin_open && (ends->in = fcntl(ends->out, F_DUPFD_CLOEXEC, 0)) < 0)
		return -errno;
	ends->pty = fcntl(ends->out, F_DUPFD_CLOEXEC, 0);
	return ends->pty < 0 ? -errno : 0;
}

static int open_pipes(const struct proc_spec *p, bool separate_err,
		      struct spawn_io *child, struct stdio_ends *ends)
{
	int fds[2], ret;

	if (p->stdin_open) {
		if ((ret = make_pipe(fds, false)))
			return ret;
		child->in = fds[0];
		ends->in = fds[1];
	}
	if ((ret = make_pipe(fds, true)))
		return ret;
	child->out = child->err = fds[1];
	ends->out = fds[0];
	if (separate_err) {
		if ((ret = make_pipe(fds, true)))
			return ret;
		child->err = fds[1];
		ends->err = fds[0];
	}
	return 0;
}

int stdio_open(const struct proc_spec *p, bool separate_err,
	       struct spawn_io *child, struct stdio_ends *ends)
{
	int ret;

	*child = (struct spawn_io){ -1, -1, -1, -1 };
	*ends = (struct stdio_ends){ -1, -1, -1, -1 };
	ret = p->terminal ? open_terminal(p, child, ends) :
			    open_pipes(p, separate_err, child, ends);
	if (ret) {
		stdio_close_child(child);
		stdio_close_ends(ends);
	}
	return ret;
}
