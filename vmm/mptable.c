/*
 * The Intel MultiProcessor table (MP spec 1.4), so that an SMP guest
 * without ACPI finds its CPUs, the IOAPIC and the ISA interrupt routing.
 * Written in the EBDA, where Linux's MP scan looks first.
 */
#include <errno.h>
#include <string.h>

#include "vmm/boot.h"
#include "vmm/vm.h"

struct mpf {			/* floating pointer */
	char sig[4];
	uint32_t physptr;
	uint8_t length, specrev, checksum, feature1;
	uint8_t feature2, feature3, feature4, feature5;
} __attribute__((packed));

struct mpc_table {
	char sig[4];
	uint16_t length;
	uint8_t spec, checksum;
	char oem[8], product[12];
	uint32_t oemptr;
	uint16_t oemsize, count;
	uint32_t lapic;
	uint16_t reserved1;
	uint8_t reserved2, reserved3;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type, apicid, apicver, cpuflag;
	uint32_t cpufeature, featureflag, reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type, busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type, apicid, apicver, flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type, irqtype;
	uint16_t irqflag;
	uint8_t srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));

#define MP_PROCESSOR	0
#define MP_BUS		1
#define MP_IOAPIC	2
#define MP_INTSRC	3
#define MP_LINTSRC	4
#define CPU_ENABLED	1
#define CPU_BOOTPROCESSOR 2
#define MP_INT		0
#define MP_NMI		1
#define MP_EXTINT	3
#define BUS_ISA		0
#define ISA_IRQS	16

static uint8_t checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum = (uint8_t)(sum + *b++);
	return (uint8_t)-sum;
}

int mptable_write(struct guest_mem *m, unsigned int cpus)
{
	size_t size = sizeof(struct mpf) + sizeof(struct mpc_table) +
		      cpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
		      sizeof(struct mpc_ioapic) +
		      (ISA_IRQS + 2) * sizeof(struct mpc_intsrc);
	uint8_t *base = guest_mem_ptr(m, BOOT_EBDA_ADDR, size), *p;
	struct mpc_table *t;
	struct mpf *f;
	unsigned int i, count = 0;
	uint8_t ioapic_id = (uint8_t)cpus;

	if (!base || BOOT_EBDA_ADDR + size > 0xa0000 || cpus > 254)
		return -ENOSPC;
	memset(base, 0, size);
	f = (struct mpf *)base;
	t = (struct mpc_table *)(f + 1);
	p = (uint8_t *)(t + 1);

	for (i = 0; i < cpus; i++) {
		struct mpc_cpu c = {
			.type = MP_PROCESSOR,
			.apicid = (uint8_t)i,
			.apicver = 0x14,
			.cpuflag = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0),
			.cpufeature = 0x600,	/* family 6 */
			.featureflag = 0x201,	/* FPU, APIC */
		};
		memcpy(p, &c, sizeof(c));
		p += sizeof(c);
		count++;
	}
	{
		struct mpc_bus b = { .type = MP_BUS, .busid = BUS_ISA };

		memcpy(b.bustype, "ISA   ", 6);
		memcpy(p, &b, sizeof(b));
		p += sizeof(b);
		count++;
	}
	{
		struct mpc_ioapic io = {
			.type = MP_IOAPIC, .apicid = ioapic_id, .apicver = 0x11,
			.flags = 1, .apicaddr = (uint32_t)IOAPIC_ADDR,
		};
		memcpy(p, &io, sizeof(io));
		p += sizeof(io);
		count++;
	}
	/* ISA IRQ n on IOAPIC pin n, matching KVM's default GSI routes. */
	for (i = 0; i < ISA_IRQS; i++) {
		struct mpc_intsrc s = {
			.type = MP_INTSRC, .irqtype = MP_INT, .srcbus = BUS_ISA,
			.srcbusirq = (uint8_t)i, .dstapic = ioapic_id,
			.dstirq = (uint8_t)i,
		};
		memcpy(p, &s, sizeof(s));
		p += sizeof(s);
		count++;
	}
	/* LINT0 ExtINT and LINT1 NMI on every local APIC. */
	for (i = 0; i < 2; i++) {
		struct mpc_intsrc s = {
			.type = MP_LINTSRC, .irqtype = i ? MP_NMI : MP_EXTINT,
			.srcbus = BUS_ISA, .dstapic = 0xff, .dstirq = (uint8_t)i,
		};
		memcpy(p, &s, sizeof(s));
		p += sizeof(s);
		count++;
	}

	memcpy(t->sig, "PCMP", 4);
	t->length = (uint16_t)(p - (uint8_t *)t);
	t->spec = 4;
	memcpy(t->oem, "KVMC    ", 8);
	memcpy(t->product, "kvmc-vmm    ", 12);
	t->count = (uint16_t)count;
	t->lapic = (uint32_t)LAPIC_ADDR;
	t->checksum = checksum(t, t->length);

	memcpy(f->sig, "_MP_", 4);
	f->physptr = (uint32_t)(BOOT_EBDA_ADDR + sizeof(*f));
	f->length = 1;		/* in 16-byte units */
	f->specrev = 4;
	f->checksum = checksum(f, sizeof(*f));
	return 0;
}
