/* tool-deps: p9 lib */
/*
 * p9-serve: exports a directory over a byte stream, so a kernel can mount
 * it with trans=fd and test the server with the real Linux client.
 *
 *   p9-serve [--ro] [--workers N] DIR -- CMD [ARGS...]
 *	makes a socketpair, serves one end in a background process and runs
 *	CMD with the other end as fd 3:
 *	p9-serve /srv -- mount -t 9p -o trans=fd,rfdno=3,wfdno=3 none /mnt
 *   p9-serve [--ro] [--workers N] --fd N DIR
 *	serves fd N until the peer closes it.
 *
 * Requests run on the server's worker pool and are answered as they
 * complete, out of order, as on a virtqueue.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "p9/p9.h"
#include "p9/proto.h"

struct stream_req {
	struct p9_req r;
	struct iovec in, out;
	uint8_t *buf;		/* the request, then room for the reply */
	size_t reply_cap;
};

static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static int out_fd;

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

static void req_done(struct p9_req *r, size_t len)
{
	struct stream_req *s = (struct stream_req *)r;

	pthread_mutex_lock(&write_lock);
	if (len)
		write_all(out_fd, s->out.iov_base, len);
	pthread_mutex_unlock(&write_lock);
	free(s->buf);
	free(s);
}

static int serve(struct p9_server *srv, int fd)
{
	for (;;) {
		struct stream_req *s;
		uint8_t h[4];
		uint32_t size, msize;

		if (read_all(fd, h, 4))
			return 0;
		size = h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24;
		if (size < P9_HDR_SIZE || size > P9_MAX_MSIZE) {
			fprintf(stderr, "p9-serve: bad message size %u\n", size);
			return 1;
		}
		msize = p9_server_msize(srv);
		s = calloc(1, sizeof(*s));
		if (s)
			s->reply_cap = msize ? msize : P9_MAX_MSIZE;
		if (!s || !(s->buf = malloc(size + s->reply_cap))) {
			fprintf(stderr, "p9-serve: out of memory\n");
			return 1;
		}
		memcpy(s->buf, h, 4);
		if (read_all(fd, s->buf + 4, size - 4)) {
			free(s->buf);
			free(s);
			return 0;
		}
		s->in = (struct iovec){ s->buf, size };
		s->out = (struct iovec){ s->buf + size, s->reply_cap };
		s->r.in = &s->in;
		s->r.in_cnt = 1;
		s->r.out = &s->out;
		s->r.out_cnt = 1;
		s->r.done = req_done;
		p9_submit(srv, &s->r);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: p9-serve [--ro] [--workers N] "
		"(--fd N DIR | DIR -- CMD [ARGS...])\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct p9_server_opts o = { .workers = 4 };
	struct p9_server *srv;
	struct rlimit rl;
	int i, fd = -1, sv[2], ret;
	pid_t pid;

	log_init("p9-serve", stderr, false, LOG_WARN);
	for (i = 1; i < argc && !strncmp(argv[i], "--", 2) && argv[i][2]; i++) {
		if (!strcmp(argv[i], "--ro"))
			o.ro = true;
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
			o.workers = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--fd") && i + 1 < argc)
			fd = atoi(argv[++i]);
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	o.root = argv[i++];
	if (fd < 0 && (i >= argc - 1 || strcmp(argv[i], "--")))
		return usage();
	/* Every fid holds descriptors. */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	ret = p9_server_new(&o, &srv);
	if (ret) {
		fprintf(stderr, "p9-serve: cannot export %s: %s\n", o.root,
			strerror(-ret));
		return 1;
	}
	if (fd >= 0) {
		out_fd = fd;
		ret = serve(srv, fd);
		p9_server_free(srv);
		return ret;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("p9-serve: socketpair");
		return 1;
	}
	/* The server is the background child: the command (mount) returns
	 * while the mount lives on. */
	p9_server_free(srv);
	pid = fork();
	if (pid < 0) {
		perror("p9-serve: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		close(sv[1]);
		setsid();
		/* Off the caller's stdio: a caller that reads the command's
		 * output to its end (bats' run, $(...)) would otherwise wait
		 * for this server, which lives until the unmount. */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(1);
		if (null > 2)
			close(null);
		ret = p9_server_new(&o, &srv);
		if (ret)
			_exit(1);
		out_fd = sv[0];
		ret = serve(srv, sv[0]);
		p9_server_free(srv);
		_exit(ret);
	}
	close(sv[0]);
	if (sv[1] == 3 ? fcntl(3, F_SETFD, 0) : dup2(sv[1], 3) != 3) {
		perror("p9-serve: dup2");
		return 1;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "p9-serve: cannot run %s: %s\n", argv[i + 1],
		strerror(errno));
	return 127;
}
