/*
 * serial-bench: both ends of bench/serial, one virtio-console port.
 *
 *   serial-bench host SOCKET ROUNDS MIB REPEAT   the host end, on the
 *                        VMM's unix socket for the port; prints
 *                        "bench NAME VALUE UNIT (..., run N)" lines
 *   serial-bench guest DEVICE ROUNDS MIB REPEAT  the guest end, on
 *                        /dev/virtio-ports/NAME
 *
 * Both ends run the same sequence, timed on the host clock only; steps 2
 * to 4 run REPEAT times (a noisy machine shows in the spread):
 *  1. handshake: the guest sends 'h' every 100 ms until it reads 'g',
 *     then 'R'.  (QEMU drops bytes for a port nobody has opened or
 *     connected yet, so neither side may assume the other is there.)
 *  2. ROUNDS round trips of a 64-byte message, host -> guest -> host
 *     (the first 10 are warm-up, not counted).
 *  3. guest -> host: on 'G' the guest writes MIB MiB; timed from the 'G'
 *     to the last byte.
 *  4. host -> guest: the host writes MIB MiB; the guest answers 'A' (or
 *     'E' if a byte was wrong); timed from the first byte to the answer.
 *  5. after the last run, 'Q': the guest end exits.
 * Every byte moved in 3 and 4 is checked against a known pattern.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MSG_LEN		64
#define WARMUP		10
#define CHUNK		(256 * 1024)
#define PATTERN_MOD	251	/* prime: a shifted or dropped block shows */

static unsigned char pattern[PATTERN_MOD + CHUNK];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each phase on stderr as it ends: a stall shows where. */
static void phase(const char *side, const char *what)
{
	fprintf(stderr, "serial-bench %s: %s done\n", side, what);
}

static int fail(const char *what)
{
	fprintf(stderr, "serial-bench: %s: %s\n", what,
		errno ? strerror(errno) : "unexpected end of data");
	return 1;
}

/* One read of at most len bytes: how many, or -1 (errno 0 at EOF). */
static ssize_t read_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (!n)
			errno = 0;
		return -1;
	}
	return n;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = read_some(fd, (char *)buf + off, len - off);
		if (n < 0)
			return -1;
		off += n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, (const char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += n;
	}
	return 0;
}

static int byte(int fd, char c)
{
	return write_full(fd, &c, 1);
}

