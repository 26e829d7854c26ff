/*
 * The protocol between kvmc / kvmc-shim and the proxy inside kvmc-vmm, on
 * the unix socket STATEDIR/proxy.sock (docs/protocol.md, "Runtime and
 * shims ↔ proxy").  Frames: [u32 BE length incl. the 8-byte header]
 * [u16 BE type][u16 BE flags, 0][payload].
 */
#ifndef KVMC_LIB_PROXY_PROTO_H
#define KVMC_LIB_PROXY_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PX_HDR		8
#define PX_MAX		(1u << 20)	/* largest frame, header included */

enum px_type {
	/* client -> proxy: [u32 BE hyperstart code][JSON]; answered by one
	 * PX_RESPONSE, in order, once the agent has answered. */
	PX_HYPER = 1,
	/* proxy -> client: [u32 BE code: ACK or ERROR][agent's data] */
	PX_RESPONSE = 2,
	/* shim -> proxy: JSON {"container","process","stdio","stderr"}: this
	 * connection now stands for that process (answered PX_RESPONSE). */
	PX_ATTACH = 3,
	/* both ways: [u64 BE stream seq][data]; no data = EOF */
	PX_STREAM = 4,
	/* proxy -> shim: [u32 BE status] the process ended */
	PX_EXIT = 5,
	/* client -> proxy: stop / restart the vCPUs (answered PX_RESPONSE) */
	PX_PAUSE = 6,
	PX_RESUME = 7,
};

void px_header(uint8_t hdr[PX_HDR], uint16_t type, uint32_t payload_len);

/* Incremental decoder with a bounded buffer. */
struct px_decoder {
	uint8_t *buf;
	size_t have, cap;
	size_t done;		/* length of the frame px_next returned last */
};

struct px_frame {
	uint16_t type;
	const uint8_t *data;	/* valid until the next px_decode call */
	size_t len;
};

void px_decoder_init(struct px_decoder *d);
void px_decoder_free(struct px_decoder *d);
/* Appends n bytes; -EMSGSIZE when a frame's length is out of bounds (the
 * connection is then unusable), -ENOMEM. */
int px_feed(struct px_decoder *d, const void *in, size_t n);
/* 1 and *f when a whole frame is buffered (consumed by the next call),
 * 0 when more bytes are needed. */
int px_next(struct px_decoder *d, struct px_frame *f);

static inline uint64_t px_get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void px_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

struct sockaddr_un;
/* The address of the unix socket at path; a path longer than sun_path is
 * reached through /proc/self/fd/DIRFD/NAME, *dirfd to be closed after
 * bind or connect.  0 or -errno. */
int px_sockaddr(const char *path, struct sockaddr_un *sa, int *dirfd);

/* --- blocking client (kvmc, kvmc-shim) ----------------------------- */

/* Connects to path, waiting up to timeout_ms for it to appear.  fd or
 * -errno. */
int px_connect(const char *path, int timeout_ms);
/* Writes one frame whole (two parts: a prefix and data).  0 or -errno. */
int px_send(int fd, uint16_t type, const void *a, size_t alen,
	    const void *b, size_t blen);
/* Reads one frame, waiting up to timeout_ms (-1 forever); 0 and *f,
 * -ETIMEDOUT, -ECONNRESET on EOF, -EMSGSIZE. */
int px_recv(int fd, struct px_decoder *d, struct px_frame *f, int timeout_ms);
/* Sends a hyperstart command and waits for its answer: 0 on ACK, -EIO on
 * ERROR (the agent's text in reply, if given, malloc'd), or -errno. */
int px_hyper(int fd, uint32_t code, const char *json, char **reply,
	     int timeout_ms);

#endif
