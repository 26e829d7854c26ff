/* MSI-X: capability, table, PBA, masking, and delivery through irqfd. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>

#include "devices/virtio/pci.h"
#include "devices/virtio/pci_msix.h"
#include "lib/log.h"
#include "vmm/vm.h"

#define PCI_CAP_ID_MSIX		0x11
#define MSIX_CTRL_ENABLE	0x80	/* bits of the message control's high byte */
#define MSIX_CTRL_MASKALL	0x40
#define MSIX_ENTRY_SIZE		16

int virtio_pci_msix_add_cap(struct virtio_pci *vp)
{
	uint8_t cap[12] = { PCI_CAP_ID_MSIX, 0 };
	uint16_t ctl = vp->nr_vectors - 1;
	uint32_t table = VIRTIO_PCI_MSIX_OFF, pba = VIRTIO_PCI_PBA_OFF; /* BIR 0 */

	memcpy(cap + 2, &ctl, 2);
	memcpy(cap + 4, &table, 4);
	memcpy(cap + 8, &pba, 4);
	return pci_add_cap(&vp->pci, cap, sizeof(cap));
}

static bool masked(const struct virtio_pci *vp, unsigned int v)
{
	uint8_t ctl = vp->pci.cfg[vp->cap_msix + 3];

	return !(ctl & MSIX_CTRL_ENABLE) || (ctl & MSIX_CTRL_MASKALL) ||
	       (vp->vec[v].ctrl & 1);
}

static void fire(struct virtio_pci *vp, unsigned int v)
{
	struct virtio_pci_vector *e = &vp->vec[v];
	uint64_t addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;

	if (e->gsi < 0 && vp->vm->vm_fd >= 0) {
		if (vm_signal_msi(vp->vm, addr, e->data) < 0)
			log_guest("virtio-pci %02x: MSI to %#llx failed",
				  vp->pci.slot, (unsigned long long)addr);
		return;
	}
	if (eventfd_write(e->fd, 1) < 0)
		log_warn("virtio-pci %02x: interrupt eventfd: %m", vp->pci.slot);
}

void virtio_pci_msix_signal(struct virtio_pci *vp, uint16_t vector)
{
	if (vector >= vp->nr_vectors)
		return;
	if (masked(vp, vector)) {
		vp->vec[vector].pending = true;
		return;
	}
	fire(vp, vector);
}

void virtio_pci_msix_update(struct virtio_pci *vp)
{
	unsigned int v;

	for (v = 0; v < vp->nr_vectors; v++) {
		if (vp->vec[v].pending && !masked(vp, v)) {
			vp->vec[v].pending = false;
			fire(vp, v);
		}
	}
}

void virtio_pci_msix_clear_pending(struct virtio_pci *vp)
{
	unsigned int v;

	for (v = 0; v < vp->nr_vectors; v++)
		vp->vec[v].pending = false;
}

static void reroute(struct virtio_pci *vp, unsigned int v)
{
	struct virtio_pci_vector *e = &vp->vec[v];

	if (e->gsi >= 0 &&
	    vm_msi_route(vp->vm, e->gsi, (uint64_t)e->addr_hi << 32 | e->addr_lo,
			 e->data) < 0)
		log_guest("virtio-pci %02x: MSI route of vector %u failed",
			 vp->pci.slot, v);
}

static void table_access(struct virtio_pci *vp, unsigned int v, uint32_t w,
			 void *data, uint32_t len, bool is_write)
{
	struct virtio_pci_vector *e = &vp->vec[v];
	uint32_t img[4] = { e->addr_lo, e->addr_hi, e->data, e->ctrl };

	if (!is_write) {
		memcpy(data, (uint8_t *)img + w, len);
		return;
	}
	memcpy((uint8_t *)img + w, data, len);
	if (img[0] != e->addr_lo || img[1] != e->addr_hi || img[2] != e->data) {
		e->addr_lo = img[0];
		e->addr_hi = img[1];
		e->data = img[2];
		reroute(vp, v);
	}
	e->ctrl = img[3] & 1;		/* only the mask bit is writable */
	if (e->pending && !masked(vp, v)) {
		e->pending = false;
		fire(vp, v);
	}
}

void virtio_pci_msix_access(struct virtio_pci *vp, uint64_t off, void *data,
			    uint32_t len, bool is_write)
{
	uint64_t t = off - VIRTIO_PCI_MSIX_OFF, p = off - VIRTIO_PCI_PBA_OFF;
	unsigned int v;

	if (off >= VIRTIO_PCI_MSIX_OFF &&
	    t < (uint64_t)vp->nr_vectors * MSIX_ENTRY_SIZE &&
	    t % MSIX_ENTRY_SIZE + len <= MSIX_ENTRY_SIZE) {
		table_access(vp, t / MSIX_ENTRY_SIZE, t % MSIX_ENTRY_SIZE,
			     data, len, is_write);
		return;
	}
	if (off >= VIRTIO_PCI_PBA_OFF && p + len <= 8 * ((vp->nr_vectors + 63) / 64)) {
		if (is_write)
			return;
		for (v = 0; v < vp->nr_vectors; v++)
			if (vp->vec[v].pending && v / 8 >= p && v / 8 < p + len)
				((uint8_t *)data)[v / 8 - p] |= 1 << (v % 8);
		return;
	}
	if (is_write)
		log_guest("virtio-pci %02x: MSI-X write at %#llx+%u outside table and PBA",
			  vp->pci.slot, (unsigned long long)off, len);
}

int virtio_pci_msix_bind(struct virtio_pci *vp)
{
	struct virtio_pci_vector *e;
	unsigned int v;
	int r;

	for (v = 0; v < vp->nr_vectors; v++) {
		e = &vp->vec[v];
		r = vm_msi_gsi_alloc(vp->vm);
		if (r < 0)
			return r;
		e->gsi = r;
		reroute(vp, v);
		r = vm_irqfd(vp->vm, e->fd, e->gsi, true);
		if (r < 0) {
			vm_msi_gsi_free(vp->vm, e->gsi);
			e->gsi = -1;
			return r;
		}
	}
	return 0;
}

void virtio_pci_msix_unbind(struct virtio_pci *vp)
{
	struct virtio_pci_vector *e;
	unsigned int v;

	for (v = 0; v < vp->nr_vectors; v++) {
		e = &vp->vec[v];
		if (e->gsi < 0)
			continue;
		vm_irqfd(vp->vm, e->fd, e->gsi, false);
		vm_msi_gsi_free(vp->vm, e->gsi);
		e->gsi = -1;
	}
}

int virtio_pci_vector_fd(const struct virtio_pci *vp, unsigned int vector)
{
	return vector < vp->nr_vectors ? vp->vec[vector].fd : -1;
}
