/* virtio-console: ports, their byte rings, and the data queues. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "devices/virtio/console_int.h"
#include "lib/log.h"
#include "lib/outcap.h"
#include "vmm/vm.h"

#define PCI_CLASS_COMM_OTHER	0x078000

static struct vcon *vcon_of(struct virtio_pci *vp)
{
	return vp->priv;
}

/* Copies what fits of the readable part of req, from off, into r. */
static size_t req_to_ring(const struct virtq_req *req, size_t off,
			  struct bytering *r)
{
	size_t done = 0, n, want;
	unsigned int i;

	for (i = 0; i < req->nr_rd; i++) {
		const struct iovec *v = &req->iov[i];

		if (off >= v->iov_len) {
			off -= v->iov_len;
			continue;
		}
		want = v->iov_len - off;
		n = bytering_put(r, (char *)v->iov_base + off, want);
		done += n;
		if (n < want)
			break;
		off = 0;
	}
	return done;
}

/* The readable part of req from off, as iovecs in out; how many. */
static unsigned int req_iov_from(const struct virtq_req *req, size_t off,
				 struct iovec *out)
{
	unsigned int i, k = 0;

	for (i = 0; i < req->nr_rd; i++) {
		const struct iovec *v = &req->iov[i];

		if (off >= v->iov_len) {
			off -= v->iov_len;
			continue;
		}
		out[k].iov_base = (char *)v->iov_base + off;
		out[k].iov_len = v->iov_len - off;
		k++;
		off = 0;
	}
	return k;
}

/* Fills the writable part of req from r; returns the bytes moved. */
static size_t ring_to_req(struct bytering *r, struct virtq_req *req)
{
	size_t done = 0, n;
	unsigned int i;

	for (i = req->nr_rd; i < req->nr_rd + req->nr_wr; i++) {
		n = bytering_get(r, req->iov[i].iov_base, req->iov[i].iov_len);
		done += n;
		if (n < req->iov[i].iov_len)
			break;
	}
	return done;
}

static void console_output(struct vcon *c, const struct virtq_req *req)
{
	unsigned int i;
	size_t off;
	ssize_t n;

	for (i = 0; i < req->nr_rd; i++) {
		if (c->console_cap) {
			outcap_write(c->console_cap, req->iov[i].iov_base,
				     req->iov[i].iov_len);
			continue;
		}
		for (off = 0; off < req->iov[i].iov_len; off += n) {
			n = write(c->console_out, (char *)req->iov[i].iov_base + off,
				  req->iov[i].iov_len - off);
			if (n <= 0) {
				if (n < 0 && errno == EINTR) {
					n = 0;
					continue;
				}
				return;	/* console gone: output is dropped */
			}
		}
	}
}

/*
 * Transmit-queue kicks of a named port.  A guest writing in bulk fills a
 * buffer per write() of up to 32 KiB (Linux's cap) and kicks for each: on
 * one CPU a wakeup of the device thread and two context switches per
 * 32 KiB.  After a full-sized buffer the driver is asked to kick only
 * every VCON_TX_BATCH buffers, and the device looks every
 * VCON_TX_LATER_US meanwhile, which is what bounds the wait of the last
 * buffer of a burst; a smaller buffer (a message, a burst's tail) puts
 * every kick back.  Port 0 (hvc) never: Linux spins on its writes.
 */
#define VCON_TX_BULK		(32 * 1024)
#define VCON_TX_BATCH		8
#define VCON_TX_LATER_US	500

/* The transmit ring is empty after a buffer of last bytes: when should
 * the guest kick next?  True if it added buffers meanwhile. */
static bool tx_kicks(struct vcon_port *p, struct virtq *vq, size_t last)
{
	bool bulk = p->id && last >= VCON_TX_BULK;

	if (bulk != (vq->kick_batch > 1)) {
		virtq_kick_after(vq, bulk ? VCON_TX_BATCH : 1);
		if (virtq_has_avail(vq))
			return true;
	}
	if (bulk)
		virtio_pci_look_later(&p->c->vp, vcon_txq(p->id),
				      VCON_TX_LATER_US);
	return false;
}

