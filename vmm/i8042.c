/*
 * The i8042 keyboard controller, reduced to what a VM needs: the reset
 * line (command 0xfe on port 0x64) that Linux's reboot=k pulls, which
 * ends the VM with status 0; and enough of the command set (controller
 * configuration byte, self-test) that Linux's probe answers at once
 * instead of polling the status port thousands of times, each poll an
 * exit to userspace.
 */
#include <pthread.h>
#include <string.h>

#include "vmm/config.h"
#include "vmm/legacy.h"
#include "vmm/vm.h"

#define I8042_DATA		0x60
#define I8042_STATUS		0x64
#define I8042_RESET		0xfe
#define CMD_READ_CTR		0x20
#define CMD_WRITE_CTR		0x60
#define CMD_SELF_TEST		0xaa
#define CMD_PORT_TEST		0xab
#define STATUS_OBF		0x01
#define STATUS_SYS		0x04
#define CTR_SYS			0x04

static struct {
	pthread_mutex_t lock;
	uint8_t ctr;
	uint8_t out;		/* byte waiting for the guest */
	bool out_full;
	bool want_ctr;		/* next data write is the CTR */
} kbc = { PTHREAD_MUTEX_INITIALIZER, CTR_SYS, 0, false, false };

static void reply(uint8_t b)
{
	kbc.out = b;
	kbc.out_full = true;
}

static void i8042_io(void *opaque, uint64_t off, void *data, uint32_t len,
		     bool is_write)
{
	struct vm *vm = opaque;
	uint8_t *v = data;

	if (!is_write)
		memset(data, 0, len);
	pthread_mutex_lock(&kbc.lock);
	if (off == I8042_STATUS - I8042_DATA) {
		if (!is_write) {
			*v = STATUS_SYS | (kbc.out_full ? STATUS_OBF : 0);
		} else {
			switch (*v) {
			case I8042_RESET:
				vm_request_exit(vm, VMM_EXIT_OK);
				break;
			case CMD_READ_CTR: reply(kbc.ctr); break;
			case CMD_WRITE_CTR: kbc.want_ctr = true; break;
			case CMD_SELF_TEST: reply(0x55); break;
			case CMD_PORT_TEST: reply(0x00); break;
			default: break;
			}
		}
	} else if (off == 0) {
		if (!is_write) {
			*v = kbc.out;
			kbc.out_full = false;
		} else if (kbc.want_ctr) {
			kbc.ctr = *v;
			kbc.want_ctr = false;
		}
	}
	pthread_mutex_unlock(&kbc.lock);
}

int i8042_init(struct vm *vm)
{
	return io_bus_register(&vm->pio, I8042_DATA, 5, i8042_io, vm);
}
