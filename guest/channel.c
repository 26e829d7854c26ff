/* The two hyperstart channels: non-blocking reads through the frame
 * decoder, and queued writes flushed as the port accepts them.
 *
 * A virtio-console port reports EPOLLHUP while the host side is not
 * connected; the channel then leaves the loop and polls the port on a
 * timer instead of spinning, and output stays queued until the host comes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/evloop.h"
#include "lib/hyperstart.h"
#include "lib/log.h"

#define STREAM_BACKLOG_MAX	(1u << 20)
#define HUP_RETRY_NS		100000000L

struct chan {
	const char *name;
	int fd;
	struct hyper_decoder dec;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	bool reading;		/* EPOLLIN wanted */
	bool registered;	/* in the loop (not waiting out a HUP) */
};

static struct evloop *loop;
static struct chan ctl = { .name = "control" }, stream = { .name = "stream" };
static int retry_fd = -1;

static void chan_event(void *opaque, uint32_t events);

static uint32_t chan_mask(const struct chan *c)
{
	return (c->reading ? EPOLLIN : 0) |
	       (c->out_len > c->out_off ? EPOLLOUT : 0);
}

static void chan_update(struct chan *c)
{
	if (c->registered)
		evloop_mod(loop, c->fd, chan_mask(c));
}

/* Host disconnected: out of the loop, retry on the timer. */
static void chan_park(struct chan *c)
{
	struct itimerspec its = { .it_interval.tv_nsec = HUP_RETRY_NS,
				  .it_value.tv_nsec = HUP_RETRY_NS };

	if (!c->registered)
		return;
	evloop_del(loop, c->fd);
	c->registered = false;
	timerfd_settime(retry_fd, 0, &its, NULL);
}

static void retry_event(void *opaque, uint32_t events)
{
	struct chan *cs[] = { &ctl, &stream };
	struct itimerspec off = { 0 };
	uint64_t ticks;
	bool parked = false;

	if (read(retry_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (int i = 0; i < 2; i++) {
		struct pollfd p = { .fd = cs[i]->fd, .events = POLLIN };

		if (cs[i]->registered)
			continue;
		if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) &&
		    !(p.revents & POLLIN)) {
			parked = true;
			continue;
		}
		if (evloop_add(loop, cs[i]->fd, chan_mask(cs[i]), chan_event,
			       cs[i]) == 0)
			cs[i]->registered = true;
		else
			parked = true;
	}
	if (!parked)
		timerfd_settime(retry_fd, 0, &off, NULL);
}

static int flush(struct chan *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off,
				  c->out_len - c->out_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return 0;
}

static int queue(struct chan *c, const uint8_t *hdr, size_t hlen,
		 const void *data, size_t len)
{
	size_t need = c->out_len + hlen + len;

	if (c->out_off && need > c->out_cap) {
		/* Reclaim the written head before growing. */
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		need = c->out_len + hlen + len;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		uint8_t *p;

		while (cap < need)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, hdr, hlen);
	if (len)
		memcpy(c->out + c->out_len + hlen, data, len);
	c->out_len += hlen + len;
	if (c->registered && flush(c) < 0)
		log_warn("%s channel write: %s", c->name, strerror(errno));
	chan_update(c);
	return 0;
}

int channel_send_ctl(uint32_t code, const void *payload, size_t len)
{
	uint8_t hdr[HYPER_CTL_HDR];

	if (len > HYPER_CTL_MAX - HYPER_CTL_HDR)
		return -EMSGSIZE;
	hyper_ctl_header(hdr, code, (uint32_t)len);
	return queue(&ctl, hdr, sizeof(hdr), payload, len);
}

int channel_send_stream(uint64_t seq, const void *data, size_t len)
{
	uint8_t hdr[HYPER_STREAM_HDR];

	if (len > HYPER_STREAM_MAX - HYPER_STREAM_HDR)
		return -EMSGSIZE;
	hyper_stream_header(hdr, seq, (uint32_t)len);
	return queue(&stream, hdr, sizeof(hdr), data, len);
}

