/*
 * boot-clock: times a VMM (or any command) from outside.
 *
 *   boot-clock [--mark STR]... [--fifo PATH] [--mem BYTES] [--rss]
 *              [--log FILE] [--timeout SECS] -- COMMAND [ARG]...
 *   boot-clock --now
 *   boot-clock --smaps PID [--mem BYTES]
 *
 * The clock (CLOCK_MONOTONIC) starts just before fork().  COMMAND's stdout
 * and stderr go to one pipe read here (and copied to --log); the times of
 * its first byte and of the first occurrence of each STR in it are
 * recorded, as are the time of the first byte 123 read from the fifo PATH
 * (QEMU's isa-debugcon on port 0x3f0 writes there) and the time COMMAND
 * exits (a pidfd).  With --rss, /proc/PID/smaps is read when the first STR
 * is seen: the anonymous mappings of at least 15/16 of --mem bytes are the
 * guest's RAM, the rest is the VMM's own.  One JSON object on stdout;
 * times in microseconds from the start ("t0_us" is the start on the
 * monotonic clock, which --now prints), -1 when the event did not happen.
 * --smaps prints only the RSS figures of the running process PID.
 * Exit status 0 unless boot-clock itself failed (COMMAND's status is in
 * the JSON; "status":-1 means killed at --timeout).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MARKS 8

struct mark {
	const char *s;
	size_t len;
	int64_t t;
};

struct rss {
	long long total_kib, guest_kib, own_kib, own_private_kib;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sums smaps by mapping: a mapping is guest RAM when it is anonymous and
 * at least min_guest_kib large. */
static int read_rss(pid_t pid, long long min_guest_kib, struct rss *r)
{
	char path[64], line[512], name[256];
	long long size, kib;
	bool guest = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		name[0] = '\0';
		/* Only a mapping's header line starts with "LO-HI". */
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &lo, &hi,
			   name) >= 2) {
			size = (long long)(hi - lo) >> 10;
			guest = !name[0] && min_guest_kib > 0 &&
				size >= min_guest_kib;
			continue;
		}
		if (sscanf(line, "Rss: %lld kB", &kib) == 1) {
			r->total_kib += kib;
			if (guest)
				r->guest_kib += kib;
			else
				r->own_kib += kib;
		} else if (!guest &&
			   (sscanf(line, "Private_Clean: %lld kB", &kib) == 1 ||
			    sscanf(line, "Private_Dirty: %lld kB", &kib) == 1)) {
			r->own_private_kib += kib;
		}
	}
	fclose(f);
	return 0;
}

static void print_rss(const struct rss *r)
{
	printf("\"rss_kib\":%lld,\"guest_rss_kib\":%lld,\"own_rss_kib\":%lld,"
	       "\"own_private_kib\":%lld", r->total_kib, r->guest_kib,
	       r->own_kib, r->own_private_kib);
}

