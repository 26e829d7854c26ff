/* The proxy's internal state, shared by proxy.c (guest side) and
 * client.c (the unix-socket side). */
#ifndef KVMC_PROXY_INT_H
#define KVMC_PROXY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hyperstart.h"
#include "lib/proxy_proto.h"
#include "proxy/proxy.h"

/* Bytes held for one peer before the proxy stops reading what feeds it:
 * the stream channel for a shim, the clients for the guest. */
#define PROXY_BUF_MAX	(1u << 20)

struct bytes {
	uint8_t *data;
	size_t len, off;
};

int bytes_add(struct bytes *b, const void *p, size_t n);
size_t bytes_pending(const struct bytes *b);
void bytes_free(struct bytes *b);

struct px_client;

/* A process of the VM, known from the shim that attached for it. */
struct px_proc {
	char *container, *process;
	uint64_t stdio, stderr_seq;
	struct px_client *client;	/* attached shim, or NULL */
	struct bytes held;		/* frames for it while detached */
	struct bytes stdin_held;	/* stdin frames before it started */
	bool started;			/* its NEWCONTAINER/EXECCMD was ACKed */
	bool exited;
	/* The agent ends each output stream before it reports the exit,
	 * but on the other channel: the exit waits here for the EOFs, so
	 * that the shim has all the output before it exits. */
	bool out_eof, err_eof, exit_held;
	uint32_t exit_status;
	struct px_proc *next;
};

struct px_client {
	struct proxy *p;
	int fd;
	struct px_decoder dec;
	struct bytes out;
	bool want_out;			/* EPOLLOUT armed */
	struct px_proc *proc;
	struct px_client *next;
};

struct px_cmd {
	struct px_client *client;	/* NULL once it went away */
	uint32_t code;
	uint8_t *payload;
	size_t len;
	struct px_cmd *next;
};

struct proxy {
	struct evloop *loop;
	struct vcon_port *ctl, *stream;
	struct proxy_ops ops;
	int lfd;
	/* The socket's directory and name there: removed at exit through
	 * the descriptor, which outlives the VMM's sandbox leaving the
	 * host's file system (docs/sandbox.md). */
	int dirfd;
	char *name;
	bool ready;			/* READY came from the agent */
	bool scheduled;			/* a pump is queued on the loop */
	struct hyper_decoder ctl_dec, stream_dec;
	struct bytes to_ctl, to_stream;	/* toward the guest */
	struct px_cmd *cmds, *inflight;	/* waiting, and sent */
	struct px_client *clients;
	struct px_proc *procs;
};

/* client.c */
void px_client_accept(void *opaque, uint32_t events);
void px_client_send(struct px_client *c, uint16_t type, const void *a,
		    size_t alen, const void *b, size_t blen);
void px_client_close(struct px_client *c);
/* proxy.c */
void proxy_schedule(struct proxy *p);
void proxy_send_cmds(struct proxy *p);
struct px_proc *proxy_proc_by_seq(struct proxy *p, uint64_t seq);
/* Queues a stdin frame toward the guest, or holds it until the process
 * has started (the agent drops input for streams it does not know). */
void proxy_stdin(struct proxy *p, struct px_proc *pr, const uint8_t *frame,
		 size_t len);
/* Forgets a process (unlinked, its held frames dropped). */
void proxy_proc_free(struct proxy *p, struct px_proc *pr);
/* Sends a frame to the process's shim, or holds it while detached. */
void proxy_to_proc(struct px_proc *pr, uint16_t type, const void *a,
		   size_t alen, const void *b, size_t blen);

#endif
