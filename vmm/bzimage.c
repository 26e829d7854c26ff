/*
 * bzImage through the Linux x86 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst): the setup header is copied from the
 * image into the zero page, the protected-mode kernel is loaded at its
 * preferred address, and the boot CPU enters at load address + 0x200 in
 * long mode with rsi pointing at the zero page.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/boot.h"

/* Offsets in the image and in struct boot_params. */
#define HDR_START		0x1f1
#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_MAX_END		0x280	/* setup_header ends before this */

#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_SIZE			0x1000

#define LOADED_HIGH		0x01
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01
#define MIN_VERSION		0x020c	/* 64-bit entry, xloadflags */

static uint32_t rd32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, 2);
	return v;
}

static void wr32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int bzimage_load(struct guest_mem *m, const struct boot_file *k,
		 const struct boot_file *initrd, const char *cmdline,
		 struct boot_info *bi, char *err, size_t errlen)
{
	const uint8_t *img = k->data;
	uint64_t load, init_size, setup_size, kernel_size, hdr_end;
	uint64_t rd_addr = 0, rd_max;
	struct e820_entry e820[E820_MAX];
	unsigned int setup_sects, n, i;
	uint32_t cmdline_size;
	uint8_t *bp, *dst;
	uint16_t version;
	size_t cl_len = strlen(cmdline);

	if (k->size < 0x300 || rd16(img, HDR_BOOT_FLAG) != 0xaa55)
		fail("bzImage: no boot sector signature");
	version = rd16(img, HDR_VERSION);
	if (version < MIN_VERSION)
		fail("bzImage: boot protocol %u.%02u, the 64-bit entry needs 2.12+",
		     version >> 8, version & 0xff);
	if (!(rd16(img, HDR_XLOADFLAGS) & XLF_KERNEL_64))
		fail("bzImage: not a 64-bit kernel (no XLF_KERNEL_64)");
	setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	setup_size = (uint64_t)(setup_sects + 1) * 512;
	if (setup_size >= k->size)
		fail("bzImage: setup (%llu bytes) is larger than the file",
		     (unsigned long long)setup_size);
	kernel_size = k->size - setup_size;
	init_size = rd32(img, HDR_INIT_SIZE);
	/* A 64-bit kernel decompresses to at least its LOAD_PHYSICAL_ADDR,
	 * which pref_address gives: loading lower saves nothing. */
	memcpy(&load, img + HDR_PREF_ADDRESS, 8);
	if (load < BOOT_HIMEM_START)
		load = 0x1000000;
	if (init_size < kernel_size)
		init_size = kernel_size;
	if (load + init_size > m->low_size)
		fail("bzImage: the kernel needs %llu MiB of RAM to decompress, the VM has %llu MiB",
		     (unsigned long long)((load + init_size + (1 << 20) - 1) >> 20),
		     (unsigned long long)(m->low_size >> 20));
	dst = guest_mem_ptr(m, load, kernel_size);
	if (!dst)
		fail("bzImage: kernel does not fit in RAM");
	memcpy(dst, img + setup_size, kernel_size);

	/* The zero page: the image's setup header, then our fields. */
	bp = guest_mem_ptr(m, BOOT_ZERO_PAGE_ADDR, BP_SIZE);
	memset(bp, 0, BP_SIZE);
	hdr_end = HDR_JUMP + 2 + img[HDR_JUMP + 1];
	if (hdr_end > HDR_MAX_END)
		hdr_end = HDR_MAX_END;
	memcpy(bp + HDR_START, img + HDR_START, hdr_end - HDR_START);
	bp[HDR_TYPE_OF_LOADER] = 0xff;
	bp[HDR_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
	memcpy(bp + HDR_HEAP_END_PTR, &(uint16_t){ 0xfe00 }, 2);

	cmdline_size = version >= 0x0206 ? rd32(img, HDR_CMDLINE_SIZE) : 255;
	if (cl_len > cmdline_size)
		fail("--cmdline: %zu bytes, this kernel takes at most %u",
		     cl_len, cmdline_size);
	memcpy(guest_mem_ptr(m, BOOT_CMDLINE_ADDR, cl_len + 1), cmdline,
	       cl_len + 1);
	wr32(bp, HDR_CMD_LINE_PTR, BOOT_CMDLINE_ADDR);

	if (initrd) {
		rd_max = rd32(img, HDR_INITRD_ADDR_MAX);
		if (boot_place_initrd(m, initrd, rd_max, load + init_size,
				      &rd_addr))
			fail("--initrd: %zu bytes do not fit in RAM above the kernel",
			     initrd->size);
		wr32(bp, HDR_RAMDISK_IMAGE, (uint32_t)rd_addr);
		wr32(bp, HDR_RAMDISK_SIZE, (uint32_t)initrd->size);
		wr32(bp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(rd_addr >> 32));
		wr32(bp, BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)initrd->size >> 32));
	}

	n = boot_e820(m, e820);
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	for (i = 0; i < n; i++)
		memcpy(bp + BP_E820_TABLE + 20 * i, &e820[i], 20);

	bi->mode = BOOT_LINUX64;
	bi->entry = load + 0x200;
	bi->arg = BOOT_ZERO_PAGE_ADDR;
	return 0;
}
