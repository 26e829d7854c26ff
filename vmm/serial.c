/*
 * 8250 UART at 0x3f8, IRQ 4: enough of the chip for Linux's 8250 driver in
 * interrupt mode (THRE and RDI interrupts, FIFO flag in IIR, DLAB, scratch,
 * modem lines).  Output goes to a file descriptor as the guest writes it;
 * input is read on the event loop into a small FIFO.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/outcap.h"
#include "vmm/legacy.h"
#include "vmm/vm.h"

#define COM1_BASE	0x3f8
#define COM1_IRQ	4

#define UART_RX		0	/* in: receive buffer (DLAB=0) */
#define UART_TX		0	/* out: transmit holding (DLAB=0) */
#define UART_IER	1
#define UART_IIR	2	/* in */
#define UART_FCR	2	/* out */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80

#define RX_FIFO		64
#define PANIC_MARK	"Kernel panic - not syncing"

struct serial {
	struct vm *vm;
	pthread_mutex_t lock;
	int out, in;
	struct outcap *cap;
	bool raw;
	struct termios saved;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending;
	int irq_level;
	uint8_t rx[RX_FIFO];
	unsigned int rx_head, rx_len;
	uint64_t first_byte_us;
	unsigned int panic_match;
	bool panic;
};

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Recomputes IIR's reason and drives IRQ 4 (locked). */
static uint8_t iir(struct serial *s)
{
	if ((s->ier & IER_RDI) && s->rx_len)
		return IIR_RDI;
	if ((s->ier & IER_THRI) && s->thre_pending)
		return IIR_THRI;
	return IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
	int level = iir(s) != IIR_NO_INT;

	if (level != s->irq_level && s->vm->vm_fd >= 0) {
		s->irq_level = level;
		vm_irq_line(s->vm, COM1_IRQ, level);
	}
}

static void emit(struct serial *s, uint8_t c)
{
	if (!s->first_byte_us)
		s->first_byte_us = now_us();
	/* Noticed here so that kvmc-vmm can say the guest panicked even
	 * though panic=-1 makes it reboot at once. */
	if (c == (uint8_t)PANIC_MARK[s->panic_match]) {
		if (!PANIC_MARK[++s->panic_match])
			s->panic = true;
	} else {
		s->panic_match = c == (uint8_t)PANIC_MARK[0];
	}
	if (s->cap) {
		outcap_write(s->cap, &c, 1);
	} else if (s->out >= 0) {
		/* A full or broken output must not stall the vCPU. */
		while (write(s->out, &c, 1) < 0 && errno == EINTR)
			;
	}
}

void serial_io(void *opaque, uint64_t off, void *data, uint32_t len,
	       bool is_write)
{
	struct serial *s = opaque;
	uint8_t *v = data, val;

	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (is_write) {
		val = *v;
		switch (off) {
		case UART_TX:
			if (s->lcr & LCR_DLAB) {
				s->dll = val;
			} else if (s->mcr & MCR_LOOP) {
				if (s->rx_len < RX_FIFO)
					s->rx[(s->rx_head + s->rx_len++) % RX_FIFO] = val;
			} else {
				emit(s, val);
				s->thre_pending = true;	/* sent at once */
			}
			break;
		case UART_IER:
			if (s->lcr & LCR_DLAB) {
				s->dlm = val;
			} else {
				/* Enabling THRI with an empty THR raises it. */
				if ((val & IER_THRI) && !(s->ier & IER_THRI))
					s->thre_pending = true;
				s->ier = val & 0x0f;
			}
			break;
		case UART_FCR:
			s->fcr = val;
			if (val & FCR_CLEAR_RX)
				s->rx_len = 0;
			break;
		case UART_LCR: s->lcr = val; break;
		case UART_MCR: s->mcr = val & 0x1f; break;
		case UART_SCR: s->scr = val; break;
		default: break;
		}
	} else {
		switch (off) {
		case UART_RX:
			if (s->lcr & LCR_DLAB) {
				val = s->dll;
			} else if (s->rx_len) {
				val = s->rx[s->rx_head];
				s->rx_head = (s->rx_head + 1) % RX_FIFO;
				s->rx_len--;
			} else {
				val = 0;
			}
			break;
		case UART_IER:
			val = s->lcr & LCR_DLAB ? s->dlm : s->ier;
			break;
		case UART_IIR:
			val = iir(s);
			if (val == IIR_THRI)
				s->thre_pending = false;	/* read clears */
			if (s->fcr & FCR_ENABLE)
				val |= IIR_FIFO;
			break;
		case UART_LCR: val = s->lcr; break;
		case UART_MCR: val = s->mcr; break;
		case UART_LSR:
			val = LSR_THRE | LSR_TEMT | (s->rx_len ? LSR_DR : 0);
			break;
		case UART_MSR:
			if (s->mcr & MCR_LOOP)
				val = (uint8_t)((s->mcr & 0x0c) << 4 |
						(s->mcr & 0x01) << 5 |
						(s->mcr & 0x02) << 3);
			else
				val = MSR_DCD | MSR_DSR | MSR_CTS;
			break;
		case UART_SCR: val = s->scr; break;
		default: val = 0xff; break;
		}
		*v = val;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static void on_input(void *opaque, uint32_t events)
{
	struct serial *s = opaque;
	uint8_t buf[RX_FIFO];
	ssize_t n;

	pthread_mutex_lock(&s->lock);
	n = RX_FIFO - (ssize_t)s->rx_len;
	if (n > 0) {
		n = read(s->in, buf, (size_t)n);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			/* EOF: stop watching, the guest keeps running. */
			evloop_del(s->vm->loop, s->in);
		}
		for (ssize_t i = 0; i < n; i++)
			s->rx[(s->rx_head + s->rx_len++) % RX_FIFO] = buf[i];
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	/* A full FIFO: back off briefly instead of spinning on a ready fd. */
	if (s->rx_len == RX_FIFO)
		poll(NULL, 0, 1);
}

void serial_set_cap(struct serial *s, struct outcap *cap)
{
	pthread_mutex_lock(&s->lock);
	s->cap = cap;
	pthread_mutex_unlock(&s->lock);
}

struct serial *serial_new(struct vm *vm, int out, int in)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->vm = vm;
	s->out = out;
	s->in = in;
	s->irq_level = -1;
	pthread_mutex_init(&s->lock, NULL);
	if (io_bus_register(&vm->pio, COM1_BASE, 8, serial_io, s))
		goto err;
	if (in >= 0) {
		if (isatty(in) && !tcgetattr(in, &s->saved)) {
			struct termios raw = s->saved;

			cfmakeraw(&raw);
			raw.c_oflag |= OPOST | ONLCR;	/* keep \n -> \r\n */
			tcsetattr(in, TCSANOW, &raw);
			s->raw = true;
		}
		if (evloop_add(vm->loop, in, EPOLLIN, on_input, s))
			log_warn("serial: console input not available");
	}
	return s;
err:
	free(s);
	return NULL;
}

void serial_free(struct serial *s)
{
	if (!s)
		return;
	if (s->in >= 0)
		evloop_del(s->vm->loop, s->in);
	if (s->raw)
		tcsetattr(s->in, TCSANOW, &s->saved);
	io_bus_unregister(&s->vm->pio, COM1_BASE);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint64_t serial_first_byte_us(const struct serial *s)
{
	return s ? s->first_byte_us : 0;
}

bool serial_saw_panic(const struct serial *s)
{
	return s && s->panic;
}
