/*
 * PVH: an uncompressed vmlinux ELF entered in 32-bit protected mode at the
 * address of its XEN_ELFNOTE_PHYS32_ENTRY note, with ebx pointing at an
 * hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h) that
 * carries the command line, the memory map and the initrd as a module.
 * It skips the bzImage's in-guest decompression.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/boot.h"

#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define HVM_START_MAGIC			0x336ec578

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

#define PVH_MODLIST_ADDR	(BOOT_PVH_INFO_ADDR + 0x40)
#define PVH_MEMMAP_ADDR		(BOOT_PVH_INFO_ADDR + 0x80)

/* Program headers, bounds-checked against the file. */
static const Elf64_Phdr *phdrs(const uint8_t *elf, size_t size,
			       unsigned int *n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)elf;
	uint64_t end;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phoff % 8 ||
	    __builtin_add_overflow(eh->e_phoff,
				   (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), &end) ||
	    end > size)
		return NULL;
	*n = eh->e_phnum;
	return (const Elf64_Phdr *)(const void *)(elf + eh->e_phoff);
}

int pvh_find_entry(const uint8_t *elf, size_t size, uint64_t *entry)
{
	const Elf64_Phdr *ph;
	unsigned int n, i;

	ph = phdrs(elf, size, &n);
	if (!ph)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint64_t off = ph[i].p_offset, end;

		if (ph[i].p_type != PT_NOTE)
			continue;
		if (__builtin_add_overflow(off, ph[i].p_filesz, &end) || end > size)
			return -EINVAL;
		while (off + 12 <= end) {
			uint32_t namesz, descsz, type;
			uint64_t name, desc, next;

			memcpy(&namesz, elf + off, 4);
			memcpy(&descsz, elf + off + 4, 4);
			memcpy(&type, elf + off + 8, 4);
			name = off + 12;
			desc = name + ((namesz + 3ULL) & ~3ULL);
			next = desc + ((descsz + 3ULL) & ~3ULL);
			if (next > end)
				break;
			if (namesz == 4 && !memcmp(elf + name, "Xen", 4) &&
			    type == XEN_ELFNOTE_PHYS32_ENTRY &&
			    (descsz == 4 || descsz == 8)) {
				uint64_t v = 0;

				memcpy(&v, elf + desc, descsz);
				*entry = v;
				return 0;
			}
			off = next;
		}
	}
	return -ENOENT;
}

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int pvh_load(struct guest_mem *m, const struct boot_file *k,
	     const struct boot_file *initrd, const char *cmdline,
	     struct boot_info *bi, char *err, size_t errlen)
{
	struct hvm_start_info *si;
	struct hvm_memmap_entry *mm;
	struct e820_entry e820[E820_MAX];
	const Elf64_Phdr *ph;
	uint64_t entry, kernel_end = 0, rd_addr;
	unsigned int n, i;
	size_t cl_len = strlen(cmdline);
	int ret;

	ph = phdrs(k->data, k->size, &n);
	if (!ph)
		fail("ELF: not a little-endian x86-64 ELF with program headers");
	ret = pvh_find_entry(k->data, k->size, &entry);
	if (ret)
		fail("ELF: %s", ret == -ENOENT ?
		     "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): kernel built without CONFIG_PVH" :
		     "malformed note segment");
	for (i = 0; i < n; i++) {
		uint64_t fend, mend;
		uint8_t *dst;

		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz ||
		    __builtin_add_overflow(ph[i].p_offset, ph[i].p_filesz, &fend) ||
		    fend > k->size ||
		    __builtin_add_overflow(ph[i].p_paddr, ph[i].p_memsz, &mend))
			fail("ELF: program header %u is out of the file's bounds", i);
		dst = guest_mem_ptr(m, ph[i].p_paddr, ph[i].p_memsz);
		if (!dst || ph[i].p_paddr < BOOT_HIMEM_START)
			fail("ELF: segment %u at %#llx+%#llx is outside the VM's RAM (%llu MiB)",
			     i, (unsigned long long)ph[i].p_paddr,
			     (unsigned long long)ph[i].p_memsz,
			     (unsigned long long)(guest_mem_size(m) >> 20));
		memcpy(dst, k->data + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
		if (mend > kernel_end)
			kernel_end = mend;
	}
	if (!kernel_end)
		fail("ELF: no loadable segment");
	if (entry < BOOT_HIMEM_START || entry >= kernel_end)
		fail("ELF: PVH entry %#llx is outside the kernel",
		     (unsigned long long)entry);

	si = guest_mem_ptr(m, BOOT_PVH_INFO_ADDR, 0x1000);
	memset(si, 0, 0x1000);
	si->magic = HVM_START_MAGIC;
	si->version = 1;
	memcpy(guest_mem_ptr(m, BOOT_CMDLINE_ADDR, cl_len + 1), cmdline,
	       cl_len + 1);
	si->cmdline_paddr = BOOT_CMDLINE_ADDR;
	if (initrd) {
		struct hvm_modlist_entry *mod;

		/* Below 4 GiB: the 32-bit entry cannot reach above. */
		if (boot_place_initrd(m, initrd, 0xffffffffULL, kernel_end,
				      &rd_addr))
			fail("--initrd: %zu bytes do not fit in RAM above the kernel",
			     initrd->size);
		mod = guest_mem_ptr(m, PVH_MODLIST_ADDR, sizeof(*mod));
		mod->paddr = rd_addr;
		mod->size = initrd->size;
		si->nr_modules = 1;
		si->modlist_paddr = PVH_MODLIST_ADDR;
	}
	n = boot_e820(m, e820);
	mm = guest_mem_ptr(m, PVH_MEMMAP_ADDR, n * sizeof(*mm));
	for (i = 0; i < n; i++) {
		mm[i].addr = e820[i].addr;
		mm[i].size = e820[i].size;
		mm[i].type = e820[i].type;
		mm[i].reserved = 0;
	}
	si->memmap_paddr = PVH_MEMMAP_ADDR;
	si->memmap_entries = n;

	bi->mode = BOOT_PVH;
	bi->entry = entry;
	bi->arg = BOOT_PVH_INFO_ADDR;
	return 0;
}
