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

/* In place: peek/consume and space/commit see the same bytes, in order,
 * across the wrap, and cap at what there is. */
START_TEST(test_in_place)
{
	struct bytering r;
	struct iovec iov[2];
	char out[8];

	ck_assert_int_eq(bytering_init(&r, 8), 0);
	ck_assert_uint_eq(bytering_peek(&r, iov), 0);
	ck_assert_uint_eq(bytering_space(&r, iov), 1);
	ck_assert_uint_eq(iov[0].iov_len, 8);
	memcpy(iov[0].iov_base, "abcdef", 6);
	bytering_commit(&r, 6);
	ck_assert_uint_eq(bytering_used(&r), 6);
	ck_assert_uint_eq(bytering_peek(&r, iov), 1);
	ck_assert_uint_eq(iov[0].iov_len, 6);
	ck_assert_mem_eq(iov[0].iov_base, "abcdef", 6);
	bytering_consume(&r, 4);		/* "ef" left, at 4..5 */
	/* The room wraps: 6..7, then 0..3. */
	ck_assert_uint_eq(bytering_space(&r, iov), 2);
	ck_assert_uint_eq(iov[0].iov_len, 2);
	ck_assert_uint_eq(iov[1].iov_len, 4);
	ck_assert_ptr_eq(iov[1].iov_base, r.buf);
	memcpy(iov[0].iov_base, "gh", 2);
	memcpy(iov[1].iov_base, "ijkl", 4);
	bytering_commit(&r, 100);		/* capped at the room */
	ck_assert_uint_eq(bytering_room(&r), 0);
	ck_assert_uint_eq(bytering_space(&r, iov), 0);
	/* The used bytes wrap likewise. */
	ck_assert_uint_eq(bytering_peek(&r, iov), 2);
	ck_assert_uint_eq(iov[0].iov_len, 4);
	ck_assert_mem_eq(iov[0].iov_base, "efgh", 4);
	ck_assert_uint_eq(iov[1].iov_len, 4);
	ck_assert_mem_eq(iov[1].iov_base, "ijkl", 4);
	bytering_consume(&r, 5);
	ck_assert_uint_eq(bytering_get(&r, out, 8), 3);
	ck_assert_mem_eq(out, "jkl", 3);
	/* Emptied by consume: back at the front. */
	ck_assert_uint_eq(bytering_put(&r, "mn", 2), 2);
	bytering_consume(&r, 100);
	ck_assert_uint_eq(r.head, 0);
	ck_assert_uint_eq(r.tail, 0);
	bytering_free(&r);
}
END_TEST

static Suite *bytering_suite(void)
{
	Suite *s = suite_create("bytering");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_wraps_and_bounds);
	tcase_add_test(tc, test_restarts_when_empty);
	tcase_add_test(tc, test_in_place);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(bytering_suite)
