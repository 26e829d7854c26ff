/*
 * The proxy, inside kvmc-vmm: owns the two hyperstart channels (the
 * virtio-console ports sh.hyper.channel.0 and .1) and serves the runtime
 * and the shims on a unix socket (lib/proxy_proto.h, docs/protocol.md).
 * All of its state lives on the VM's event-loop thread.
 */
#ifndef KVMC_PROXY_PROXY_H
#define KVMC_PROXY_PROXY_H

struct evloop;
struct vcon_port;
struct proxy;

struct proxy_ops {
	/* PX_PAUSE / PX_RESUME: stop and restart the vCPUs. */
	void (*pause)(void *opaque);
	void (*resume)(void *opaque);
	void *opaque;
};

/* Listens on path (replacing nothing: it must not exist).  NULL with
 * errno set on failure. */
struct proxy *proxy_new(struct evloop *loop, struct vcon_port *ctl,
			struct vcon_port *stream, const char *path,
			const struct proxy_ops *ops);
/* On the loop thread (or with the loop stopped). */
void proxy_free(struct proxy *p);

/* kvmc-vmm's --boot-timing: when the agent's first READY came, the first
 * NEWCONTAINER went to it and its answer came back (CLOCK_MONOTONIC
 * microseconds; 0: not yet).  Read with the loop stopped. */
struct proxy_times {
	uint64_t ready_us, newcontainer_us, newcontainer_ack_us;
};
void proxy_get_times(struct proxy_times *t);

#endif
