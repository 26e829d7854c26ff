/*
 * netpp: TCP request/response latency (a ping-pong), for bench/net.
 *
 *   netpp server PORT              echoes every connection (one child each)
 *   netpp client ADDR PORT N SIZE  N round trips of SIZE bytes after 100
 *                                  warm-up ones; prints one JSON line with
 *                                  min, mean, p50, p90, p99 and max in us
 *
 * TCP_NODELAY on both ends; built static so that the benchmark guest
 * needs no libraries.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WARMUP		100
#define MAX_SIZE	65536

static int die(const char *what)
{
	fprintf(stderr, "netpp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "netpp: %s: %s: want %ld..%ld\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		die("TCP_NODELAY");
}

/* All of len bytes read (or written), or -1 at EOF or error. */
static int xfer(int fd, char *buf, size_t len, bool out)
{
	while (len) {
		ssize_t n = out ? write(fd, buf, len) : read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void echo(int fd)
{
	static char buf[MAX_SIZE];
	ssize_t n;

	nodelay(fd);
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && xfer(fd, buf, (size_t)n, true))
			break;
	_exit(0);
}

static _Noreturn void server(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int s, c, one = 1;

	sa.sin_port = htons((uint16_t)num(port, 1, 65535, "port"));
	signal(SIGCHLD, SIG_IGN);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0)
		die("bind/listen");
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		if (fork() == 0) {
			close(s);
			echo(c);
		}
		close(c);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int client(const char *addr, const char *port, const char *count,
		  const char *size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long n = num(count, 1, 10000000, "N"), len = num(size, 1, MAX_SIZE, "SIZE");
	static char out[MAX_SIZE], in[MAX_SIZE];
	double *rt, sum = 0, t;
	int fd;

	sa.sin_port = htons((uint16_t)num(port, 1, 65535, "port"));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "netpp: %s: not an IPv4 address\n", addr);
		return 2;
	}
	rt = calloc((size_t)n, sizeof(*rt));
	if (!rt)
		die("calloc");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");
	nodelay(fd);
	memset(out, 'p', (size_t)len);
	for (long i = -WARMUP; i < n; i++) {
		t = now_us();
		if (xfer(fd, out, (size_t)len, true) || xfer(fd, in, (size_t)len, false))
			die("round trip");
		if (i >= 0) {
			rt[i] = now_us() - t;
			sum += rt[i];
		}
	}
	close(fd);
	qsort(rt, (size_t)n, sizeof(*rt), cmp_double);
	printf("{\"n\":%ld,\"size\":%ld,\"min_us\":%.1f,\"mean_us\":%.1f,"
	       "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}\n",
	       n, len, rt[0], sum / n, rt[n / 2], rt[n * 9 / 10], rt[n * 99 / 100],
	       rt[n - 1]);
	free(rt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		server(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: netpp server PORT | netpp client ADDR PORT N SIZE\n");
	return 2;
}
