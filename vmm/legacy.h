/* Legacy devices: the 8250 UART (COM1), the i8042's reset line and the
 * boot-timing port. */
#ifndef KVMC_VMM_LEGACY_H
#define KVMC_VMM_LEGACY_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct serial;
struct outcap;

/* out: fd for guest output (-1: discard); in: fd for guest input (-1:
 * none).  When in is a terminal it is put in raw mode until
 * serial_free. */
struct serial *serial_new(struct vm *vm, int out, int in);
void serial_free(struct serial *s);
/* From now on the output goes through cap (lib/outcap.h), not straight
 * to out. */
void serial_set_cap(struct serial *s, struct outcap *cap);
/* Microseconds (CLOCK_MONOTONIC) of the first byte out, 0 if none. */
uint64_t serial_first_byte_us(const struct serial *s);
/* Whether the guest printed a kernel panic. */
bool serial_saw_panic(const struct serial *s);
/* The guest writes bytes; exposed for unit tests. */
void serial_io(void *opaque, uint64_t off, void *data, uint32_t len,
	       bool is_write);

int i8042_init(struct vm *vm);
/* The CMOS clock at 0x70/0x71: host UTC time, read-only. */
int rtc_init(struct vm *vm);

/* Port 0x03f0: the guest's init writes 123 when it starts, kvmc-agent 124
 * before its first container process's exec. */
enum boot_mark {
	BOOT_MARK_INIT,		/* 123 */
	BOOT_MARK_EXEC,		/* 124 */
	BOOT_MARKS
};
int boot_timer_init(struct vm *vm);
/* Microseconds (CLOCK_MONOTONIC) of the first write of the mark, 0 if
 * none yet. */
uint64_t boot_timer_mark_us(enum boot_mark m);

uint64_t now_us(void);

#endif
