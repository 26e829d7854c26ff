/* MSI-X for the virtio-pci transport (internal to devices/virtio/pci*.c).
 * Every function is called with the device lock held. */
#ifndef KVMC_DEVICES_VIRTIO_PCI_MSIX_H
#define KVMC_DEVICES_VIRTIO_PCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_pci;

/* Adds the capability (table and PBA in BAR0); its offset or -errno. */
int virtio_pci_msix_add_cap(struct virtio_pci *vp);
/* One GSI, route and irqfd per vector (KVM only).  0 or -errno. */
int virtio_pci_msix_bind(struct virtio_pci *vp);
void virtio_pci_msix_unbind(struct virtio_pci *vp);
/* Raises vector (VIRTQ_NO_VECTOR or out of range: nothing); a masked
 * vector only sets its pending bit. */
void virtio_pci_msix_signal(struct virtio_pci *vp, uint16_t vector);
/* Enable or function mask changed: delivers what is pending and unmasked. */
void virtio_pci_msix_update(struct virtio_pci *vp);
void virtio_pci_msix_clear_pending(struct virtio_pci *vp);
/* Table and PBA accesses in BAR0 (off from the BAR's start). */
void virtio_pci_msix_access(struct virtio_pci *vp, uint64_t off, void *data,
			    uint32_t len, bool is_write);

#endif
