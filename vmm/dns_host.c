/* The host side of the DNS relay (see dns_host.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/dnsrelay.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "vmm/dns_host.h"

#define ANSWERS_PER_WAKE	64	/* then the loop serves the others */

struct dns_host {
	struct evloop *loop;
	int sock;
	const struct dns_host_port *ops;
	void *port;
	struct dnsf_decoder dec;	/* queries from the guest */
	struct dnsq_table inflight;
	struct dns_host_stats st;
	uint8_t in[4096];		/* from the port */
	uint8_t frame[DNS_FRAME_HDR + DNS_ANSWER_MAX + 1];
};

/* One whole query from the guest: len is DNS_HDR_LEN..DNS_QUERY_MAX
 * (the decoder checked).  Its id must not be in flight already. */
static void on_query(void *opaque, uint8_t *msg, size_t len)
{
	struct dns_host *h = opaque;
	uint64_t now = dnsq_now_ms();
	uint16_t id = dns_get_id(msg);
	struct dnsq_slot *s;

	h->st.queries++;
	if (dnsq_find(&h->inflight, id, now) ||
	    !(s = dnsq_alloc(&h->inflight, now))) {
		h->st.dropped++;
		return;
	}
	s->id = id;
	if (send(h->sock, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		dnsq_free(s);
		h->st.dropped++;
	}
}

void dns_host_from_guest(struct dns_host *h)
{
	unsigned long refused = h->dec.refused;
	size_t n;

	/* Draining it all is bounded: past DNS_INFLIGHT_MAX queries in
	 * flight, each further one costs a table lookup, no syscall. */
	while ((n = h->ops->read(h->port, h->in, sizeof(h->in))))
		dnsf_feed(&h->dec, h->in, n, on_query, h);
	if (h->dec.refused != refused)
		log_guest("dns: the guest sent %lu frame(s) of a length outside %d..%d bytes: skipped",
			  h->dec.refused - refused, DNS_HDR_LEN, DNS_QUERY_MAX);
	h->st.refused = h->dec.refused;
}

void dns_host_from_server(struct dns_host *h)
{
	uint8_t *msg = h->frame + DNS_FRAME_HDR;
	unsigned int i;

	for (i = 0; i < ANSWERS_PER_WAKE; i++) {
		struct dnsq_slot *s;
		ssize_t n;
		size_t len;

		/* MSG_TRUNC: the datagram's real length, to refuse what
		 * did not fit rather than pass on a cut answer. */
		n = recv(h->sock, msg, DNS_ANSWER_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* ECONNREFUSED: nothing listens (yet); the
			 * queries time out in their slots. */
			h->st.dropped++;
			continue;
		}
		len = (size_t)n;
		s = len >= DNS_HDR_LEN ?
		    dnsq_find(&h->inflight, dns_get_id(msg), dnsq_now_ms()) : NULL;
		if (!s || len > DNS_ANSWER_MAX ||
		    h->ops->writable(h->port) < DNS_FRAME_HDR + len) {
			if (s)
				dnsq_free(s);
			h->st.dropped++;
			continue;
		}
		dnsq_free(s);
		h->frame[0] = (uint8_t)(len >> 8);
		h->frame[1] = (uint8_t)len;
		h->ops->write(h->port, h->frame, DNS_FRAME_HDR + len);
		h->st.answers++;
	}
	/* More may wait: the socket stays readable (level-triggered), so
	 * the loop comes back after the others had their turn. */
}

static void sock_event(void *opaque, uint32_t events)
{
	(void)events;
	dns_host_from_server(opaque);
}

struct dns_host *dns_host_new(struct evloop *loop, int sock,
			      const struct dns_host_port *ops, void *port)
{
	struct dns_host *h = calloc(1, sizeof(*h));
	int flags, r;

	flags = fcntl(sock, F_GETFL);
	if (!h || flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0)
		goto fail;
	h->loop = loop;
	h->sock = sock;
	h->ops = ops;
	h->port = port;
	dnsf_init(&h->dec, DNS_QUERY_MAX);
	r = evloop_add(loop, sock, EPOLLIN, sock_event, h);
	if (r < 0) {
		errno = -r;
		goto fail;
	}
	return h;
fail:
	r = errno;
	free(h);
	close(sock);
	errno = r;
	return NULL;
}

void dns_host_stats(const struct dns_host *h, struct dns_host_stats *st)
{
	*st = h->st;
}

void dns_host_free(struct dns_host *h)
{
	if (!h)
		return;
	evloop_del(h->loop, h->sock);
	close(h->sock);
	free(h);
}
