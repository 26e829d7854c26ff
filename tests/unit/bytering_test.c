/* unit-deps: virtio lib */
#include <string.h>

#include "devices/virtio/bytering.h"
#include "tests/unit/unit.h"

START_TEST(test_wraps_and_bounds)
{
	struct bytering r;
	char out[16];
	unsigned int i;

	ck_assert_int_eq(bytering_init(&r, 5), 0);
	ck_assert_uint_eq(r.size, 8);
	ck_assert_uint_eq(bytering_put(&r, "abcdefghij", 10), 8);
	ck_assert_uint_eq(bytering_room(&r), 0);
	ck_assert_uint_eq(bytering_put(&r, "x", 1), 0);
	ck_assert_uint_eq(bytering_get(&r, out, 3), 3);
	ck_assert_mem_eq(out, "abc", 3);
	/* Wraps around the end. */
	ck_assert_uint_eq(bytering_put(&r, "12345", 5), 3);
	ck_assert_uint_eq(bytering_get(&r, out, sizeof(out)), 8);
	ck_assert_mem_eq(out, "defgh123", 8);
	ck_assert_uint_eq(bytering_get(&r, out, sizeof(out)), 0);
	/* Many laps keep the byte order. */
	for (i = 0; i < 1000; i++) {
		char in[3] = { (char)i, (char)(i + 1), (char)(i + 2) };

		ck_assert_uint_eq(bytering_put(&r, in, 3), 3);
		ck_assert_uint_eq(bytering_get(&r, out, 3), 3);
		ck_assert_mem_eq(out, in, 3);
	}
	bytering_free(&r);
}
END_TEST

static Suite *bytering_suite(void)
{
	Suite *s = suite_create("bytering");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_wraps_and_bounds);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(bytering_suite)
