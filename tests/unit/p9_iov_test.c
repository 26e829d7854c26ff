/* unit-deps: p9 lib */
#include <string.h>

#include "p9/iov.h"
#include "tests/unit/unit.h"

START_TEST(test_slice_and_copy)
{
	char a[3] = "abc", b[1] = "d", c[4] = "efgh", out[8] = { 0 };
	struct iovec v[3] = { { a, 3 }, { b, 1 }, { c, 4 } }, s[3];
	unsigned int n;

	ck_assert_uint_eq(p9_iov_len(v, 3), 8);
	n = p9_iov_slice(v, 3, 2, 4, s, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_eq(s[0].iov_base, a + 2);
	ck_assert_uint_eq(s[0].iov_len, 1);
	ck_assert_uint_eq(s[2].iov_len, 2);
	/* max entries bounds the slice. */
	ck_assert_uint_eq(p9_iov_slice(v, 3, 0, 8, s, 2), 2);
	/* Beyond the end: nothing. */
	ck_assert_uint_eq(p9_iov_slice(v, 3, 8, 4, s, 3), 0);
	ck_assert_uint_eq(p9_iov_to_buf(v, 3, 1, out, 8), 7);
	ck_assert(!memcmp(out, "bcdefgh", 7));
	ck_assert_uint_eq(p9_iov_from_buf(v, 3, 2, "XYZ", 3), 3);
	ck_assert(!memcmp(a, "abX", 3));
	ck_assert(!memcmp(b, "Y", 1));
	ck_assert(!memcmp(c, "Zfgh", 4));
}
END_TEST

START_TEST(test_many_entries)
{
	static char bytes[200];
	static struct iovec v[200];
	char out[200];

	for (int i = 0; i < 200; i++) {
		bytes[i] = i;
		v[i] = (struct iovec){ bytes + i, 1 };
	}
	/* More entries than one internal batch. */
	ck_assert_uint_eq(p9_iov_to_buf(v, 200, 0, out, 200), 200);
	ck_assert(!memcmp(out, bytes, 200));
}
END_TEST

static Suite *p9_iov_suite(void)
{
	Suite *s = suite_create("p9_iov");
	TCase *tc = tcase_create("iov");

	tcase_add_test(tc, test_slice_and_copy);
	tcase_add_test(tc, test_many_entries);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(p9_iov_suite)
