/* unit-deps: vmm lib */
/* The coalesced MMIO ring's consumer, on a hand-built ring page. */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "vmm/coalesced.h"

#define PAGE 4096

struct rec {
	uint64_t off[512];
	uint32_t val[512];
	unsigned int n;
};

static void handler(void *opaque, uint64_t off, void *data, uint32_t len,
		    bool is_write)
{
	struct rec *r = opaque;
	uint32_t v = 0;

	ck_assert(is_write);
	memcpy(&v, data, len < 4 ? len : 4);
	if (r->n < 512) {
		r->off[r->n] = off;
		r->val[r->n] = v;
	}
	r->n++;
}

static struct kvm_coalesced_mmio_ring *ring;
static struct coalesced c;
static struct io_bus bus;
static struct rec rec;

static void setup(void)
{
	ring = aligned_alloc(PAGE, PAGE);
	ck_assert_ptr_nonnull(ring);
	memset(ring, 0, PAGE);
	memset(&rec, 0, sizeof(rec));
	coalesced_init(&c);
	ck_assert_int_eq(io_bus_init(&bus), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x10000, 0x1000, handler, &rec), 0);
}

static void teardown(void)
{
	coalesced_free(&c);
	io_bus_free(&bus);
	free(ring);
}

/* What KVM does for a write: the entry at last, then last moves on. */
static void push_io(uint32_t max, uint64_t addr, uint32_t len, uint32_t val,
		    bool pio)
{
	struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[ring->last];

	e->phys_addr = addr;
	e->len = len;
	e->pio = pio;
	memset(e->data, 0, sizeof(e->data));
	memcpy(e->data, &val, len < 4 ? len : 4);
	ring->last = (ring->last + 1) % max;
}

static void push(uint32_t max, uint64_t addr, uint32_t len, uint32_t val)
{
	push_io(max, addr, len, val, false);
}

START_TEST(test_not_attached)
{
	ck_assert_uint_eq(coalesced_drain(&c, &bus), 0);
	/* A page too small for two entries is not used. */
	coalesced_attach(&c, ring, sizeof(*ring) + sizeof(ring->coalesced_mmio[0]));
	ck_assert_ptr_null(c.ring);
	coalesced_attach(&c, NULL, PAGE);
	ck_assert_ptr_null(c.ring);
}
END_TEST

START_TEST(test_in_order_and_wraps)
{
	uint32_t max, i, total = 0;

	coalesced_attach(&c, ring, PAGE);
	max = c.max;
	/* As KVM_COALESCED_MMIO_MAX is for a 4 KiB page. */
	ck_assert_uint_eq(max, (PAGE - sizeof(*ring)) / sizeof(ring->coalesced_mmio[0]));
	ck_assert_uint_eq(coalesced_drain(&c, &bus), 0);
	/* Three rounds of max - 1 entries (a full ring) go round twice. */
	for (int round = 0; round < 3; round++) {
		for (i = 0; i < max - 1; i++)
			push(max, 0x10000 + (i % 64) * 16, 4, total + i);
		ck_assert_uint_eq(coalesced_drain(&c, &bus), max - 1);
		ck_assert_uint_eq(ring->first, ring->last);
		total += max - 1;
	}
	ck_assert_uint_eq(rec.n, total);
	for (i = 0; i < 512 && i < total; i++) {
		ck_assert_uint_eq(rec.val[i], i);
		ck_assert_uint_eq(rec.off[i], (i % (max - 1) % 64) * 16);
	}
	ck_assert_uint_eq(c.replayed, total);
}
END_TEST

START_TEST(test_bad_entries_dropped)
{
	uint32_t max;

	coalesced_attach(&c, ring, PAGE);
	max = c.max;
	push(max, 0x10000, 0, 1);		/* zero length */
	push(max, 0x10004, 9, 2);		/* longer than its data */
	push(max, 0x10008, 4, 3);
	push_io(max, 0x10010, 1, 4, true);	/* port I/O: not ours */
	push(max, 0x2000000, 4, 5);		/* no region: not dispatched */
	push(max, 0x1000c, 2, 6);
	ck_assert_uint_eq(coalesced_drain(&c, &bus), 3);
	ck_assert_uint_eq(c.dropped, 3);
	ck_assert_uint_eq(rec.n, 2);
	ck_assert_uint_eq(rec.val[0], 3);
	ck_assert_uint_eq(rec.val[1], 6);
	ck_assert_uint_eq(ring->first, ring->last);
}
END_TEST

START_TEST(test_index_past_ring)
{
	coalesced_attach(&c, ring, PAGE);
	ring->first = 0;
	ring->last = c.max + 5;			/* not an index KVM writes */
	ck_assert_uint_eq(coalesced_drain(&c, &bus), 0);
	ck_assert_ptr_null(c.ring);		/* given up, not read past */
	ck_assert_uint_eq(coalesced_drain(&c, &bus), 0);
	ck_assert_uint_eq(rec.n, 0);
}
END_TEST

static Suite *coalesced_suite(void)
{
	Suite *s = suite_create("coalesced");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_not_attached);
	tcase_add_test(tc, test_in_order_and_wraps);
	tcase_add_test(tc, test_bad_entries_dropped);
	tcase_add_test(tc, test_index_past_ring);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(coalesced_suite)
