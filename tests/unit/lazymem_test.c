/* unit-deps: lib */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/lazymem.h"
#include "tests/unit/unit.h"

/* How many pages of [p, p + len) are resident. */
static size_t resident(void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (len + page - 1) / page;
	unsigned char *v = calloc(n, 1);
	size_t r = 0;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(mincore(p, len, v), 0);
	for (size_t i = 0; i < n; i++)
		r += v[i] & 1;
	free(v);
	return r;
}

/* Whether the mapping holding p has VM_NOHUGEPAGE ("nh" in VmFlags). */
static bool no_huge_pages(const void *p)
{
	char line[512];
	bool in = false, nh = false;
	FILE *f = fopen("/proc/self/smaps", "re");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && !strncmp(line, "VmFlags:", 8))
			nh = strstr(line, " nh") != NULL;
	}
	fclose(f);
	return nh;
}

START_TEST(test_touched_pages_only)
{
	size_t n = 512, size = 16 * 1024 + 64;	/* 8 MiB of 9p-slot shapes */
	unsigned char *p = lazymem_alloc(n, size);

	ck_assert_ptr_nonnull(p);
	/* Zeroed, and nothing resident before a touch ... */
	ck_assert_uint_eq(resident(p, n * size), 0);
	ck_assert_uint_eq(p[5 * size], 0);
	/* ... never in transparent huge pages (where THP is 'always', a
	 * write inside an aligned 2 MiB of this mapping would fault all of
	 * it in) ... */
	ck_assert(no_huge_pages(p));
	/* ... a read maps the shared zero page at most; a write of two
	 * slots makes two pages resident. */
	p[0] = 1;
	p[3 * size] = 1;
	ck_assert_uint_le(resident(p, n * size), 3);
	ck_assert_uint_ge(resident(p, n * size), 2);
	ck_assert_uint_eq(p[0] + p[3 * size] + p[3 * size + 1], 2);
	lazymem_free(p, n, size);
}
END_TEST

START_TEST(test_overflow_and_zero)
{
	errno = 0;
	ck_assert_ptr_null(lazymem_alloc(SIZE_MAX / 2, 4));
	ck_assert_int_eq(errno, ENOMEM);
	errno = 0;
	ck_assert_ptr_null(lazymem_alloc(0, 4));
	ck_assert_int_eq(errno, ENOMEM);
	lazymem_free(NULL, 1, 1);
}
END_TEST

static Suite *lazymem_suite(void)
{
	Suite *s = suite_create("lazymem");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_touched_pages_only);
	tcase_add_test(tc, test_overflow_and_zero);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(lazymem_suite)
