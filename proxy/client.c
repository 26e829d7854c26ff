/*
 * The proxy's socket side: kvmc and the shims.  A client sends hyperstart
 * commands (answered in order), and a shim attaches to its process to
 * receive its output and exit status and to send its stdin.  Output held
 * while no shim is attached is delivered when one attaches again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "lib/json.h"
#include "lib/log.h"
#include "proxy/proxy_int.h"

static void client_flush(struct px_client *c)
{
	struct proxy *p = c->p;
	bool was_full = bytes_pending(&c->out) > PROXY_BUF_MAX;

	while (bytes_pending(&c->out)) {
		ssize_t n = send(c->fd, c->out.data + c->out.off,
				 bytes_pending(&c->out), MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				/* The peer is gone: its hangup closes it on
				 * the loop, never here under a caller. */
				bytes_free(&c->out);
			}
			break;
		}
		c->out.off += (size_t)n;
	}
	if (bytes_pending(&c->out) && !c->want_out) {
		c->want_out = true;
		evloop_mod(p->loop, c->fd, EPOLLIN | EPOLLOUT);
	} else if (!bytes_pending(&c->out) && c->want_out) {
		c->want_out = false;
		evloop_mod(p->loop, c->fd, EPOLLIN);
	}
	/* Room again: resume reading the guest's output. */
	if (was_full && bytes_pending(&c->out) <= PROXY_BUF_MAX)
		proxy_schedule(p);
}

void px_client_send(struct px_client *c, uint16_t type, const void *a,
		    size_t alen, const void *b, size_t blen)
{
	uint8_t hdr[PX_HDR];

	px_header(hdr, type, (uint32_t)(alen + blen));
	if (bytes_add(&c->out, hdr, sizeof(hdr)) || bytes_add(&c->out, a, alen) ||
	    bytes_add(&c->out, b, blen)) {
		log_error("proxy: out of memory: dropping a client's output");
		bytes_free(&c->out);
		return;
	}
	client_flush(c);
}

void px_client_close(struct px_client *c)
{
	struct proxy *p = c->p;
	struct px_client **pp;
	struct px_cmd *cmd;

	for (pp = &p->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->proc) {
		c->proc->client = NULL;
		/* Its shim has had the exit: nothing more comes for it, and
		 * a VM that runs many execs must not keep them all. */
		if (c->proc->exited && !bytes_pending(&c->proc->held))
			proxy_proc_free(p, c->proc);
	}
	/* Its commands still go to the agent (a kill must not be lost);
	 * only the answers are dropped. */
	for (cmd = p->cmds; cmd; cmd = cmd->next)
		if (cmd->client == c)
			cmd->client = NULL;
	if (p->inflight && p->inflight->client == c)
		p->inflight->client = NULL;
	evloop_del(p->loop, c->fd);
	close(c->fd);
	px_decoder_free(&c->dec);
	bytes_free(&c->out);
	free(c);
}

static void on_hyper(struct px_client *c, const struct px_frame *f)
{
	struct proxy *p = c->p;
	struct px_cmd *cmd, **tail;

	if (f->len < 4) {
		px_client_close(c);
		return;
	}
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd || !(cmd->payload = malloc(f->len - 4 + 1))) {
		free(cmd);
		px_client_close(c);
		return;
	}
	cmd->client = c;
	cmd->code = hyper_get_be32(f->data);
	cmd->len = f->len - 4;
	memcpy(cmd->payload, f->data + 4, cmd->len);
	for (tail = &p->cmds; *tail; tail = &(*tail)->next)
		;
	*tail = cmd;
	proxy_send_cmds(p);
}

static int attach_parse(const struct px_frame *f, char **container,
			char **process, uint64_t *stdio, uint64_t *err_seq)
{
	struct json j;
	int ret = -EINVAL;

	*container = *process = NULL;
	if (json_parse(&j, (const char *)f->data, f->len, NULL))
		return -EINVAL;
	if (json_string(&j, json_get(&j, 0, "container"), container) ||
	    json_string(&j, json_get(&j, 0, "process"), process) ||
	    json_uint64(&j, json_get(&j, 0, "stdio"), stdio) || !*stdio)
		goto out;
	*err_seq = 0;
	if (json_get(&j, 0, "stderr") >= 0 &&
	    json_uint64(&j, json_get(&j, 0, "stderr"), err_seq))
		goto out;
	ret = 0;
out:
	json_free(&j);
	if (ret) {
		free(*container);
		free(*process);
	}
	return ret;
}

