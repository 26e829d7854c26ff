/* unit-deps: vmm lib */
/* The boot-timing port: each mark stamped once, at its first write; the
 * guest's other writes and reads change nothing. */
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "vmm/legacy.h"
#include "vmm/vm.h"

static void wr(struct vm *vm, uint8_t v)
{
	ck_assert(io_bus_dispatch(&vm->pio, 0x3f0, &v, 1, true));
}

START_TEST(test_marks)
{
	struct vm vm;
	uint64_t before, init, exec;
	uint8_t r = 0xff;

	memset(&vm, 0, sizeof(vm));
	ck_assert_int_eq(io_bus_init(&vm.pio), 0);
	ck_assert_int_eq(boot_timer_init(&vm), 0);
	ck_assert_uint_eq(boot_timer_mark_us(BOOT_MARK_INIT), 0);
	ck_assert_uint_eq(boot_timer_mark_us(BOOT_MARK_EXEC), 0);

	/* Not a mark: 122, 125, 0, 255. */
	wr(&vm, 122);
	wr(&vm, 125);
	wr(&vm, 0);
	wr(&vm, 255);
	ck_assert_uint_eq(boot_timer_mark_us(BOOT_MARK_INIT), 0);
	ck_assert_uint_eq(boot_timer_mark_us(BOOT_MARK_EXEC), 0);

	before = now_us();
	wr(&vm, 123);
	init = boot_timer_mark_us(BOOT_MARK_INIT);
	ck_assert_uint_ge(init, before);
	ck_assert_uint_eq(boot_timer_mark_us(BOOT_MARK_EXEC), 0);
	usleep(2000);
	wr(&vm, 124);
	exec = boot_timer_mark_us(BOOT_MARK_EXEC);
	ck_assert_uint_gt(exec, init);
	/* Later writes keep the first stamp. */
	usleep(2000);
	wr(&vm, 123);
	wr(&vm, 124);
	ck_assert_uint_eq(boot_timer_mark_us(BOOT_MARK_INIT), init);
	ck_assert_uint_eq(boot_timer_mark_us(BOOT_MARK_EXEC), exec);
	ck_assert(io_bus_dispatch(&vm.pio, 0x3f0, &r, 1, false));
	ck_assert_uint_eq(r, 0);
	io_bus_free(&vm.pio);
}
END_TEST

static Suite *boot_timer_suite(void)
{
	Suite *s = suite_create("boot_timer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_marks);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(boot_timer_suite)
