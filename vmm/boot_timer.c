/* The boot-timing port (0x03f0), after Firecracker's boot timer: the
 * guest's init writes 123 when it starts. */
#include "vmm/legacy.h"
#include "vmm/vm.h"

#define BOOT_TIMER_PORT		0x3f0
#define BOOT_TIMER_MAGIC	123

static uint64_t init_started_us;

static void boot_timer_io(void *opaque, uint64_t off, void *data,
			  uint32_t len, bool is_write)
{
	uint64_t zero = 0;

	if (!is_write) {
		*(uint8_t *)data = 0;
		return;
	}
	if (len == 1 && *(uint8_t *)data == BOOT_TIMER_MAGIC)
		__atomic_compare_exchange_n(&init_started_us, &zero, now_us(),
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

int boot_timer_init(struct vm *vm)
{
	return io_bus_register(&vm->pio, BOOT_TIMER_PORT, 1, boot_timer_io,
			       NULL);
}

uint64_t boot_timer_us(void)
{
	return __atomic_load_n(&init_started_us, __ATOMIC_RELAXED);
}
