/*
 * The proxy's guest side: the hyperstart control and stream channels on
 * the in-process virtio-console rings.  Commands from clients go to the
 * agent one at a time (its answers carry no id, so order is the match);
 * output and exit events are routed to the shim of their process.
 * Everything the guest sends is bounded by lib/hyperstart's decoder.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/console.h"
#include "lib/evloop.h"
#include "lib/json.h"
#include "lib/log.h"
#include "proxy/proxy_int.h"

int bytes_add(struct bytes *b, const void *p, size_t n)
{
	uint8_t *nd;

	if (b->off && b->off == b->len)
		b->off = b->len = 0;
	/* Drop what was sent once it is half the buffer: a reader that
	 * keeps up but never quite empties the buffer (a shim behind a
	 * fast guest) would otherwise grow it by all that ever passed
	 * (faults.bats: the VMM's RSS +9 MiB over a 16 MiB stream).  Each
	 * byte is moved once on average; the realloc below then shrinks it. */
	if (b->off && b->off >= b->len - b->off) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (!n)
		return 0;	/* an empty part (p may be NULL) */
	nd = realloc(b->data, b->len + n);
	if (!nd)
		return -ENOMEM;
	b->data = nd;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

size_t bytes_pending(const struct bytes *b)
{
	return b->len - b->off;
}

