/* virtio-pci modern transport: PCI capabilities, common config, ISR,
 * notifications (ioeventfd) and the device status state machine.  MSI-X
 * lives in pci_msix.c. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/pci.h"
#include "devices/virtio/pci_msix.h"
#include "lib/log.h"
#include "vmm/vm.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040	/* modern: 0x1040 + device type */
#define PCI_CAP_ID_VNDR		0x09
#define COMMON_CFG_LEN		0x38	/* virtio 1.0 struct virtio_pci_common_cfg */

static uint64_t device_features(const struct virtio_pci *vp)
{
	return vp->ops->features | (1ULL << VIRTIO_F_VERSION_1) |
	       (1ULL << VIRTIO_RING_F_EVENT_IDX) |
	       (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
}

void virtio_pci_lock(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
}

void virtio_pci_unlock(struct virtio_pci *vp)
{
	pthread_mutex_unlock(&vp->lock);
}

bool virtio_pci_running(const struct virtio_pci *vp)
{
	return (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

struct virtq *virtio_pci_vq(struct virtio_pci *vp, unsigned int q)
{
	return q < vp->nr_queues ? &vp->vq[q] : NULL;
}

void virtio_pci_notify(struct virtio_pci *vp, unsigned int q)
{
	virtio_pci_lock(vp);
	if (q < vp->nr_queues)
		virtq_notify(&vp->vq[q]);
	virtio_pci_unlock(vp);
}

void virtio_pci_kick(struct virtio_pci *vp, unsigned int q)
{
	if (q < vp->nr_queues && eventfd_write(vp->qfd[q].fd, 1) < 0)
		log_warn("virtio-pci: kick of queue %u: %m", q);
}

void virtio_pci_look_later(struct virtio_pci *vp, unsigned int q,
			   unsigned int usec)
{
	struct itimerspec t = { { 0, 0 }, { 0, 0 } };

	if (q >= vp->nr_queues || vp->later_fd < 0)
		return;
	virtio_pci_lock(vp);
	if (!vp->later_queues) {
		if (usec > 1000000)
			usec = 1000000;
		if (!usec)
			usec = 1;
		t.it_value.tv_sec = usec / 1000000;
		t.it_value.tv_nsec = (long)(usec % 1000000) * 1000;
		if (timerfd_settime(vp->later_fd, 0, &t, NULL) < 0) {
			/* No timer: look now rather than never. */
			log_warn("virtio-pci %02x: timer: %m", vp->pci.slot);
			virtio_pci_kick(vp, q);
			goto out;
		}
	}
	vp->later_queues |= 1ULL << q;
out:
	virtio_pci_unlock(vp);
}

void virtio_pci_look_now(struct virtio_pci *vp)
{
	uint64_t qs;
	unsigned int q;

	virtio_pci_lock(vp);
	qs = vp->later_queues;
	vp->later_queues = 0;
	for (q = 0; q < vp->nr_queues; q++) {
		if (!(qs & (1ULL << q)))
			continue;
		if (virtio_pci_running(vp) && vp->vq[q].ready &&
		    vp->ops->queue_notify)
			vp->ops->queue_notify(vp, q);
	}
	virtio_pci_unlock(vp);
}

static void on_later(void *opaque, uint32_t events)
{
	struct virtio_pci *vp = opaque;
	uint64_t n;

	(void)events;
	if (read(vp->later_fd, &n, sizeof(n)) != sizeof(n))
		return;
	virtio_pci_look_now(vp);
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	virtio_pci_lock(vp);
	vp->config_generation++;
	vp->isr |= VIRTIO_PCI_ISR_CONFIG;
	virtio_pci_msix_signal(vp, vp->msix_config);
	virtio_pci_unlock(vp);
}

void virtio_pci_needs_reset(struct virtio_pci *vp)
{
	virtio_pci_lock(vp);
	if (!(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		log_guest("virtio-pci %02x: device needs reset", vp->pci.slot);
		vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		virtio_pci_config_changed(vp);
	}
	virtio_pci_unlock(vp);
}

static void queue_interrupt(void *opaque)
{
	struct virtio_pci_qfd *qf = opaque;
	struct virtio_pci *vp = qf->vp;

	vp->isr |= 1;
	virtio_pci_msix_signal(vp, vp->vq[qf->q].msix_vector);
}

/* Reset by the driver (status 0): the device forgets its queues. */
static void device_reset(struct virtio_pci *vp)
{
	unsigned int i;

	if (vp->status && vp->ops->reset)
		vp->ops->reset(vp);
	for (i = 0; i < vp->nr_queues; i++)
		virtq_reset(&vp->vq[i], vp->vq[i].max_size);
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->msix_config = VIRTQ_NO_VECTOR;
	vp->queue_select = 0;
	vp->status = 0;
	vp->isr = 0;
	virtio_pci_msix_clear_pending(vp);
}

static uint32_t msix_table_len(const struct virtio_pci *vp)
{
	return (uint32_t)vp->nr_vectors * 16;
}

static uint32_t notify_len(const struct virtio_pci *vp)
{
	return vp->nr_queues * VIRTIO_PCI_NOTIFY_MULT;
}

/* The notify BAR's size: a power of two, at least an I/O BAR's 4. */
static uint32_t notify_bar_size(unsigned int nr_queues)
{
	uint32_t n = 4;

	while (n < nr_queues * VIRTIO_PCI_NOTIFY_MULT)
		n <<= 1;
	return n;
}

static void unbind_notify(struct virtio_pci *vp)
{
	unsigned int i;

	if (!vp->mapped_notify)
		return;
	for (i = 0; i < vp->nr_queues; i++)
		vm_ioeventfd(vp->vm, vp->mapped_notify + i * VIRTIO_PCI_NOTIFY_MULT,
			     2, true, vp->qfd[i].fd, false);
	vp->mapped_notify = 0;
}

/* The notify ports follow the notify BAR and the MSI-X table's coalesced
 * zone follows BAR0: the guest may have moved either. */
static void bind_notify(struct virtio_pci *vp)
{
	uint64_t bar = vp->pci.bar[0].addr,
		 port = vp->pci.bar[VIRTIO_PCI_NOTIFY_BAR].addr;
	unsigned int i;

	if (vp->vm->vm_fd < 0)
		return;
	if (port != vp->mapped_notify) {
		unbind_notify(vp);
		for (i = 0; i < vp->nr_queues; i++)
			if (vm_ioeventfd(vp->vm, port + i * VIRTIO_PCI_NOTIFY_MULT,
					 2, true, vp->qfd[i].fd, true) < 0)
				log_warn("virtio-pci %02x: ioeventfd for queue %u failed: kicks exit to userspace",
					 vp->pci.slot, i);
		vp->mapped_notify = port;
	}
	if (bar == vp->mapped_bar)
		return;
	/* The MSI-X table's writes are posted (the driver reads back
	 * before it relies on them): KVM queues them without an exit. */
	if (vp->mapped_bar)
		vm_coalesced_mmio(vp->vm, vp->mapped_bar + VIRTIO_PCI_MSIX_OFF,
				  msix_table_len(vp), false);
	vm_coalesced_mmio(vp->vm, bar + VIRTIO_PCI_MSIX_OFF, msix_table_len(vp), true);
	vp->mapped_bar = bar;
}

static void set_status(struct virtio_pci *vp, uint8_t v)
{
	uint8_t added = v & ~vp->status;
	unsigned int i;

	if (v == 0) {
		device_reset(vp);
		return;
	}
	if ((vp->status & ~VIRTIO_CONFIG_S_NEEDS_RESET) & ~v) {
		log_guest("virtio-pci %02x: driver cleared status bits (%#x -> %#x)",
			  vp->pci.slot, vp->status, v);
		return;
	}
	if (added & VIRTIO_CONFIG_S_FEATURES_OK) {
		uint64_t f = vp->driver_features;

		if ((f & ~device_features(vp)) ||
		    !(f & (1ULL << VIRTIO_F_VERSION_1))) {
			log_guest("virtio-pci %02x: driver features %#llx refused",
				  vp->pci.slot, (unsigned long long)f);
			v &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		}
	}
	vp->status = v | (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET);
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    (vp->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		bind_notify(vp);
		if (vp->ops->start && vp->ops->start(vp)) {
			virtio_pci_needs_reset(vp);
			return;
		}
		/* Buffers added before DRIVER_OK were not looked at. */
		for (i = 0; i < vp->nr_queues; i++)
			if (vp->vq[i].ready)
				virtio_pci_kick(vp, i);
	}
}

static void put(uint8_t *img, unsigned int off, uint64_t v, unsigned int len)
{
	memcpy(img + off, &v, len);	/* x86: little-endian like virtio */
}

static uint64_t get(const uint8_t *img, unsigned int off, unsigned int len)
{
	uint64_t v = 0;

	memcpy(&v, img + off, len);
	return v;
}

/* The common config as the driver sees it now. */
static void common_image(const struct virtio_pci *vp, uint8_t *img)
{
	const struct virtq *vq = vp->queue_select < vp->nr_queues ?
				 &vp->vq[vp->queue_select] : NULL;

	memset(img, 0, COMMON_CFG_LEN);
	put(img, 0x00, vp->dfselect, 4);
	if (vp->dfselect < 2)
		put(img, 0x04, device_features(vp) >> (32 * vp->dfselect), 4);
	put(img, 0x08, vp->gfselect, 4);
	if (vp->gfselect < 2)
		put(img, 0x0c, vp->driver_features >> (32 * vp->gfselect), 4);
	put(img, 0x10, vp->msix_config, 2);
	put(img, 0x12, vp->nr_queues, 2);
	put(img, 0x14, vp->status, 1);
	put(img, 0x15, vp->config_generation, 1);
	put(img, 0x16, vp->queue_select, 2);
	if (!vq)
		return;		/* queue_size 0: no such queue */
	put(img, 0x18, vq->size, 2);
	put(img, 0x1a, vq->msix_vector, 2);
	put(img, 0x1c, vq->ready, 2);
	put(img, 0x1e, vp->queue_select, 2);	/* queue_notify_off */
	put(img, 0x20, vq->desc_gpa, 8);
	put(img, 0x28, vq->avail_gpa, 8);
	put(img, 0x30, vq->used_gpa, 8);
}

static uint16_t valid_vector(const struct virtio_pci *vp, uint64_t v)
{
	return v < vp->nr_vectors ? v : VIRTQ_NO_VECTOR;
}

static void set_feature_word(struct virtio_pci *vp, uint32_t v)
{
	uint64_t mask;

	/* gfselect is the guest's: range-checked before it is a shift
	 * count (fuzz_virtio_pci found the shift by 32 * 0x70000). */
	if (vp->gfselect >= 2 || (vp->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	mask = 0xffffffffULL << (32 * vp->gfselect);
	vp->driver_features = (vp->driver_features & ~mask) |
			      ((uint64_t)v << (32 * vp->gfselect));
}

/* A write that touched the field at off: its new value is v. */
static void common_set(struct virtio_pci *vp, unsigned int off, uint64_t v)
{
	struct virtq *vq = vp->queue_select < vp->nr_queues ?
			   &vp->vq[vp->queue_select] : NULL;

	switch (off) {
	case 0x00: vp->dfselect = v; return;
	case 0x08: vp->gfselect = v; return;
	case 0x0c: set_feature_word(vp, v); return;
	case 0x10: vp->msix_config = valid_vector(vp, v); return;
	case 0x14: set_status(vp, v); return;
	case 0x16: vp->queue_select = v; return;
	}
	if (!vq) {
		log_guest("virtio-pci %02x: queue_select %u out of range",
			  vp->pci.slot, vp->queue_select);
		return;
	}
	if (off == 0x1a) {
		vq->msix_vector = valid_vector(vp, v);
		return;
	}
	if (vq->ready) {
		log_guest("virtio-pci %02x: queue %u changed while enabled",
			  vp->pci.slot, vp->queue_select);
		return;
	}
	switch (off) {
	case 0x18: vq->size = v; break;
	case 0x20: vq->desc_gpa = v; break;
	case 0x28: vq->avail_gpa = v; break;
	case 0x30: vq->used_gpa = v; break;
	case 0x1c:
		if (v == 1 && virtq_start(vq, &vp->vm->mem, vp->driver_features))
			virtio_pci_needs_reset(vp);
		break;
	}
}

static const struct { uint8_t off, len; } common_fields[] = {
	{ 0x00, 4 }, { 0x08, 4 }, { 0x0c, 4 }, { 0x10, 2 }, { 0x14, 1 },
	{ 0x16, 2 }, { 0x18, 2 }, { 0x1a, 2 }, { 0x1c, 2 }, { 0x20, 8 },
	{ 0x28, 8 }, { 0x30, 8 },
};

static void common_access(struct virtio_pci *vp, uint32_t off, void *data,
			  uint32_t len, bool is_write)
{
	uint8_t img[COMMON_CFG_LEN];
	unsigned int i;

	if (off + len > COMMON_CFG_LEN) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	common_image(vp, img);
	if (!is_write) {
		memcpy(data, img + off, len);
		return;
	}
	/* Any width the driver uses (a 64-bit field as two halves too):
	 * patch the image, then apply each field the write touched. */
	memcpy(img + off, data, len);
	for (i = 0; i < sizeof(common_fields) / sizeof(common_fields[0]); i++) {
		unsigned int fo = common_fields[i].off, fl = common_fields[i].len;

		if (off < fo + fl && fo < off + len)
			common_set(vp, fo, get(img, fo, fl));
	}
}

/*
 * A kick that no ioeventfd caught (the BAR moved, or KVM refused one):
 * rebind, and pass it to the loop thread.  The port is the queue's (the
 * value written is the queue's index too; the port decides).  Reads
 * return zero.
 */
void virtio_pci_notify_access(void *opaque, uint64_t off, void *data,
			      uint32_t len, bool is_write)
{
	struct virtio_pci *vp = opaque;
	uint64_t q = off / VIRTIO_PCI_NOTIFY_MULT;

	if (!is_write) {
		memset(data, 0, len > 8 ? 8 : len);
		return;
	}
	virtio_pci_lock(vp);
	bind_notify(vp);
	if (off % VIRTIO_PCI_NOTIFY_MULT || len != 2 || q >= vp->nr_queues)
		log_guest("virtio-pci %02x: notify write of %u bytes at port offset %#llx",
			  vp->pci.slot, len, (unsigned long long)off);
	else
		virtio_pci_kick(vp, (unsigned int)q);
	virtio_pci_unlock(vp);
}

/* Side-effect-free when peek: the PCI_CFG window preloads its data. */
static void bar_rw(struct virtio_pci *vp, uint64_t off, void *data,
		   uint32_t len, bool is_write, bool peek)
{
	uint32_t cs = vp->ops->config_size;

	if (!is_write)
		memset(data, 0, len);
	if (off < VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_LEN) {
		common_access(vp, off, data, len, is_write);
	} else if (off >= VIRTIO_PCI_ISR_OFF &&
		   off < VIRTIO_PCI_ISR_OFF + VIRTIO_PCI_ISR_LEN) {
		if (!is_write && off == VIRTIO_PCI_ISR_OFF) {
			*(uint8_t *)data = vp->isr;
			if (!peek)
				vp->isr = 0;	/* reading acknowledges */
		}
	} else if (off >= VIRTIO_PCI_DEVCFG_OFF &&
		   off < VIRTIO_PCI_DEVCFG_OFF + VIRTIO_PCI_CFG_MAX) {
		off -= VIRTIO_PCI_DEVCFG_OFF;
		if (off + len > cs)
			log_guest("virtio-pci %02x: device config access at %#x+%u past %u",
				  vp->pci.slot, (unsigned int)off, len, cs);
		else if (is_write && vp->ops->config_write)
			vp->ops->config_write(vp, off, data, len);
		else if (!is_write && vp->ops->config_read)
			vp->ops->config_read(vp, off, data, len);
	} else if (off >= VIRTIO_PCI_MSIX_OFF) {
		virtio_pci_msix_access(vp, off, data, len, is_write);
	}
}

void virtio_pci_bar_access(void *opaque, uint64_t off, void *data,
			   uint32_t len, bool is_write)
{
	struct virtio_pci *vp = opaque;

	if (len == 0 || len > 8 || off >= VIRTIO_PCI_BAR_SIZE ||
	    off + len > VIRTIO_PCI_BAR_SIZE) {
		if (!is_write)
			memset(data, 0xff, len > 8 ? 8 : len);
		return;
	}
	virtio_pci_lock(vp);
	bar_rw(vp, off, data, len, is_write, false);
	virtio_pci_unlock(vp);
}

/*
 * VIRTIO_PCI_CAP_PCI_CFG: a window onto BAR0 or the notify BAR through
 * config space.  The driver sets bar, offset and length, then accesses
 * pci_cfg_data.  Config reads never reach the device, so data is
 * preloaded (without side effects) whenever the window moves, and a data
 * write goes to the BAR.
 */
static void pci_cfg_window(struct virtio_pci *vp, uint32_t off, uint32_t len)
{
	uint8_t *c = vp->pci.cfg + vp->cap_pci_cfg;
	uint32_t boff = get(c, 8, 4), blen = get(c, 12, 4);
	bool data_written = off + len > (uint32_t)vp->cap_pci_cfg + 16;

	if ((blen != 1 && blen != 2 && blen != 4) || boff % blen)
		return;
	if (c[4] == VIRTIO_PCI_NOTIFY_BAR) {
		if ((uint64_t)boff + blen > notify_len(vp))
			return;
		if (data_written)
			virtio_pci_notify_access(vp, boff, c + 16, blen, true);
		else
			memset(c + 16, 0, 4);
		return;
	}
	if (c[4] != 0 || (uint64_t)boff + blen > VIRTIO_PCI_BAR_SIZE)
		return;
	if (data_written)
		bar_rw(vp, boff, c + 16, blen, true, false);
	else
		bar_rw(vp, boff, c + 16, blen, false, true);
}

static void cfg_write(struct pci_dev *d, uint32_t off, uint32_t len)
{
	struct virtio_pci *vp = d->opaque;
	uint32_t i, pc = vp->cap_pci_cfg, mx = vp->cap_msix;
	bool window = false, msix = false;

	virtio_pci_lock(vp);
	/* Only the window fields and MSI-X enable/mask are writable; every
	 * other byte of the capabilities goes back to what it was. */
	for (i = off; i < off + len && i < PCI_CFG_SIZE; i++) {
		if (i < 0x40)
			continue;	/* the header is pci.c's */
		if (i == pc + 4 || (i >= pc + 8 && i < pc + 20)) {
			window = true;
		} else if (i == mx + 3) {
			d->cfg[i] = (d->cfg[i] & 0xc0) | (vp->cfg_init[i] & 0x3f);
			msix = true;
		} else {
			d->cfg[i] = vp->cfg_init[i];
		}
	}
	if (window)
		pci_cfg_window(vp, off, len);
	if (msix)
		virtio_pci_msix_update(vp);
	virtio_pci_unlock(vp);
}

static int add_cap(struct virtio_pci *vp, uint8_t type, uint8_t bar,
		   uint32_t off, uint32_t len, uint32_t extra, uint8_t cap_len)
{
	uint8_t cap[20] = { PCI_CAP_ID_VNDR, 0, cap_len, type, bar };

	put(cap, 8, off, 4);
	put(cap, 12, len, 4);
	put(cap, 16, extra, 4);
	return pci_add_cap(&vp->pci, cap, cap_len);
}

static void on_kick(void *opaque, uint32_t events)
{
	struct virtio_pci_qfd *qf = opaque;
	struct virtio_pci *vp = qf->vp;
	eventfd_t n;

	if (eventfd_read(qf->fd, &n) < 0)
		return;
	virtio_pci_lock(vp);
	if (virtio_pci_running(vp) && vp->vq[qf->q].ready &&
	    vp->ops->queue_notify)
		vp->ops->queue_notify(vp, qf->q);
	virtio_pci_unlock(vp);
}

int virtio_pci_init(struct virtio_pci *vp, struct vm *vm, uint16_t device_id,
		    uint32_t class_code, unsigned int nr_queues,
		    uint16_t queue_size, const struct virtio_ops *ops,
		    void *priv)
{
	pthread_mutexattr_t a;
	unsigned int i;
	int r;

	if (nr_queues == 0 || nr_queues > VIRTIO_PCI_MAX_QUEUES ||
	    queue_size == 0 || queue_size > VIRTQ_MAX_SIZE ||
	    (queue_size & (queue_size - 1)) ||
	    ops->config_size > VIRTIO_PCI_CFG_MAX)
		return -EINVAL;
	memset(vp, 0, sizeof(*vp));
	vp->vm = vm;
	vp->ops = ops;
	vp->priv = priv;
	vp->device_id = device_id;
	vp->nr_queues = nr_queues;
	vp->nr_vectors = nr_queues + 1;
	vp->msix_config = VIRTQ_NO_VECTOR;
	vp->later_fd = -1;
	for (i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++)
		vp->qfd[i].fd = -1;
	for (i = 0; i <= VIRTIO_PCI_MAX_QUEUES; i++) {
		vp->vec[i].fd = -1;
		vp->vec[i].gsi = -1;
	}
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&vp->lock, &a);
	pthread_mutexattr_destroy(&a);

	for (i = 0; i < nr_queues; i++) {
		vp->qfd[i] = (struct virtio_pci_qfd){ vp, i, -1 };
		vp->vq[i].interrupt = queue_interrupt;
		vp->vq[i].opaque = &vp->qfd[i];
		virtq_reset(&vp->vq[i], queue_size);
		vp->qfd[i].fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (vp->qfd[i].fd < 0)
			goto fail_errno;
	}
	vp->later_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (vp->later_fd < 0)
		goto fail_errno;
	for (i = 0; i < vp->nr_vectors; i++) {
		vp->vec[i].fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (vp->vec[i].fd < 0)
			goto fail_errno;
		vp->vec[i].ctrl = 1;	/* masked until the driver says */
	}

	pci_dev_init(&vp->pci, VIRTIO_PCI_VENDOR,
		     VIRTIO_PCI_DEVICE_BASE + device_id, class_code,
		     VIRTIO_PCI_VENDOR, device_id);
	vp->pci.cfg[0x08] = 1;		/* revision 1: modern only */
	vp->pci.cfg_write = cfg_write;
	vp->pci.opaque = vp;
	vp->pci.bar[0].size = VIRTIO_PCI_BAR_SIZE;
	vp->pci.bar[0].fn = virtio_pci_bar_access;
	vp->pci.bar[0].opaque = vp;
	vp->pci.bar[VIRTIO_PCI_NOTIFY_BAR].size = notify_bar_size(nr_queues);
	vp->pci.bar[VIRTIO_PCI_NOTIFY_BAR].io = true;
	vp->pci.bar[VIRTIO_PCI_NOTIFY_BAR].fn = virtio_pci_notify_access;
	vp->pci.bar[VIRTIO_PCI_NOTIFY_BAR].opaque = vp;
	if ((r = add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, 0, VIRTIO_PCI_COMMON_OFF,
			 VIRTIO_PCI_COMMON_LEN, 0, 16)) < 0 ||
	    (r = add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, 0, VIRTIO_PCI_ISR_OFF,
			 VIRTIO_PCI_ISR_LEN, 0, 16)) < 0 ||
	    (r = add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_BAR, 0,
			 notify_len(vp), VIRTIO_PCI_NOTIFY_MULT, 20)) < 0)
		goto fail;
	if (ops->config_size &&
	    (r = add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, 0, VIRTIO_PCI_DEVCFG_OFF,
			 ops->config_size, 0, 16)) < 0)
		goto fail;
	if ((r = add_cap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, 0, 20)) < 0)
		goto fail;
	vp->cap_pci_cfg = r;
	if ((r = virtio_pci_msix_add_cap(vp)) < 0)
		goto fail;
	vp->cap_msix = r;
	memcpy(vp->cfg_init, vp->pci.cfg, PCI_CFG_SIZE);
	return 0;

fail_errno:
	r = -errno;
fail:
	virtio_pci_free(vp);
	return r;
}