/*
 * Takes the guest's transmit buffers while the ring from the guest has
 * room; a buffer is completed as soon as it is copied (the Linux driver
 * spins on console and control writes until they come back).
 */
static void drain_tx(struct vcon_port *p)
{
	struct vcon *c = p->c;
	struct virtq *vq = &c->vp.vq[vcon_txq(p->id)];
	bool moved = false, pushed = false;
	size_t n, last = 0;
	int r;

	for (;;) {
		if (!p->tx_held) {
			r = virtq_pop(vq, p->tx);
			if (r < 0)
				virtio_pci_needs_reset(&c->vp);
			if (r == 0 && tx_kicks(p, vq, last))
				continue;
			if (r <= 0)
				break;
			p->tx_held = true;
			p->tx_off = 0;
		}
		if (p->id == 0) {
			console_output(c, p->tx);
			p->tx_off = p->tx->rd_len;
		} else {
			/* Nothing older waits in the ring: the sink may take
			 * the buffer's bytes where they are. */
			if (p->ops && p->ops->sink && !bytering_used(&p->from_guest)) {
				struct iovec v[VIRTQ_MAX_SEGS];
				unsigned int k = req_iov_from(p->tx, p->tx_off, v);
				size_t took = k ? p->ops->sink(p, p->opaque, v, k) : 0;

				p->tx_off += took < p->tx->rd_len - p->tx_off ?
					     took : p->tx->rd_len - p->tx_off;
			}
			n = req_to_ring(p->tx, p->tx_off, &p->from_guest);
			p->tx_off += n;
			moved |= n > 0;
			if (p->tx_off < p->tx->rd_len)
				break;		/* ring full: wait for a read */
		}
		last = p->tx->rd_len;
		virtq_push(vq, p->tx->head, 0);
		p->tx_held = false;
		pushed = true;
	}
	if (pushed)
		virtq_notify(vq);
	if (moved && p->ops && p->ops->readable)
		p->ops->readable(p, p->opaque);
}

/*
 * Receive-queue kicks.  With nothing held for the guest the device needs
 * none: it looks for buffers when bytes arrive.  With bytes held and every
 * buffer filled, the guest's reader hands the buffers back one by one as
 * it empties them, each with a kick that would wake the device for one
 * buffer (a page, from Linux): instead the kick is asked for once it has
 * handed back half of its pool (at most half the queue), when it still
 * has the other half to read, and the device looks anyway after
 * VCON_RX_LATER_US in case it stops short.
 */
#define VCON_RX_LATER_US	2000

static void rx_kicks(struct vcon_port *p, struct virtq *vq)
{
	unsigned int n;

	if (!bytering_used(&p->to_guest)) {
		virtq_kick_after(vq, 0);
		return;
	}
	n = p->rx_pool / 2;
	if (n > vq->size / 2u)
		n = vq->size / 2u;
	virtq_kick_after(vq, n ? (uint16_t)n : 1);
	if (n > 1)
		virtio_pci_look_later(&p->c->vp, vcon_rxq(p->id),
				      VCON_RX_LATER_US);
}

/* Moves held bytes into the guest's receive buffers, only once the guest
 * has the port open (Linux drops data for a closed port).  Returns true if
 * room was freed. */
static bool flush_rx(struct vcon_port *p)
{
	struct vcon *c = p->c;
	struct virtq *vq = &c->vp.vq[vcon_rxq(p->id)];
	unsigned int filled = 0;
	int r;

	if (!p->guest_open || !virtio_pci_running(&c->vp))
		return false;
	for (;;) {
		uint16_t avail = virtq_avail_count(vq);

		if (avail > p->rx_pool)
			p->rx_pool = avail;
		while (bytering_used(&p->to_guest)) {
			r = virtq_pop(vq, &c->req);
			if (r < 0)
				virtio_pci_needs_reset(&c->vp);
			if (r <= 0)
				break;
			virtq_push(vq, c->req.head,
				   ring_to_req(&p->to_guest, &c->req));
			filled++;
		}
		rx_kicks(p, vq);
		/* Buffers added before the driver saw the new avail_event
		 * came without a kick. */
		if (!bytering_used(&p->to_guest) || !virtq_has_avail(vq))
			break;
	}
	if (filled)
		virtq_notify(vq);
	return filled > 0;
}

