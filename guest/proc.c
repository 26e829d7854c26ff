/* Running container processes: their stdio wired to stream frames, their
 * exit collected from SIGCHLD (signalfd) and reported as
 * PROCESSASYNCEVENT after the EOF of their output streams.  As PID 1 the
 * agent also reaps every orphan. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/evloop.h"
#include "lib/hyperstart.h"
#include "lib/log.h"

#define STDIN_MAX	(1u << 20)	/* buffered stdin per process */

struct proc {
	struct proc *next;
	const struct container *c;
	char *cid, *id;
	pid_t pid;
	bool init;
	bool terminal;
	uint64_t seq_out, seq_err;
	int in_fd, out_fd, err_fd, pty_fd;
	uint8_t *in_buf;
	size_t in_len, in_off;
	bool in_eof;
	bool exited;
	int status;
};

static struct evloop *loop;
static struct proc *procs;
static bool outputs_paused, stdin_paused;
static int sig_fd = -1;

static bool any_stdin_full(void)
{
	for (struct proc *pr = procs; pr; pr = pr->next)
		if (pr->in_len - pr->in_off >= STDIN_MAX)
			return true;
	return false;
}

/* Stdin of the stream channel paused on a full buffer resumes once no
 * buffer is full any more. */
static void stdin_maybe_resume(void)
{
	if (stdin_paused && !any_stdin_full()) {
		log_debug("stdin resumed");
		stdin_paused = false;
		channel_stream_input(true);
	}
}

static void proc_free(struct proc *pr)
{
	struct proc **pp;

	for (pp = &procs; *pp; pp = &(*pp)->next) {
		if (*pp == pr) {
			*pp = pr->next;
			break;
		}
	}
	if (pr->in_fd >= 0) {
		evloop_del(loop, pr->in_fd);
		close(pr->in_fd);
	}
	if (pr->pty_fd >= 0)
		close(pr->pty_fd);
	free(pr->in_buf);
	free(pr->cid);
	free(pr->id);
	free(pr);
	stdin_maybe_resume();
}

/* Exit reported once the process is gone and its outputs reached EOF. */
static void maybe_finish(struct proc *pr)
{
	char *ev;
	size_t len;

	if (!pr->exited || pr->out_fd >= 0 || pr->err_fd >= 0)
		return;
	ev = hyper_proc_event_encode(pr->cid, pr->id, pr->status, &len);
	if (!ev || channel_send_ctl(HYPER_PROCESSASYNCEVENT, ev, len))
		log_error("process %s/%s: exit status %d lost (out of memory)",
			  pr->cid, pr->id, pr->status);
	free(ev);
	proc_free(pr);
}

/* Output EOF: the stream's empty frame, then perhaps the exit event. */
static void close_output(struct proc *pr, int *fd, uint64_t seq)
{
	evloop_del(loop, *fd);
	close(*fd);
	*fd = -1;
	channel_send_stream(seq, NULL, 0);
	maybe_finish(pr);
}

static void pause_outputs(bool pause)
{
	log_debug("process output %s", pause ? "paused" : "resumed");
	outputs_paused = pause;
	for (struct proc *pr = procs; pr; pr = pr->next) {
		if (pr->out_fd >= 0)
			evloop_mod(loop, pr->out_fd, pause ? 0 : EPOLLIN);
		if (pr->err_fd >= 0)
			evloop_mod(loop, pr->err_fd, pause ? 0 : EPOLLIN);
	}
}

void procs_output_resume(void)
{
	if (outputs_paused)
		pause_outputs(false);
}

static void pump_output(struct proc *pr, int *fd, uint64_t seq)
{
	uint8_t buf[HYPER_STREAM_CHUNK];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* A pty master reads EIO once every slave is closed: that is EOF. */
	if (n <= 0) {
		close_output(pr, fd, seq);
		return;
	}
	channel_send_stream(seq, buf, (size_t)n);
	if (channel_stream_full() && !outputs_paused)
		pause_outputs(true);
}

