/* The DNS relay between the agent and kvmc-vmm (docs/network.md, "Docker's
 * embedded DNS"; docs/protocol.md, the dns port): its framing on the
 * virtio-serial port and the table of queries in flight that each side
 * keeps.
 *
 * Frame: [u16 BE length][DNS message], both ways.  The message's own
 * 16-bit id is the query id: the agent rewrites each client's id to one
 * of its slots' and restores it in the answer; the VMM only forwards
 * answers to ids it has in flight. */
#ifndef KVMC_LIB_DNSRELAY_H
#define KVMC_LIB_DNSRELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_PORT_NAME		"sh.kvmc.dns.0"
#define DNS_RELAY_ADDR		"127.0.0.11"	/* Docker's embedded DNS */
#define DNS_HDR_LEN		12		/* a message is at least this */
#define DNS_QUERY_MAX		512		/* guest -> host */
#define DNS_ANSWER_MAX		4096		/* host -> guest */
#define DNS_FRAME_HDR		2
#define DNS_INFLIGHT_MAX	64		/* queries waiting for an answer */
#define DNS_TIMEOUT_MS		10000		/* then the slot is free again */

/* --- framing ---------------------------------------------------------- */

/* Writes the frame of msg into out; its length, or 0 when len is not
 * DNS_HDR_LEN..max or out is too small. */
size_t dnsf_encode(uint8_t *out, size_t cap, const void *msg, size_t len,
		   size_t max);

typedef void (*dnsf_fn)(void *opaque, uint8_t *msg, size_t len);

/* A stream decoder that never loses its place: a frame whose length is
 * out of range is skipped whole (its length is still known) and counted. */
struct dnsf_decoder {
	size_t max;		/* the longest message taken */
	size_t need;		/* bytes of the current frame still to come */
	size_t have;		/* of its message, in buf */
	uint8_t hdr[DNS_FRAME_HDR];
	size_t hdr_have;
	bool skipping;		/* the current frame is refused */
	unsigned long refused;
	uint8_t buf[DNS_ANSWER_MAX];
};

/* max: DNS_QUERY_MAX or DNS_ANSWER_MAX (at most sizeof(buf)). */
void dnsf_init(struct dnsf_decoder *d, size_t max);
/* Takes n bytes; fn(opaque, msg, len) for each whole frame in range. */
void dnsf_feed(struct dnsf_decoder *d, const uint8_t *p, size_t n,
	       dnsf_fn fn, void *opaque);

/* --- the queries in flight ------------------------------------------ */

struct dnsq_slot {
	bool used;
	uint16_t id;			/* on the port */
	uint16_t client_id;		/* the client's own (agent) */
	uint64_t deadline_ms;
	struct sockaddr_storage client;	/* agent: where the answer goes */
	socklen_t client_len;
	uint64_t conn;			/* agent: a TCP client's number; 0: udp */
};

struct dnsq_table {
	struct dnsq_slot s[DNS_INFLIGHT_MAX];
	uint16_t next;			/* agent: the generation of new ids */
};

static inline uint16_t dns_get_id(const uint8_t *msg)
{
	return (uint16_t)(msg[0] << 8 | msg[1]);
}

static inline void dns_set_id(uint8_t *msg, uint16_t id)
{
	msg[0] = (uint8_t)(id >> 8);
	msg[1] = (uint8_t)id;
}

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t dnsq_now_ms(void);
/* A free slot (expired ones are freed first), or NULL when
 * DNS_INFLIGHT_MAX are waiting.  The slot is zeroed, used, with its
 * deadline set; its id is not. */
struct dnsq_slot *dnsq_alloc(struct dnsq_table *t, uint64_t now_ms);
/* Agent: a slot with an id no other slot in flight has (slot index in the
 * low 6 bits, a generation above, so a late answer to a freed slot's
 * earlier query does not match), or NULL. */
struct dnsq_slot *dnsq_alloc_id(struct dnsq_table *t, uint64_t now_ms);
/* The slot in flight with this id (expired ones do not count), or NULL. */
struct dnsq_slot *dnsq_find(struct dnsq_table *t, uint16_t id,
			    uint64_t now_ms);
void dnsq_free(struct dnsq_slot *s);
unsigned int dnsq_inflight(const struct dnsq_table *t, uint64_t now_ms);

#endif
