/*
 * PCI: a host bridge at 00:00.0 and up to 31 devices on bus 0, reached
 * through configuration mechanism #1 (address at 0xcf8, data at 0xcfc).
 * There is no firmware: the VMM places every BAR, memory BARs (64-bit) in
 * the MMIO window and I/O BARs in the port window, and Linux (pci=conf1)
 * keeps those assignments.  A BAR is mapped on the MMIO or port I/O bus
 * while its kind of decoding is on and its address is a real one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "vmm/pci.h"
#include "vmm/vm.h"

#define PCI_CONF_ADDR		0xcf8
#define PCI_CONF_DATA		0xcfc
#define PCI_SLOTS		32

#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		0x1
#define PCI_COMMAND_MEMORY	0x2
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34
#define PCI_CAP_START		0x40
#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM_64		0x4
#define PCI_IO_BAR_MAX		256

struct pci_bus {
	pthread_mutex_t lock;
	uint32_t addr;			/* the 0xcf8 latch */
	struct pci_dev bridge;
	struct pci_dev *slot[PCI_SLOTS];
	/* Where each BAR is mapped: pci_free unmaps without the device,
	 * which may be gone by then. */
	struct pci_mapping {
		bool on, io;
		uint64_t addr;
	} mapped[PCI_SLOTS][PCI_NR_BARS];
	uint64_t next_mmio;
	uint32_t next_io;
	struct vm *vm;
};

static uint64_t bar_addr(const struct pci_dev *d, int i)
{
	uint32_t lo, hi;

	memcpy(&lo, &d->cfg[PCI_BAR0 + 4 * i], 4);
	if (d->bar[i].io)
		return lo & ~0x3U;
	memcpy(&hi, &d->cfg[PCI_BAR0 + 4 * (i + 1)], 4);
	return ((uint64_t)hi << 32 | lo) & ~0xfULL;
}

static void bar_set(struct pci_dev *d, int i, uint64_t addr)
{
	uint32_t lo = (uint32_t)addr | PCI_BAR_MEM_64, hi = addr >> 32;

	if (d->bar[i].io) {
		lo = (uint32_t)addr | PCI_BAR_IO;
		memcpy(&d->cfg[PCI_BAR0 + 4 * i], &lo, 4);
		return;
	}
	memcpy(&d->cfg[PCI_BAR0 + 4 * i], &lo, 4);
	memcpy(&d->cfg[PCI_BAR0 + 4 * (i + 1)], &hi, 4);
}

/* Whether the guest means BAR i to decode at addr: its kind of decoding
 * on, a real address, not the all-ones value of sizing, within its
 * window's reach. */
static bool bar_wanted(const struct pci_dev *d, int i, uint64_t addr,
		       uint16_t cmd)
{
	const struct pci_bar *b = &d->bar[i];
	uint64_t end;

	if (!addr || __builtin_add_overflow(addr, b->size, &end))
		return false;
	if (b->io)
		return (cmd & PCI_COMMAND_IO) && end <= PCI_IO_END &&
		       (uint32_t)addr != ((uint32_t)~(b->size - 1) & ~0x3U);
	return (cmd & PCI_COMMAND_MEMORY) &&
	       addr != (~(b->size - 1) & ~0xfULL) &&
	       (uint32_t)addr != ((uint32_t)~(b->size - 1) & ~0xfU);
}

/* Maps or unmaps each BAR after a command or BAR write. */
static void update_mappings(struct pci_bus *bus, struct pci_dev *d)
{
	uint16_t cmd;
	int i;

	memcpy(&cmd, &d->cfg[PCI_COMMAND], 2);
	for (i = 0; i < PCI_NR_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		struct io_bus *on = b->io ? &bus->vm->pio : &bus->vm->mmio;
		uint64_t addr = bar_addr(d, i);
		struct pci_mapping *m = &bus->mapped[d->slot][i];
		bool want;

		if (!b->size)
			continue;
		want = bar_wanted(d, i, addr, cmd);
		if (m->on && (!want || addr != b->addr)) {
			io_bus_unregister(on, b->addr);
			m->on = false;
		}
		if (want && !m->on) {
			if (io_bus_register(on, addr, b->size, b->fn, b->opaque)) {
				log_guest("pci %02x: BAR%d at %#llx overlaps another region: left unmapped",
					  d->slot, i, (unsigned long long)addr);
				continue;
			}
			b->addr = addr;
			*m = (struct pci_mapping){ true, b->io, addr };
		}
	}
}

