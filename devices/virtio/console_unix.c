/* A console port on a unix socket: one client at a time, both directions
 * with backpressure (the socket is not read while the ring toward the
 * guest is full; bytes from the guest leave their ring only as the socket
 * takes them, so a disconnect loses nothing).  The socket reads and
 * writes the port's rings in place (vcon_port_send/recv): one copy each
 * way on the host, the kernel's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/virtio/console_int.h"
#include "lib/log.h"
#include "vmm/vm.h"

struct vcon_unix {
	struct vcon_port *p;
	struct evloop *loop;
	int lfd, cfd;
	uint32_t polled;	/* events the client fd is registered for */
	bool registered;
};

static void on_client(void *opaque, uint32_t events);

/* Polls the client for what can move now; not at all when nothing can
 * (so a hung-up client whose data must wait does not spin the loop). */
static void repoll(struct vcon_unix *u)
{
	uint32_t ev = 0;

	if (u->cfd < 0)
		return;
	if (vcon_port_writable(u->p))
		ev |= EPOLLIN;
	if (vcon_port_readable(u->p))
		ev |= EPOLLOUT;
	if (ev == u->polled && u->registered)
		return;
	if (!ev) {
		if (u->registered)
			evloop_del(u->loop, u->cfd);
		u->registered = false;
	} else if (u->registered) {
		evloop_mod(u->loop, u->cfd, ev);
	} else {
		u->registered = !evloop_add(u->loop, u->cfd, ev, on_client, u);
	}
	u->polled = ev;
}

static void drop_client(struct vcon_unix *u)
{
	if (u->registered)
		evloop_del(u->loop, u->cfd);
	u->registered = false;
	close(u->cfd);
	u->cfd = -1;
	/* Next client from the backlog. */
	if (evloop_add(u->loop, u->lfd, EPOLLIN, on_client, u) < 0)
		log_error("virtio-console: port %s: cannot accept again",
			  vcon_port_name(u->p));
}

/* Guest -> client, from the port's ring straight to the socket.  false
 * if the client is gone. */
static bool pump_out(struct vcon_unix *u)
{
	ssize_t n;

	while ((n = vcon_port_send(u->p, u->cfd)) > 0)
		;
	return n == 0 || n == -EAGAIN || n == -EINTR;
}

/* Client -> guest, straight into the port's ring, never more than it has
 * room for.  false at EOF. */
static bool pump_in(struct vcon_unix *u)
{
	ssize_t n;

	while (vcon_port_writable(u->p)) {
		n = vcon_port_recv(u->p, u->cfd);
		if (n == 0)
			return false;
		if (n < 0)
			return n == -EAGAIN || n == -EINTR;
	}
	return true;
}

static void on_client(void *opaque, uint32_t events)
{
	struct vcon_unix *u = opaque;

	if (u->cfd < 0) {
		u->cfd = accept4(u->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (u->cfd < 0)
			return;
		evloop_del(u->loop, u->lfd);
	}
	if (!pump_out(u) || !pump_in(u)) {
		drop_client(u);
		return;
	}
	repoll(u);
}

static void port_event(struct vcon_port *p, void *opaque)
{
	struct vcon_unix *u = opaque;

	if (u->cfd >= 0)
		on_client(u, 0);
}

/* The guest's buffer straight to the client while nothing waits in the
 * ring: QEMU's one copy.  What the socket does not take now goes to the
 * ring (an error too: pump_out then sees it and drops the client). */
static size_t port_sink(struct vcon_port *p, void *opaque,
			const struct iovec *iov, unsigned int n)
{
	struct vcon_unix *u = opaque;
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	ssize_t r;

	(void)p;
	if (u->cfd < 0)
		return 0;
	r = sendmsg(u->cfd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
	return r > 0 ? (size_t)r : 0;
}

static const struct vcon_port_ops unix_ops = {
	.readable = port_event,
	.writable = port_event,
	.sink = port_sink,
};

int vcon_port_serve_unix(struct vcon_port *p, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vcon_unix *u;
	struct stat st;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->p = p;
	u->loop = p->c->vm->loop;
	u->cfd = -1;
	u->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->lfd < 0)
		goto fail_errno;
	/* A socket left by an earlier run is replaced; anything else stays. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(u->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(u->lfd, 4) < 0)
		goto fail_errno;
	r = evloop_add(u->loop, u->lfd, EPOLLIN, on_client, u);
	if (r < 0)
		goto fail;
	p->unix_srv = u;
	vcon_port_set_ops(p, &unix_ops, u);
	return 0;

fail_errno:
	r = -errno;
fail:
	if (u->lfd >= 0)
		close(u->lfd);
	free(u);
	return r;
}

void vcon_unix_free(struct vcon_unix *u)
{
	if (!u)
		return;
	if (u->cfd >= 0) {
		if (u->registered)
			evloop_del(u->loop, u->cfd);
		close(u->cfd);
	} else {
		evloop_del(u->loop, u->lfd);
	}
	close(u->lfd);
	free(u);
}
