/* The boot-timing port (0x03f0), after Firecracker's boot timer: the
 * guest's init writes 123 when it starts; kvmc-agent also writes 124 just
 * before it execs a container process (BOOT_MARK_EXEC).  The first write
 * of each is stamped; later ones, and any other value, change nothing. */
#include "vmm/legacy.h"
#include "vmm/vm.h"

#define BOOT_TIMER_PORT		0x3f0
#define BOOT_TIMER_MAGIC	123

static uint64_t marks_us[BOOT_MARKS];

static void boot_timer_io(void *opaque, uint64_t off, void *data,
			  uint32_t len, bool is_write)
{
	uint64_t zero = 0;
	uint8_t v;

	if (!is_write) {
		*(uint8_t *)data = 0;
		return;
	}
	v = *(uint8_t *)data;
	if (len != 1 || v < BOOT_TIMER_MAGIC || v >= BOOT_TIMER_MAGIC + BOOT_MARKS)
		return;
	__atomic_compare_exchange_n(&marks_us[v - BOOT_TIMER_MAGIC], &zero,
				    now_us(), false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

int boot_timer_init(struct vm *vm)
{
	return io_bus_register(&vm->pio, BOOT_TIMER_PORT, 1, boot_timer_io,
			       NULL);
}

uint64_t boot_timer_mark_us(enum boot_mark m)
{
	return __atomic_load_n(&marks_us[m], __ATOMIC_RELAXED);
}
