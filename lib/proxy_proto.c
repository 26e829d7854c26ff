/* The runtime/shim <-> proxy frames, and a small blocking client. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/proxy_proto.h"

void px_header(uint8_t hdr[PX_HDR], uint16_t type, uint32_t payload_len)
{
	hyper_put_be32(hdr, payload_len + PX_HDR);
	hdr[4] = (uint8_t)(type >> 8);
	hdr[5] = (uint8_t)type;
	hdr[6] = hdr[7] = 0;
}

void px_decoder_init(struct px_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

void px_decoder_free(struct px_decoder *d)
{
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

static size_t frame_len(const struct px_decoder *d)
{
	return d->have >= PX_HDR ? hyper_get_be32(d->buf) : 0;
}

/* Forgets the frame px_next returned last: its data is invalid now. */
static void drop_done(struct px_decoder *d)
{
	if (!d->done)
		return;
	memmove(d->buf, d->buf + d->done, d->have - d->done);
	d->have -= d->done;
	d->done = 0;
}

int px_feed(struct px_decoder *d, const void *in, size_t n)
{
	drop_done(d);
	if (d->have + n > d->cap) {
		size_t cap = d->cap ? d->cap : 4096;
		uint8_t *nb;

		while (cap < d->have + n)
			cap *= 2;
		if (cap > 2 * (size_t)PX_MAX)
			return -EMSGSIZE;
		nb = realloc(d->buf, cap);
		if (!nb)
			return -ENOMEM;
		d->buf = nb;
		d->cap = cap;
	}
	memcpy(d->buf + d->have, in, n);
	d->have += n;
	if (d->have >= PX_HDR && (frame_len(d) < PX_HDR || frame_len(d) > PX_MAX))
		return -EMSGSIZE;
	return 0;
}

int px_next(struct px_decoder *d, struct px_frame *f)
{
	size_t len;

	drop_done(d);
	len = frame_len(d);
	if (d->have < PX_HDR || len < PX_HDR || d->have < len)
		return 0;
	f->type = (uint16_t)(d->buf[4] << 8 | d->buf[5]);
	f->data = d->buf + PX_HDR;
	f->len = len - PX_HDR;
	d->done = len;
	return 1;
}

int px_sockaddr(const char *path, struct sockaddr_un *sa, int *dirfd)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	*dirfd = -1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) < sizeof(sa->sun_path)) {
		strcpy(sa->sun_path, path);
		return 0;
	}
	/* containerd's state paths exceed sun_path's 108 bytes: reach the
	 * socket through a descriptor of its directory. */
	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	*dirfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return -errno;
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path),
			     "/proc/self/fd/%d/%s", *dirfd, slash + 1) >=
	    sizeof(sa->sun_path)) {
		close(*dirfd);
		*dirfd = -1;
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The socket appears a few milliseconds after the VMM's exec on hardware:
 * poll at 0.5 ms doubling to 20 ms, not at a fixed 20 ms that would cost a
 * container's start up to that much. */
static void backoff(long long *waited_us, unsigned int *step_us)
{
	usleep(*step_us);
	*waited_us += *step_us;
	if (*step_us < 20000)
		*step_us = *step_us * 2 > 20000 ? 20000 : *step_us * 2;
}

int px_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa;
	long long waited_us = 0, limit_us = (long long)timeout_ms * 1000;
	unsigned int step_us = 500;
	int fd, dirfd, ret;

	for (;;) {
		ret = px_sockaddr(path, &sa, &dirfd);
		if (ret && (ret != -ENOENT || waited_us >= limit_us))
			return ret;
		if (ret) {
			backoff(&waited_us, &step_us);
			continue;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			goto next;
		}
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			ret = fd;
			goto next;
		}
		ret = -errno;
		close(fd);
next:
		if (dirfd >= 0)
			close(dirfd);
		if (ret >= 0 || (ret != -ENOENT && ret != -ECONNREFUSED) ||
		    waited_us >= limit_us)
			return ret;
		backoff(&waited_us, &step_us);
	}
}

int px_send(int fd, uint16_t type, const void *a, size_t alen,
	    const void *b, size_t blen)
{
	uint8_t hdr[PX_HDR];
	struct iovec iov[3] = {
		{ hdr, PX_HDR }, { (void *)a, alen }, { (void *)b, blen },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };

	if (alen + blen > PX_MAX - PX_HDR)
		return -EMSGSIZE;
	px_header(hdr, type, (uint32_t)(alen + blen));
	while (msg.msg_iovlen) {
		ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (msg.msg_iovlen && (size_t)n >= msg.msg_iov->iov_len) {
			n -= (ssize_t)msg.msg_iov->iov_len;
			msg.msg_iov++;
			msg.msg_iovlen--;
		}
		if (msg.msg_iovlen) {
			msg.msg_iov->iov_base = (uint8_t *)msg.msg_iov->iov_base + n;
			msg.msg_iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int px_recv(int fd, struct px_decoder *d, struct px_frame *f, int timeout_ms)
{
	int64_t end = ms_now() + timeout_ms;
	uint8_t buf[16384];
	int ret;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait = -1;
		ssize_t n;

		if (px_next(d, f))
			return 0;
		if (timeout_ms >= 0) {
			int64_t left = end - ms_now();

			if (left <= 0)
				return -ETIMEDOUT;
			wait = (int)left;
		}
		ret = poll(&p, 1, wait);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		ret = px_feed(d, buf, (size_t)n);
		if (ret)
			return ret;
	}
}

int px_hyper(int fd, uint32_t code, const char *json, char **reply,
	     int timeout_ms)
{
	struct px_decoder d;
	struct px_frame f = { 0 };
	uint8_t be[4];
	int ret;

	if (reply)
		*reply = NULL;
	hyper_put_be32(be, code);
	ret = px_send(fd, PX_HYPER, be, 4, json, json ? strlen(json) : 0);
	if (ret)
		return ret;
	px_decoder_init(&d);
	do {
		ret = px_recv(fd, &d, &f, timeout_ms);
	} while (!ret && f.type != PX_RESPONSE);
	if (!ret) {
		if (f.len < 4) {
			ret = -EPROTO;
		} else {
			ret = hyper_get_be32(f.data) == HYPER_ACK ? 0 : -EIO;
			if (reply) {
				*reply = strndup((const char *)f.data + 4, f.len - 4);
				if (!*reply)
					ret = -ENOMEM;
			}
		}
	}
	px_decoder_free(&d);
	return ret;
}
