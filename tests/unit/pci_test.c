/* unit-deps: vmm lib */
#include <errno.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "vmm/pci.h"
#include "vmm/vm.h"

static struct vm vm;
static int bar_hits;

static void bar_fn(void *opaque, uint64_t off, void *data, uint32_t len,
		   bool is_write)
{
	bar_hits++;
	if (!is_write)
		memset(data, 0xab, len);
}

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = -1;
	ck_assert_int_eq(io_bus_init(&vm.pio), 0);
	ck_assert_int_eq(io_bus_init(&vm.mmio), 0);
	ck_assert_int_eq(pci_init(&vm), 0);
	bar_hits = 0;
}

static void teardown(void)
{
	pci_free(&vm);
	io_bus_free(&vm.pio);
	io_bus_free(&vm.mmio);
}

static uint32_t cfg_read(unsigned int slot, uint32_t off, uint32_t len)
{
	uint32_t addr = 0x80000000U | slot << 11 | (off & 0xfc), v = 0;

	io_bus_dispatch(&vm.pio, 0xcf8, &addr, 4, true);
	io_bus_dispatch(&vm.pio, 0xcfc + (off & 3), &v, len, false);
	return v;
}

static void cfg_write32(unsigned int slot, uint32_t off, uint32_t v)
{
	uint32_t addr = 0x80000000U | slot << 11 | off;

	io_bus_dispatch(&vm.pio, 0xcf8, &addr, 4, true);
	io_bus_dispatch(&vm.pio, 0xcfc, &v, 4, true);
}

START_TEST(test_bridge_and_empty_slots)
{
	ck_assert_uint_eq(cfg_read(0, 0, 4), 0x00081b36);
	ck_assert_uint_eq(cfg_read(0, 0x0a, 2), 0x0600);
	ck_assert_uint_eq(cfg_read(5, 0, 4), 0xffffffff);
}
END_TEST

START_TEST(test_bar_sizing_and_move)
{
	struct pci_dev d = { 0 };
	uint64_t v;
	uint32_t lo;

	pci_dev_init(&d, 0x1af4, 0x1043, 0x078000, 0x1af4, 3);
	d.bar[0].size = 0x4000;
	d.bar[0].fn = bar_fn;
	ck_assert_int_eq(pci_register(&vm, &d), 0);
	ck_assert_uint_eq(d.slot, 1);
	ck_assert(d.bar[0].addr == PCI_MMIO_START);
	ck_assert_uint_eq(cfg_read(1, 0x10, 4), (uint32_t)PCI_MMIO_START | 4);
	ck_assert(io_bus_dispatch(&vm.mmio, PCI_MMIO_START + 8, &v, 8, false));

	/* Sizing: all ones reads back the size mask. */
	cfg_write32(1, 0x10, 0xffffffff);
	cfg_write32(1, 0x14, 0xffffffff);
	ck_assert_uint_eq(cfg_read(1, 0x10, 4), 0xffffc004);
	ck_assert_uint_eq(cfg_read(1, 0x14, 4), 0xffffffff);
	ck_assert(!io_bus_dispatch(&vm.mmio, PCI_MMIO_START + 8, &v, 8, false));

	/* The guest puts it somewhere else. */
	cfg_write32(1, 0x10, 0xd0000000);
	cfg_write32(1, 0x14, 0);
	lo = cfg_read(1, 0x10, 4);
	ck_assert_uint_eq(lo, 0xd0000004);
	ck_assert(d.bar[0].addr == 0xd0000000);
	bar_hits = 0;
	ck_assert(io_bus_dispatch(&vm.mmio, 0xd0000010, &v, 4, false));
	ck_assert_int_eq(bar_hits, 1);

	/* Decoding off unmaps. */
	cfg_write32(1, 0x04, 0);
	ck_assert(!io_bus_dispatch(&vm.mmio, 0xd0000010, &v, 4, false));
	cfg_write32(1, 0x04, 2);
	ck_assert(io_bus_dispatch(&vm.mmio, 0xd0000010, &v, 4, false));
}
END_TEST

