/* PCI: host bridge at 00:00.0, configuration mechanism #1 (0xcf8/0xcfc),
 * devices on bus 0, BARs placed by the VMM in the MMIO window (64-bit
 * memory BARs) or the port window (I/O BARs). */
#ifndef KVMC_VMM_PCI_H
#define KVMC_VMM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/io.h"

struct vm;

#define PCI_CFG_SIZE	256
#define PCI_NR_BARS	6

struct pci_bar {
	uint64_t size;		/* power of two, 0 = unused; 64-bit MMIO
				 * (at least 16 bytes, using i and i+1)
				 * unless io */
	bool io;		/* an I/O BAR: 32-bit, in the port window,
				 * 4 to 256 bytes */
	uint64_t addr;		/* set by pci_register, moved if the guest
				 * reprograms the BAR */
	io_fn fn;
	void *opaque;
};

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];	/* header + capabilities */
	struct pci_bar bar[PCI_NR_BARS];/* 64-bit BARs use i and i+1 */
	/* Called after a guest write to cfg[off, off+len) that is not the
	 * generic header (command, BARs): capabilities such as MSI-X. */
	void (*cfg_write)(struct pci_dev *d, uint32_t off, uint32_t len);
	void *opaque;
	uint8_t slot;			/* set by pci_register */
	uint8_t next_cap;		/* capability list builder state */
};

int pci_init(struct vm *vm);
void pci_free(struct vm *vm);

/* Fills vendor, device, class and the header type-0 fields. */
void pci_dev_init(struct pci_dev *d, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint16_t subsys_vendor,
		  uint16_t subsys_id);
/* Appends a capability (cap[0] = id; cap[1], the next pointer, is filled
 * in).  Returns its offset in config space or -ENOSPC. */
int pci_add_cap(struct pci_dev *d, const void *cap, uint8_t len);
/* Takes a slot, places the BARs in the MMIO and port windows and
 * registers them on the MMIO and port I/O buses.  -ENOSPC when the bus
 * or a window is full, -EINVAL for a BAR of a bad size or an I/O BAR
 * where a 64-bit one's upper half is. */
int pci_register(struct vm *vm, struct pci_dev *d);

#endif