static void on_attach(struct px_client *c, const struct px_frame *f)
{
	struct proxy *p = c->p;
	struct px_proc *pr;
	char *container, *process;
	uint64_t stdio, err_seq;
	uint8_t be[4];

	hyper_put_be32(be, HYPER_ERROR);
	if (c->proc || attach_parse(f, &container, &process, &stdio, &err_seq)) {
		px_client_send(c, PX_RESPONSE, be, 4, "bad attach", 10);
		return;
	}
	for (pr = p->procs; pr; pr = pr->next)
		if (!strcmp(pr->container, container) &&
		    !strcmp(pr->process, process))
			break;
	if (!pr) {
		pr = calloc(1, sizeof(*pr));
		if (!pr) {
			free(container);
			free(process);
			px_client_close(c);
			return;
		}
		pr->container = container;
		pr->process = process;
		pr->stdio = stdio;
		pr->stderr_seq = err_seq;
		pr->next = p->procs;
		p->procs = pr;
	} else {
		free(container);
		free(process);
	}
	if (pr->client)		/* a newer shim replaces a stale one */
		pr->client->proc = NULL;
	pr->client = c;
	c->proc = pr;
	hyper_put_be32(be, HYPER_ACK);
	px_client_send(c, PX_RESPONSE, be, 4, NULL, 0);
	if (bytes_pending(&pr->held)) {
		if (bytes_add(&c->out, pr->held.data + pr->held.off,
			      bytes_pending(&pr->held)) == 0)
			bytes_free(&pr->held);
		client_flush(c);
	}
}

static void on_stream(struct px_client *c, const struct px_frame *f)
{
	struct proxy *p = c->p;
	uint8_t *frame;
	size_t len;
	uint64_t seq;

	if (f->len < 8 || !c->proc) {
		px_client_close(c);
		return;
	}
	seq = px_get_be64(f->data);
	if (seq != c->proc->stdio)
		return;		/* stdin goes only to the shim's own process */
	if (hyper_stream_frame(seq, f->data + 8, f->len - 8, &frame, &len)) {
		px_client_close(c);
		return;
	}
	proxy_stdin(p, c->proc, frame, len);
	free(frame);
}

static void on_frame(struct px_client *c, const struct px_frame *f)
{
	uint8_t be[4];

	switch (f->type) {
	case PX_HYPER:
		on_hyper(c, f);
		break;
	case PX_ATTACH:
		on_attach(c, f);
		break;
	case PX_STREAM:
		on_stream(c, f);
		break;
	case PX_PAUSE:
	case PX_RESUME:
		if (f->type == PX_PAUSE)
			c->p->ops.pause(c->p->ops.opaque);
		else
			c->p->ops.resume(c->p->ops.opaque);
		hyper_put_be32(be, HYPER_ACK);
		px_client_send(c, PX_RESPONSE, be, 4, NULL, 0);
		break;
	default:
		log_warn("proxy: unknown frame type %u from a client", f->type);
		px_client_close(c);
		break;
	}
}

static void on_client(void *opaque, uint32_t events)
{
	struct px_client *c = opaque;
	struct proxy *p = c->p;
	uint8_t buf[16384];
	struct px_frame f;
	ssize_t n;

	if (events & EPOLLOUT)
		client_flush(c);
	/* Stdin waits while the guest side is backlogged. */
	if (bytes_pending(&p->to_stream) > PROXY_BUF_MAX) {
		proxy_schedule(p);
		return;
	}
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		px_client_close(c);
		return;
	}
	if (n < 0)
		return;
	if (px_feed(&c->dec, buf, (size_t)n)) {
		log_warn("proxy: malformed frame from a client");
		px_client_close(c);
		return;
	}
	/* A handler may close c: then stop. */
	for (;;) {
		struct px_client *it;

		if (!px_next(&c->dec, &f))
			break;
		on_frame(c, &f);
		for (it = p->clients; it && it != c; it = it->next)
			;
		if (!it)
			break;
	}
}

void px_client_accept(void *opaque, uint32_t events)
{
	struct proxy *p = opaque;
	struct px_client *c;
	int fd;

	fd = accept4(p->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->p = p;
	c->fd = fd;
	px_decoder_init(&c->dec);
	if (evloop_add(p->loop, fd, EPOLLIN, on_client, c)) {
		close(fd);
		free(c);
		return;
	}
	c->next = p->clients;
	p->clients = c;
}
