/*
 * The 9P2000.L file server: exports one host directory to one client
 * (a virtio-9p device, or a file descriptor pair in tests).
 *
 * Every fid is an O_PATH descriptor below the export root; no guest string
 * ever reaches a path-based system call (docs/9p.md has the rules).
 *
 * Requests arrive as scatter lists: the request bytes and the reply buffer
 * are iovec arrays, so Tread/Twrite payloads move between the file and the
 * client's buffers with preadv/pwritev and no copy.  With worker threads,
 * p9_submit returns at once and requests complete out of order through
 * their done callback, on a worker thread; without, done runs before
 * p9_submit returns.
 */
#ifndef KVMC_P9_P9_H
#define KVMC_P9_P9_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "p9/worker.h"

struct p9_server;

struct p9_server_opts {
	const char *root;	/* host directory to export */
	bool ro;		/* every modification fails with EROFS */
	unsigned int max_fids;	/* 0: 65536 (each holds up to 3 fds) */
	unsigned int workers;	/* threads for blocking calls; 0: inline */
};

/* 0 or -errno (root not a directory, cannot be opened, ...). */
int p9_server_new(const struct p9_server_opts *o, struct p9_server **out);
/* Only once every submitted request has completed. */
void p9_server_free(struct p9_server *s);

struct p9_req {
	/* Set by the transport.  in holds one request (the size field may be
	 * shorter than the list); out receives the reply. */
	const struct iovec *in;
	unsigned int in_cnt;
	const struct iovec *out;
	unsigned int out_cnt;
	/* reply_len bytes of out are the reply; 0 if out cannot hold even an
	 * Rlerror.  Called exactly once per p9_submit, in the order replies
	 * must reach the client, possibly on a worker thread and under a
	 * server lock: it must not call p9_submit.  It may free r. */
	void (*done)(struct p9_req *r, size_t reply_len);
	void *opaque;

	/* Private to p9/. */
	struct p9_work work;
	struct p9_server *srv;
	struct p9_req *prev, *next;	/* requests in flight */
	struct p9_req *flush;		/* a Tflush waiting for this one */
	size_t flush_len;
	uint16_t tag;
};

void p9_submit(struct p9_server *s, struct p9_req *r);

/* Handles one request from a flat buffer on the calling thread; returns
 * the reply's length in out (0 if out_cap < 11).  For tests and stream
 * transports that answer in order. */
size_t p9_handle_buf(struct p9_server *s, const void *in, size_t in_len,
		     void *out, size_t out_cap);

/* The msize negotiated by the last Tversion (0 before). */
uint32_t p9_server_msize(struct p9_server *s);

#endif
