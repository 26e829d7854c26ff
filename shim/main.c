/*
 * kvmc-shim: stands for one process of a container on the host.  Its pid
 * is the one containerd and Docker watch; it relays its stdin, stdout and
 * stderr (or its terminal) to the process in the VM through the proxy,
 * forwards the signals it receives, and exits with the process's status.
 *
 *   kvmc-shim --proxy SOCK --container ID --process ID --stdio SEQ
 *             [--stderr SEQ] [--tty] [--ready-fd FD]
 *
 * --ready-fd: one byte is written to FD (then closed) once the proxy
 * accepted the attach, so kvmc may start the process only then.
 *
 * Exit status: the process's (128+N when signal N killed it); 137 when
 * the VM went away without reporting one (as if SIGKILLed); 125 for a
 * shim setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/fdio.h"
#include "lib/hyperstart.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/proxy_proto.h"

#define SHIM_SETUP_FAILED	125
#define SHIM_VM_GONE		137
#define CONNECT_TIMEOUT_MS	30000	/* --connect-timeout's default */

struct shim {
	const char *sock, *container, *process;
	uint64_t stdio, stderr_seq;
	bool tty;
	int fd, sigfd, ready_fd;
	int connect_ms;		/* for the socket to appear and ATTACH's answer */
	bool stdin_open;
};

static void send_hyper(struct shim *s, uint32_t code, const char *json)
{
	uint8_t be[4];

	hyper_put_be32(be, code);
	/* The answer comes back as a PX_RESPONSE and is ignored: a signal
	 * to a process that already ended is not an error for the shim. */
	px_send(s->fd, PX_HYPER, be, 4, json, strlen(json));
}

static void forward_signal(struct shim *s, int sig)
{
	struct winsize ws;
	struct jbuf b;
	char *json;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "container");
	jb_str(&b, s->container);
	jb_key(&b, "process");
	jb_str(&b, s->process);
	if (sig == SIGWINCH) {
		/* 0x0 is no size yet (a console nobody resized): the
		 * guest's pty keeps its own until a real one comes. */
		if (!s->tty || ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) ||
		    (!ws.ws_row && !ws.ws_col))
			goto out;
		jb_key(&b, "row");
		jb_uint(&b, ws.ws_row);
		jb_key(&b, "column");
		jb_uint(&b, ws.ws_col);
	} else {
		jb_key(&b, "signal");
		jb_int(&b, sig);
	}
	jb_obj_end(&b);
	json = jb_finish(&b, NULL);
	if (json)
		send_hyper(s, sig == SIGWINCH ? HYPER_WINSIZE : HYPER_SIGNALPROCESS,
			   json);
	free(json);
	return;
out:
	free(jb_finish(&b, NULL));
}

static int attach(struct shim *s)
{
	struct px_decoder d;
	struct px_frame f;
	struct jbuf b;
	char *json;
	int ret;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "container");
	jb_str(&b, s->container);
	jb_key(&b, "process");
	jb_str(&b, s->process);
	jb_key(&b, "stdio");
	jb_uint(&b, s->stdio);
	jb_key(&b, "stderr");
	jb_uint(&b, s->stderr_seq);
	jb_obj_end(&b);
	json = jb_finish(&b, NULL);
	if (!json)
		return -ENOMEM;
	ret = px_send(s->fd, PX_ATTACH, json, strlen(json), NULL, 0);
	free(json);
	if (ret)
		return ret;
	px_decoder_init(&d);
	ret = px_recv(s->fd, &d, &f, s->connect_ms);
	if (!ret && (f.type != PX_RESPONSE || f.len < 4 ||
		     hyper_get_be32(f.data) != HYPER_ACK))
		ret = -EPROTO;
	px_decoder_free(&d);
	return ret;
}