static void cfg_write(struct pci_bus *bus, struct pci_dev *d, uint32_t off,
		      uint32_t val, uint32_t len)
{
	uint32_t i;

	if (off == PCI_COMMAND) {
		memcpy(&d->cfg[off], &val, len < 2 ? len : 2);
		update_mappings(bus, d);
		return;
	}
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_NR_BARS) {
		int n = (int)(off - PCI_BAR0) / 4, base = n;
		uint64_t size;
		uint32_t mask, flags = 0;

		/* A 64-bit BAR's upper half belongs to the BAR before it. */
		if (!d->bar[n].size && n > 0 && d->bar[n - 1].size &&
		    !d->bar[n - 1].io)
			base = n - 1;
		size = d->bar[base].size;
		if (len != 4 || !size)
			return;	/* unused BARs read as zero, stay zero */
		if (d->bar[base].io) {
			mask = (uint32_t)~(size - 1) & ~0x3U;
			flags = PCI_BAR_IO;
		} else if (n == base) {
			mask = (uint32_t)~(size - 1) & ~0xfU;
			flags = PCI_BAR_MEM_64;
		} else {
			mask = (uint32_t)(~(size - 1) >> 32);
		}
		val = (val & mask) | flags;
		memcpy(&d->cfg[off], &val, 4);
		update_mappings(bus, d);
		return;
	}
	if (off < PCI_CAP_START)
		return;	/* the rest of the header is read-only */
	/* Capabilities: the device's hook decides what sticks. */
	for (i = 0; i < len; i++)
		d->cfg[off + i] = (uint8_t)(val >> (8 * i));
	if (d->cfg_write)
		d->cfg_write(d, off, len);
}

static struct pci_dev *addressed(struct pci_bus *bus, uint32_t *off)
{
	uint32_t a = bus->addr;
	unsigned int busno = (a >> 16) & 0xff, dev = (a >> 11) & 0x1f,
		     fn = (a >> 8) & 7;

	if (!(a & 0x80000000U) || busno || fn)
		return NULL;
	*off = a & 0xfc;
	return bus->slot[dev];
}

static void conf_io(void *opaque, uint64_t offset, void *data, uint32_t len,
		    bool is_write)
{
	struct pci_bus *bus = opaque;
	struct pci_dev *d;
	uint32_t off, val = 0;

	pthread_mutex_lock(&bus->lock);
	if (offset == 0 && len == 4) {		/* 0xcf8 */
		if (is_write)
			memcpy(&bus->addr, data, 4);
		else
			memcpy(data, &bus->addr, 4);
		goto out;
	}
	if (offset < 4) {
		if (!is_write)
			memset(data, 0xff, len);
		goto out;
	}
	d = addressed(bus, &off);
	off += (uint32_t)offset - 4;		/* 0xcfc..0xcff */
	if (!d || off + len > PCI_CFG_SIZE) {
		if (!is_write)
			memset(data, 0xff, len);
		goto out;
	}
	if (is_write) {
		memcpy(&val, data, len);
		cfg_write(bus, d, off, val, len);
	} else {
		memcpy(data, &d->cfg[off], len);
	}
out:
	pthread_mutex_unlock(&bus->lock);
}

void pci_dev_init(struct pci_dev *d, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint16_t subsys_vendor,
		  uint16_t subsys_id)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	memcpy(&d->cfg[0x00], &vendor, 2);
	memcpy(&d->cfg[0x02], &device, 2);
	d->cfg[0x08] = 1;			/* revision */
	d->cfg[0x09] = (uint8_t)class_code;
	d->cfg[0x0a] = (uint8_t)(class_code >> 8);
	d->cfg[0x0b] = (uint8_t)(class_code >> 16);
	memcpy(&d->cfg[0x2c], &subsys_vendor, 2);
	memcpy(&d->cfg[0x2e], &subsys_id, 2);
	d->cfg[0x3d] = 1;			/* INTA#, unused with MSI-X */
	d->next_cap = 0;
}

