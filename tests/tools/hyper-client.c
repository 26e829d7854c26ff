/* tool-deps: lib */
/*
 * hyper-client: drives a guest agent over the two hyperstart channels
 * exposed as unix sockets (kvmc-vmm --port NAME=unix:PATH, or QEMU's
 * socket chardevs).  Reads a script from stdin, one step a line:
 *
 *   ready                   wait for READY
 *   ack NAME [JSON]         send command NAME (or its number), expect ACK
 *   error NAME [JSON]       send it, expect ERROR
 *   raw-error HEX           send raw bytes on the control channel, expect ERROR
 *   stdin SEQ TEXT          stream data (C escapes: \n \t \\ \xHH)
 *   eof SEQ                 stream EOF
 *   stdin-bytes SEQ N       N bytes of 'x' as stream data (in 4 KiB frames)
 *   out SEQ                 wait for EOF on SEQ, print `out SEQ "TEXT"`
 *   count SEQ               wait for EOF on SEQ, print `count SEQ BYTES`
 *   wait-text SEQ TEXT      wait until SEQ's output contains TEXT
 *   exit CONTAINER PROCESS  wait for its PROCESSASYNCEVENT, print
 *                           `exit CONTAINER PROCESS STATUS`
 *   gone                    wait until the control socket closes (VM ended)
 *   sleep MS                sleep without reading (lets the guest's queues
 *                           fill, to exercise its back-pressure)
 *
 * Replies print as `ACK TEXT` / `ERROR TEXT` (GETVERSION's as a number).
 * Every wait gives up after --timeout seconds (default 120).  Exit status
 * 0, or 1 with one line naming the failed script line.
 *
 * Usage: hyper-client [--timeout SEC] CTL_SOCKET STREAM_SOCKET < SCRIPT
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/hyperstart.h"

struct out {
	uint64_t seq;
	char *buf;
	size_t len;
	bool eof;
};

struct reply {
	uint32_t code;
	char *data;
	size_t len;
};

static int ctl_fd = -1, stream_fd = -1;
static struct hyper_decoder ctl_dec, stream_dec;
static bool ready, ctl_closed, stream_closed;
static struct out outs[64];
static int nouts;
static struct reply replies[64];
static int nreplies;
static struct hyper_proc_event events[256];
static int nevents;
static int timeout_s = 120;
static int lineno;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hyper-client: line %d: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double end = now() + timeout_s;

	if (strlen(path) >= sizeof(sa.sun_path))
		die("%s: path too long", path);
	strcpy(sa.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		if (now() > end)
			die("%s: %s (after %d s)", path, strerror(errno), timeout_s);
		usleep(50000);
	}
}

static struct out *out_for(uint64_t seq)
{
	for (int i = 0; i < nouts; i++)
		if (outs[i].seq == seq)
			return &outs[i];
	if (nouts == 64)
		die("too many streams");
	outs[nouts].seq = seq;
	return &outs[nouts++];
}

static void on_ctl(const struct hyper_frame *f)
{
	struct hyper_proc_event ev;

	if (f->status)
		die("bad control frame from the guest (%d)", f->status);
	switch (f->code) {
	case HYPER_READY:
		ready = true;
		break;
	case HYPER_NEXT:
		break;
	case HYPER_PROCESSASYNCEVENT:
		if (hyper_proc_event_decode((const char *)f->data, f->len, &ev))
			die("bad PROCESSASYNCEVENT: %.*s", (int)f->len, f->data);
		if (nevents == 256)
			die("too many events");
		events[nevents++] = ev;
		break;
	case HYPER_ACK:
	case HYPER_ERROR:
		if (nreplies == 64)
			die("too many unread replies");
		replies[nreplies].code = f->code;
		replies[nreplies].len = f->len;
		replies[nreplies].data = malloc(f->len + 1);
		memcpy(replies[nreplies].data, f->data, f->len + 1);
		nreplies++;
		break;
	default:
		die("unexpected control frame %u from the guest", f->code);
	}
}

static void on_stream(const struct hyper_frame *f)
{
	struct out *o = out_for(f->seq);

	if (f->status)
		die("bad stream frame from the guest (%d)", f->status);
	if (!f->len) {
		o->eof = true;
		return;
	}
	o->buf = realloc(o->buf, o->len + f->len + 1);
	memcpy(o->buf + o->len, f->data, f->len);
	o->len += f->len;
	o->buf[o->len] = '\0';
}

static void feed(int fd, struct hyper_decoder *d, void (*fn)(const struct hyper_frame *))
{
	uint8_t buf[65536], *p = buf;
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0) {
		/* The VM ended: what the other socket still holds is read
		 * before anything is decided. */
		if (fd == ctl_fd)
			ctl_closed = true;
		else
			stream_closed = true;
		return;
	}
	while (n > 0) {
		struct hyper_frame f;
		bool got;
		ssize_t r = hyper_decode(d, p, (size_t)n, &f, &got);

		if (r < 0)
			die("decoder: out of memory");
		p += r;
		n -= r;
		if (got)
			fn(&f);
	}
}

