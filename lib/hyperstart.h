/* The hyperstart protocol between the host (proxy) and the guest agent:
 * command codes, frame encoding and an incremental frame decoder, and the
 * PROCESSASYNCEVENT payload both sides exchange.  docs/protocol.md has the
 * payload of every command. */
#ifndef KVMC_LIB_HYPERSTART_H
#define KVMC_LIB_HYPERSTART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* hyperstart master's src/api.h: below 1000000 both sides must match. */
#define HYPER_APIVERSION	4244

/* Virtio-serial port names (/dev/virtio-ports/NAME in the guest). */
#define HYPER_CTL_PORT		"sh.hyper.channel.0"
#define HYPER_STREAM_PORT	"sh.hyper.channel.1"

/* Control command codes, pinned to hyperstart master (APIVERSION 4244).
 * The _DEPRECATED ones are never sent; the agent answers them with ERROR. */
enum hyper_cmd {
	HYPER_GETVERSION = 0,
	HYPER_STARTPOD = 1,
	HYPER_GETPOD_DEPRECATED = 2,
	HYPER_STOPPOD_DEPRECATED = 3,
	HYPER_DESTROYPOD = 4,
	HYPER_RESTARTCONTAINER_DEPRECATED = 5,
	HYPER_EXECCMD = 6,
	HYPER_FINISHCMD_DEPRECATED = 7,
	HYPER_READY = 8,
	HYPER_ACK = 9,
	HYPER_ERROR = 10,
	HYPER_WINSIZE = 11,
	HYPER_PING = 12,
	HYPER_FINISHPOD_DEPRECATED = 13,
	HYPER_NEXT = 14,
	HYPER_WRITEFILE = 15,
	HYPER_READFILE = 16,
	HYPER_NEWCONTAINER = 17,
	HYPER_KILLCONTAINER = 18,
	HYPER_ONLINECPUMEM = 19,
	HYPER_SETUPINTERFACE = 20,
	HYPER_SETUPROUTE = 21,
	HYPER_REMOVECONTAINER = 22,
	HYPER_PROCESSASYNCEVENT = 23,
	HYPER_SIGNALPROCESS = 24,
	HYPER_DELETEINTERFACE = 25,
};

/* "GETVERSION" etc., or NULL for a code outside the table. */
const char *hyper_cmd_name(uint32_t code);

/*
 * Control frame: [u32 BE code][u32 BE length][payload], length counting
 * the 8-byte header.  Stream frame: [u64 BE seq][u32 BE length][data],
 * length counting the 12-byte header; a header-only stream frame is EOF.
 */
#define HYPER_CTL_HDR		8
#define HYPER_STREAM_HDR	12

/* Largest frames either side accepts (header included).  Larger ones are
 * skipped without being stored and reported as -EMSGSIZE. */
#define HYPER_CTL_MAX		(1u << 20)
#define HYPER_STREAM_MAX	(64u << 10)
/* Largest data a writer puts in one stream frame. */
#define HYPER_STREAM_CHUNK	4096

void hyper_ctl_header(uint8_t hdr[HYPER_CTL_HDR], uint32_t code,
		      uint32_t payload_len);
void hyper_stream_header(uint8_t hdr[HYPER_STREAM_HDR], uint64_t seq,
			 uint32_t payload_len);

/* Whole frame in one malloc'd buffer (*out, *out_len); 0, -EMSGSIZE when
 * the frame would exceed the channel's maximum, or -ENOMEM. */
int hyper_ctl_frame(uint32_t code, const void *payload, size_t len,
		    uint8_t **out, size_t *out_len);
int hyper_stream_frame(uint64_t seq, const void *data, size_t len,
		       uint8_t **out, size_t *out_len);

static inline uint32_t hyper_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void hyper_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* --- incremental decoder ------------------------------------------- */

enum hyper_chan { HYPER_CHAN_CTL, HYPER_CHAN_STREAM };

struct hyper_frame {
	uint32_t code;		/* control frames */
	uint64_t seq;		/* stream frames */
	/*
	 * 0: data/len hold the payload (NUL-terminated, the NUL not counted).
	 * -EMSGSIZE: the length exceeded the maximum; the payload was read and
	 *  dropped, len is the dropped size.
	 * -EBADMSG: the length was smaller than the header; only the header
	 *  was consumed.
	 * Either way the byte stream stays in step with the sender.
	 */
	int status;
	uint8_t *data;		/* owned by the decoder until its next call */
	size_t len;
};

struct hyper_decoder {
	enum hyper_chan kind;
	size_t hdr_len;
	uint32_t max;		/* largest frame, header included */
	uint8_t hdr[HYPER_STREAM_HDR];
	size_t hdr_have;
	uint8_t *buf;		/* payload being assembled */
	size_t cap;
	size_t have;		/* payload bytes received (or dropped) */
	size_t want;		/* payload bytes of the current frame */
	bool skipping;		/* dropping an oversized payload */
	bool bad;		/* length smaller than the header */
};

/* max: largest accepted frame including its header (at least the header;
 * HYPER_CTL_MAX / HYPER_STREAM_MAX are the protocol's limits). */
void hyper_decoder_init(struct hyper_decoder *d, enum hyper_chan kind,
			uint32_t max);
void hyper_decoder_free(struct hyper_decoder *d);

/*
 * Feeds up to n bytes.  Returns the number consumed (stopping right after a
 * frame completes) and sets *got when *f holds a whole frame; or -ENOMEM.
 * Usage: while (n) { r = hyper_decode(d, p, n, &f, &got); ...; p += r;
 * n -= r; if (got) handle(&f); }.  Memory use is bounded by max.
 */
ssize_t hyper_decode(struct hyper_decoder *d, const void *in, size_t n,
		     struct hyper_frame *f, bool *got);

/* --- payloads both sides build or read ------------------------------ */

/* PROCESSASYNCEVENT {"container","process","event":"finished","status"}:
 * status is the exit code, or 128+N for a process killed by signal N. */
struct hyper_proc_event {
	char *container;
	char *process;
	char *event;
	int status;
};

/* Malloc'd JSON text (*len without the NUL), or NULL on OOM. */
char *hyper_proc_event_encode(const char *container, const char *process,
			      int status, size_t *len);
/* 0 or -EINVAL (bad JSON, missing or mistyped field, longer than
 * HYPER_EVENT_MAX); free with hyper_proc_event_free.  The length cap
 * matters on the host, where the JSON comes from the guest: jsmn's time
 * grows with the square of the nesting depth. */
#define HYPER_EVENT_MAX		4096
int hyper_proc_event_decode(const char *json, size_t len,
			    struct hyper_proc_event *ev);
void hyper_proc_event_free(struct hyper_proc_event *ev);

#endif
