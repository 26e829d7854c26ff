/* unit-deps: vmm lib */
#include "tests/unit/unit.h"
#include "vmm/mem.h"

#include <stdio.h>
#include <sys/mman.h>

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

/* The mapping of the VMA starting at p, from /proc/self/maps: its end, or 0
 * when no mapping starts there. */
static uintptr_t vma_end_at(const void *p)
{
	FILE *f = fopen("/proc/self/maps", "r");
	uintptr_t lo, hi, found = 0;
	char line[512];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo == (uintptr_t)p)
			found = hi;
	fclose(f);
	return found;
}

/* Guest RAM starts on a 2 MiB boundary (else KVM maps no 2 MiB nested
 * page), whatever mmap() would have returned, and the slack mapped to get
 * there is given back: the mapping is the RAM, no more, and free() leaves
 * nothing. */
START_TEST(test_aligned_and_trimmed)
{
	struct guest_mem m[4];
	void *nudge[4];
	uint64_t sizes[4] = { 64 << 20, (3 << 20) + 4096, 1 << 20, 6000 };
	uint64_t want[4] = { 64 << 20, (3 << 20) + 4096, 1 << 20, 8192 };

	for (int i = 0; i < 4; i++) {
		/* Move mmap()'s next address by a page or two each time. */
		nudge[i] = mmap(NULL, 4096 * (i + 1), PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ck_assert(nudge[i] != MAP_FAILED);
		ck_assert_int_eq(guest_mem_init(&m[i], sizes[i]), 0);
		ck_assert_uint_eq((uintptr_t)m[i].host & ((2 << 20) - 1), 0);
		ck_assert_uint_eq(vma_end_at(m[i].host) - (uintptr_t)m[i].host,
				  want[i]);
		m[i].host[sizes[i] - 1] = 1;
	}
	for (int i = 0; i < 4; i++) {
		uint8_t *host = m[i].host;

		guest_mem_free(&m[i]);
		ck_assert_uint_eq(vma_end_at(host), 0);
		munmap(nudge[i], 4096 * (i + 1));
	}
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
	tcase_add_test(tc, test_aligned_and_trimmed);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(mem_suite)