static bool have_eof(const void *a);
static bool have_text(const void *a);

/* Reads both channels until done() or the timeout. */
static void pump_until(bool (*done)(const void *), const void *arg,
		       const char *what)
{
	double end = now() + timeout_s;

	while (!done(arg)) {
		struct pollfd p[2] = {
			{ .fd = ctl_closed ? -1 : ctl_fd, .events = POLLIN },
			{ .fd = stream_closed ? -1 : stream_fd, .events = POLLIN },
		};
		double left = end - now();

		if (left <= 0)
			die("timed out after %d s waiting for %s", timeout_s, what);
		if (ctl_closed && stream_closed)
			die("the VM's sockets closed while waiting for %s", what);
		if (ctl_closed && done != have_eof && done != have_text)
			die("control socket closed while waiting for %s", what);
		if (stream_closed && (done == have_eof || done == have_text))
			die("stream socket closed while waiting for %s", what);
		if (poll(p, 2, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (p[0].revents)
			feed(ctl_fd, &ctl_dec, on_ctl);
		if (p[1].revents)
			feed(stream_fd, &stream_dec, on_stream);
	}
}

/* Reads whatever is already waiting on either channel. */
static void drain(void)
{
	struct pollfd p[2] = {
		{ .fd = ctl_closed ? -1 : ctl_fd, .events = POLLIN },
		{ .fd = stream_closed ? -1 : stream_fd, .events = POLLIN },
	};

	if (poll(p, 2, 0) <= 0)
		return;
	if (p[0].revents)
		feed(ctl_fd, &ctl_dec, on_ctl);
	if (p[1].revents)
		feed(stream_fd, &stream_dec, on_stream);
}

static void write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

static bool have_ready(const void *a) { return ready; }
static bool have_reply(const void *a) { return nreplies > 0; }

static bool have_eof(const void *a)
{
	return out_for(*(const uint64_t *)a)->eof;
}

struct text_wait { uint64_t seq; const char *text; };

static bool have_text(const void *a)
{
	const struct text_wait *w = a;
	struct out *o = out_for(w->seq);

	return o->buf && strstr(o->buf, w->text);
}

struct exit_wait { const char *c, *p; };

static bool have_exit(const void *a)
{
	const struct exit_wait *w = a;

	for (int i = 0; i < nevents; i++)
		if (!strcmp(events[i].container, w->c) &&
		    !strcmp(events[i].process, w->p))
			return true;
	return false;
}

static bool have_close(const void *a)
{
	return ctl_closed;
}

static void print_escaped(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* C escapes in place; returns the length. */
static size_t unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'x':
			if (isxdigit((unsigned char)p[1]) &&
			    isxdigit((unsigned char)p[2])) {
				char h[3] = { p[1], p[2], 0 };

				*o++ = (char)strtol(h, NULL, 16);
				p += 2;
				break;
			}
			/* fall through */
		default: *o++ = *p; break;
		}
	}
	return (size_t)(o - s);
}

static uint32_t code_of(const char *name)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);

	if (*name && !*end)
		return (uint32_t)v;
	for (uint32_t c = 0; hyper_cmd_name(c) || c < 32; c++)
		if (hyper_cmd_name(c) && !strcasecmp(hyper_cmd_name(c), name))
			return c;
	die("unknown command %s", name);
}

static void expect_reply(uint32_t want)
{
	struct reply r;

	pump_until(have_reply, NULL, "a reply");
	r = replies[0];
	memmove(replies, replies + 1, sizeof(replies[0]) * (size_t)--nreplies);
	if (r.code == HYPER_ACK && r.len == 4 && want == HYPER_ACK &&
	    !isprint((unsigned char)r.data[0]))
		printf("ACK %u\n", hyper_get_be32((uint8_t *)r.data));
	else
		printf("%s %.*s\n", r.code == HYPER_ACK ? "ACK" : "ERROR",
		       (int)r.len, r.data);
	fflush(stdout);
	if (r.code != want)
		die("expected %s, got %s %.*s", want == HYPER_ACK ? "ACK" : "ERROR",
		    r.code == HYPER_ACK ? "ACK" : "ERROR", (int)r.len, r.data);
	free(r.data);
}