static void usage(void)
{
	fprintf(stderr, "usage: boot-clock [--mark STR] [--fifo PATH] [--mem BYTES] [--rss]\n"
		"                  [--log FILE] [--timeout SECS] -- COMMAND [ARG]...\n"
		"       boot-clock --now | --smaps PID [--mem BYTES]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mark", required_argument, NULL, 'm' },
		{ "fifo", required_argument, NULL, 'f' },
		{ "mem", required_argument, NULL, 'M' },
		{ "rss", no_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "now", no_argument, NULL, 'n' },
		{ "smaps", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct mark marks[MAX_MARKS];
	const char *fifo = NULL, *logpath = NULL;
	long long mem = 0, timeout_s = 600;
	int64_t t0, t_first = -1, t_fifo = -1, t_exit = -1;
	int c, p[2], fifo_fd = -1, pidfd, status = -1, ret = 1;
	size_t nmarks = 0, keep = 0, maxlen = 1;
	char tail[256], buf[sizeof(tail) + 4096];
	struct rss rss = { -1, -1, -1, -1 };
	bool want_rss = false, out_open = true, exited = false;
	pid_t smaps_pid = 0;
	FILE *log = NULL;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (nmarks == MAX_MARKS || !*optarg ||
			    strlen(optarg) >= sizeof(tail)) {
				fprintf(stderr, "boot-clock: --mark %s: at most %d marks of 1 to %zu characters\n",
					optarg, MAX_MARKS, sizeof(tail) - 1);
				return 2;
			}
			marks[nmarks].s = optarg;
			marks[nmarks].len = strlen(optarg);
			marks[nmarks].t = -1;
			if (marks[nmarks].len > maxlen)
				maxlen = marks[nmarks].len;
			nmarks++;
			break;
		case 'n':
			printf("%lld\n", (long long)now_us());
			return 0;
		case 's': smaps_pid = (pid_t)atoi(optarg); break;
		case 'f': fifo = optarg; break;
		case 'M': mem = atoll(optarg); break;
		case 'r': want_rss = true; break;
		case 'l': logpath = optarg; break;
		case 't': timeout_s = atoll(optarg); break;
		default: usage();
		}
	}
	if (smaps_pid > 0) {
		if (read_rss(smaps_pid, mem / 1024 * 15 / 16, &rss)) {
			fprintf(stderr, "boot-clock: --smaps %d: %s\n", (int)smaps_pid,
				strerror(errno));
			return 1;
		}
		printf("{");
		print_rss(&rss);
		printf("}\n");
		return 0;
	}
	if (optind >= argc || timeout_s <= 0)
		usage();
	if (logpath && !(log = fopen(logpath, "we"))) {
		fprintf(stderr, "boot-clock: --log %s: %s\n", logpath, strerror(errno));
		return 2;
	}
	/* Open before the writer exists, so that its open does not block. */
	if (fifo && (fifo_fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		fprintf(stderr, "boot-clock: --fifo %s: %s\n", fifo, strerror(errno));
		goto out;
	}
	if (pipe2(p, O_CLOEXEC)) {
		perror("boot-clock: pipe");
		goto out;
	}
	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		perror("boot-clock: fork");
		goto out;
	}
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[optind], argv + optind);
		dprintf(2, "boot-clock: exec %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("boot-clock: pidfd_open");
		kill(pid, SIGKILL);
		goto out;
	}
	while (out_open || !exited) {
		struct pollfd pf[3] = {
			{ .fd = out_open ? p[0] : -1, .events = POLLIN },
			{ .fd = exited ? -1 : pidfd, .events = POLLIN },
			{ .fd = t_fifo < 0 ? fifo_fd : -1, .events = POLLIN },
		};
		int64_t left = t0 + timeout_s * 1000000 - now_us();
		ssize_t n;

		/* After the exit, grandchildren may hold the pipe: stop. */
		if (exited && left > 200000)
			left = 200000;
		if (left <= 0 || poll(pf, 3, (int)(left / 1000) + 1) == 0) {
			/* Not waited for: a VMM stuck in the kernel would
			 * stop the benchmark, which reports it instead. */
			if (!exited) {
				kill(pid, SIGKILL);
				status = -1;
				t_exit = -1;
			}
			break;
		}
		if (pf[1].revents) {
			int st;

			if (waitpid(pid, &st, WNOHANG) == pid) {
				t_exit = now_us() - t0;
				exited = true;
				status = WIFEXITED(st) ? WEXITSTATUS(st) :
					 128 + WTERMSIG(st);
			}
		}
		if (pf[2].revents) {
			unsigned char b[64];

			n = read(fifo_fd, b, sizeof(b));
			if (n > 0 && memchr(b, 123, (size_t)n))
				t_fifo = now_us() - t0;
			else if (n == 0)	/* writer closed: poll would spin */
				fifo_fd = -1;
		}
		if (pf[0].revents) {
			/* The last maxlen-1 bytes are kept before the new
			 * ones, so that a mark split across reads is found. */
			char *s;
			size_t len, i;

			n = read(p[0], buf + sizeof(tail), sizeof(buf) - sizeof(tail));
			if (n <= 0) {
				out_open = false;
				continue;
			}
			if (t_first < 0)
				t_first = now_us() - t0;
			if (log)
				fwrite(buf + sizeof(tail), 1, (size_t)n, log);
			s = buf + sizeof(tail) - keep;
			len = keep + (size_t)n;
			memcpy(s, tail, keep);
			for (i = 0; i < nmarks; i++) {
				if (marks[i].t >= 0 ||
				    !memmem(s, len, marks[i].s, marks[i].len))
					continue;
				marks[i].t = now_us() - t0;
				if (!i && want_rss)
					read_rss(pid, mem / 1024 * 15 / 16, &rss);
			}
			keep = len < maxlen - 1 ? len : maxlen - 1;
			memcpy(tail, s + len - keep, keep);
		}
	}
	printf("{\"status\":%d,\"t0_us\":%lld,\"marks_us\":[", status,
	       (long long)t0);
	for (size_t i = 0; i < nmarks; i++)
		printf("%s%lld", i ? "," : "", (long long)marks[i].t);
	printf("],\"first_byte_us\":%lld,\"debugcon_us\":%lld,\"exit_us\":%lld,",
	       (long long)t_first, (long long)t_fifo, (long long)t_exit);
	print_rss(&rss);
	printf("}\n");
	ret = 0;
out:
	if (log)
		fclose(log);
	return ret;
}
