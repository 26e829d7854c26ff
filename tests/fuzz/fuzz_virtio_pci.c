/* fuzz-deps: virtio vmm lib */
/* The virtio-pci transport (devices/virtio/pci.c, pci_msix.c) behind the
 * real PCI bus (vmm/pci.c), without KVM (vm_fd < 0): a fresh bus and a
 * minimal device (config space, one request processor per queue) per
 * input, then the input is a sequence of guest accesses:
 *   byte 0      nr_queues 1 + b0 % 4, queue size 2 << (b0 / 4 % 8)
 *   then ops:   op byte = kind (bits 0-2), size 1/2/4/8 (bits 3-4),
 *               region (bits 5-7), one offset byte, for writes 8 value
 *               bytes.  Kinds: config write/read through 0xcf8/0xcfc
 *               (region 1: relative to the PCI_CFG capability, 2: to
 *               MSI-X), BAR write/read wherever the BAR is now
 *               (region: BAR0's common, ISR, device config through the
 *               MMIO bus; 3: the notify BAR through the port I/O bus;
 *               BAR0's MSI-X table, PBA, or offset byte * 128), a
 *               guest RAM write (8 bytes at offset byte * 8 + region
 *               * 2048).
 * Kicks are taken after every access as the event loop would (on_kick).
 * Checked after every access: a pending vector is masked; an interrupt
 * came from an unmasked vector; FEATURES_OK only with features the
 * device offers and VERSION_1; enabled queues have their rings in RAM;
 * vectors in range; config space bytes the guest may not change are
 * unchanged; start and queue_notify only when allowed.  A violation
 * aborts. */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/pci.h"
#include "lib/log.h"
#include "vmm/vm.h"

#define RAM_SIZE	(16 << 10)
#define MAX_OPS		512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vm vm;
static struct virtio_pci vp;
static uint8_t devcfg[8];
static struct virtq_req req;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_virtio_pci: invariant broken: %s\n", what);
		abort();
	}
}

static void cfg_read(struct virtio_pci *d, uint32_t off, void *data,
		     uint32_t len)
{
	check(off + len <= sizeof(devcfg), "device config read past its size");
	memcpy(data, devcfg + off, len);
}

static void cfg_write(struct virtio_pci *d, uint32_t off, const void *data,
		      uint32_t len)
{
	check(off + len <= sizeof(devcfg), "device config write past its size");
	memcpy(devcfg + off, data, len);
	if (devcfg[0] == 0x5a)
		virtio_pci_config_changed(d);
}

static int dev_start(struct virtio_pci *d)
{
	check(d->status & VIRTIO_CONFIG_S_FEATURES_OK,
	      "start without FEATURES_OK");
	return devcfg[1] == 0xee;	/* lets the fuzzer fail a start */
}

/* Echoes each request's readable bytes into its writable part. */
static void queue_notify(struct virtio_pci *d, unsigned int q)
{
	struct virtq *vq = virtio_pci_vq(d, q);
	uint8_t buf[256];
	size_t n;
	int r;

	check(vq && virtio_pci_running(d) && vq->ready,
	      "queue_notify on a queue not running");
	while ((r = virtq_pop(vq, &req)) == 1) {
		n = virtq_read(&req, 0, buf, sizeof(buf));
		n = virtq_write(&req, 0, buf, n);
		virtq_push(vq, req.head, n);
	}
	virtio_pci_notify(d, q);
	if (r < 0)
		virtio_pci_needs_reset(d);
}

static const struct virtio_ops ops = {
	.features = 1ULL << 3,
	.config_size = sizeof(devcfg),
	.config_read = cfg_read,
	.config_write = cfg_write,
	.start = dev_start,
	.queue_notify = queue_notify,
};

static bool masked(unsigned int v)
{
	uint8_t ctl = vp.pci.cfg[vp.cap_msix + 3];

	return !(ctl & 0x80) || (ctl & 0x40) || (vp.vec[v].ctrl & 1);
}

/* What the event loop's on_kick does for each kicked queue. */
static void take_kicks(void)
{
	eventfd_t n;
	unsigned int q;

	for (q = 0; q < vp.nr_queues; q++) {
		if (eventfd_read(vp.qfd[q].fd, &n) < 0)
			continue;
		virtio_pci_lock(&vp);
		if (virtio_pci_running(&vp) && vp.vq[q].ready)
			queue_notify(&vp, q);
		virtio_pci_unlock(&vp);
	}
}

/* Bytes of config space the guest can change: command, BARs (placed by
 * pci_register after cfg_init was taken), the PCI_CFG window's bar,
 * offset, length and data, MSI-X enable and function mask. */
static bool cfg_writable(unsigned int i, uint8_t *mask)
{
	unsigned int pc = vp.cap_pci_cfg, mx = vp.cap_msix;

	*mask = 0xff;
	if (i == 0x04 || i == 0x05 || (i >= 0x10 && i < 0x28) ||
	    i == pc + 4 || (i >= pc + 8 && i < pc + 20))
		return true;
	if (i == mx + 3)
		*mask = 0x3f;
	return false;
}