START_TEST(test_io_bar)
{
	struct pci_dev d = { 0 }, bad = { 0 };
	uint64_t v = 0;

	pci_dev_init(&d, 0x1af4, 0x1043, 0x078000, 0x1af4, 3);
	d.bar[0].size = 0x4000;
	d.bar[0].fn = bar_fn;
	d.bar[2].size = 32;
	d.bar[2].io = true;
	d.bar[2].fn = bar_fn;
	ck_assert_int_eq(pci_register(&vm, &d), 0);
	ck_assert_uint_eq(d.bar[2].addr, PCI_IO_START);
	/* An I/O BAR: bit 0 set, the upper BAR after it unused. */
	ck_assert_uint_eq(cfg_read(1, 0x18, 4), PCI_IO_START | 1);
	ck_assert_uint_eq(cfg_read(1, 0x1c, 4), 0);
	ck_assert_uint_eq(cfg_read(1, 0x04, 2) & 3, 3);
	bar_hits = 0;
	ck_assert(io_bus_dispatch(&vm.pio, PCI_IO_START + 2, &v, 2, true));
	ck_assert_int_eq(bar_hits, 1);
	ck_assert(!io_bus_dispatch(&vm.mmio, PCI_IO_START + 2, &v, 2, true));

	/* Sizing reads the mask with the I/O bit; the BAR is off meanwhile. */
	cfg_write32(1, 0x18, 0xffffffff);
	ck_assert_uint_eq(cfg_read(1, 0x18, 4), 0xffffffe1);
	ck_assert(!io_bus_dispatch(&vm.pio, PCI_IO_START + 2, &v, 2, true));
	cfg_write32(1, 0x1c, 0xffffffff);
	ck_assert_uint_eq(cfg_read(1, 0x1c, 4), 0);
	/* Moved, then past the top of the port space: not decoded. */
	cfg_write32(1, 0x18, 0xe000);
	ck_assert_uint_eq(d.bar[2].addr, 0xe000);
	ck_assert(io_bus_dispatch(&vm.pio, 0xe01e, &v, 2, true));
	ck_assert(!io_bus_dispatch(&vm.pio, PCI_IO_START + 2, &v, 2, true));
	cfg_write32(1, 0x18, 0x1fff0);
	ck_assert(!io_bus_dispatch(&vm.pio, 0xe000, &v, 2, true));
	cfg_write32(1, 0x18, 0xe000);
	/* I/O decoding off unmaps it, memory decoding stays. */
	cfg_write32(1, 0x04, 2);
	ck_assert(!io_bus_dispatch(&vm.pio, 0xe000, &v, 2, true));
	ck_assert(io_bus_dispatch(&vm.mmio, PCI_MMIO_START, &v, 4, false));
	cfg_write32(1, 0x04, 3);
	ck_assert(io_bus_dispatch(&vm.pio, 0xe000, &v, 2, true));

	/* Bad BARs: an I/O BAR of 2 or 512 bytes, an I/O BAR in a 64-bit
	 * BAR's upper half, a 64-bit BAR at BAR5. */
	pci_dev_init(&bad, 0x1af4, 0x1043, 0x078000, 0x1af4, 3);
	bad.bar[0].size = 2;
	bad.bar[0].io = true;
	ck_assert_int_eq(pci_register(&vm, &bad), -EINVAL);
	bad.bar[0].size = 512;
	ck_assert_int_eq(pci_register(&vm, &bad), -EINVAL);
	bad.bar[0].size = 0x1000;
	bad.bar[0].io = false;
	bad.bar[1].size = 4;
	bad.bar[1].io = true;
	ck_assert_int_eq(pci_register(&vm, &bad), -EINVAL);
	memset(bad.bar, 0, sizeof(bad.bar));
	bad.bar[5].size = 0x1000;
	ck_assert_int_eq(pci_register(&vm, &bad), -EINVAL);
}
END_TEST

START_TEST(test_caps)
{
	struct pci_dev d = { 0 };
	uint8_t cap[16] = { 0x09 }, big[200] = { 0x11 };
	int a, b;

	pci_dev_init(&d, 0x1af4, 0x1041, 0x020000, 0x1af4, 1);
	a = pci_add_cap(&d, cap, 14);
	b = pci_add_cap(&d, cap, 16);
	ck_assert_int_eq(a, 0x40);
	ck_assert_int_eq(b, 0x50);
	ck_assert_uint_eq(d.cfg[0x34], 0x40);
	ck_assert_uint_eq(d.cfg[0x41], 0x50);
	ck_assert_uint_eq(d.cfg[0x51], 0);
	ck_assert(d.cfg[0x06] & 0x10);
	ck_assert_int_eq(pci_add_cap(&d, big, 200), -ENOSPC);
	ck_assert_int_eq(pci_add_cap(&d, big, 160), 0x60);
	ck_assert_int_eq(pci_add_cap(&d, cap, 4), -ENOSPC);
}
END_TEST

START_TEST(test_bad_accesses)
{
	uint32_t v = 0x12345678;

	/* Header fields other than command and BARs are read-only. */
	cfg_write32(0, 0, 0);
	ck_assert_uint_eq(cfg_read(0, 0, 4), 0x00081b36);
	/* Disabled config cycles, other buses and functions read as ones. */
	io_bus_dispatch(&vm.pio, 0xcf8, &v, 4, true);
	v = 0;
	io_bus_dispatch(&vm.pio, 0xcfc, &v, 4, false);
	ck_assert_uint_eq(v, 0xffffffff);
	v = 0x80010000;
	io_bus_dispatch(&vm.pio, 0xcf8, &v, 4, true);
	io_bus_dispatch(&vm.pio, 0xcfc, &v, 4, false);
	ck_assert_uint_eq(v, 0xffffffff);
	/* The last byte of config space is reachable, past it nothing. */
	ck_assert_uint_eq(cfg_read(0, 0xff, 1), 0);
}
END_TEST

START_TEST(test_full_bus)
{
	static struct pci_dev devs[32];
	int i, ok = 0;

	for (i = 0; i < 32; i++) {
		pci_dev_init(&devs[i], 0x1af4, 0x1041, 0, 0, 0);
		devs[i].bar[0].size = 0x1000;
		devs[i].bar[0].fn = bar_fn;
		if (pci_register(&vm, &devs[i]) == 0)
			ok++;
	}
	ck_assert_int_eq(ok, 31);
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bridge_and_empty_slots);
	tcase_add_test(tc, test_bar_sizing_and_move);
	tcase_add_test(tc, test_io_bar);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_bad_accesses);
	tcase_add_test(tc, test_full_bus);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(pci_suite)