void bytes_free(struct bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void pump(void *opaque, uint32_t events);

/* Port callbacks may run on any thread: they only queue a pump. */
void proxy_schedule(struct proxy *p)
{
	if (!__atomic_exchange_n(&p->scheduled, true, __ATOMIC_ACQ_REL))
		evloop_call(p->loop, pump, p);
}

static void port_cb(struct vcon_port *port, void *opaque)
{
	proxy_schedule(opaque);
}

static void port_state_cb(struct vcon_port *port, void *opaque, bool open)
{
	proxy_schedule(opaque);
}

static const struct vcon_port_ops port_ops = {
	.readable = port_cb,
	.writable = port_cb,
	.state = port_state_cb,
};

static void flush_to_guest(struct vcon_port *port, struct bytes *b)
{
	while (bytes_pending(b)) {
		size_t n = vcon_port_write(port, b->data + b->off,
					   bytes_pending(b));

		if (!n)
			break;
		b->off += n;
	}
}

/* One proxy per kvmc-vmm; the times outlive it for the report at exit. */
static struct proxy_times times;

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void stamp(uint64_t *t)
{
	if (!*t)
		*t = mono_us();
}

void proxy_get_times(struct proxy_times *t)
{
	*t = times;
}

void proxy_send_cmds(struct proxy *p)
{
	struct px_cmd *c = p->cmds;
	uint8_t hdr[HYPER_CTL_HDR];

	if (!p->ready || p->inflight || !c)
		return;
	p->cmds = c->next;
	c->next = NULL;
	p->inflight = c;
	if (c->code == HYPER_NEWCONTAINER)
		stamp(&times.newcontainer_us);
	hyper_ctl_header(hdr, c->code, (uint32_t)c->len);
	if (bytes_add(&p->to_ctl, hdr, sizeof(hdr)) ||
	    bytes_add(&p->to_ctl, c->payload, c->len))
		log_error("proxy: out of memory queueing a command");
	flush_to_guest(p->ctl, &p->to_ctl);
}

struct px_proc *proxy_proc_by_seq(struct proxy *p, uint64_t seq)
{
	struct px_proc *pr;

	for (pr = p->procs; pr; pr = pr->next)
		if (seq && (pr->stdio == seq || pr->stderr_seq == seq))
			return pr;
	return NULL;
}

void proxy_proc_free(struct proxy *p, struct px_proc *pr)
{
	struct px_proc **pp;

	for (pp = &p->procs; *pp; pp = &(*pp)->next)
		if (*pp == pr) {
			*pp = pr->next;
			break;
		}
	if (pr->client)
		pr->client->proc = NULL;
	free(pr->container);
	free(pr->process);
	bytes_free(&pr->held);
	bytes_free(&pr->stdin_held);
	free(pr);
}

void proxy_to_proc(struct px_proc *pr, uint16_t type, const void *a,
		   size_t alen, const void *b, size_t blen)
{
	uint8_t hdr[PX_HDR];

	if (pr->client) {
		px_client_send(pr->client, type, a, alen, b, blen);
		return;
	}
	px_header(hdr, type, (uint32_t)(alen + blen));
	if (bytes_add(&pr->held, hdr, sizeof(hdr)) ||
	    bytes_add(&pr->held, a, alen) || bytes_add(&pr->held, b, blen))
		log_error("proxy: out of memory holding output");
}

void proxy_stdin(struct proxy *p, struct px_proc *pr, const uint8_t *frame,
		 size_t len)
{
	if (bytes_add(pr->started ? &p->to_stream : &pr->stdin_held, frame, len))
		log_error("proxy: out of memory queueing stdin");
	proxy_schedule(p);
}

/* The agent ACKed a NEWCONTAINER or EXECCMD: the process with that
 * command's stdio stream exists now, so its held stdin may go. */
static void process_started(struct proxy *p, const struct px_cmd *cmd)
{
	struct px_proc *pr;
	struct json j;
	uint64_t seq;
	int proc;

	if (json_parse(&j, (const char *)cmd->payload, cmd->len, NULL))
		return;
	proc = json_get(&j, 0, "process");
	if (!json_uint64(&j, json_get(&j, proc, "stdio"), &seq) &&
	    (pr = proxy_proc_by_seq(p, seq)) && !pr->started) {
		pr->started = true;
		if (bytes_add(&p->to_stream, pr->stdin_held.data + pr->stdin_held.off,
			      bytes_pending(&pr->stdin_held)))
			log_error("proxy: out of memory queueing stdin");
		bytes_free(&pr->stdin_held);
	}
	json_free(&j);
}

/* Sends the process's exit once its output streams have ended. */
static void maybe_exit(struct px_proc *pr)
{
	uint8_t be[4];

	if (!pr->exit_held || !pr->out_eof || (pr->stderr_seq && !pr->err_eof))
		return;
	pr->exit_held = false;
	hyper_put_be32(be, pr->exit_status);
	proxy_to_proc(pr, PX_EXIT, be, 4, NULL, 0);
}

static void on_ctl_frame(struct proxy *p, const struct hyper_frame *f)
{
	struct hyper_proc_event ev;
	struct px_proc *pr;
	uint8_t be[4];

	if (f->status) {
		log_guest("proxy: bad control frame from the guest (%d)", f->status);
		return;
	}
	switch (f->code) {
	case HYPER_READY:
		stamp(&times.ready_us);
		p->ready = true;
		break;
	case HYPER_ACK:
	case HYPER_ERROR:
		if (!p->inflight) {
			log_guest("proxy: the agent answered %s to no command",
				  hyper_cmd_name(f->code));
			break;
		}
		if (p->inflight->code == HYPER_NEWCONTAINER)
			stamp(&times.newcontainer_ack_us);
		if (f->code == HYPER_ACK &&
		    (p->inflight->code == HYPER_NEWCONTAINER ||
		     p->inflight->code == HYPER_EXECCMD))
			process_started(p, p->inflight);
		if (p->inflight->client) {
			hyper_put_be32(be, f->code);
			px_client_send(p->inflight->client, PX_RESPONSE, be, 4,
				       f->data, f->len);
		}
		free(p->inflight->payload);
		free(p->inflight);
		p->inflight = NULL;
		break;
	case HYPER_PROCESSASYNCEVENT:
		if (hyper_proc_event_decode((const char *)f->data, f->len, &ev)) {
			log_guest("proxy: malformed PROCESSASYNCEVENT");
			break;
		}
		for (pr = p->procs; pr; pr = pr->next)
			if (!strcmp(pr->container, ev.container) &&
			    !strcmp(pr->process, ev.process) && !pr->exited)
				break;
		if (pr) {
			pr->exited = pr->exit_held = true;
			pr->exit_status = (uint32_t)ev.status;
			maybe_exit(pr);
		} else {
			log_guest("proxy: exit of unknown process %s/%s (status %d)",
				 ev.container, ev.process, ev.status);
		}
		hyper_proc_event_free(&ev);
		break;
	default:
		break;	/* NEXT and the rest carry nothing for the host */
	}
}

static void on_stream_frame(struct proxy *p, const struct hyper_frame *f)
{
	struct px_proc *pr;
	uint8_t seq[8];

	if (f->status) {
		log_guest("proxy: bad stream frame from the guest (%d)", f->status);
		return;
	}
	pr = proxy_proc_by_seq(p, f->seq);
	if (!pr) {
		log_guest("proxy: output for unknown stream %llu dropped",
			  (unsigned long long)f->seq);
		return;
	}
	px_put_be64(seq, f->seq);
	proxy_to_proc(pr, PX_STREAM, seq, 8, f->data, f->len);
	if (!f->len) {
		if (f->seq == pr->stdio)
			pr->out_eof = true;
		else
			pr->err_eof = true;
		maybe_exit(pr);
	}
}

/* Whether any shim is too far behind to take more output. */
static bool output_backlogged(struct proxy *p)
{
	struct px_proc *pr;

	for (pr = p->procs; pr; pr = pr->next)
		if (bytes_pending(&pr->held) > PROXY_BUF_MAX ||
		    (pr->client && bytes_pending(&pr->client->out) > PROXY_BUF_MAX))
			return true;
	return false;
}

static void drain_port(struct proxy *p, struct vcon_port *port,
		       struct hyper_decoder *d, bool ctl)
{
	uint8_t buf[8192];
	size_t n;

	while ((ctl || !output_backlogged(p)) &&
	       (n = vcon_port_read(port, buf, sizeof(buf)))) {
		const uint8_t *q = buf;

		while (n) {
			struct hyper_frame f;
			bool got = false;
			ssize_t r = hyper_decode(d, q, n, &f, &got);

			if (r < 0) {
				log_error("proxy: out of memory decoding guest frames");
				return;
			}
			q += r;
			n -= (size_t)r;
			if (got) {
				if (ctl)
					on_ctl_frame(p, &f);
				else
					on_stream_frame(p, &f);
			}
		}
	}
}

static void pump(void *opaque, uint32_t events)
{
	struct proxy *p = opaque;

	__atomic_store_n(&p->scheduled, false, __ATOMIC_RELEASE);
	drain_port(p, p->ctl, &p->ctl_dec, true);
	drain_port(p, p->stream, &p->stream_dec, false);
	proxy_send_cmds(p);
	flush_to_guest(p->ctl, &p->to_ctl);
	flush_to_guest(p->stream, &p->to_stream);
}

/* An O_PATH descriptor of path's directory, and in *name its last part
 * (malloc'd); -1 with errno on failure. */
static int dir_of(const char *path, char **name)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	*name = strdup(slash ? slash + 1 : path);
	dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (!*name || !dir) {
		free(dir);
		errno = ENOMEM;
		return -1;
	}
	fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}