int virtio_pci_register(struct virtio_pci *vp)
{
	unsigned int i;
	int r;

	r = pci_register(vp->vm, &vp->pci);
	if (r < 0)
		return r;
	for (i = 0; i < vp->nr_queues; i++) {
		r = evloop_add(vp->vm->loop, vp->qfd[i].fd, EPOLLIN, on_kick,
			       &vp->qfd[i]);
		if (r < 0)
			return r;
	}
	r = evloop_add(vp->vm->loop, vp->later_fd, EPOLLIN, on_later, vp);
	if (r < 0)
		return r;
	virtio_pci_lock(vp);
	bind_notify(vp);
	r = virtio_pci_msix_bind(vp);
	virtio_pci_unlock(vp);
	return r;
}

void virtio_pci_free(struct virtio_pci *vp)
{
	unsigned int i;

	virtio_pci_msix_unbind(vp);
	if (vp->vm->vm_fd >= 0)
		unbind_notify(vp);
	if (vp->mapped_bar && vp->vm->vm_fd >= 0)
		vm_coalesced_mmio(vp->vm, vp->mapped_bar + VIRTIO_PCI_MSIX_OFF,
				  msix_table_len(vp), false);
	for (i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
		if (vp->qfd[i].fd < 0)
			continue;
		if (vp->vm->loop)
			evloop_del(vp->vm->loop, vp->qfd[i].fd);
		close(vp->qfd[i].fd);
		vp->qfd[i].fd = -1;
	}
	if (vp->later_fd >= 0) {
		if (vp->vm->loop)
			evloop_del(vp->vm->loop, vp->later_fd);
		close(vp->later_fd);
		vp->later_fd = -1;
	}
	for (i = 0; i <= VIRTIO_PCI_MAX_QUEUES; i++) {
		if (vp->vec[i].fd >= 0)
			close(vp->vec[i].fd);
		vp->vec[i].fd = -1;
	}
	pthread_mutex_destroy(&vp->lock);
}
