/*
 * p9-bench: the guest side of bench/9p.  Runs one workload in DIR and
 * prints "bench NAME VALUE UNIT" (time from CLOCK_MONOTONIC in the guest).
 *
 *   p9-bench seqwrite DIR MIB | seqread DIR MIB | randread DIR OPS |
 *            meta DIR FILES | tree DIR ENTRIES | lsR DIR
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	perror(what);
	return 1;
}

static long entries;

static int count(const char *p, const struct stat *st, int flag,
		 struct FTW *f)
{
	(void)p, (void)st, (void)flag, (void)f;
	entries++;
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	char path[4096];
	double t0, t;
	long n, i;
	int fd;

	if (argc < 3)
		return 2;
	n = argc > 3 ? atol(argv[3]) : 0;
	snprintf(path, sizeof(path), "%s/data", argv[2]);
	memset(buf, 'x', sizeof(buf));
	t0 = now();
	if (!strcmp(argv[1], "seqwrite")) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return die("open");
		for (i = 0; i < n; i++)
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				return die("write");
		fsync(fd);
		close(fd);
		t = now() - t0;
		printf("bench seqwrite %.1f MiB/s\n", n / t);
	} else if (!strcmp(argv[1], "seqread")) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return die("open");
		for (i = 0; read(fd, buf, sizeof(buf)) > 0; i++)
			;
		close(fd);
		t = now() - t0;
		printf("bench seqread %.1f MiB/s\n", i / t);
	} else if (!strcmp(argv[1], "randread")) {
		struct stat st;
		unsigned int seed = 1;

		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st))
			return die("open");
		for (i = 0; i < n; i++) {
			off_t off = (off_t)(rand_r(&seed) %
					    (st.st_size / 4096)) * 4096;

			if (pread(fd, buf, 4096, off) != 4096)
				return die("pread");
		}
		close(fd);
		t = now() - t0;
		printf("bench randread4k %.0f ops/s\n", n / t);
	} else if (!strcmp(argv[1], "meta")) {
		struct stat st;

		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/m%ld", argv[2], i);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0 || close(fd) || stat(path, &st) ||
			    unlink(path))
				return die("meta");
		}
		t = now() - t0;
		printf("bench create+stat+unlink %.0f files/s\n", n / t);
	} else if (!strcmp(argv[1], "tree")) {
		/* 100 directories of n/100 files: setup, not measured. */
		for (i = 0; i < n; i++) {
			if (i % (n / 100) == 0) {
				snprintf(path, sizeof(path), "%s/t%ld",
					 argv[2], i / (n / 100));
				if (mkdir(path, 0755))
					return die("mkdir");
			}
			snprintf(path, sizeof(path), "%s/t%ld/f%ld", argv[2],
				 i / (n / 100), i);
			fd = open(path, O_WRONLY | O_CREAT, 0644);
			if (fd < 0)
				return die("tree");
			close(fd);
		}
	} else if (!strcmp(argv[1], "lsR")) {
		if (nftw(argv[2], count, 64, FTW_PHYS))
			return die("nftw");
		t = now() - t0;
		printf("bench lsR %.0f entries/s (%ld entries)\n",
		       entries / t, entries);
	} else {
		return 2;
	}
	return 0;
}
