/* The VM: what every device sees of the VMM. */
#ifndef KVMC_VMM_VM_H
#define KVMC_VMM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/evloop.h"
#include "vmm/io.h"
#include "vmm/mem.h"

/* The 32-bit hole, from MEM_HOLE_START: PCI MMIO window, then the chips. */
#define PCI_MMIO_START		0xC0000000ULL
#define PCI_MMIO_SIZE		0x20000000ULL	/* 512 MiB for BARs */
/* Port I/O window for I/O BARs (virtio's notify registers): above the
 * legacy ports and the PCI configuration mechanism's 0xcf8-0xcff. */
#define PCI_IO_START		0xc000U
#define PCI_IO_END		0x10000U
#define IOAPIC_ADDR		0xFEC00000ULL
#define LAPIC_ADDR		0xFEE00000ULL

struct pci_bus;

struct vm {
	int kvm_fd;
	int vm_fd;
	struct guest_mem mem;
	struct io_bus pio;
	struct io_bus mmio;
	struct evloop *loop;		/* the device event loop (one thread) */
	struct pci_bus *pci;
	struct vm_private *priv;	/* vCPUs, irq routing: vmm/ only */
};

/*
 * Interrupts.  Legacy devices raise IOAPIC pins; virtio-pci uses MSI-X
 * through irqfd: allocate a GSI, point it at an MSI address/data pair, bind
 * an eventfd.  Routes may be changed at run time (the guest reprograms the
 * MSI-X table); each call rewrites KVM's routing table under a lock.
 */
int vm_irq_line(struct vm *vm, uint32_t pin, int level);
int vm_msi_gsi_alloc(struct vm *vm);		/* GSI or -ENOSPC */
int vm_msi_route(struct vm *vm, int gsi, uint64_t addr, uint32_t data);
void vm_msi_gsi_free(struct vm *vm, int gsi);
int vm_irqfd(struct vm *vm, int fd, int gsi, bool assign);
/* Injects one MSI directly (KVM_SIGNAL_MSI): for rare, non-hot paths. */
int vm_signal_msi(struct vm *vm, uint64_t addr, uint32_t data);

/* A write of len bytes at addr (MMIO or, with pio, a port) signals fd
 * inside KVM, without an exit to userspace. */
int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, bool pio,
		 int fd, bool assign);

/* Writes to [addr, addr + len) queue in KVM's coalesced MMIO ring
 * instead of exiting; the vCPUs replay them before their next exit is
 * handled (vmm/coalesced.c).  For registers whose writes are posted and
 * read back before they matter, as MSI-X tables are.  -ENODEV where
 * KVM has no ring (the writes then exit as before). */
int vm_coalesced_mmio(struct vm *vm, uint64_t addr, uint32_t len, bool assign);

/* Asks the VM to end (device fatal error, guest reset).  Thread-safe. */
void vm_request_exit(struct vm *vm, int status);

#endif
