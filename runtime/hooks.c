/* Running OCI hooks: fork, exec, state on stdin, output kept, timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/hooks.h"

#define OUTPUT_KEEP 256	/* the end of a failed hook's output, for the error */

struct hook_run {
	pid_t pid;
	int pidfd;
	int in;		/* our end of its stdin: a socket, for MSG_NOSIGNAL */
	int out;	/* its stdout and stderr */
	const char *state;
	size_t state_off, state_len;
	char tail[OUTPUT_KEEP + 1];
	size_t tail_len;
};

static void child(const struct oci_hook *h, int in, int out)
{
	char *const none[] = { NULL };
	char *const self[] = { h->path, NULL };

	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	/* Its own process group: a timeout kills whatever it started too. */
	setpgid(0, 0);
	execve(h->path, h->args.n ? h->args.items : self,
	       h->env.n ? h->env.items : none);
	dprintf(STDERR_FILENO, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

static int spawn(struct hook_run *r, const struct oci_hook *h)
{
	int in[2], out[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		int e = errno;

		close(in[0]);
		close(in[1]);
		return -e;
	}
	r->pid = fork();
	if (r->pid == 0)
		child(h, in[1], out[1]);
	close(in[1]);
	close(out[1]);
	r->in = in[0];
	r->out = out[0];
	if (r->pid < 0)
		return -errno;
	r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	if (r->pidfd < 0)
		return -errno;
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	return 0;
}

static void keep_output(struct hook_run *r, const char *buf, size_t n)
{
	if (n >= OUTPUT_KEEP) {
		memcpy(r->tail, buf + n - OUTPUT_KEEP, OUTPUT_KEEP);
		r->tail_len = OUTPUT_KEEP;
		return;
	}
	if (r->tail_len + n > OUTPUT_KEEP) {
		size_t drop = r->tail_len + n - OUTPUT_KEEP;

		memmove(r->tail, r->tail + drop, r->tail_len - drop);
		r->tail_len -= drop;
	}
	memcpy(r->tail + r->tail_len, buf, n);
	r->tail_len += n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Feeds stdin, drains the output, until the hook exits or the deadline
 * (0: none) passes.  1 when it exited, 0 on timeout, negative errno. */
static int supervise(struct hook_run *r, long long deadline)
{
	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = r->pidfd, .events = POLLIN },
			{ .fd = r->out, .events = POLLIN },
			{ .fd = r->in, .events = POLLOUT },
		};
		int timeout = -1, n;
		char buf[4096];

		if (deadline) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return 0;
			timeout = left > 60000 ? 60000 : (int)left;
		}
		n = poll(fds, r->in >= 0 ? 3 : (r->out >= 0 ? 2 : 1), timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (fds[1].revents) {
			ssize_t got = read(r->out, buf, sizeof(buf));

			if (got > 0) {
				keep_output(r, buf, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				close(r->out);
				r->out = -1;
			}
		}
		if (r->in >= 0 && fds[2].revents) {
			ssize_t w = send(r->in, r->state + r->state_off,
					 r->state_len - r->state_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			/* A hook need not read its stdin. */
			if (w > 0)
				r->state_off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
			    r->state_off == r->state_len) {
				close(r->in);
				r->in = -1;
			}
		}
		/* Exited: its output is read to the end before reporting. */
		if (fds[0].revents && r->out < 0)
			return 1;
		if (fds[0].revents && !fds[1].revents)
			return 1;
	}
}

static void close_run(struct hook_run *r)
{
	if (r->in >= 0)
		close(r->in);
	if (r->out >= 0)
		close(r->out);
	if (r->pidfd >= 0)
		close(r->pidfd);
}

static int run_one(const struct oci_hook *h, const char *phase, size_t idx,
		   const char *state, char *err, size_t errlen)
{
	struct hook_run r = { .pid = -1, .pidfd = -1, .in = -1, .out = -1,
			      .state = state, .state_len = strlen(state) };
	long long deadline = h->timeout ? now_ms() + h->timeout * 1000LL : 0;
	int status = 0, ret;

	ret = spawn(&r, h);
	if (ret) {
		snprintf(err, errlen, "hook %s[%zu] %s: %s", phase, idx, h->path,
			 strerror(-ret));
		if (r.pid > 0) {
			kill(r.pid, SIGKILL);
			waitpid(r.pid, NULL, 0);
		}
		close_run(&r);
		return ret;
	}
	ret = supervise(&r, deadline);
	if (ret <= 0) {
		kill(-r.pid, SIGKILL);
		kill(r.pid, SIGKILL);
	}
	while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR)
		;
	close_run(&r);
	r.tail[r.tail_len] = '\0';
	if (ret == 0) {
		snprintf(err, errlen, "hook %s[%zu] %s: timed out after %d s",
			 phase, idx, h->path, h->timeout);
		return -ETIMEDOUT;
	}
	if (ret < 0) {
		snprintf(err, errlen, "hook %s[%zu] %s: %s", phase, idx, h->path,
			 strerror(-ret));
		return ret;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(err, errlen, "hook %s[%zu] %s: killed by signal %d%s%s",
			 phase, idx, h->path, WTERMSIG(status),
			 r.tail_len ? ": " : "", r.tail);
	else
		snprintf(err, errlen, "hook %s[%zu] %s: exit status %d%s%s",
			 phase, idx, h->path, WEXITSTATUS(status),
			 r.tail_len ? ": " : "", r.tail);
	return -ECANCELED;
}

int hooks_run(const struct oci_hooks_list *list, const char *phase,
	      const char *state_json, char *err, size_t errlen)
{
	for (size_t i = 0; i < list->n; i++) {
		int ret = run_one(&list->items[i], phase, i, state_json, err,
				  errlen);

		if (ret)
			return ret;
	}
	return 0;
}
