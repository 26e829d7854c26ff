/* The host side of the DNS relay (docs/network.md, "Docker's embedded
 * DNS"): queries framed on the guest's dns port (lib/dnsrelay.h) are sent
 * on a datagram socket the runtime connected to 127.0.0.11:53 inside the
 * container's network namespace, and the answers go back on the port.
 *
 * Never blocks: the socket is non-blocking, at most DNS_INFLIGHT_MAX
 * queries wait for an answer (DNS_TIMEOUT_MS each), and whatever does not
 * fit (a full table, a full socket, no room on the port, an answer over
 * DNS_ANSWER_MAX) is dropped and counted, as a lost datagram would be:
 * the guest's resolver asks again. */
#ifndef KVMC_VMM_DNS_HOST_H
#define KVMC_VMM_DNS_HOST_H

#include <stddef.h>

struct evloop;
struct dns_host;

/* The port, as the relay uses it (the VMM's virtio-console port, or a
 * test's buffers). */
struct dns_host_port {
	size_t (*read)(void *port, void *buf, size_t len);
	size_t (*write)(void *port, const void *buf, size_t len);
	size_t (*writable)(void *port);
};

struct dns_host_stats {
	unsigned long queries, answers;
	unsigned long refused;	/* frames from the guest out of range */
	unsigned long dropped;	/* queries or answers that could not go on */
};

/* sock: a connected datagram socket (made non-blocking here), owned by
 * the relay from now on, even on failure.  NULL with errno set. */
struct dns_host *dns_host_new(struct evloop *loop, int sock,
			      const struct dns_host_port *ops, void *port);
/* Bytes from the guest are waiting on the port. */
void dns_host_from_guest(struct dns_host *h);
/* The socket is readable (the event loop calls it; tests may too). */
void dns_host_from_server(struct dns_host *h);
void dns_host_stats(const struct dns_host *h, struct dns_host_stats *st);
void dns_host_free(struct dns_host *h);

#endif
