/* The guest side of the DNS relay (docs/network.md, "Docker's embedded
 * DNS"): when the VMM gives the guest the dns port, the agent answers on
 * 127.0.0.11:53 (udp), where Docker's resolv.conf points, by sending each
 * query over the port (lib/dnsrelay.h) to the VMM, which asks the server
 * from inside the container's network namespace.
 *
 * Each query's id is rewritten to one of the relay's slots (and restored
 * in the answer), so queries of different clients never mix.  Nothing
 * blocks: a query that finds no free slot or no room toward the port is
 * dropped, as a lost datagram; the client asks again.  DNS over TCP on
 * the same address: guest/dns_tcp.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/dnsrelay.h"
#include "lib/evloop.h"
#include "lib/log.h"

#define QUERIES_PER_WAKE	64
#define OUT_MAX			(16 * 1024)	/* frames waiting for the port */

struct dns_relay {
	struct evloop *loop;
	int port, udp;
	struct dns_tcp *tcp;		/* or NULL: udp only */
	uint32_t port_events;
	struct dnsf_decoder dec;	/* answers from the host */
	struct dnsq_table q;
	size_t out_len, out_off;
	struct dns_relay_stats st;
	uint8_t out[OUT_MAX];
	uint8_t msg[DNS_QUERY_MAX + 1];
	uint8_t in[4096];
};

static void port_watch(struct dns_relay *r)
{
	uint32_t ev = EPOLLIN | (r->out_len > r->out_off ? EPOLLOUT : 0);

	if (ev != r->port_events && !evloop_mod(r->loop, r->port, ev))
		r->port_events = ev;
}

static void flush(struct dns_relay *r)
{
	while (r->out_off < r->out_len) {
		ssize_t n = write(r->port, r->out + r->out_off,
				  r->out_len - r->out_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("dns: port %s: %s", DNS_PORT_NAME,
					 strerror(errno));
			break;
		}
		r->out_off += (size_t)n;
	}
	if (r->out_off == r->out_len)
		r->out_off = r->out_len = 0;
	port_watch(r);
}

/* Queues msg (len bytes, a client's query) for the host under an id of
 * its own: its slot, for the caller to say where the answer goes, or
 * NULL when it was dropped (out of range, no slot, no room). */
static struct dnsq_slot *submit(struct dns_relay *r, uint8_t *msg, size_t len)
{
	struct dnsq_slot *s;
	size_t room;

	r->st.queries++;
	if (r->out_off && OUT_MAX - r->out_len < DNS_FRAME_HDR + len) {
		memmove(r->out, r->out + r->out_off, r->out_len - r->out_off);
		r->out_len -= r->out_off;
		r->out_off = 0;
	}
	room = OUT_MAX - r->out_len;
	if (len < DNS_HDR_LEN || len > DNS_QUERY_MAX ||
	    room < DNS_FRAME_HDR + len ||
	    !(s = dnsq_alloc_id(&r->q, dnsq_now_ms()))) {
		r->st.dropped++;
		return NULL;
	}
	s->client_id = dns_get_id(msg);
	dns_set_id(msg, s->id);
	r->out_len += dnsf_encode(r->out + r->out_len, room, msg, len,
				  DNS_QUERY_MAX);
	dns_set_id(msg, s->client_id);
	return s;
}

bool dns_relay_submit_tcp(struct dns_relay *r, uint8_t *msg, size_t len,
			  uint64_t conn)
{
	struct dnsq_slot *s = submit(r, msg, len);

	if (s)
		s->conn = conn;
	flush(r);
	return s;
}

void dns_relay_from_clients(struct dns_relay *r)
{
	unsigned int i;

	for (i = 0; i < QUERIES_PER_WAKE; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct dnsq_slot *s;
		ssize_t n;

		n = recvfrom(r->udp, r->msg, sizeof(r->msg), MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &flen);
		if (n < 0)
			break;
		/* MSG_TRUNC: n is the datagram's length, over sizeof(msg)
		 * for one too long (submit refuses it unread). */
		s = submit(r, r->msg, (size_t)n);
		if (!s)
			continue;
		s->client_len = flen < sizeof(from) ? flen : sizeof(from);
		memcpy(&s->client, &from, s->client_len);
	}
	flush(r);
}