static void step(char *line)
{
	char *cmd = strtok(line, " \n"), *a1, *rest;
	uint8_t *frame;
	size_t flen;

	if (!cmd || cmd[0] == '#')
		return;
	a1 = strtok(NULL, " \n");
	rest = strtok(NULL, "\n");
	if (!strcmp(cmd, "ready")) {
		pump_until(have_ready, NULL, "READY");
		puts("READY");
	} else if (!strcmp(cmd, "ack") || !strcmp(cmd, "error")) {
		if (!a1)
			die("%s: command name missing", cmd);
		if (hyper_ctl_frame(code_of(a1), rest, rest ? strlen(rest) : 0,
				    &frame, &flen))
			die("frame too large");
		write_all(ctl_fd, frame, flen);
		free(frame);
		expect_reply(!strcmp(cmd, "ack") ? HYPER_ACK : HYPER_ERROR);
	} else if (!strcmp(cmd, "raw-error")) {
		size_t n = a1 ? strlen(a1) / 2 : 0;
		uint8_t *b = malloc(n + 1);

		for (size_t i = 0; i < n; i++) {
			char h[3] = { a1[2 * i], a1[2 * i + 1], 0 };

			b[i] = (uint8_t)strtol(h, NULL, 16);
		}
		write_all(ctl_fd, b, n);
		free(b);
		expect_reply(HYPER_ERROR);
	} else if (!strcmp(cmd, "stdin") || !strcmp(cmd, "eof")) {
		uint64_t seq = a1 ? strtoull(a1, NULL, 10) : 0;
		size_t n = !strcmp(cmd, "stdin") && rest ? unescape(rest) : 0;

		if (hyper_stream_frame(seq, rest, n, &frame, &flen))
			die("stream frame too large");
		write_all(stream_fd, frame, flen);
		free(frame);
	} else if (!strcmp(cmd, "stdin-bytes")) {
		uint64_t seq = a1 ? strtoull(a1, NULL, 10) : 0;
		long long left = rest ? atoll(rest) : 0;
		char chunk[HYPER_STREAM_CHUNK];

		memset(chunk, 'x', sizeof(chunk));
		while (left > 0) {
			size_t n = left < (long long)sizeof(chunk) ?
				   (size_t)left : sizeof(chunk);

			if (hyper_stream_frame(seq, chunk, n, &frame, &flen))
				die("stream frame too large");
			/* Keep reading while writing: the agent's replies and
			 * output must not back up behind our writes. */
			drain();
			write_all(stream_fd, frame, flen);
			free(frame);
			left -= (long long)n;
		}
	} else if (!strcmp(cmd, "count")) {
		uint64_t seq = a1 ? strtoull(a1, NULL, 10) : 0;

		pump_until(have_eof, &seq, "output EOF");
		printf("count %llu %zu\n", (unsigned long long)seq,
		       out_for(seq)->len);
	} else if (!strcmp(cmd, "out")) {
		uint64_t seq = a1 ? strtoull(a1, NULL, 10) : 0;
		struct out *o;

		pump_until(have_eof, &seq, "output EOF");
		o = out_for(seq);
		printf("out %llu ", (unsigned long long)seq);
		print_escaped(o->buf ? o->buf : "", o->len);
		putchar('\n');
	} else if (!strcmp(cmd, "wait-text")) {
		struct text_wait w = { a1 ? strtoull(a1, NULL, 10) : 0, rest };

		if (!rest)
			die("wait-text: text missing");
		unescape(rest);
		pump_until(have_text, &w, "output text");
		printf("text %s\n", rest);
	} else if (!strcmp(cmd, "exit")) {
		struct exit_wait w = { a1, rest };

		if (!a1 || !rest)
			die("exit: CONTAINER PROCESS missing");
		pump_until(have_exit, &w, "the exit event");
		/* Consumed, so that a reused id waits for its next exit. */
		for (int i = 0; i < nevents; i++) {
			if (strcmp(events[i].container, a1) ||
			    strcmp(events[i].process, rest))
				continue;
			printf("exit %s %s %d\n", a1, rest, events[i].status);
			hyper_proc_event_free(&events[i]);
			memmove(events + i, events + i + 1,
				sizeof(events[0]) * (size_t)(nevents - i - 1));
			nevents--;
			break;
		}
	} else if (!strcmp(cmd, "sleep")) {
		usleep((useconds_t)(a1 ? atoi(a1) : 0) * 1000);
	} else if (!strcmp(cmd, "gone")) {
		double end = now() + timeout_s;

		while (!have_close(NULL)) {
			struct pollfd p = { .fd = ctl_fd, .events = POLLIN };

			if (now() > end)
				die("timed out after %d s waiting for the VM to end",
				    timeout_s);
			if (poll(&p, 1, 100) > 0)
				feed(ctl_fd, &ctl_dec, on_ctl);
		}
		puts("gone");
	} else {
		die("unknown step %s", cmd);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char line[65536];
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		timeout_s = atoi(argv[2]);
		i = 3;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: hyper-client [--timeout SEC] CTL_SOCKET "
			"STREAM_SOCKET < SCRIPT\n");
		return 2;
	}
	hyper_decoder_init(&ctl_dec, HYPER_CHAN_CTL, HYPER_CTL_MAX);
	hyper_decoder_init(&stream_dec, HYPER_CHAN_STREAM, HYPER_STREAM_MAX);
	ctl_fd = connect_unix(argv[i]);
	stream_fd = connect_unix(argv[i + 1]);
	while (fgets(line, sizeof(line), stdin)) {
		lineno++;
		step(line);
	}
	return 0;
}