/* Reads bytes until WANT, skipping SKIP; -1 on anything else. */
static int expect(int fd, char want, char skip)
{
	char c;

	do {
		if (read_full(fd, &c, 1))
			return -1;
	} while (c == skip);
	if (c != want) {
		fprintf(stderr, "serial-bench: got 0x%02x, expected '%c'\n",
			(unsigned char)c, want);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* Sends LEN pattern bytes. */
static int send_data(int fd, size_t len)
{
	size_t off = 0, n;

	while (off < len) {
		n = len - off < CHUNK ? len - off : CHUNK;
		if (write_full(fd, pattern + off % PATTERN_MOD, n))
			return -1;
		off += n;
	}
	return 0;
}

/* Receives LEN bytes; 1 if they are not the pattern (still all read). */
static int recv_data(int fd, size_t len)
{
	static unsigned char buf[CHUNK];
	size_t off = 0, want;
	int bad = 0;
	ssize_t n;

	while (off < len) {
		want = len - off < CHUNK ? len - off : CHUNK;
		n = read_some(fd, buf, want);
		if (n < 0)
			return -1;
		if (memcmp(buf, pattern + off % PATTERN_MOD, n))
			bad = 1;
		off += n;
	}
	return bad;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int host_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, i;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* The VMM creates the socket while it starts: up to 120 s. */
	for (i = 0; i < 1200; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		usleep(100000);
	}
	return -1;
}

/* One set of round trips: their median, mean and p99 on stdout. */
static int host_round_trips(int fd, long rounds, double *rtt, int run)
{
	char msg[MSG_LEN], back[MSG_LEN];
	double t0, sum = 0;
	long i, n = 0;

	for (i = 0; i < rounds + WARMUP; i++) {
		memset(msg, 'a' + i % 26, sizeof(msg));
		t0 = now();
		if (write_full(fd, msg, sizeof(msg)) ||
		    read_full(fd, back, sizeof(back)))
			return fail("round trip");
		if (memcmp(msg, back, sizeof(msg))) {
			fprintf(stderr, "serial-bench: round trip %ld: the echo differs\n", i);
			return 1;
		}
		if (i >= WARMUP) {
			rtt[n] = (now() - t0) * 1e6;
			sum += rtt[n++];
		}
	}
	phase("host", "round trips");
	if (n) {
		qsort(rtt, n, sizeof(*rtt), cmp_double);
		printf("bench rtt64 %.1f us (median of %ld, run %d)\n",
		       rtt[n / 2], n, run);
		printf("bench rtt64-mean %.1f us (run %d)\n", sum / n, run);
		printf("bench rtt64-p99 %.1f us (run %d)\n", rtt[n * 99 / 100],
		       run);
	}
	return 0;
}

/* MIB MiB each way, one after the other, timed. */
static int host_bulk(int fd, long mib, int run)
{
	size_t len = (size_t)mib << 20;
	double t0;
	int r;

	t0 = now();
	if (byte(fd, 'G'))
		return fail("start guest -> host");
	r = recv_data(fd, len);
	if (r < 0)
		return fail("guest -> host");
	if (r) {
		fprintf(stderr, "serial-bench: guest -> host: the data differs\n");
		return 1;
	}
	printf("bench g2h %.2f MiB/s (%ld MiB, run %d)\n", mib / (now() - t0),
	       mib, run);
	phase("host", "guest -> host");

	t0 = now();
	if (send_data(fd, len) || expect(fd, 'A', 0))
		return fail("host -> guest");
	printf("bench h2g %.2f MiB/s (%ld MiB, run %d)\n", mib / (now() - t0),
	       mib, run);
	phase("host", "host -> guest");
	return 0;
}

static int host(const char *path, long rounds, long mib, long repeat)
{
	double *rtt;
	int fd, run, r = 0;

	fd = host_connect(path);
	if (fd < 0)
		return fail(path);
	rtt = calloc(rounds > 0 ? rounds : 1, sizeof(*rtt));
	if (!rtt)
		return fail("calloc");
	if (expect(fd, 'h', 0) || byte(fd, 'g') || expect(fd, 'R', 'h')) {
		r = fail("handshake");
		goto out;
	}
	phase("host", "handshake");
	for (run = 1; run <= repeat && !r; run++) {
		r = host_round_trips(fd, rounds, rtt, run);
		if (!r && mib > 0)
			r = host_bulk(fd, mib, run);
	}
	if (!r && byte(fd, 'Q'))
		r = fail("quit");
out:
	free(rtt);
	close(fd);
	return r;
}

static int guest_handshake(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int i;

	/* Up to 10 minutes for the host end to connect. */
	for (i = 0; i < 6000; i++) {
		if (byte(fd, 'h'))
			return -1;
		if (poll(&pfd, 1, 100) > 0)
			return expect(fd, 'g', 0) || byte(fd, 'R');
	}
	errno = ETIMEDOUT;
	return -1;
}

static int guest(const char *dev, long rounds, long mib, long repeat)
{
	size_t len = (size_t)mib << 20;
	char msg[MSG_LEN];
	long i, run;
	int fd, r;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(dev);
	if (guest_handshake(fd))
		return fail("handshake");
	phase("guest", "handshake");
	for (run = 1; run <= repeat; run++) {
		for (i = 0; i < rounds + WARMUP; i++)
			if (read_full(fd, msg, sizeof(msg)) ||
			    write_full(fd, msg, sizeof(msg)))
				return fail("round trip");
		phase("guest", "round trips");
		if (mib <= 0)
			continue;
		if (expect(fd, 'G', 0) || send_data(fd, len))
			return fail("guest -> host");
		phase("guest", "guest -> host");
		r = recv_data(fd, len);
		if (r < 0 || byte(fd, r ? 'E' : 'A'))
			return fail("host -> guest");
		phase("guest", "host -> guest");
	}
	if (expect(fd, 'Q', 0))
		return fail("quit");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long rounds, mib, repeat;
	size_t i;

	if (argc != 6) {
		fprintf(stderr, "usage: serial-bench host|guest PATH ROUNDS MIB REPEAT\n");
		return 2;
	}
	rounds = atol(argv[3]);
	mib = atol(argv[4]);
	repeat = atol(argv[5]);
	if (rounds < 0 || mib < 0 || repeat < 1) {
		fprintf(stderr, "serial-bench: want ROUNDS >= 0, MIB >= 0, REPEAT >= 1\n");
		return 2;
	}
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = i % PATTERN_MOD;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "host"))
		return host(argv[2], rounds, mib, repeat);
	if (!strcmp(argv[1], "guest"))
		return guest(argv[2], rounds, mib, repeat);
	fprintf(stderr, "serial-bench: %s: want host or guest\n", argv[1]);
	return 2;
}