static void flush_rx_and_call(struct vcon_port *p)
{
	if (flush_rx(p) && p->want_writable && bytering_room(&p->to_guest)) {
		p->want_writable = false;
		if (p->ops && p->ops->writable)
			p->ops->writable(p, p->opaque);
	}
}

void vcon_port_opened(struct vcon_port *p, bool open)
{
	if (p->guest_open == open)
		return;
	p->guest_open = open;
	if (open)
		flush_rx_and_call(p);
	if (p->ops && p->ops->state)
		p->ops->state(p, p->opaque, open);
}

static void queue_notify(struct virtio_pci *vp, unsigned int q)
{
	struct vcon *c = vcon_of(vp);
	unsigned int id = q < 2 ? 0 : (q - 2) / 2;

	if (q == VCON_CTRL_RXQ)
		vcon_ctrl_flush(c);
	else if (q == VCON_CTRL_TXQ)
		vcon_ctrl_receive(c);
	else if (id < c->nr_ports && q == vcon_rxq(id))
		flush_rx_and_call(&c->port[id]);
	else if (id < c->nr_ports)
		drain_tx(&c->port[id]);
}

static void config_read(struct virtio_pci *vp, uint32_t off, void *data,
			uint32_t len)
{
	struct virtio_console_config cfg = {
		.max_nr_ports = vcon_of(vp)->nr_ports,
	};

	memcpy(data, (uint8_t *)&cfg + off, len);
}

/* The driver went away: it forgets its buffers, we keep our bytes. */
static void reset(struct virtio_pci *vp)
{
	struct vcon *c = vcon_of(vp);
	unsigned int i;

	c->ctrl_head = c->ctrl_tail = 0;
	for (i = 0; i < c->nr_ports; i++) {
		c->port[i].tx_held = false;
		c->port[i].rx_pool = 0;
		vcon_port_opened(&c->port[i], false);
	}
}

static const struct virtio_ops vcon_ops = {
	.features = 1ULL << VIRTIO_CONSOLE_F_MULTIPORT,
	.config_size = sizeof(struct virtio_console_config),
	.config_read = config_read,
	.queue_notify = queue_notify,
	.reset = reset,
};

static int port_init(struct vcon *c, unsigned int id, const char *name)
{
	struct vcon_port *p = &c->port[id];

	p->c = c;
	p->id = id;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->tx = malloc(sizeof(*p->tx));
	if (!p->tx || bytering_init(&p->to_guest, VCON_RING_SIZE) ||
	    bytering_init(&p->from_guest, VCON_RING_SIZE))
		return -ENOMEM;
	return 0;
}

void vcon_set_console_cap(struct vcon *c, struct outcap *cap)
{
	c->console_cap = cap;
}

struct vcon *vcon_new(struct vm *vm, int console_out)
{
	struct vcon *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->vm = vm;
	c->console_out = console_out;
	c->nr_ports = 1;
	if (port_init(c, 0, "")) {
		vcon_free(c);
		return NULL;
	}
	return c;
}

int vcon_add_port(struct vcon *c, const char *name)
{
	size_t n = strlen(name);
	int r;

	if (n == 0 || n > VCON_NAME_MAX || strchr(name, '/') ||
	    vcon_port_find(c, name))
		return -EINVAL;
	if (c->nr_ports > VCON_MAX_PORTS)
		return -ENOSPC;
	r = port_init(c, c->nr_ports, name);
	c->nr_ports++;		/* port_free needs it even on failure */
	return r;
}

int vcon_init_transport(struct vcon *c)
{
	return virtio_pci_init(&c->vp, c->vm, VIRTIO_ID_CONSOLE,
			       PCI_CLASS_COMM_OTHER, 2 * (c->nr_ports + 1),
			       VCON_QUEUE_SIZE, &vcon_ops, c);
}

int vcon_realize(struct vcon *c)
{
	int r = vcon_init_transport(c);

	return r < 0 ? r : virtio_pci_register(&c->vp);
}

