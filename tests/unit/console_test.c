/* unit-deps: virtio vmm p9 proxy lib */
/* virtio-console driven by a hand-written driver over hand-built rings,
 * without KVM or a loop: queue work is run by calling the device's
 * queue_notify as the loop thread would. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/console_int.h"
#include "lib/log.h"
#include "tests/unit/unit.h"
#include "vmm/vm.h"

#define RAM	(8 << 20)
#define QSZ	16
#define QBASE	0x10000		/* queue q's rings at QBASE + q * 0x2000 */
#define BUFS	0x100000	/* buffers from here up */

static struct vm vm;
static struct vcon *c;
static struct vcon_port *pa, *pb;
static int out[2];
static uint64_t next_buf;
static uint32_t features0 = 1U << VIRTIO_CONSOLE_F_MULTIPORT;
static uint16_t next_desc[16], last_used[16];
static int readable_calls, writable_calls, state_calls;
static bool last_state;

static void *gp(uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_ptr(&vm.mem, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void bar_wr(uint64_t off, uint64_t v, uint32_t len)
{
	virtio_pci_bar_access(&c->vp, off, &v, len, true);
}

static uint64_t bar_rd(uint64_t off, uint32_t len)
{
	uint64_t v = 0;

	virtio_pci_bar_access(&c->vp, off, &v, len, false);
	return v;
}

static void run_queue(unsigned int q)
{
	virtio_pci_lock(&c->vp);
	c->vp.ops->queue_notify(&c->vp, q);
	virtio_pci_unlock(&c->vp);
}

/* Posts one buffer of len bytes on queue q; returns its gpa. */
static uint64_t post(unsigned int q, uint32_t len, bool writable,
		     const void *data)
{
	uint64_t base = QBASE + q * 0x2000, gpa = next_buf;
	uint16_t d = next_desc[q]++ % QSZ;
	struct vring_desc *desc = gp(base + 16 * d, 16);
	struct vring_avail *avail = gp(base + 0x400, 6 + 2 * QSZ);

	next_buf += (len + 4095) & ~4095ULL;
	ck_assert_uint_lt(next_buf, RAM);
	if (data)
		memcpy(gp(gpa, len), data, len);
	desc->addr = gpa;
	desc->len = len;
	desc->flags = writable ? VRING_DESC_F_WRITE : 0;
	desc->next = 0;
	avail->ring[avail->idx % QSZ] = d;
	__atomic_store_n(&avail->idx, avail->idx + 1, __ATOMIC_RELEASE);
	return gpa;
}

/* The next used element of q, if any. */
static bool used(unsigned int q, uint32_t *len, uint64_t *gpa)
{
	uint64_t base = QBASE + q * 0x2000;
	struct vring_used *u = gp(base + 0x800, 6 + 8 * QSZ);
	struct vring_desc *desc;

	if (u->idx == last_used[q])
		return false;
	*len = u->ring[last_used[q] % QSZ].len;
	desc = gp(base + 16 * u->ring[last_used[q] % QSZ].id, 16);
	*gpa = desc->addr;
	last_used[q]++;
	return true;
}

static void send_ctrl(uint32_t id, uint16_t event, uint16_t value)
{
	struct virtio_console_control m = { id, event, value };
	uint32_t len;
	uint64_t gpa;

	post(VCON_CTRL_TXQ, sizeof(m), false, &m);
	run_queue(VCON_CTRL_TXQ);
	ck_assert(used(VCON_CTRL_TXQ, &len, &gpa));	/* returned at once */
}

/* The next control message from the device. */
static struct virtio_console_control *recv_ctrl(uint32_t *len)
{
	uint64_t gpa;

	if (!used(VCON_CTRL_RXQ, len, &gpa))
		return NULL;
	return gp(gpa, 4096);
}

static void expect_ctrl(uint32_t id, uint16_t event, uint16_t value)
{
	struct virtio_console_control *m;
	uint32_t len;

	m = recv_ctrl(&len);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->id, id);
	ck_assert_uint_eq(m->event, event);
	ck_assert_uint_eq(m->value, value);
}

static void on_readable(struct vcon_port *p, void *o) { readable_calls++; }
static void on_writable(struct vcon_port *p, void *o) { writable_calls++; }
static void on_state(struct vcon_port *p, void *o, bool open)
{
	state_calls++;
	last_state = open;
}

static const struct vcon_port_ops test_ops = {
	.readable = on_readable, .writable = on_writable, .state = on_state,
};

/* A sink that takes at most sink_take bytes a call, into sunk. */
static size_t sink_take, sunk_len, sink_calls;
static uint8_t sunk[64 * 1024];
static size_t on_sink(struct vcon_port *p, void *o, const struct iovec *iov,
		      unsigned int n)
{
	size_t took = 0, k;
	unsigned int i;

	sink_calls++;
	for (i = 0; i < n && took < sink_take; i++) {
		k = iov[i].iov_len < sink_take - took ? iov[i].iov_len : sink_take - took;
		ck_assert_uint_le(sunk_len + k, sizeof(sunk));
		memcpy(sunk + sunk_len, iov[i].iov_base, k);
		sunk_len += k;
		took += k;
	}
	return took;
}

static const struct vcon_port_ops sink_ops = {
	.readable = on_readable, .writable = on_writable, .state = on_state,
	.sink = on_sink,
};

/* The driver's probe: features, every queue, DRIVER_OK. */
static void driver_up(void)
{
	unsigned int q, nq = 2 * (c->nr_ports + 1);

	memset(next_desc, 0, sizeof(next_desc));
	memset(last_used, 0, sizeof(last_used));
	memset(gp(QBASE, nq * 0x2000), 0, nq * 0x2000);
	bar_wr(0x14, 3, 1);
	bar_wr(0x08, 0, 4);
	bar_wr(0x0c, features0, 4);
	bar_wr(0x08, 1, 4);
	bar_wr(0x0c, 1, 4);
	bar_wr(0x14, 0x0b, 1);
	ck_assert_uint_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 4, 4), 3);
	for (q = 0; q < nq; q++) {
		bar_wr(0x16, q, 2);
		bar_wr(0x18, QSZ, 2);
		bar_wr(0x20, QBASE + q * 0x2000, 8);
		bar_wr(0x28, QBASE + q * 0x2000 + 0x400, 8);
		bar_wr(0x30, QBASE + q * 0x2000 + 0x800, 8);
		bar_wr(0x1c, 1, 2);
	}
	bar_wr(0x14, 0x0f, 1);
	ck_assert(virtio_pci_running(&c->vp));
	for (q = 0; q < 8; q++)
		post(VCON_CTRL_RXQ, 4096, true, NULL);
}

