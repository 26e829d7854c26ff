/* The boot CPU's world: a GDT and identity page tables for the first
 * 4 GiB (2 MiB pages), enough for the 64-bit boot protocol's rule that the
 * kernel, zero page and command line be identity mapped. */
#include <errno.h>
#include <string.h>

#include "vmm/boot.h"

#define PDE_PRESENT	0x1ULL
#define PDE_RW		0x2ULL
#define PDE_PS		0x80ULL

int boot_setup_pagetables(struct guest_mem *m)
{
	uint64_t *pml4 = guest_mem_ptr(m, BOOT_PML4_ADDR, 0x1000);
	uint64_t *pdpt = guest_mem_ptr(m, BOOT_PML4_ADDR + 0x1000, 0x1000);
	uint64_t *pd = guest_mem_ptr(m, BOOT_PML4_ADDR + 0x2000, 4 * 0x1000);
	unsigned int i;

	if (!pml4 || !pdpt || !pd)
		return -ENOMEM;
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = (BOOT_PML4_ADDR + 0x1000) | PDE_PRESENT | PDE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PML4_ADDR + 0x2000 + 0x1000ULL * i) |
			  PDE_PRESENT | PDE_RW;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PDE_PRESENT | PDE_RW | PDE_PS;
	return 0;
}

/*
 * GDT: 0x08 unused, 0x10 64-bit code (the boot protocol's __BOOT_CS),
 * 0x18 data (__BOOT_DS), 0x20 32-bit code for the PVH entry.  The vCPU
 * setup loads the hidden segment state to match (vmm/vcpu.c).
 */
void boot_setup_gdt(struct guest_mem *m)
{
	static const uint64_t gdt[] = {
		0,
		0,
		0x00af9b000000ffffULL,	/* 0x10: code, L=1 */
		0x00cf93000000ffffULL,	/* 0x18: data, 4 GiB */
		0x00cf9b000000ffffULL,	/* 0x20: code, D=1 (32-bit) */
	};

	memcpy(guest_mem_ptr(m, BOOT_GDT_ADDR, sizeof(gdt)), gdt, sizeof(gdt));
}