static void on_stdin(struct shim *s)
{
	uint8_t buf[HYPER_STREAM_CHUNK + 8];
	ssize_t n = read(STDIN_FILENO, buf + 8, HYPER_STREAM_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	px_put_be64(buf, s->stdio);
	if (n <= 0) {		/* EOF (or a terminal hung up) */
		s->stdin_open = false;
		px_send(s->fd, PX_STREAM, buf, 8, NULL, 0);
		return;
	}
	px_send(s->fd, PX_STREAM, buf, 8 + (size_t)n, NULL, 0);
}

/* Returns the exit status once known, or -1. */
static int on_frame(struct shim *s, const struct px_frame *f)
{
	uint64_t seq;

	switch (f->type) {
	case PX_STREAM:
		if (f->len <= 8)
			return -1;	/* EOF: nothing to do */
		seq = px_get_be64(f->data);
		fd_write_all(seq == s->stderr_seq && s->stderr_seq ? STDERR_FILENO :
			  STDOUT_FILENO, f->data + 8, f->len - 8);
		return -1;
	case PX_EXIT:
		return f->len >= 4 ? (int)(hyper_get_be32(f->data) & 0xff) : 255;
	default:
		return -1;
	}
}

static int relay(struct shim *s)
{
	struct px_decoder d;
	int status = -1;

	px_decoder_init(&d);
	while (status < 0) {
		struct pollfd p[3] = {
			{ .fd = s->fd, .events = POLLIN },
			{ .fd = s->sigfd, .events = POLLIN },
			{ .fd = s->stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		struct px_frame f;
		uint8_t buf[65536];

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
				forward_signal(s, (int)si.ssi_signo);
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			on_stdin(s);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(s->fd, buf, sizeof(buf));

			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				status = SHIM_VM_GONE;
				break;
			}
			if (px_feed(&d, buf, (size_t)n)) {
				status = SHIM_VM_GONE;
				break;
			}
			while (status < 0 && px_next(&d, &f))
				status = on_frame(s, &f);
		}
	}
	px_decoder_free(&d);
	return status;
}

static int parse_seq(const char *arg, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 10);
	return errno || *end || end == arg ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "proxy", required_argument, NULL, 'p' },
		{ "container", required_argument, NULL, 'c' },
		{ "process", required_argument, NULL, 'i' },
		{ "stdio", required_argument, NULL, 's' },
		{ "stderr", required_argument, NULL, 'e' },
		{ "tty", no_argument, NULL, 't' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "connect-timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct shim s = { .fd = -1, .ready_fd = -1, .stdin_open = true,
			  .connect_ms = CONNECT_TIMEOUT_MS };
	uint64_t v;
	sigset_t all;
	int c, ret;

	log_init("kvmc-shim", stderr, false, LOG_INFO);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': s.sock = optarg; break;
		case 'c': s.container = optarg; break;
		case 'i': s.process = optarg; break;
		case 's':
			if (parse_seq(optarg, &s.stdio) || !s.stdio) {
				log_error("--stdio: '%s' is not a stream number", optarg);
				return SHIM_SETUP_FAILED;
			}
			break;
		case 'e':
			if (parse_seq(optarg, &s.stderr_seq)) {
				log_error("--stderr: '%s' is not a stream number", optarg);
				return SHIM_SETUP_FAILED;
			}
			break;
		case 't': s.tty = true; break;
		case 'r':
			if (parse_seq(optarg, &v) || v < 3 || v > INT32_MAX) {
				log_error("--ready-fd: '%s' is not a descriptor", optarg);
				return SHIM_SETUP_FAILED;
			}
			s.ready_fd = (int)v;
			fcntl(s.ready_fd, F_SETFD, FD_CLOEXEC);
			break;
		case 'T':
			if (parse_seq(optarg, &v) || !v || v > 86400) {
				log_error("--connect-timeout: '%s' is not a number of seconds (1-86400)", optarg);
				return SHIM_SETUP_FAILED;
			}
			s.connect_ms = (int)v * 1000;
			break;
		default:
			log_error("usage: kvmc-shim --proxy SOCK --container ID --process ID --stdio SEQ [--stderr SEQ] [--tty] [--ready-fd FD] [--connect-timeout SECONDS]");
			return SHIM_SETUP_FAILED;
		}
	}
	if (!s.sock || !s.container || !s.process || !s.stdio) {
		log_error("--proxy, --container, --process and --stdio are required");
		return SHIM_SETUP_FAILED;
	}
	/* Every catchable signal is the process's, read from a signalfd. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigdelset(&all, SIGCHLD);
	sigdelset(&all, SIGPIPE);
	sigdelset(&all, SIGTTIN);
	sigdelset(&all, SIGTTOU);
	s.sigfd = signalfd(-1, &all, SFD_CLOEXEC);
	s.fd = px_connect(s.sock, s.connect_ms);
	if (s.sigfd < 0 || s.fd < 0) {
		log_error("%s: %s", s.sock, strerror(s.fd < 0 ? -s.fd : errno));
		return SHIM_VM_GONE;
	}
	ret = attach(&s);
	if (ret) {
		log_error("%s: attaching to %s/%s: %s", s.sock, s.container,
			  s.process, strerror(-ret));
		return SHIM_VM_GONE;
	}
	if (s.ready_fd >= 0) {
		if (write(s.ready_fd, "1", 1) != 1)
			return SHIM_SETUP_FAILED;	/* kvmc gave up on us */
		close(s.ready_fd);
	}
	if (s.tty)
		forward_signal(&s, SIGWINCH);	/* the initial size */
	return relay(&s);
}
