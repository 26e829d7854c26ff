/* DNS over TCP on the relay's address (guest/dns.c): each connection's
 * queries ([u16 BE length][message], RFC 1035 4.2.2, the same framing as
 * the port's) go to the host like the udp ones, and the answers come back
 * on the connection they came from.  The host asks the server over udp,
 * so an answer the server truncates there stays truncated.
 *
 * At most DNS_TCP_CONNS connections; one more is closed at once.  A
 * connection whose answers pile up past its buffer loses them (the
 * client asks again or gives up), never blocking the agent.  A client
 * that shuts down its sending side still gets its answers: the connection
 * stays until they are sent, or until a new connection needs its place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/dnsrelay.h"
#include "lib/evloop.h"
#include "lib/log.h"

#define TCP_OUT_MAX	(2 * (DNS_FRAME_HDR + DNS_ANSWER_MAX))

struct tcp_conn {
	struct dns_tcp *t;
	int fd;			/* -1: free */
	uint64_t serial;	/* the slots' conn: never 0, never reused */
	unsigned int pending;	/* queries sent, answers not yet */
	bool eof;		/* the client sends no more */
	struct dnsf_decoder dec;
	size_t out_len, out_off;
	uint8_t out[TCP_OUT_MAX];
};

struct dns_tcp {
	struct evloop *loop;
	struct dns_relay *relay;
	int lfd;
	uint64_t next_serial;
	struct tcp_conn c[DNS_TCP_CONNS];
	uint8_t in[4096];
};

static void conn_close(struct tcp_conn *c)
{
	evloop_del(c->t->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->serial = 0;
}

/* Writes what the socket takes; false when the client is gone. */
static bool conn_flush(struct tcp_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return false;
			break;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	evloop_mod(c->t->loop, c->fd, (c->eof ? 0 : EPOLLIN) |
		   (c->out_len ? EPOLLOUT : 0));
	return true;
}

static void on_query(void *opaque, uint8_t *msg, size_t len)
{
	struct tcp_conn *c = opaque;

	if (dns_relay_submit_tcp(c->t->relay, msg, len, c->serial))
		c->pending++;
}

static void conn_event(void *opaque, uint32_t events)
{
	struct tcp_conn *c = opaque;
	struct dns_tcp *t = c->t;
	ssize_t n;

	if (events & EPOLLOUT && !conn_flush(c)) {
		conn_close(c);
		return;
	}
	if (c->eof) {
		/* All sent, or gone both ways (HUP comes whatever we ask
		 * for: it must not be left to spin the loop). */
		if ((!c->pending && !c->out_len) || (events & (EPOLLHUP | EPOLLERR)))
			conn_close(c);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(c->fd, t->in, sizeof(t->in), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && !c->pending)) {
		conn_close(c);
		return;
	}
	if (n == 0) {
		/* Half-closed: its answers still go out. */
		c->eof = true;
		conn_flush(c);
		return;
	}
	dnsf_feed(&c->dec, t->in, (size_t)n, on_query, c);
}

static void accept_event(void *opaque, uint32_t events)
{
	struct dns_tcp *t = opaque;
	struct tcp_conn *c = NULL;
	unsigned int i;
	int fd;

	(void)events;
	fd = accept4(t->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < DNS_TCP_CONNS && !c; i++)
		if (t->c[i].fd < 0)
			c = &t->c[i];
	/* All taken: a half-closed one gives way (its answers are lost). */
	for (i = 0; i < DNS_TCP_CONNS && !c; i++)
		if (t->c[i].eof) {
			conn_close(&t->c[i]);
			c = &t->c[i];
		}
	if (!c || evloop_add(t->loop, fd, EPOLLIN, conn_event, c)) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->serial = ++t->next_serial;
	c->pending = 0;
	c->eof = false;
	c->out_len = c->out_off = 0;
	dnsf_init(&c->dec, DNS_QUERY_MAX);
}

int dns_tcp_answer(struct dns_tcp *t, uint64_t conn, const uint8_t *msg,
		   size_t len)
{
	struct tcp_conn *c = NULL;
	unsigned int i;
	size_t n;

	for (i = 0; t && i < DNS_TCP_CONNS && !c; i++)
		if (t->c[i].fd >= 0 && t->c[i].serial == conn)
			c = &t->c[i];
	if (!c)
		return -ENOENT;	/* the client went away */
	if (c->pending)
		c->pending--;
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	n = dnsf_encode(c->out + c->out_len, TCP_OUT_MAX - c->out_len, msg, len,
			DNS_ANSWER_MAX);
	if (!n)
		return -ENOBUFS;
	c->out_len += n;
	if (!conn_flush(c)) {
		conn_close(c);
		return -EPIPE;
	}
	/* Half-closed and all sent: done. */
	if (c->eof && !c->pending && !c->out_len)
		conn_close(c);
	return 0;
}

struct dns_tcp *dns_tcp_new(struct evloop *loop, int listen_fd,
			    struct dns_relay *relay)
{
	struct dns_tcp *t = calloc(1, sizeof(*t));
	unsigned int i;
	int ret;

	if (!t)
		return NULL;
	t->loop = loop;
	t->relay = relay;
	t->lfd = listen_fd;
	for (i = 0; i < DNS_TCP_CONNS; i++) {
		t->c[i].t = t;
		t->c[i].fd = -1;
	}
	ret = evloop_add(loop, listen_fd, EPOLLIN, accept_event, t);
	if (ret) {
		free(t);
		errno = -ret;
		return NULL;
	}
	return t;
}

void dns_tcp_free(struct dns_tcp *t)
{
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < DNS_TCP_CONNS; i++)
		if (t->c[i].fd >= 0)
			conn_close(&t->c[i]);
	evloop_del(t->loop, t->lfd);
	free(t);
}
