/* virtio-net over a tap (see net.h).  Queue 0 receives, queue 1
 * transmits; no control queue.  Both directions run on vm->loop: tx on
 * the guest's kick, rx on tap readiness, which is only watched while the
 * guest has rx buffers posted (no busy polling). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "devices/virtio/net.h"
#include "devices/virtio/pci.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "lib/tap.h"
#include "vmm/vm.h"

#define PCI_CLASS_NET_ETHERNET	0x020000
#define QUEUE_SIZE		256
#define RXQ			0
#define TXQ			1
#define HDR_LEN			TAP_VNET_HDR_LEN
/* The largest frame a tap hands over: a 64 KiB GSO super-frame. */
#define FRAME_MAX		(HDR_LEN + 65550)
/* Frames moved per wake-up before yielding the loop to others. */
#define BUDGET			256

struct virtio_net {
	struct virtio_pci vp;
	struct vm *vm;
	int tap_fd;
	bool watching;			/* tap fd registered for EPOLLIN */
	bool gone;			/* the tap was deleted under us */
	struct virtio_net_config cfg;

	/* An rx chain popped but not filled (the tap was empty). */
	bool rx_held;
	struct virtq_req rx_req;
	struct virtq_req rx_more;	/* further chains of one frame */
	uint8_t overflow[FRAME_MAX];	/* what did not fit the first chain */
	struct virtq_req tx_req;

	uint64_t rx_dropped, tx_dropped;
};

static struct virtio_net *net_of(struct virtio_pci *vp)
{
	return vp->priv;
}

static void watch_tap(struct virtio_net *n, bool on)
{
	if (n->gone || n->watching == on)
		return;
	if (evloop_mod(n->vm->loop, n->tap_fd, on ? EPOLLIN : 0) == 0)
		n->watching = on;
}

static void config_read(struct virtio_pci *vp, uint32_t off, void *data,
			uint32_t len)
{
	memcpy(data, (uint8_t *)&net_of(vp)->cfg + off, len);
}

/* Sends every pending tx request.  The transport checked each chain's
 * descriptors; the frame must be readable-only and at least a header. */
static void tx(struct virtio_net *n)
{
	struct virtq *vq = virtio_pci_vq(&n->vp, TXQ);
	struct virtq_req *req = &n->tx_req;
	int budget = BUDGET, r;

	while (budget-- > 0 && (r = virtq_pop(vq, req)) == 1) {
		if (req->nr_wr || req->rd_len < HDR_LEN ||
		    req->rd_len > FRAME_MAX ||
		    writev(n->tap_fd, req->iov, req->nr_rd) < 0) {
			n->tx_dropped++;
			log_guest("virtio-net: tx frame of %zu bytes dropped "
				  "(%llu so far)", req->rd_len,
				  (unsigned long long)n->tx_dropped);
		}
		virtq_push(vq, req->head, 0);
	}
	virtio_pci_notify(&n->vp, TXQ);
	if (r < 0)
		virtio_pci_needs_reset(&n->vp);
	else if (budget < 0)
		virtio_pci_kick(&n->vp, TXQ);
}

/* Spreads the bytes that overflowed the first chain over more chains.
 * Returns the chains used (their heads pushed), or -1: frame dropped. */
static int rx_spill(struct virtio_net *n, struct virtq *vq, size_t len,
		    uint16_t *heads, uint32_t *lens, unsigned int max)
{
	size_t off = 0;
	unsigned int nr = 0;

	while (off < len) {
		if (nr == max || virtq_pop(vq, &n->rx_more) != 1)
			goto drop;
		heads[nr] = n->rx_more.head;
		lens[nr] = virtq_write(&n->rx_more, 0, n->overflow + off,
				       len - off);
		off += lens[nr++];
	}
	return nr;
drop:
	/* The driver counts a zero-length buffer as an rx error and
	 * recycles it. */
	for (unsigned int i = 0; i < nr; i++)
		virtq_push(vq, heads[i], 0);
	return -1;
}

/* Moves frames from the tap into the guest's rx buffers. */
static void rx(struct virtio_net *n)
{
	struct virtq *vq = virtio_pci_vq(&n->vp, RXQ);
	struct virtq_req *req = &n->rx_req;
	bool mrg = n->vp.driver_features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	struct iovec iov[VIRTQ_MAX_SEGS + 1];
	uint16_t heads[64];
	uint32_t lens[64];
	int budget = BUDGET;

	while (budget-- > 0) {
		size_t first, rest;
		uint16_t nbufs;
		ssize_t got;
		int r, extra = 0;

		if (!n->rx_held) {
			r = virtq_pop(vq, req);
			if (r < 0)
				virtio_pci_needs_reset(&n->vp);
			if (r != 1) {
				/* No buffers: the guest kicks when it adds. */
				watch_tap(n, false);
				break;
			}
			if (req->nr_rd || req->wr_len < HDR_LEN) {
				log_guest("virtio-net: rx buffer of %zu bytes "
					  "refused", req->wr_len);
				virtq_push(vq, req->head, 0);
				continue;
			}
			n->rx_held = true;
		}
		memcpy(iov, req->iov, req->nr_wr * sizeof(*iov));
		iov[req->nr_wr].iov_base = n->overflow;
		iov[req->nr_wr].iov_len = sizeof(n->overflow);
		got = readv(n->tap_fd, iov, req->nr_wr + 1);
		if (got < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_guest("virtio-net: tap read: %s",
					  strerror(errno));
			watch_tap(n, true);
			break;
		}
		if ((size_t)got < HDR_LEN)
			continue;
		first = (size_t)got < req->wr_len ? (size_t)got : req->wr_len;
		rest = got - first;
		if (rest) {
			extra = mrg ? rx_spill(n, vq, rest, heads, lens, 64) : -1;
			if (extra < 0) {
				n->rx_dropped++;
				log_guest("virtio-net: rx frame of %zd bytes "
					  "does not fit the guest's buffers",
					  got);
				continue;
			}
		}
		/* num_buffers: the tap leaves that field of the header as it
		 * was; it is ours to fill. */
		nbufs = htole16(1 + extra);
		virtq_write(req, offsetof(struct virtio_net_hdr_v1,
					  num_buffers), &nbufs, sizeof(nbufs));
		virtq_push(vq, req->head, first);
		for (int i = 0; i < extra; i++)
			virtq_push(vq, heads[i], lens[i]);
		n->rx_held = false;
	}
	virtio_pci_notify(&n->vp, RXQ);
	if (budget < 0)
		virtio_pci_kick(&n->vp, RXQ);
}