struct proxy *proxy_new(struct evloop *loop, struct vcon_port *ctl,
			struct vcon_port *stream, const char *path,
			const struct proxy_ops *ops)
{
	struct sockaddr_un sa;
	struct proxy *p;
	int err, dirfd = -1;

	if (!ctl || !stream) {
		errno = EINVAL;
		return NULL;
	}
	err = px_sockaddr(path, &sa, &dirfd);
	if (err) {
		errno = -err;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		if (dirfd >= 0)
			close(dirfd);
		return NULL;
	}
	p->loop = loop;
	p->ctl = ctl;
	p->stream = stream;
	p->ops = *ops;
	hyper_decoder_init(&p->ctl_dec, HYPER_CHAN_CTL, HYPER_CTL_MAX);
	hyper_decoder_init(&p->stream_dec, HYPER_CHAN_STREAM, HYPER_STREAM_MAX);
	p->dirfd = dir_of(path, &p->name);
	p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->dirfd < 0 || !p->name || p->lfd < 0 ||
	    bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(p->lfd, 16) ||
	    evloop_add(loop, p->lfd, EPOLLIN, px_client_accept, p))
		goto err;
	if (dirfd >= 0)
		close(dirfd);
	vcon_port_set_ops(ctl, &port_ops, p);
	vcon_port_set_ops(stream, &port_ops, p);
	proxy_schedule(p);	/* READY may already be waiting */
	return p;
err:
	err = errno;
	if (dirfd >= 0)
		close(dirfd);
	if (p->lfd >= 0)
		close(p->lfd);
	if (p->dirfd >= 0)
		close(p->dirfd);
	free(p->name);
	hyper_decoder_free(&p->ctl_dec);
	hyper_decoder_free(&p->stream_dec);
	free(p);
	errno = err;
	return NULL;
}

static void free_cmds(struct px_cmd *c)
{
	while (c) {
		struct px_cmd *n = c->next;

		free(c->payload);
		free(c);
		c = n;
	}
}

void proxy_free(struct proxy *p)
{
	if (!p)
		return;
	vcon_port_set_ops(p->ctl, NULL, NULL);
	vcon_port_set_ops(p->stream, NULL, NULL);
	while (p->clients)
		px_client_close(p->clients);
	while (p->procs)
		proxy_proc_free(p, p->procs);
	free_cmds(p->cmds);
	free_cmds(p->inflight);
	evloop_del(p->loop, p->lfd);
	close(p->lfd);
	unlinkat(p->dirfd, p->name, 0);
	close(p->dirfd);
	free(p->name);
	hyper_decoder_free(&p->ctl_dec);
	hyper_decoder_free(&p->stream_dec);
	bytes_free(&p->to_ctl);
	bytes_free(&p->to_stream);
	free(p);
}
