/* unit-deps: vmm lib */
#include "tests/unit/unit.h"
#include "vmm/mem.h"

START_TEST(test_small)
{
	struct guest_mem m;
	uint8_t *p;

	ck_assert_int_eq(guest_mem_init(&m, 64 << 20), 0);
	ck_assert(m.low_size == 64 << 20 && m.high_size == 0);
	p = guest_mem_ptr(&m, 0, 64 << 20);
	ck_assert_ptr_eq(p, m.host);
	/* A range ending exactly at the top of RAM is inside. */
	ck_assert_ptr_eq(guest_mem_ptr(&m, (64 << 20) - 16, 16),
			 m.host + (64 << 20) - 16);
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, 64 << 20, 0));
	ck_assert_ptr_null(guest_mem_ptr(&m, (64 << 20) - 16, 17));
	ck_assert_ptr_null(guest_mem_ptr(&m, 64 << 20, 1));
	ck_assert_ptr_null(guest_mem_ptr(&m, UINT64_MAX - 4, 8));
	ck_assert_ptr_null(guest_mem_ptr(&m, 8, UINT64_MAX));
	p[0] = 1;
	guest_mem_free(&m);
	ck_assert_ptr_null(guest_mem_ptr(&m, 0, 1));
}
END_TEST

START_TEST(test_split_around_hole)
{
	struct guest_mem m;
	uint64_t size = 5ULL << 30;

	ck_assert_int_eq(guest_mem_init(&m, size), 0);
	ck_assert(m.low_size == MEM_HOLE_START);
	ck_assert(m.high_size == size - MEM_HOLE_START);
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, MEM_HOLE_START - 8, 8));
	/* Nothing in the hole, nothing across its edges. */
	ck_assert_ptr_null(guest_mem_ptr(&m, MEM_HOLE_START - 8, 9));
	ck_assert_ptr_null(guest_mem_ptr(&m, MEM_HOLE_START, 1));
	ck_assert_ptr_null(guest_mem_ptr(&m, MEM_HIGH_START - 1, 2));
	ck_assert_ptr_eq(guest_mem_ptr(&m, MEM_HIGH_START, 4096),
			 m.host + m.low_size);
	ck_assert_ptr_nonnull(guest_mem_ptr(&m, MEM_HIGH_START + m.high_size - 1, 1));
	ck_assert_ptr_null(guest_mem_ptr(&m, MEM_HIGH_START + m.high_size, 1));
	guest_mem_free(&m);
}
END_TEST

START_TEST(test_bad_sizes)
{
	struct guest_mem m;

	ck_assert_int_lt(guest_mem_init(&m, 0), 0);
	ck_assert_int_lt(guest_mem_init(&m, 1ULL << 50), 0);
}
END_TEST

static Suite *mem_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_small);
	tcase_add_test(tc, test_split_around_hole);
	tcase_add_test(tc, test_bad_sizes);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(mem_suite)
