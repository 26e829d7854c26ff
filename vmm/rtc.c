/*
 * A read-only MC146818 CMOS clock at ports 0x70/0x71: the guest reads the
 * host's UTC time from it at boot.  Without it every read returns 0xff,
 * "update in progress", and Linux polls the port thousands of times.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "vmm/legacy.h"
#include "vmm/vm.h"

#define RTC_INDEX	0x70
#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_WEEKDAY	0x06
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32

#define REG_A_32KHZ	0x26	/* divider on, 1024 Hz; UIP clear */
#define REG_B_24H	0x02	/* 24-hour, BCD, no interrupts */
#define REG_D_VRT	0x80	/* the time is valid */

static pthread_mutex_t rtc_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t rtc_index;

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t rtc_read(uint8_t reg)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case RTC_SECONDS: return bcd(tm.tm_sec);
	case RTC_MINUTES: return bcd(tm.tm_min);
	case RTC_HOURS: return bcd(tm.tm_hour);
	case RTC_WEEKDAY: return bcd(tm.tm_wday + 1);
	case RTC_DAY: return bcd(tm.tm_mday);
	case RTC_MONTH: return bcd(tm.tm_mon + 1);
	case RTC_YEAR: return bcd(tm.tm_year % 100);
	case RTC_CENTURY: return bcd((tm.tm_year + 1900) / 100);
	case RTC_REG_A: return REG_A_32KHZ;
	case RTC_REG_B: return REG_B_24H;
	case RTC_REG_D: return REG_D_VRT;
	default: return 0;
	}
}

static void rtc_io(void *opaque, uint64_t off, void *data, uint32_t len,
		   bool is_write)
{
	uint8_t *v = data;

	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&rtc_lock);
	if (off == 0) {
		if (is_write)
			rtc_index = *v & 0x7f;	/* bit 7 is the NMI mask */
		else
			*v = rtc_index;
	} else if (!is_write) {
		*v = rtc_read(rtc_index);
	}
	pthread_mutex_unlock(&rtc_lock);
}

int rtc_init(struct vm *vm)
{
	return io_bus_register(&vm->pio, RTC_INDEX, 2, rtc_io, NULL);
}