static void on_tap(void *opaque, uint32_t events)
{
	struct virtio_net *n = opaque;

	virtio_pci_lock(&n->vp);
	if (events & (EPOLLERR | EPOLLHUP)) {
		/* The tap was deleted (the container's network torn down):
		 * epoll would report it forever, so stop watching and tell
		 * the guest its link is down. */
		if (!n->gone) {
			log_warn("virtio-net: tap gone, link down");
			evloop_del(n->vm->loop, n->tap_fd);
			n->gone = true;
			n->cfg.status = 0;
			virtio_pci_config_changed(&n->vp);
		}
	} else if (virtio_pci_running(&n->vp)) {
		rx(n);
	} else {
		watch_tap(n, false);
	}
	virtio_pci_unlock(&n->vp);
}

static void queue_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_net *n = net_of(vp);

	if (q == TXQ) {
		tx(n);
	} else if (q == RXQ) {
		watch_tap(n, true);
		rx(n);
	}
}

/* The offloads the guest can take become what the tap may send us. */
static int start(struct virtio_pci *vp)
{
	struct virtio_net *n = net_of(vp);
	uint64_t f = vp->driver_features;
	unsigned int tun = 0;

	if (f & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		tun |= TUN_F_CSUM;
		if (f & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			tun |= TUN_F_TSO4;
		if (f & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			tun |= TUN_F_TSO6;
	}
	if (tap_set_offload(n->tap_fd, tun)) {
		log_warn("virtio-net: tap offloads %#x refused", tun);
		tap_set_offload(n->tap_fd, 0);
	}
	watch_tap(n, true);
	return 0;
}

static void reset(struct virtio_pci *vp)
{
	struct virtio_net *n = net_of(vp);

	n->rx_held = false;
	watch_tap(n, false);
}

static const struct virtio_ops ops_net = {
	.features = (1ULL << VIRTIO_NET_F_MAC) |
		    (1ULL << VIRTIO_NET_F_STATUS) |
		    (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
		    (1ULL << VIRTIO_NET_F_CSUM) |
		    (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
		    (1ULL << VIRTIO_NET_F_HOST_TSO4) |
		    (1ULL << VIRTIO_NET_F_HOST_TSO6) |
		    (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
		    (1ULL << VIRTIO_NET_F_GUEST_TSO6),
	.config_size = offsetof(struct virtio_net_config, max_virtqueue_pairs),
	.config_read = config_read,
	.start = start,
	.queue_notify = queue_notify,
	.reset = reset,
};

int virtio_net_new(struct vm *vm, const struct virtio_net_opts *o,
		   struct virtio_net **out)
{
	struct virtio_net *n = calloc(1, sizeof(*n));
	int ret;

	if (!n) {
		if (o->fd >= 0)
			close(o->fd);
		return -ENOMEM;
	}
	n->vm = vm;
	if (o->fd >= 0) {
		n->tap_fd = o->fd;
		ret = tap_prepare(n->tap_fd);
	} else {
		n->tap_fd = tap_open(o->tap, NULL);
		ret = n->tap_fd < 0 ? n->tap_fd : 0;
	}
	if (ret)
		goto fail;
	memcpy(n->cfg.mac, o->mac, 6);
	n->cfg.status = htole16(VIRTIO_NET_S_LINK_UP);
	ret = evloop_add(vm->loop, n->tap_fd, 0, on_tap, n);
	if (ret)
		goto fail;
	ret = virtio_pci_init(&n->vp, vm, VIRTIO_ID_NET, PCI_CLASS_NET_ETHERNET,
			      2, QUEUE_SIZE, &ops_net, n);
	if (ret) {
		evloop_del(vm->loop, n->tap_fd);
		goto fail;
	}
	*out = n;
	return 0;
fail:
	if (n->tap_fd >= 0)
		close(n->tap_fd);
	free(n);
	return ret;
}

int virtio_net_realize(struct virtio_net *n)
{
	return virtio_pci_register(&n->vp);
}

void virtio_net_free(struct virtio_net *n)
{
	if (!n)
		return;
	virtio_pci_free(&n->vp);
	if (!n->gone)
		evloop_del(n->vm->loop, n->tap_fd);
	close(n->tap_fd);
	free(n);
}
