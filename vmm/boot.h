/* Loading the guest kernel: format detection, the 64-bit Linux boot
 * protocol (bzImage) and PVH (vmlinux ELF).
 *
 * Guest-physical layout below 1 MiB (as Firecracker's):
 *   0x0500 GDT   0x6000 PVH start info + memory map   0x7000 zero page
 *   0x8ff0 boot stack   0x9000 PML4   0xa000 PDPT   0xb000-0xe000 PDs
 *   0x20000 command line (up to BOOT_CMDLINE_MAX)
 *   0x9fc00 MP table (the EBDA), reserved in the e820 map
 * The kernel goes at 16 MiB (bzImage: its pref_address) or where its ELF
 * program headers say; the initrd at the top of low RAM.
 */
#ifndef KVMC_VMM_BOOT_H
#define KVMC_VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/mem.h"

#define BOOT_GDT_ADDR		0x500
#define BOOT_PVH_INFO_ADDR	0x6000
#define BOOT_ZERO_PAGE_ADDR	0x7000
#define BOOT_STACK_ADDR		0x8ff0
#define BOOT_PML4_ADDR		0x9000
#define BOOT_CMDLINE_ADDR	0x20000
#define BOOT_CMDLINE_MAX	0x10000
#define BOOT_EBDA_ADDR		0x9fc00
#define BOOT_HIMEM_START	0x100000

enum boot_mode { BOOT_LINUX64, BOOT_PVH };

struct boot_info {
	enum boot_mode mode;
	uint64_t entry;		/* rip */
	uint64_t arg;		/* rsi (zero page) or rbx (start info) */
};

/* A file read whole into memory. */
struct boot_file {
	uint8_t *data;
	size_t size;
	bool mapped;	/* data is a read-only mapping of the file */
};

int boot_file_read(const char *path, struct boot_file *f);
void boot_file_free(struct boot_file *f);

/*
 * Loads kernel (and initrd, may be NULL) into m and fills bi.  Detects the
 * format.  0, or -1 with one line in err naming the file and the problem.
 */
int boot_load(struct guest_mem *m, const char *kernel_path,
	      const char *initrd_path, const char *cmdline,
	      struct boot_info *bi, char *err, size_t errlen);

/* The pieces, exposed for unit tests. */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM	1
#define E820_RESERVED	2
#define E820_MAX	8
/* The guest's memory map; returns the entry count. */
unsigned int boot_e820(const struct guest_mem *m, struct e820_entry *e);

/* bzImage: checks the setup header; 0 or -1 with err. */
int bzimage_load(struct guest_mem *m, const struct boot_file *k,
		 const struct boot_file *initrd, const char *cmdline,
		 struct boot_info *bi, char *err, size_t errlen);
/* ELF vmlinux with a PVH entry note. */
int pvh_load(struct guest_mem *m, const struct boot_file *k,
	     const struct boot_file *initrd, const char *cmdline,
	     struct boot_info *bi, char *err, size_t errlen);
/* Finds XEN_ELFNOTE_PHYS32_ENTRY; 0 and *entry, or -ENOENT/-EINVAL. */
int pvh_find_entry(const uint8_t *elf, size_t size, uint64_t *entry);
/* Places the initrd at the top of low RAM, below max_addr. */
int boot_place_initrd(struct guest_mem *m, const struct boot_file *initrd,
		      uint64_t max_addr, uint64_t min_addr, uint64_t *addr);

/* Identity page tables for the first 4 GiB and the boot GDT. */
int boot_setup_pagetables(struct guest_mem *m);
void boot_setup_gdt(struct guest_mem *m);

/* The MP table at BOOT_EBDA_ADDR for cpus CPUs; 0 or -ENOSPC. */
int mptable_write(struct guest_mem *m, unsigned int cpus);

#endif