static void check_state(void)
{
	uint64_t offered = ops.features | (1ULL << VIRTIO_F_VERSION_1) |
			   (1ULL << VIRTIO_RING_F_EVENT_IDX) |
			   (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	eventfd_t n;
	unsigned int i;
	uint8_t mask;

	for (i = 0; i < vp.nr_vectors; i++) {
		if (eventfd_read(vp.vec[i].fd, &n) == 0)
			check(!masked(i), "interrupt from a masked vector");
		check(!vp.vec[i].pending || masked(i),
		      "vector pending while unmasked");
	}
	if (vp.status & VIRTIO_CONFIG_S_FEATURES_OK)
		check(!(vp.driver_features & ~offered) &&
		      (vp.driver_features & (1ULL << VIRTIO_F_VERSION_1)),
		      "FEATURES_OK with features not offered");
	check(vp.msix_config == VIRTQ_NO_VECTOR || vp.msix_config < vp.nr_vectors,
	      "msix_config out of range");
	for (i = 0; i < vp.nr_queues; i++) {
		const struct virtq *vq = &vp.vq[i];

		check(vq->msix_vector == VIRTQ_NO_VECTOR ||
		      vq->msix_vector < vp.nr_vectors, "queue vector out of range");
		if (!vq->ready)
			continue;
		check(vq->size && vq->size <= vq->max_size &&
		      !(vq->size & (vq->size - 1)), "ready queue with a bad size");
		check(guest_mem_ptr(&vm.mem, vq->desc_gpa, 16 * vq->size) &&
		      guest_mem_ptr(&vm.mem, vq->avail_gpa, 6 + 2 * vq->size) &&
		      guest_mem_ptr(&vm.mem, vq->used_gpa, 6 + 8 * vq->size),
		      "ready queue with rings outside RAM");
	}
	for (i = 0; i < PCI_CFG_SIZE; i++)
		if (!cfg_writable(i, &mask))
			check((vp.pci.cfg[i] & mask) == (vp.cfg_init[i] & mask),
			      "read-only config space byte changed");
}

static void conf_access(unsigned int off, void *val, uint32_t len,
			bool is_write)
{
	uint32_t addr = 0x80000000U | (uint32_t)vp.pci.slot << 11 | (off & 0xfc);

	if (len > 4)
		len = 4;
	if ((off & 3) + len > 4)
		len = 4 - (off & 3);
	io_bus_dispatch(&vm.pio, 0xcf8, &addr, 4, true);
	io_bus_dispatch(&vm.pio, 0xcfc + (off & 3), val, len, is_write);
}

/* Region 3 is the notify BAR (port I/O), the others BAR0's. */
#define NOTIFY_REGION	3
static const uint64_t bar_regions[] = {
	VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_DEVCFG_OFF,
	0, VIRTIO_PCI_MSIX_OFF, VIRTIO_PCI_PBA_OFF,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool inited;
	unsigned int nq, qsz, ops_done, kind, region, off, len;
	uint64_t val, at;
	bool is_write;

	if (!inited) {
		log_init("fuzz", stderr, false, LOG_ERROR);
		vm.vm_fd = vm.kvm_fd = -1;
		if (guest_mem_init(&vm.mem, RAM_SIZE) < 0 ||
		    io_bus_init(&vm.pio) < 0 || io_bus_init(&vm.mmio) < 0)
			abort();
		inited = true;
	}
	if (size < 1)
		return 0;
	nq = 1 + data[0] % 4;
	qsz = 2u << (data[0] / 4 % 8);
	data++;
	size--;
	memset(vm.mem.host, 0, RAM_SIZE);
	memset(devcfg, 0, sizeof(devcfg));
	if (pci_init(&vm) < 0 ||
	    virtio_pci_init(&vp, &vm, 3, 0x078000, nq, qsz, &ops, NULL) < 0 ||
	    pci_register(&vm, &vp.pci) < 0)
		abort();

	for (ops_done = 0; size >= 2 && ops_done < MAX_OPS; ops_done++) {
		kind = data[0] & 7;
		len = 1u << (data[0] >> 3 & 3);
		region = data[0] >> 5;
		off = data[1];
		data += 2;
		size -= 2;
		is_write = !(kind & 1) || kind == 5;
		val = 0;
		if (is_write) {
			memcpy(&val, data, size < 8 ? size : 8);
			data += size < 8 ? size : 8;
			size -= size < 8 ? size : 8;
		}
		switch (kind) {
		case 0: case 1:			/* config space */
			if (region == 1)
				off = vp.cap_pci_cfg + off % 20;
			else if (region == 2)
				off = vp.cap_msix + off % 12;
			conf_access(off, &val, len, is_write);
			break;
		case 2: case 3:			/* BAR0 through the MMIO bus */
			if (region == NOTIFY_REGION) {
				io_bus_dispatch(&vm.pio,
						vp.pci.bar[VIRTIO_PCI_NOTIFY_BAR].addr + off,
						&val, len, is_write);
				break;
			}
			at = region < 6 ? bar_regions[region] + off :
			     (uint64_t)off * 128 + (region & 1);
			io_bus_dispatch(&vm.mmio, vp.pci.bar[0].addr + at, &val,
					len, is_write);
			break;
		case 4: case 5:			/* guest RAM */
			memcpy(vm.mem.host + (region * 2048 + off * 8) % RAM_SIZE,
			       &val, 8);
			break;
		default:			/* a direct bar access, any offset */
			virtio_pci_bar_access(&vp, (uint64_t)off << (region * 2),
					      &val, len, kind == 6);
			break;
		}
		/* Once, after the kicks: neither an access nor a kick both
		 * fires a vector and masks it. */
		take_kicks();
		check_state();
	}
	virtio_pci_free(&vp);
	pci_free(&vm);
	return 0;
}
