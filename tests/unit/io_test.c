/* unit-deps: vmm lib */
#include <errno.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "vmm/io.h"

struct rec {
	uint64_t off;
	uint32_t len;
	bool write;
	int calls;
};

static void handler(void *opaque, uint64_t off, void *data, uint32_t len,
		    bool is_write)
{
	struct rec *r = opaque;

	r->off = off;
	r->len = len;
	r->write = is_write;
	r->calls++;
	if (!is_write)
		memset(data, 0x5a, len);
}

START_TEST(test_dispatch)
{
	struct io_bus bus;
	struct rec a = { 0 }, b = { 0 };
	uint32_t v = 0;

	ck_assert_int_eq(io_bus_init(&bus), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x3f8, 8, handler, &a), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x100, 4, handler, &b), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x3fc, 8, handler, &b), -EEXIST);
	ck_assert_int_eq(io_bus_register(&bus, 0x3f0, 9, handler, &b), -EEXIST);
	ck_assert_int_eq(io_bus_register(&bus, 0x1, 0, handler, &b), -EINVAL);
	ck_assert_int_eq(io_bus_register(&bus, UINT64_MAX, 2, handler, &b), -EINVAL);

	ck_assert(io_bus_dispatch(&bus, 0x3fd, &v, 1, false));
	ck_assert(a.off == 5 && a.len == 1 && !a.write && (v & 0xff) == 0x5a);
	ck_assert(io_bus_dispatch(&bus, 0x102, &v, 2, true));
	ck_assert(b.off == 2 && b.write);
	/* An access straddling a region's end is not dispatched. */
	v = 0;
	ck_assert(!io_bus_dispatch(&bus, 0x103, &v, 2, false));
	ck_assert_uint_eq(v & 0xffff, 0xffff);
	ck_assert(!io_bus_dispatch(&bus, 0x200, &v, 4, false));
	ck_assert_int_eq(b.calls, 1);
	io_bus_free(&bus);
}
END_TEST

START_TEST(test_move_and_unregister)
{
	struct io_bus bus;
	struct rec a = { 0 };
	uint64_t v;

	io_bus_init(&bus);
	ck_assert_int_eq(io_bus_register(&bus, 0x1000, 0x1000, handler, &a), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x4000, 0x1000, handler, &a), 0);
	ck_assert_int_eq(io_bus_move(&bus, 0x1000, 0x4800), -EEXIST);
	ck_assert(io_bus_dispatch(&bus, 0x1008, &v, 8, false));
	ck_assert_int_eq(io_bus_move(&bus, 0x1000, 0x8000), 0);
	ck_assert(!io_bus_dispatch(&bus, 0x1008, &v, 8, false));
	ck_assert(io_bus_dispatch(&bus, 0x8008, &v, 8, false));
	ck_assert_int_eq(io_bus_move(&bus, 0x1000, 0x9000), -ENOENT);
	ck_assert_int_eq(io_bus_unregister(&bus, 0x8000), 0);
	ck_assert_int_eq(io_bus_unregister(&bus, 0x8000), -ENOENT);
	ck_assert(!io_bus_dispatch(&bus, 0x8008, &v, 8, false));
	ck_assert(io_bus_dispatch(&bus, 0x4ff8, &v, 8, false));
	io_bus_free(&bus);
}
END_TEST

START_TEST(test_many)
{
	struct io_bus bus;
	struct rec a = { 0 };
	uint8_t v;

	io_bus_init(&bus);
	for (int i = 99; i >= 0; i--)
		ck_assert_int_eq(io_bus_register(&bus, (uint64_t)i * 16, 8,
						 handler, &a), 0);
	for (int i = 0; i < 100; i++) {
		ck_assert(io_bus_dispatch(&bus, (uint64_t)i * 16 + 7, &v, 1, false));
		ck_assert(!io_bus_dispatch(&bus, (uint64_t)i * 16 + 8, &v, 1, false));
	}
	io_bus_free(&bus);
}
END_TEST

static Suite *io_suite(void)
{
	Suite *s = suite_create("io");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dispatch);
	tcase_add_test(tc, test_move_and_unregister);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(io_suite)