/* DEVICE_READY and PORT_READY for every port, as Linux does. */
static void handshake(void)
{
	struct virtio_console_control *m;
	uint32_t len;

	send_ctrl(VIRTIO_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	expect_ctrl(0, VIRTIO_CONSOLE_PORT_ADD, 1);
	expect_ctrl(1, VIRTIO_CONSOLE_PORT_ADD, 1);
	expect_ctrl(2, VIRTIO_CONSOLE_PORT_ADD, 1);
	send_ctrl(0, VIRTIO_CONSOLE_PORT_READY, 1);
	expect_ctrl(0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	expect_ctrl(0, VIRTIO_CONSOLE_PORT_OPEN, 1);
	post(VCON_CTRL_RXQ, 4096, true, NULL);
	post(VCON_CTRL_RXQ, 4096, true, NULL);
	send_ctrl(1, VIRTIO_CONSOLE_PORT_READY, 1);
	m = recv_ctrl(&len);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->event, VIRTIO_CONSOLE_PORT_NAME);
	ck_assert_uint_eq(len, sizeof(*m) + strlen("sh.hyper.channel.0"));
	ck_assert_mem_eq(m + 1, "sh.hyper.channel.0", len - sizeof(*m));
	expect_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	post(VCON_CTRL_RXQ, 4096, true, NULL);
	post(VCON_CTRL_RXQ, 4096, true, NULL);
	send_ctrl(2, VIRTIO_CONSOLE_PORT_READY, 1);
	m = recv_ctrl(&len);
	ck_assert_ptr_nonnull(m);
	ck_assert_mem_eq(m + 1, "b", 1);
	expect_ctrl(2, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

static void setup(void)
{
	log_init("t", stderr, false, LOG_ERROR);
	features0 = 1U << VIRTIO_CONSOLE_F_MULTIPORT;
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = -1;
	ck_assert_int_eq(guest_mem_init(&vm.mem, RAM), 0);
	ck_assert_int_eq(pipe2(out, O_NONBLOCK), 0);
	c = vcon_new(&vm, out[1]);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(vcon_add_port(c, "sh.hyper.channel.0"), 0);
	ck_assert_int_eq(vcon_add_port(c, "b"), 0);
	ck_assert_int_eq(vcon_init_transport(c), 0);
	pa = vcon_port_find(c, "sh.hyper.channel.0");
	pb = vcon_port_find(c, "b");
	ck_assert_ptr_nonnull(pa);
	vcon_port_set_ops(pa, &test_ops, NULL);
	readable_calls = writable_calls = state_calls = 0;
	next_buf = BUFS;
	driver_up();
	handshake();
}

static void teardown(void)
{
	vcon_free(c);
	close(out[0]);
	close(out[1]);
	guest_mem_free(&vm.mem);
}

START_TEST(test_handshake_and_console)
{
	char buf[64] = { 0 };
	uint32_t len;
	uint64_t gpa;

	/* Port 0's output goes to the console fd. */
	post(1, 6, false, "hello\n");
	run_queue(1);
	ck_assert(used(1, &len, &gpa));
	ck_assert_int_eq(read(out[0], buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "hello\n");
	ck_assert_ptr_null(vcon_port_find(c, "nope"));
	ck_assert_str_eq(vcon_port_name(pb), "b");
}
END_TEST

START_TEST(test_held_until_open)
{
	uint32_t len;
	uint64_t gpa;

	ck_assert_uint_eq(vcon_port_write(pa, "early", 5), 5);
	post(4, 4096, true, NULL);
	run_queue(4);
	ck_assert(!used(4, &len, &gpa));	/* guest has not opened it */
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert_int_eq(state_calls, 1);
	ck_assert(last_state);
	ck_assert(vcon_port_guest_open(pa));
	ck_assert(used(4, &len, &gpa));
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(gp(gpa, 5), "early", 5);
	/* Further writes go straight into posted buffers. */
	post(4, 4096, true, NULL);
	ck_assert_uint_eq(vcon_port_write(pa, "more", 4), 4);
	ck_assert(used(4, &len, &gpa));
	ck_assert_mem_eq(gp(gpa, 4), "more", 4);
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 0);
	ck_assert(!last_state);
}
END_TEST

/* Three transmit buffers of chunk bytes of pattern on port 1's queue,
 * taken by the device: how many it completed. */
static int post_three(size_t chunk, const uint8_t *pattern)
{
	uint32_t len;
	uint64_t gpa;
	int done = 0;

	for (size_t i = 0; i < 3; i++)
		post(5, chunk, false, pattern + i * chunk);
	run_queue(5);
	while (used(5, &len, &gpa))
		done++;
	return done;
}

START_TEST(test_guest_to_host_backpressure)
{
	size_t chunk = 100 * 1024, total = 0, n, i;
	uint8_t *pattern = malloc(3 * chunk), *got = malloc(3 * chunk);
	uint32_t len;
	uint64_t gpa;
	int done = 0;

	for (i = 0; i < 3 * chunk; i++)
		pattern[i] = i * 7 + (i >> 11);
	done = post_three(chunk, pattern);
	ck_assert_int_eq(done, 2);	/* the third waits: ring full */
	ck_assert_int_ge(readable_calls, 1);
	ck_assert_uint_eq(vcon_port_readable(pa), VCON_RING_SIZE);
	while ((n = vcon_port_read(pa, got + total, 3 * chunk - total))) {
		total += n;
		run_queue(5);	/* what the kick would do on the loop */
	}
	while (used(5, &len, &gpa))
		done++;
	ck_assert_int_eq(done, 3);
	ck_assert_uint_eq(total, 3 * chunk);
	ck_assert_mem_eq(got, pattern, 3 * chunk);
	free(pattern);
	free(got);
}
END_TEST

START_TEST(test_host_to_guest_backpressure)
{
	size_t big = VCON_RING_SIZE + 1000, got = 0;
	uint8_t *data = malloc(big);
	uint32_t len;
	uint64_t gpa;
	size_t n;

	memset(data, 'x', big);
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	n = vcon_port_write(pa, data, big);
	ck_assert_uint_eq(n, VCON_RING_SIZE);	/* no receive buffers yet */
	ck_assert_uint_eq(vcon_port_writable(pa), 0);
	post(4, 64 * 1024, true, NULL);
	run_queue(4);
	ck_assert(used(4, &len, &gpa));
	ck_assert_uint_eq(len, 64 * 1024);
	got += len;
	ck_assert_int_eq(writable_calls, 1);
	ck_assert_uint_eq(vcon_port_write(pa, data, 1000), 1000);
	while (got < big) {
		post(4, 64 * 1024, true, NULL);
		run_queue(4);
		ck_assert(used(4, &len, &gpa));
		got += len;
	}
	ck_assert_uint_eq(got, big);
	free(data);
}
END_TEST

/* A writer that fills the ring exactly (never a short write, as the unix
 * socket server does: it reads no more than vcon_port_writable) still
 * hears when room frees; it used to wait forever. */
START_TEST(test_host_to_guest_exact_fill)
{
	uint8_t *data = malloc(VCON_RING_SIZE);
	uint32_t len;
	uint64_t gpa;

	memset(data, 'y', VCON_RING_SIZE);
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert_uint_eq(vcon_port_write(pa, data, VCON_RING_SIZE),
			  VCON_RING_SIZE);
	post(4, 4096, true, NULL);
	run_queue(4);
	ck_assert(used(4, &len, &gpa));
	ck_assert_uint_eq(len, 4096);
	ck_assert_int_eq(writable_calls, 1);
	/* Filled exactly again: told again. */
	ck_assert_uint_eq(vcon_port_write(pa, data, 4096), 4096);
	ck_assert_uint_eq(vcon_port_writable(pa), 0);
	post(4, 4096, true, NULL);
	run_queue(4);
	ck_assert(used(4, &len, &gpa));
	ck_assert_int_eq(writable_calls, 2);
	free(data);
}
END_TEST

/* vcon_port_send/recv move the rings' bytes through a socket in place:
 * in order, a full socket is -EAGAIN with nothing lost, the guest's
 * waiting buffers are taken once the socket drains the ring, and EOF is
 * 0.  The unix server's path. */
START_TEST(test_socket_in_place)
{
	size_t chunk = 100 * 1024, total = 0, i;
	uint8_t *pattern = malloc(3 * chunk), *got = malloc(3 * chunk);
	int sv[2], sndbuf = 16 * 1024, done = 0;
	uint32_t len;
	uint64_t gpa;
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (i = 0; i < 3 * chunk; i++)
		pattern[i] = i * 13 + (i >> 9);
	ck_assert_int_eq(vcon_port_send(pa, sv[0]), 0);	/* nothing waits */
	done = post_three(chunk, pattern);
	ck_assert_int_eq(done, 2);	/* the third waits: ring full */
	while (total < 3 * chunk) {
		n = vcon_port_send(pa, sv[0]);
		ck_assert(n >= 0 || n == -EAGAIN);
		if (n == -EAGAIN || n == 0) {
			ssize_t r = read(sv[1], got + total, 3 * chunk - total);

			ck_assert_int_gt(r, 0);
			total += (size_t)r;
		}
		run_queue(5);	/* the kick a freed ring makes, on the loop */
		while (used(5, &len, &gpa))
			done++;
	}
	ck_assert_int_eq(done, 3);
	ck_assert_mem_eq(got, pattern, 3 * chunk);
	ck_assert_uint_eq(vcon_port_readable(pa), 0);

	/* Toward the guest: held until it opens the port, then into its
	 * buffers in order. */
	ck_assert_int_eq(write(sv[1], pattern, 5000), 5000);
	ck_assert_int_eq(vcon_port_recv(pa, sv[0]), 5000);
	ck_assert_int_eq(vcon_port_recv(pa, sv[0]), -EAGAIN);
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	gpa = post(4, 8192, true, NULL);
	run_queue(4);
	ck_assert(used(4, &len, &gpa));
	ck_assert_uint_eq(len, 5000);
	ck_assert_mem_eq(gp(gpa, len), pattern, 5000);
	close(sv[1]);
	ck_assert_int_eq(vcon_port_recv(pa, sv[0]), 0);		/* EOF */
	close(sv[0]);
	free(pattern);
	free(got);
}
END_TEST

/* The sink is offered the guest's buffer only while the ring is empty,
 * takes what it takes from the front, and the rest follows in the ring:
 * the host sees the bytes in order. */
START_TEST(test_sink_keeps_order)
{
	uint8_t pattern[12000], got[12000];
	size_t total, n, i;
	uint32_t len;
	uint64_t gpa;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 11 + (i >> 8));
	vcon_port_set_ops(pa, &sink_ops, NULL);
	/* All of a buffer taken: nothing in the ring, no readable call. */
	sink_take = 4000;
	readable_calls = 0;
	post(5, 3000, false, pattern);
	run_queue(5);
	ck_assert(used(5, &len, &gpa));
	ck_assert_uint_eq(sunk_len, 3000);
	ck_assert_uint_eq(vcon_port_readable(pa), 0);
	ck_assert_int_eq(readable_calls, 0);
	/* Part of the next: the rest is in the ring; the one after is not
	 * offered to the sink while the ring holds bytes. */
	sink_take = 1000;
	post(5, 3000, false, pattern + 3000);
	post(5, 6000, false, pattern + 6000);
	sink_calls = 0;
	run_queue(5);
	ck_assert_uint_eq(sink_calls, 1);
	ck_assert_uint_eq(sunk_len, 4000);
	ck_assert_uint_eq(vcon_port_readable(pa), 8000);
	ck_assert_int_ge(readable_calls, 1);
	memcpy(got, sunk, sunk_len);
	total = sunk_len;
	while ((n = vcon_port_read(pa, got + total, sizeof(got) - total)))
		total += n;
	ck_assert_uint_eq(total, sizeof(pattern));
	ck_assert_mem_eq(got, pattern, sizeof(pattern));
	vcon_port_set_ops(pa, &test_ops, NULL);
}
END_TEST

START_TEST(test_reset_keeps_bytes)
{
	uint32_t len;
	uint64_t gpa;

	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	bar_wr(0x14, 0, 1);		/* driver unloads */
	ck_assert(!vcon_port_guest_open(pa));
	ck_assert(!last_state);
	ck_assert_uint_eq(vcon_port_write(pa, "kept", 4), 4);
	driver_up();			/* and loads again */
	handshake();
	post(4, 4096, true, NULL);
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert(used(4, &len, &gpa));
	ck_assert_mem_eq(gp(gpa, 4), "kept", 4);
}
END_TEST

START_TEST(test_bad_control)
{
	struct virtio_console_control m = { 99, VIRTIO_CONSOLE_PORT_READY, 1 };
	uint32_t len;
	uint64_t gpa;

	send_ctrl(99, VIRTIO_CONSOLE_PORT_READY, 1);
	send_ctrl(99, VIRTIO_CONSOLE_PORT_OPEN, 1);
	send_ctrl(1, 42, 1);
	ck_assert_ptr_null(recv_ctrl(&len));
	post(VCON_CTRL_TXQ, 4, false, &m);	/* short */
	run_queue(VCON_CTRL_TXQ);
	ck_assert(used(VCON_CTRL_TXQ, &len, &gpa));
	/* A zero-length receive buffer costs the guest that buffer only. */
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	ck_assert_uint_eq(vcon_port_write(pa, "z", 1), 1);
	post(4, 0, true, NULL);
	post(4, 16, true, NULL);
	run_queue(4);
	ck_assert(used(4, &len, &gpa));
	ck_assert_uint_eq(len, 0);
	ck_assert(used(4, &len, &gpa));
	ck_assert_uint_eq(len, 1);
	ck_assert(virtio_pci_running(&c->vp));
}
END_TEST

START_TEST(test_port_names)
{
	char name[VCON_NAME_MAX + 2];

	ck_assert_int_eq(vcon_add_port(c, "b"), -EINVAL);
	ck_assert_int_eq(vcon_add_port(c, ""), -EINVAL);
	ck_assert_int_eq(vcon_add_port(c, "a/b"), -EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ck_assert_int_eq(vcon_add_port(c, name), -EINVAL);
}
END_TEST

/* Adds one buffer of len bytes to queue q as Linux would, with
 * EVENT_IDX: true if that add calls for a kick. */
static bool post_kicks(unsigned int q, uint32_t len, bool writable,
		       const void *data)
{
	struct vring_avail *avail = gp(QBASE + q * 0x2000 + 0x400, 6 + 2 * QSZ);
	struct vring_used *u = gp(QBASE + q * 0x2000 + 0x800, 6 + 8 * QSZ + 2);
	uint16_t old = avail->idx;

	post(q, len, writable, data);
	return vring_need_event(*(uint16_t *)&u->ring[QSZ],
				(uint16_t)(old + 1), old);
}

/* A receive buffer of a page on port 1's queue. */
static bool post_rx_kicks(void)
{
	return post_kicks(4, 4096, true, NULL);
}

/* The driver reloads with EVENT_IDX and opens port 1. */
static void reload_with_event_idx(void)
{
	bar_wr(0x14, 0, 1);
	features0 |= 1U << VIRTIO_RING_F_EVENT_IDX;
	driver_up();
	handshake();
	send_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

/* Checks and counts port 1's filled receive buffers against data. */
static size_t take_rx(const uint8_t *data, size_t at)
{
	uint32_t len;
	uint64_t gpa;
	size_t got = 0;

	while (used(4, &len, &gpa)) {
		ck_assert_mem_eq(gp(gpa, len), data + at + got, len);
		got += len;
	}
	return got;
}

/* Host -> guest with EVENT_IDX: once the guest's buffers are all filled
 * and bytes wait, it is asked to kick only when it has handed back half
 * of them; the timer's look takes what it handed back without a kick;
 * with nothing waiting it is asked for no kick at all, and new bytes
 * still find the buffers it added. */
START_TEST(test_rx_kicks_put_off)
{
	size_t total = 100 * 1024, at = 0;
	uint8_t *data = malloc(total);
	int i, kicks = 0;

	for (size_t k = 0; k < total; k++)
		data[k] = (uint8_t)(k * 13 + (k >> 9));
	reload_with_event_idx();
	for (i = 0; i < QSZ; i++)
		post(4, 4096, true, NULL);
	ck_assert_uint_eq(vcon_port_write(pa, data, total), total);
	at += take_rx(data, at);
	ck_assert_uint_eq(at, QSZ * 4096);
	ck_assert(c->vp.later_queues & (1ULL << 4));	/* the net is set */
	/* Handing back the first QSZ/2 - 1 asks for no kick, the next does. */
	for (i = 1; i < QSZ / 2; i++)
		kicks += post_rx_kicks();
	ck_assert_int_eq(kicks, 0);
	ck_assert(post_rx_kicks());
	run_queue(4);
	at += take_rx(data, at);
	ck_assert_uint_eq(at, (QSZ + QSZ / 2) * 4096);
	/* Two more handed back, no kick: the timer's look takes them. */
	ck_assert(!post_rx_kicks());
	ck_assert(!post_rx_kicks());
	virtio_pci_look_now(&c->vp);
	at += take_rx(data, at);
	ck_assert_uint_eq(at, total);
	/* Nothing waits: no kick for a whole queue of buffers... */
	for (i = 0; i < QSZ - 2; i++)
		kicks += post_rx_kicks();
	ck_assert_int_eq(kicks, 0);
	/* ... which the next bytes find all the same. */
	ck_assert_uint_eq(vcon_port_write(pa, data, 10), 10);
	ck_assert_uint_eq(take_rx(data, 0), 10);
	free(data);
}
END_TEST

/* Guest -> host with EVENT_IDX: after a full-sized (32 KiB) buffer the
 * guest is asked to kick every 8 buffers and the device's timer is set;
 * a smaller buffer puts every kick back.  The bytes arrive in order
 * either way. */
START_TEST(test_tx_kicks_put_off)
{
	static uint8_t big[2][32 * 1024], small[8][64], got[sizeof(big) + sizeof(small)];
	uint32_t len;
	uint64_t gpa;
	size_t at = 0, n;
	int i, kicks = 0, done = 0;

	memset(big[0], 'a', sizeof(big[0]));
	memset(big[1], 'b', sizeof(big[1]));
	for (i = 0; i < 8; i++)
		memset(small[i], '0' + i, sizeof(small[i]));
	reload_with_event_idx();
	ck_assert(post_kicks(5, sizeof(big[0]), false, big[0]));
	post(5, sizeof(big[1]), false, big[1]);
	run_queue(5);
	ck_assert(c->vp.later_queues & (1ULL << 5));
	for (i = 0; i < 7; i++)
		kicks += post_kicks(5, sizeof(small[i]), false, small[i]);
	ck_assert_int_eq(kicks, 0);
	ck_assert(post_kicks(5, sizeof(small[7]), false, small[7]));
	run_queue(5);
	/* Ended on a small buffer: the next one kicks again. */
	ck_assert(post_kicks(5, 16, false, "0123456789abcdef"));
	while (used(5, &len, &gpa))
		done++;
	ck_assert_int_eq(done, 10);
	while ((n = vcon_port_read(pa, got + at, sizeof(got) - at)))
		at += n;
	ck_assert_uint_eq(at, sizeof(got));
	ck_assert_mem_eq(got, big, sizeof(big));
	ck_assert_mem_eq(got + sizeof(big), small, sizeof(small));
}
END_TEST

/* hvc0 (port 0): Linux spins on its writes, so they always kick. */
START_TEST(test_console_port_always_kicks)
{
	static uint8_t big[32 * 1024];
	char buf[64];

	memset(big, 'c', sizeof(big));
	reload_with_event_idx();
	post(1, sizeof(big), false, big);
	run_queue(1);
	ck_assert(!(c->vp.later_queues & (1ULL << 1)));
	ck_assert(post_kicks(1, 3, false, "hi\n"));
	while (read(out[0], buf, sizeof(buf)) > 0)
		;
}
END_TEST

static Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_handshake_and_console);
	tcase_add_test(tc, test_held_until_open);
	tcase_add_test(tc, test_guest_to_host_backpressure);
	tcase_add_test(tc, test_host_to_guest_backpressure);
	tcase_add_test(tc, test_host_to_guest_exact_fill);
	tcase_add_test(tc, test_socket_in_place);
	tcase_add_test(tc, test_sink_keeps_order);
	tcase_add_test(tc, test_reset_keeps_bytes);
	tcase_add_test(tc, test_bad_control);
	tcase_add_test(tc, test_port_names);
	tcase_add_test(tc, test_rx_kicks_put_off);
	tcase_add_test(tc, test_tx_kicks_put_off);
	tcase_add_test(tc, test_console_port_always_kicks);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(console_suite)
