/* unit-deps: vmm lib */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "vmm/boot.h"

static struct guest_mem m;

static void setup(void)
{
	ck_assert_int_eq(guest_mem_init(&m, 64 << 20), 0);
}

static void teardown(void)
{
	guest_mem_free(&m);
}

#define BZ_SIZE 0x4000

static uint8_t *make_bzimage(void)
{
	static uint8_t img[BZ_SIZE];
	uint16_t v16;
	uint32_t v32;
	uint64_t v64 = 0x1000000;

	memset(img, 0, sizeof(img));
	img[0x1f1] = 4;				/* setup_sects */
	v16 = 0xaa55; memcpy(img + 0x1fe, &v16, 2);
	img[0x200] = 0xeb; img[0x201] = 0x6a;
	memcpy(img + 0x202, "HdrS", 4);
	v16 = 0x020f; memcpy(img + 0x206, &v16, 2);
	v32 = 0x7fffffff; memcpy(img + 0x22c, &v32, 4);
	v16 = 1; memcpy(img + 0x236, &v16, 2);	/* XLF_KERNEL_64 */
	v32 = 2047; memcpy(img + 0x238, &v32, 4);
	memcpy(img + 0x258, &v64, 8);
	v32 = 0x100000; memcpy(img + 0x260, &v32, 4);
	memset(img + 0xa00, 0xcc, BZ_SIZE - 0xa00);	/* the "kernel" */
	return img;
}

START_TEST(test_bzimage)
{
	struct boot_file k = { make_bzimage(), BZ_SIZE, false };
	uint8_t rd_data[5000];
	struct boot_file rd = { rd_data, sizeof(rd_data), false };
	struct boot_info bi;
	uint8_t *bp;
	uint32_t v32, rd_addr;
	char err[256];

	memset(rd_data, 0x5a, sizeof(rd_data));
	ck_assert_int_eq(bzimage_load(&m, &k, &rd, "console=ttyS0", &bi, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(bi.mode, BOOT_LINUX64);
	ck_assert(bi.entry == 0x1000200);
	ck_assert(bi.arg == BOOT_ZERO_PAGE_ADDR);
	ck_assert_uint_eq(*(uint8_t *)guest_mem_ptr(&m, 0x1000000, 1), 0xcc);
	bp = guest_mem_ptr(&m, BOOT_ZERO_PAGE_ADDR, 0x1000);
	ck_assert_uint_eq(bp[0x210], 0xff);		/* type_of_loader */
	memcpy(&v32, bp + 0x228, 4);
	ck_assert_uint_eq(v32, BOOT_CMDLINE_ADDR);
	ck_assert_str_eq(guest_mem_ptr(&m, BOOT_CMDLINE_ADDR, 14), "console=ttyS0");
	memcpy(&rd_addr, bp + 0x218, 4);
	ck_assert_uint_eq(rd_addr % 4096, 0);
	ck_assert_uint_ge(rd_addr, 0x1000000 + 0x100000);
	ck_assert_uint_le(rd_addr + sizeof(rd_data), 64 << 20);
	ck_assert_int_eq(memcmp(guest_mem_ptr(&m, rd_addr, sizeof(rd_data)),
				rd_data, sizeof(rd_data)), 0);
	ck_assert_uint_eq(bp[0x1e8], 3);		/* e820 entries */
}
END_TEST

START_TEST(test_bzimage_refusals)
{
	uint8_t *img = make_bzimage();
	struct boot_file k = { img, BZ_SIZE, false };
	struct boot_info bi;
	char err[256], longline[3000];
	uint32_t big = 0x8000000;

	img[0x236] = 0;
	ck_assert_int_eq(bzimage_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "64-bit"));
	img = make_bzimage();
	img[0x206] = 0x0b;
	ck_assert_int_eq(bzimage_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "protocol"));
	img = make_bzimage();
	memcpy(img + 0x260, &big, 4);
	ck_assert_int_eq(bzimage_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "MiB of RAM"));
	img = make_bzimage();
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	ck_assert_int_eq(bzimage_load(&m, &k, NULL, longline, &bi, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "--cmdline"));
	img[0x1fe] = 0;
	ck_assert_int_eq(bzimage_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	k.size = 0x100;
	ck_assert_int_eq(bzimage_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
}
END_TEST

/* A minimal ELF: one PT_LOAD at 16 MiB (16 bytes, 64 in memory), one
 * PT_NOTE with the PVH entry. */
struct mini_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint32_t note[3];
	char name[4];
	uint32_t entry;
	uint8_t code[16];
} __attribute__((packed));