/* One answer from the host, DNS_HDR_LEN..DNS_ANSWER_MAX bytes (the
 * decoder checked): to its client if its id is one in flight. */
static void on_answer(void *opaque, uint8_t *msg, size_t len)
{
	struct dns_relay *r = opaque;
	struct dnsq_slot *s = dnsq_find(&r->q, dns_get_id(msg), dnsq_now_ms());
	bool ok;

	if (!s) {
		r->st.dropped++;
		return;
	}
	dns_set_id(msg, s->client_id);
	if (s->conn)
		ok = !dns_tcp_answer(r->tcp, s->conn, msg, len);
	else
		ok = sendto(r->udp, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
			    (struct sockaddr *)&s->client, s->client_len) >= 0;
	if (ok)
		r->st.answers++;
	else
		r->st.dropped++;
	dnsq_free(s);
}

void dns_relay_from_port(struct dns_relay *r)
{
	ssize_t n;

	while ((n = read(r->port, r->in, sizeof(r->in))) > 0)
		dnsf_feed(&r->dec, r->in, (size_t)n, on_answer, r);
	r->st.refused = r->dec.refused;
}

static void udp_event(void *opaque, uint32_t events)
{
	(void)events;
	dns_relay_from_clients(opaque);
}

static void port_event(void *opaque, uint32_t events)
{
	struct dns_relay *r = opaque;

	if (events & EPOLLIN)
		dns_relay_from_port(r);
	if (events & EPOLLOUT)
		flush(r);
	/* The host went away (it does not while the VM runs): stop
	 * rather than spin on the hang-up. */
	if ((events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN)) {
		log_warn("dns: port %s hung up: no more relaying", DNS_PORT_NAME);
		evloop_del(r->loop, r->port);
		evloop_del(r->loop, r->udp);
	}
}

struct dns_relay *dns_relay_new(struct evloop *loop, int port_fd, int udp_fd,
			       int tcp_fd)
{
	struct dns_relay *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return NULL;
	if (tcp_fd >= 0 && !(r->tcp = dns_tcp_new(loop, tcp_fd, r))) {
		ret = errno;
		free(r);
		errno = ret;
		return NULL;
	}
	r->loop = loop;
	r->port = port_fd;
	r->udp = udp_fd;
	r->port_events = EPOLLIN;
	dnsf_init(&r->dec, DNS_ANSWER_MAX);
	ret = evloop_add(loop, udp_fd, EPOLLIN, udp_event, r);
	if (!ret) {
		ret = evloop_add(loop, port_fd, EPOLLIN, port_event, r);
		if (ret)
			evloop_del(loop, udp_fd);
	}
	if (ret) {
		dns_tcp_free(r->tcp);
		free(r);
		errno = -ret;
		return NULL;
	}
	return r;
}

void dns_relay_stats(const struct dns_relay *r, struct dns_relay_stats *st)
{
	*st = r->st;
}

void dns_relay_free(struct dns_relay *r)
{
	if (!r)
		return;
	dns_tcp_free(r->tcp);
	evloop_del(r->loop, r->port);
	evloop_del(r->loop, r->udp);
	free(r);
}

int dns_relay_bind(const char *addr, unsigned int port, int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1, ret;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Bound before lo has its address, or whatever the order. */
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, DNS_TCP_CONNS) < 0)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int dns_relay_start(struct evloop *loop)
{
	struct dns_relay *r;
	int port, udp = -1, tcp = -1, ret;

	port = ports_open(DNS_PORT_NAME, 0);
	if (port == -ENOENT)
		return 0;	/* no relay asked for */
	if (port < 0)
		return port;
	ret = net_loopback_up();
	if (!ret && (udp = dns_relay_bind(DNS_RELAY_ADDR, 53, SOCK_DGRAM)) < 0)
		ret = udp;
	if (!ret && (tcp = dns_relay_bind(DNS_RELAY_ADDR, 53, SOCK_STREAM)) < 0)
		ret = tcp;
	if (!ret && !(r = dns_relay_new(loop, port, udp, tcp)))
		ret = -errno;
	if (ret) {
		if (tcp >= 0)
			close(tcp);
		if (udp >= 0)
			close(udp);
		close(port);
		return ret;
	}
	log_info("dns: relaying %s:53 (udp and tcp) over %s", DNS_RELAY_ADDR,
		 DNS_PORT_NAME);
	return 0;
}