int pci_add_cap(struct pci_dev *d, const void *cap, uint8_t len)
{
	unsigned int at = d->next_cap ? d->next_cap : PCI_CAP_START, next;
	uint8_t prev;

	/* next_cap 0xff: the space is used up. */
	if (len < 2 || at + len > PCI_CFG_SIZE)
		return -ENOSPC;
	memcpy(&d->cfg[at], cap, len);
	d->cfg[at + 1] = 0;
	if (!(d->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
		d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
		d->cfg[PCI_CAP_PTR] = (uint8_t)at;
	} else {
		/* Link from the last capability in the list. */
		for (prev = d->cfg[PCI_CAP_PTR]; d->cfg[prev + 1];
		     prev = d->cfg[prev + 1])
			;
		d->cfg[prev + 1] = (uint8_t)at;
	}
	next = (at + len + 3) & ~3U;
	d->next_cap = next < PCI_CFG_SIZE ? (uint8_t)next : 0xff;
	return (int)at;
}

int pci_register(struct vm *vm, struct pci_dev *d)
{
	struct pci_bus *bus = vm->pci;
	unsigned int slot;
	int i, ret = -ENOSPC;

	if (!bus)
		return -ENODEV;
	pthread_mutex_lock(&bus->lock);
	for (slot = 1; slot < PCI_SLOTS && bus->slot[slot]; slot++)
		;
	if (slot == PCI_SLOTS)
		goto out;
	for (i = 0; i < PCI_NR_BARS; i++) {
		uint64_t size = d->bar[i].size;
		bool io = d->bar[i].io;

		if (!size)
			continue;
		if (size & (size - 1) || size < (io ? 4 : 16) ||
		    (io && size > PCI_IO_BAR_MAX) ||
		    (!io && i == PCI_NR_BARS - 1) ||
		    (i > 0 && d->bar[i - 1].size && !d->bar[i - 1].io)) {
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < PCI_NR_BARS; i++) {
		uint64_t size = d->bar[i].size, at;

		if (!size)
			continue;
		/* Naturally aligned, as BAR sizing requires. */
		if (d->bar[i].io) {
			at = (bus->next_io + size - 1) & ~(size - 1);
			if (at + size > PCI_IO_END)
				goto out;
			bus->next_io = (uint32_t)(at + size);
		} else {
			at = (bus->next_mmio + size - 1) & ~(size - 1);
			if (at + size > PCI_MMIO_START + PCI_MMIO_SIZE)
				goto out;
			bus->next_mmio = at + size;
		}
		bar_set(d, i, at);
		d->bar[i].addr = at;
		/* Decoding on from the start, as firmware would leave it. */
		d->cfg[PCI_COMMAND] |= d->bar[i].io ? PCI_COMMAND_IO :
						      PCI_COMMAND_MEMORY;
	}
	d->slot = (uint8_t)slot;
	bus->slot[slot] = d;
	update_mappings(bus, d);
	ret = 0;
out:
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

int pci_init(struct vm *vm)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	int ret;

	if (!bus)
		return -ENOMEM;
	pthread_mutex_init(&bus->lock, NULL);
	bus->vm = vm;
	bus->next_mmio = PCI_MMIO_START;
	bus->next_io = PCI_IO_START;
	/* Red Hat's generic host bridge id: no chipset quirks in Linux. */
	pci_dev_init(&bus->bridge, 0x1b36, 0x0008, 0x060000, 0x1af4, 0x1100);
	bus->bridge.cfg[0x3d] = 0;
	bus->slot[0] = &bus->bridge;
	ret = io_bus_register(&vm->pio, PCI_CONF_ADDR, 8, conf_io, bus);
	if (ret) {
		free(bus);
		return ret;
	}
	vm->pci = bus;
	return 0;
}

void pci_free(struct vm *vm)
{
	struct pci_bus *bus = vm->pci;

	if (!bus)
		return;
	io_bus_unregister(&vm->pio, PCI_CONF_ADDR);
	for (unsigned int s = 0; s < PCI_SLOTS; s++)
		for (int i = 0; i < PCI_NR_BARS; i++)
			if (bus->mapped[s][i].on)
				io_bus_unregister(bus->mapped[s][i].io ?
						  &vm->pio : &vm->mmio,
						  bus->mapped[s][i].addr);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
	vm->pci = NULL;
}