void vcon_free(struct vcon *c)
{
	unsigned int i;

	if (!c)
		return;
	if (c->vp.ops)
		virtio_pci_free(&c->vp);
	for (i = 0; i < c->nr_ports; i++) {
		vcon_unix_free(c->port[i].unix_srv);
		free(c->port[i].tx);
		bytering_free(&c->port[i].to_guest);
		bytering_free(&c->port[i].from_guest);
	}
	free(c);
}

struct vcon_port *vcon_port_find(struct vcon *c, const char *name)
{
	unsigned int i;

	for (i = 1; i < c->nr_ports; i++)
		if (!strcmp(c->port[i].name, name))
			return &c->port[i];
	return NULL;
}

const char *vcon_port_name(const struct vcon_port *p)
{
	return p->name;
}

void vcon_port_set_ops(struct vcon_port *p, const struct vcon_port_ops *ops,
		       void *opaque)
{
	virtio_pci_lock(&p->c->vp);
	p->ops = ops;
	p->opaque = opaque;
	virtio_pci_unlock(&p->c->vp);
}

size_t vcon_port_read(struct vcon_port *p, void *buf, size_t len)
{
	size_t n;

	virtio_pci_lock(&p->c->vp);
	n = bytering_get(&p->from_guest, buf, len);
	/* Room again: take the guest's waiting buffers, on the loop thread
	 * (no callback from inside this call). */
	if (n && p->tx_held)
		virtio_pci_kick(&p->c->vp, vcon_txq(p->id));
	virtio_pci_unlock(&p->c->vp);
	return n;
}

ssize_t vcon_port_send(struct vcon_port *p, int fd)
{
	struct iovec iov[2];
	struct msghdr m = { .msg_iov = iov };
	ssize_t n;

	virtio_pci_lock(&p->c->vp);
	m.msg_iovlen = bytering_peek(&p->from_guest, iov);
	n = 0;
	if (m.msg_iovlen) {
		n = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			n = -errno;
		} else {
			bytering_consume(&p->from_guest, (size_t)n);
			if (n && p->tx_held)	/* as vcon_port_read */
				virtio_pci_kick(&p->c->vp, vcon_txq(p->id));
		}
	}
	virtio_pci_unlock(&p->c->vp);
	return n;
}

ssize_t vcon_port_recv(struct vcon_port *p, int fd)
{
	struct iovec iov[2];
	unsigned int k;
	ssize_t n = 0;

	virtio_pci_lock(&p->c->vp);
	k = bytering_space(&p->to_guest, iov);
	if (k) {
		/* readv, not recvmsg: the VMM's seccomp filter allows the
		 * former (fd is non-blocking). */
		n = readv(fd, iov, (int)k);
		if (n < 0) {
			n = -errno;
		} else if (n > 0) {
			bytering_commit(&p->to_guest, (size_t)n);
			flush_rx(p);
		}
	}
	/* As vcon_port_write: full now, the writable callback when room
	 * frees. */
	if (!bytering_room(&p->to_guest))
		p->want_writable = true;
	virtio_pci_unlock(&p->c->vp);
	return n;
}

size_t vcon_port_write(struct vcon_port *p, const void *buf, size_t len)
{
	size_t done = 0;

	virtio_pci_lock(&p->c->vp);
	for (;;) {
		done += bytering_put(&p->to_guest, (const char *)buf + done,
				     len - done);
		if (!flush_rx(p) || done == len)
			break;
	}
	/* Full now (short or not): the writable callback when room frees.
	 * A writer that filled the ring exactly would wait forever else. */
	if (!bytering_room(&p->to_guest))
		p->want_writable = true;
	virtio_pci_unlock(&p->c->vp);
	return done;
}

size_t vcon_port_readable(struct vcon_port *p)
{
	size_t n;

	virtio_pci_lock(&p->c->vp);
	n = bytering_used(&p->from_guest);
	virtio_pci_unlock(&p->c->vp);
	return n;
}

size_t vcon_port_writable(struct vcon_port *p)
{
	size_t n;

	virtio_pci_lock(&p->c->vp);
	n = bytering_room(&p->to_guest);
	virtio_pci_unlock(&p->c->vp);
	return n;
}

bool vcon_port_guest_open(struct vcon_port *p)
{
	bool open;

	virtio_pci_lock(&p->c->vp);
	open = p->guest_open;
	virtio_pci_unlock(&p->c->vp);
	return open;
}