static void out_event(void *opaque, uint32_t events)
{
	struct proc *pr = opaque;

	pump_output(pr, &pr->out_fd, pr->seq_out);
}

static void err_event(void *opaque, uint32_t events)
{
	struct proc *pr = opaque;

	pump_output(pr, &pr->err_fd, pr->seq_err);
}

static void stdin_done(struct proc *pr)
{
	evloop_del(loop, pr->in_fd);
	close(pr->in_fd);
	pr->in_fd = -1;
	pr->in_len = pr->in_off = 0;
}

static void in_flush(struct proc *pr)
{
	while (pr->in_off < pr->in_len) {
		ssize_t n = write(pr->in_fd, pr->in_buf + pr->in_off,
				  pr->in_len - pr->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			/* The process closed its stdin (EPIPE): drop the rest. */
			stdin_done(pr);
			break;
		}
		pr->in_off += (size_t)n;
	}
	if (pr->in_fd >= 0 && pr->in_off == pr->in_len) {
		pr->in_off = pr->in_len = 0;
		if (pr->in_eof && !pr->terminal)
			stdin_done(pr);
	}
	if (pr->in_fd >= 0)
		evloop_mod(loop, pr->in_fd, pr->in_len ? EPOLLOUT : 0);
	stdin_maybe_resume();
}

static void in_event(void *opaque, uint32_t events)
{
	struct proc *pr = opaque;

	/* Reported even when not asked for: the reader is gone. */
	if (events & (EPOLLERR | EPOLLHUP)) {
		stdin_done(pr);
		stdin_maybe_resume();
		return;
	}
	in_flush(pr);
}

void procs_stdin(uint64_t seq, const uint8_t *data, size_t len)
{
	struct proc *pr = proc_by_seq(seq);
	uint8_t *nb;

	/* No such stream, a stderr stream, or stdin closed: dropped. */
	if (!pr || pr->seq_out != seq || pr->in_fd < 0)
		return;
	if (!len) {
		pr->in_eof = true;
		in_flush(pr);
		return;
	}
	nb = realloc(pr->in_buf, pr->in_len + len);
	if (!nb) {
		log_error("stdin of %s/%s: out of memory, data dropped",
			  pr->cid, pr->id);
		return;
	}
	pr->in_buf = nb;
	memcpy(pr->in_buf + pr->in_len, data, len);
	pr->in_len += len;
	if (pr->in_len - pr->in_off >= STDIN_MAX && !stdin_paused) {
		log_debug("stdin paused");
		stdin_paused = true;
		channel_stream_input(false);
	}
	in_flush(pr);
}

static void reap(void *opaque, uint32_t events)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(sig_fd, &si, sizeof(si)) == sizeof(si))
		;
	/* Signals coalesce: reap everything that has exited. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct proc *pr;

		for (pr = procs; pr; pr = pr->next)
			if (pr->pid == pid && !pr->exited)
				break;
		if (!pr)
			continue;	/* an orphan */
		pr->exited = true;
		pr->status = WIFEXITED(status) ? WEXITSTATUS(status) :
			     128 + WTERMSIG(status);
		maybe_finish(pr);
	}
}

int procs_init(struct evloop *l)
{
	sigset_t set;

	loop = l;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_fd < 0)
		return -errno;
	return evloop_add(loop, sig_fd, EPOLLIN, reap, NULL);
}

/* Exec'd processes join the init's pid namespace, which dies with it. */
static bool init_running(const struct container *c)
{
	for (struct proc *pr = procs; pr; pr = pr->next)
		if (pr->c == c && pr->init && !pr->exited)
			return true;
	return false;
}