static void make_elf(struct mini_elf *e, uint32_t note_type)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_phoff = sizeof(Elf64_Ehdr);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 2;
	e->ph[0].p_type = PT_LOAD;
	e->ph[0].p_offset = offsetof(struct mini_elf, code);
	e->ph[0].p_paddr = 0x1000000;
	e->ph[0].p_filesz = 16;
	e->ph[0].p_memsz = 64;
	e->ph[1].p_type = PT_NOTE;
	e->ph[1].p_offset = offsetof(struct mini_elf, note);
	e->ph[1].p_filesz = 20;
	e->note[0] = 4;
	e->note[1] = 4;
	e->note[2] = note_type;
	memcpy(e->name, "Xen", 4);
	e->entry = 0x1000004;
	memset(e->code, 0x90, sizeof(e->code));
}

START_TEST(test_pvh)
{
	struct mini_elf e;
	struct boot_file k = { (uint8_t *)&e, sizeof(e), false };
	uint8_t rd_data[100] = { 1, 2, 3 };
	struct boot_file rd = { rd_data, sizeof(rd_data), false };
	struct boot_info bi;
	uint32_t *si;
	uint64_t entry;
	uint8_t *dst;
	char err[256];

	make_elf(&e, 18);
	ck_assert_int_eq(pvh_find_entry((uint8_t *)&e, sizeof(e), &entry), 0);
	ck_assert(entry == 0x1000004);
	dst = guest_mem_ptr(&m, 0x1000000, 64);
	memset(dst, 0xff, 64);
	ck_assert_int_eq(pvh_load(&m, &k, &rd, "quiet", &bi, err, sizeof(err)), 0);
	ck_assert_int_eq(bi.mode, BOOT_PVH);
	ck_assert(bi.entry == 0x1000004 && bi.arg == BOOT_PVH_INFO_ADDR);
	ck_assert_uint_eq(dst[15], 0x90);
	ck_assert_uint_eq(dst[16], 0);		/* memsz beyond filesz zeroed */
	ck_assert_uint_eq(dst[63], 0);
	si = guest_mem_ptr(&m, BOOT_PVH_INFO_ADDR, 56);
	ck_assert_uint_eq(si[0], 0x336ec578);
	ck_assert_uint_eq(si[1], 1);
	ck_assert_uint_eq(si[3], 1);		/* nr_modules */
	ck_assert_uint_eq(si[12], 3);		/* memmap entries */
}
END_TEST

START_TEST(test_pvh_refusals)
{
	struct mini_elf e;
	struct boot_file k = { (uint8_t *)&e, sizeof(e), false };
	struct boot_info bi;
	uint64_t entry;
	char err[256];

	make_elf(&e, 17);			/* not the PVH note */
	ck_assert_int_eq(pvh_find_entry((uint8_t *)&e, sizeof(e), &entry), -ENOENT);
	ck_assert_int_eq(pvh_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "PVH"));
	make_elf(&e, 18);
	e.ph[0].p_filesz = 1 << 20;		/* past the file */
	e.ph[0].p_memsz = 1 << 20;
	ck_assert_int_eq(pvh_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	make_elf(&e, 18);
	e.ph[0].p_paddr = 0xffffffffffff0000ULL;	/* overflows */
	ck_assert_int_eq(pvh_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	make_elf(&e, 18);
	e.ph[0].p_paddr = 128 << 20;		/* beyond RAM */
	ck_assert_int_eq(pvh_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "outside"));
	make_elf(&e, 18);
	e.entry = 0x2000000;
	ck_assert_int_eq(pvh_load(&m, &k, NULL, "", &bi, err, sizeof(err)), -1);
	make_elf(&e, 18);
	e.note[1] = 0x7fffffff;			/* note runs off its segment */
	ck_assert_int_eq(pvh_find_entry((uint8_t *)&e, sizeof(e), &entry), -ENOENT);
	make_elf(&e, 18);
	e.eh.e_phnum = 2000;
	ck_assert_int_eq(pvh_find_entry((uint8_t *)&e, sizeof(e), &entry), -EINVAL);
}
END_TEST

/* A file is mapped and its bytes are the file's; an empty one and one
 * that is not a regular file are told apart; boot_load() through real
 * files puts the bzImage's kernel where it belongs and frees what it
 * mapped. */
