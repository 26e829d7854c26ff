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
	/* Many laps keep the byte order (one byte always left in, so that
	 * the ring never empties and goes round). */
	ck_assert_uint_eq(bytering_put(&r, "z", 1), 1);
	for (i = 0; i < 1000; i++) {
		char in[3] = { (char)i, (char)(i + 1), (char)(i + 2) };
		char want[3] = { i ? (char)(i + 1) : 'z', (char)i, (char)(i + 1) };

		ck_assert_uint_eq(bytering_put(&r, in, 3), 3);
		ck_assert_uint_eq(bytering_get(&r, out, 3), 3);
		ck_assert_mem_eq(out, want, 3);
	}
	ck_assert_uint_gt(r.tail, r.size);
	bytering_free(&r);
}
END_TEST

/* Emptied, the ring starts again at its front: a ring drained as fast as
 * it fills touches only its first pages. */
START_TEST(test_restarts_when_empty)
{
	struct bytering r;
	char out[8];

	ck_assert_int_eq(bytering_init(&r, 8), 0);
	ck_assert_uint_eq(bytering_put(&r, "abcde", 5), 5);
	ck_assert_uint_eq(bytering_get(&r, out, 3), 3);
	ck_assert_uint_eq(r.tail, 3);	/* not empty: no restart */
	ck_assert_uint_eq(bytering_get(&r, out, 8), 2);
	ck_assert_mem_eq(out, "de", 2);
	ck_assert_uint_eq(r.head, 0);
	ck_assert_uint_eq(r.tail, 0);
	ck_assert_uint_eq(bytering_put(&r, "xy", 2), 2);
	ck_assert_mem_eq(r.buf, "xy", 2);
	ck_assert_uint_eq(bytering_get(&r, out, 8), 2);
	ck_assert_mem_eq(out, "xy", 2);
	bytering_free(&r);
}
END_TEST

static Suite *bytering_suite(void)
{
	Suite *s = suite_create("bytering");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_wraps_and_bounds);
	tcase_add_test(tc, test_restarts_when_empty);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(bytering_suite)