int proc_start(struct container *c, const struct proc_spec *p, bool init,
	       char *err, size_t errlen)
{
	struct spawn_io io;
	struct stdio_ends ends;
	struct proc *pr;
	pid_t pid;
	int ret;

	if (proc_find(c, p->id)) {
		snprintf(err, errlen, "process %s: already exists", p->id);
		return -EEXIST;
	}
	if (proc_by_seq(p->stdio_seq) || (p->stderr_seq &&
					  proc_by_seq(p->stderr_seq))) {
		snprintf(err, errlen, "process %s: stream already in use", p->id);
		return -EEXIST;
	}
	if (!init && (container_pidns(c) < 0 || !init_running(c))) {
		snprintf(err, errlen, "container %s: its init is not running",
			 container_id(c));
		return -ESRCH;
	}
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return -ENOMEM;
	pr->in_fd = pr->out_fd = pr->err_fd = pr->pty_fd = -1;
	pr->c = c;
	pr->init = init;
	pr->terminal = p->terminal;
	pr->seq_out = p->stdio_seq;
	pr->seq_err = p->terminal ? 0 : p->stderr_seq;
	pr->cid = strdup(container_id(c));
	pr->id = strdup(p->id);
	if (!pr->cid || !pr->id) {
		proc_free(pr);
		return -ENOMEM;
	}
	ret = stdio_open(p, pr->seq_err != 0, &io, &ends);
	if (ret) {
		snprintf(err, errlen, "process %s: stdio: %s", p->id,
			 strerror(-ret));
		proc_free(pr);
		return ret;
	}
	pid = spawn_process(container_root(c), p, &io,
			    init ? -1 : container_pidns(c));
	stdio_close_child(&io);
	if (pid < 0) {
		snprintf(err, errlen, "process %s: fork: %s", p->id,
			 strerror((int)-pid));
		stdio_close_ends(&ends);
		proc_free(pr);
		return (int)pid;
	}
	pr->pid = pid;
	pr->in_fd = ends.in;
	pr->out_fd = ends.out;
	pr->err_fd = ends.err;
	pr->pty_fd = ends.pty;
	if (init) {
		char ns[64];
		int fd;

		/* Kept open: exec'd processes join it even after the init's
		 * /proc entry is gone. */
		snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", (int)pid);
		fd = open(ns, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			log_warn("container %s: pid namespace: %s",
				 container_id(c), strerror(errno));
		else
			container_set_pidns(c, fd);
	}
	pr->next = procs;
	procs = pr;
	evloop_add(loop, pr->out_fd, outputs_paused ? 0 : EPOLLIN, out_event, pr);
	if (pr->err_fd >= 0)
		evloop_add(loop, pr->err_fd, outputs_paused ? 0 : EPOLLIN,
			   err_event, pr);
	if (pr->in_fd >= 0)
		evloop_add(loop, pr->in_fd, 0, in_event, pr);
	return 0;
}

struct proc *proc_find(const struct container *c, const char *id)
{
	for (struct proc *pr = procs; pr; pr = pr->next)
		if (pr->c == c && !strcmp(pr->id, id))
			return pr;
	return NULL;
}

struct proc *proc_by_seq(uint64_t seq)
{
	for (struct proc *pr = procs; pr; pr = pr->next)
		if (pr->seq_out == seq || (pr->seq_err && pr->seq_err == seq))
			return pr;
	return NULL;
}

int proc_signal(struct proc *pr, int sig)
{
	if (pr->exited)
		return -ESRCH;
	return kill(pr->pid, sig) < 0 ? -errno : 0;
}

int procs_signal_container(const struct container *c, int sig, bool all)
{
	int found = 0;

	for (struct proc *pr = procs; pr; pr = pr->next) {
		if (pr->c != c || pr->exited || (!all && !pr->init))
			continue;
		/* Each process leads its own process group (setsid). */
		if (all)
			kill(-pr->pid, sig);
		else
			kill(pr->pid, sig);
		found++;
	}
	return found ? 0 : -ESRCH;
}

bool procs_container_busy(const struct container *c)
{
	for (struct proc *pr = procs; pr; pr = pr->next)
		if (pr->c == c)
			return true;
	return false;
}

int proc_winsize(struct proc *pr, unsigned short row, unsigned short col)
{
	struct winsize ws = { .ws_row = row, .ws_col = col };

	if (!pr->terminal || pr->pty_fd < 0)
		return -ENOTTY;
	return ioctl(pr->pty_fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}