START_TEST(test_file_read)
{
	char dir[] = "/tmp/kvmc-boot-XXXXXX", path[64], rdpath[64];
	static uint8_t big[3 << 20];
	struct boot_file f;
	struct boot_info bi;
	char err[256];
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 12));
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(big, 1, sizeof(big), fp), sizeof(big));
	fclose(fp);
	ck_assert_int_eq(boot_file_read(path, &f), 0);
	ck_assert(f.mapped);
	ck_assert_uint_eq(f.size, sizeof(big));
	ck_assert(memcmp(f.data, big, sizeof(big)) == 0);
	boot_file_free(&f);
	ck_assert_ptr_null(f.data);
	ck_assert(!f.mapped);

	fp = fopen(path, "w");		/* empty now */
	fclose(fp);
	ck_assert_int_eq(boot_file_read(path, &f), 0);
	ck_assert(!f.mapped && f.size == 0 && f.data);
	boot_file_free(&f);
	ck_assert_int_eq(boot_file_read(dir, &f), -EINVAL);
	ck_assert_ptr_null(f.data);
	ck_assert_int_eq(boot_file_read("/nonexistent/kvmc", &f), -ENOENT);

	fp = fopen(path, "w");
	ck_assert_uint_eq(fwrite(make_bzimage(), 1, BZ_SIZE, fp), BZ_SIZE);
	fclose(fp);
	snprintf(rdpath, sizeof(rdpath), "%s/rd", dir);
	fp = fopen(rdpath, "w");
	fputs("initrd!", fp);
	fclose(fp);
	ck_assert_int_eq(boot_load(&m, path, rdpath, "console=ttyS0", &bi,
				   err, sizeof(err)), 0);
	ck_assert(memcmp(guest_mem_ptr(&m, 0x1000000, 16),
			 make_bzimage() + 0xa00, 16) == 0);
	unlink(path);
	unlink(rdpath);
	rmdir(dir);
}
END_TEST

START_TEST(test_e820_and_pagetables)
{
	struct e820_entry e[E820_MAX];
	uint64_t *pd;
	unsigned int n = boot_e820(&m, e);

	ck_assert_uint_eq(n, 3);
	ck_assert(e[0].addr == 0 && e[0].size == BOOT_EBDA_ADDR && e[0].type == E820_RAM);
	ck_assert(e[1].type == E820_RESERVED);
	ck_assert(e[2].addr == 0x100000 && e[2].addr + e[2].size == 64 << 20);
	ck_assert_int_eq(boot_setup_pagetables(&m), 0);
	pd = guest_mem_ptr(&m, BOOT_PML4_ADDR + 0x2000, 4 * 4096);
	ck_assert(pd[0] == 0x83);
	ck_assert(pd[2047] == ((2047ULL << 21) | 0x83));	/* up to 4 GiB */
}
END_TEST

START_TEST(test_e820_high)
{
	struct guest_mem big;
	struct e820_entry e[E820_MAX];

	ck_assert_int_eq(guest_mem_init(&big, 5ULL << 30), 0);
	ck_assert_uint_eq(boot_e820(&big, e), 4);
	ck_assert(e[3].addr == MEM_HIGH_START && e[3].size == (2ULL << 30));
	guest_mem_free(&big);
}
END_TEST

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

START_TEST(test_mptable)
{
	uint8_t *f, *t;
	uint16_t len, count;

	ck_assert_int_eq(mptable_write(&m, 4), 0);
	f = guest_mem_ptr(&m, BOOT_EBDA_ADDR, 16);
	ck_assert_int_eq(memcmp(f, "_MP_", 4), 0);
	ck_assert_uint_eq(sum(f, 16), 0);
	t = guest_mem_ptr(&m, BOOT_EBDA_ADDR + 16, 44);
	ck_assert_int_eq(memcmp(t, "PCMP", 4), 0);
	memcpy(&len, t + 4, 2);
	memcpy(&count, t + 34, 2);
	ck_assert_uint_eq(sum(guest_mem_ptr(&m, BOOT_EBDA_ADDR + 16, len), len), 0);
	/* 4 CPUs, a bus, an IOAPIC, 16 ISA IRQs, LINT0 and LINT1 */
	ck_assert_uint_eq(count, 4 + 1 + 1 + 16 + 2);
	ck_assert_uint_eq(t[44], 0);			/* first CPU entry */
	ck_assert_uint_eq(t[44 + 3], 3);		/* enabled, BSP */
	ck_assert_int_eq(mptable_write(&m, 255), -ENOSPC);
}
END_TEST

static Suite *boot_suite(void)
{
	Suite *s = suite_create("boot");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bzimage);
	tcase_add_test(tc, test_bzimage_refusals);
	tcase_add_test(tc, test_pvh);
	tcase_add_test(tc, test_pvh_refusals);
	tcase_add_test(tc, test_file_read);
	tcase_add_test(tc, test_e820_and_pagetables);
	tcase_add_test(tc, test_e820_high);
	tcase_add_test(tc, test_mptable);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(boot_suite)