size_t channel_stream_backlog(void)
{
	return stream.out_len - stream.out_off;
}

bool channel_stream_full(void)
{
	return channel_stream_backlog() >= STREAM_BACKLOG_MAX;
}

void channel_stream_input(bool on)
{
	stream.reading = on;
	chan_update(&stream);
}

void channel_flush_ctl(void)
{
	int fl = fcntl(ctl.fd, F_GETFL);

	/* Blocking writes wait for room in the port's queue; the data is
	 * then queued to the host (docs/protocol.md, DESTROYPOD). */
	fcntl(ctl.fd, F_SETFL, fl & ~O_NONBLOCK);
	while (ctl.out_off < ctl.out_len) {
		ssize_t n = write(ctl.fd, ctl.out + ctl.out_off,
				  ctl.out_len - ctl.out_off);

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			ctl.out_off += (size_t)n;
	}
	ctl.out_off = ctl.out_len = 0;
	fcntl(ctl.fd, F_SETFL, fl);
}

static void on_frame(struct chan *c, const struct hyper_frame *f)
{
	if (c == &stream) {
		if (f->status)
			log_guest("stream frame for seq %llu: bad length",
				  (unsigned long long)f->seq);
		else
			procs_stdin(f->seq, f->data, f->len);
		return;
	}
	if (f->status) {
		static const char msg[] = "frame length out of range";

		channel_send_ctl(HYPER_ERROR, msg, sizeof(msg) - 1);
		return;
	}
	commands_dispatch(f->code, (const char *)f->data, f->len);
}

static void chan_read(struct chan *c)
{
	uint8_t buf[16384];
	ssize_t n;

	/* A bounded number of reads per wakeup keeps the other fds served. */
	for (int round = 0; round < 16 && c->reading; round++) {
		const uint8_t *p = buf;

		n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				chan_park(c);
			return;
		}
		if (c == &ctl) {
			uint8_t ack[4];

			hyper_put_be32(ack, (uint32_t)n);
			channel_send_ctl(HYPER_NEXT, ack, sizeof(ack));
		}
		while (n > 0) {
			struct hyper_frame f;
			bool got;
			ssize_t r = hyper_decode(&c->dec, p, (size_t)n, &f, &got);

			if (r < 0) {
				log_error("%s channel: out of memory", c->name);
				return;
			}
			p += r;
			n -= r;
			if (got)
				on_frame(c, &f);
		}
	}
}

static void chan_event(void *opaque, uint32_t events)
{
	struct chan *c = opaque;

	if (events & EPOLLIN)
		chan_read(c);
	if (c->registered && (events & EPOLLOUT) && flush(c) < 0)
		log_warn("%s channel write: %s", c->name, strerror(errno));
	if (c->registered && (events & (EPOLLHUP | EPOLLERR)) &&
	    !(events & EPOLLIN))
		chan_park(c);
	chan_update(c);
	if (c == &stream && channel_stream_backlog() < STREAM_BACKLOG_MAX / 2)
		procs_output_resume();
}

static int chan_open(struct chan *c, int fd, enum hyper_chan kind,
		     uint32_t max)
{
	c->fd = fd;
	c->reading = true;
	hyper_decoder_init(&c->dec, kind, max);
	if (evloop_add(loop, fd, EPOLLIN, chan_event, c) < 0)
		return -errno;
	c->registered = true;
	return 0;
}

int channel_init(struct evloop *l, int ctl_fd, int stream_fd)
{
	int ret;

	loop = l;
	retry_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (retry_fd < 0)
		return -errno;
	ret = evloop_add(loop, retry_fd, EPOLLIN, retry_event, NULL);
	if (ret)
		return ret;
	ret = chan_open(&ctl, ctl_fd, HYPER_CHAN_CTL, HYPER_CTL_MAX);
	if (!ret)
		ret = chan_open(&stream, stream_fd, HYPER_CHAN_STREAM,
				HYPER_STREAM_MAX);
	return ret;
}
