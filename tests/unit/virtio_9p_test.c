/* unit-deps: virtio vmm p9 proxy lib */
/* The virtio-9p device driven like the Linux driver, without KVM: mount
 * tag in config space, requests as descriptor chains split at awkward
 * places, replies through the used ring from the worker threads. */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_9p.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/9p.h"
#include "devices/virtio/pci.h"
#include "lib/log.h"
#include "p9/proto.h"
#include "p9/wire.h"
#include "tests/unit/unit.h"
#include "vmm/vm.h"

#define QSZ	128
#define DESC	0x1000
#define AVAIL	0x3000
#define USED	0x4000
#define REQ	0x10000		/* request bytes */
#define REP	0x20000		/* reply bytes */

static struct vm vm;
static struct virtio_9p *dev;
static struct virtio_pci *vp;
static pthread_t loop_thread;
static char dir[64];
static uint16_t next_desc, tag_no;

#include "vbar.h"

static void *run_loop(void *arg)
{
	evloop_run(vm.loop);
	return NULL;
}

static int rm_cb(const char *p, const struct stat *st, int f, struct FTW *w)
{
	return remove(p);
}

static void setup(void)
{
	struct virtio_9p_share share;
	char err[128];

	log_init("t", stderr, false, LOG_ERROR);
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = -1;
	ck_assert_int_eq(guest_mem_init(&vm.mem, 4 << 20), 0);
	ck_assert_int_eq(io_bus_init(&vm.pio), 0);
	ck_assert_int_eq(io_bus_init(&vm.mmio), 0);
	vm.loop = evloop_new();
	ck_assert_ptr_nonnull(vm.loop);
	strcpy(dir, "/tmp/v9ptest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	{
		char arg[128];

		snprintf(arg, sizeof(arg), "rootfs=%s", dir);
		ck_assert_int_eq(virtio_9p_parse_share(arg, &share, err,
						       sizeof(err)), 0);
	}
	/* Not realized: without KVM there is no bus to bind to; kicks are
	 * delivered by kick() as the transport's on_kick would. */
	ck_assert_int_eq(virtio_9p_new(&vm, &share, &dev), 0);
	free(share.path);
	vp = (struct virtio_pci *)dev;	/* the transport comes first */
	ck_assert_int_eq(pthread_create(&loop_thread, NULL, run_loop, NULL), 0);
	next_desc = tag_no = 0;
}

static void teardown(void)
{
	evloop_stop(vm.loop);
	pthread_join(loop_thread, NULL);
	virtio_9p_free(dev);
	evloop_free(vm.loop);
	io_bus_free(&vm.pio);
	io_bus_free(&vm.mmio);
	guest_mem_free(&vm.mem);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

static void bring_up(void)
{
	wr(0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	wr(0x00, 0, 4);
	ck_assert(rd(0x04, 4) & (1U << VIRTIO_9P_MOUNT_TAG));
	wr(0x08, 0, 4);
	wr(0x0c, 1U << VIRTIO_9P_MOUNT_TAG, 4);
	wr(0x08, 1, 4);
	wr(0x0c, 1, 4);		/* VERSION_1 */
	wr(0x14, 0x0b, 1);
	wr(0x16, 0, 2);
	wr(0x18, QSZ, 2);
	wr(0x20, DESC, 8);
	wr(0x28, AVAIL, 8);
	wr(0x30, USED, 8);
	wr(0x1c, 1, 2);
	wr(0x14, 0x0f, 1);	/* DRIVER_OK */
	ck_assert(virtio_pci_running(vp));
}

static void set_desc(uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct vring_desc *d = g(DESC + 16 * i, 16);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Offers a chain: the request as a first piece of rsplit bytes and the
 * rest in one, the reply buffer likewise with wsplit (the Linux client's
 * zero-copy layout: a header buffer, then the user's pages); waits for the reply (the loop runs on its
 * own thread; a generous wait, never a timing assert). */
static uint32_t rpc(const void *req, size_t len, size_t rsplit,
		    size_t wsplit, size_t wlen)
{
	struct vring_avail *a = g(AVAIL, 4 + 2 * QSZ);
	struct vring_used *u = g(USED, 4 + 8 * QSZ);
	uint16_t head = next_desc, before = u->idx, i = next_desc;
	size_t off, piece;

	memcpy(g(REQ, len), req, len);
	for (off = 0; off < len; off += piece, i++) {
		piece = off == 0 && rsplit < len ? rsplit : len - off;
		set_desc(i % QSZ, REQ + off, piece,
			 off + piece < len || wlen ? VRING_DESC_F_NEXT : 0,
			 (i + 1) % QSZ);
	}
	for (off = 0; off < wlen; off += piece, i++) {
		piece = off == 0 && wsplit < wlen ? wsplit : wlen - off;
		set_desc(i % QSZ, REP + off, piece, VRING_DESC_F_WRITE |
			 (off + piece < wlen ? VRING_DESC_F_NEXT : 0),
			 (i + 1) % QSZ);
	}
	next_desc = i % QSZ;
	a->ring[a->idx % QSZ] = head;
	__atomic_store_n(&a->idx, a->idx + 1, __ATOMIC_RELEASE);
	virtio_pci_lock(vp);
	vp->ops->queue_notify(vp, 0);
	virtio_pci_unlock(vp);
	for (int n = 0; n < 30000 &&
	     __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == before; n++)
		usleep(1000);
	ck_assert_uint_eq(u->idx, (uint16_t)(before + 1));
	ck_assert_uint_eq(u->ring[before % QSZ].id, head);
	return u->ring[before % QSZ].len;
}

static uint8_t msg[4096];
static struct p9_enc e;

static void begin(uint8_t type)
{
	p9_enc_init(&e, msg, sizeof(msg));
	p9_put_u32(&e, 0);
	p9_put_u8(&e, type);
	p9_put_u16(&e, ++tag_no);
}

/* Sends msg; returns the reply's type (checking its size and tag). */
static uint8_t send(size_t rsplit, size_t wsplit, size_t wlen)
{
	uint32_t len;
	uint8_t *r;

	msg[0] = e.off;
	msg[1] = e.off >> 8;
	len = rpc(msg, e.off, rsplit, wsplit, wlen);
	ck_assert_uint_ge(len, 7);
	r = g(REP, len);
	ck_assert_uint_eq(r[0] | r[1] << 8 | r[2] << 16, len);
	ck_assert_uint_eq(r[5] | r[6] << 8, tag_no);
	return r[4];
}

START_TEST(test_mount_tag)
{
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF, 2), 6);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF + 2, 4),
			  'r' | 'o' << 8 | 'o' << 16 | (uint32_t)'t' << 24);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF + 6, 2), 'f' | 's' << 8);
}
END_TEST

START_TEST(test_requests)
{
	uint8_t *r;

	bring_up();
	begin(P9_TVERSION);
	p9_put_u32(&e, 512000);
	p9_put_str(&e, "9P2000.L", 8);
	ck_assert_uint_eq(send(5, 3, 8192), P9_RVERSION);
	begin(P9_TATTACH);
	p9_put_u32(&e, 0);
	p9_put_u32(&e, P9_NOFID);
	p9_put_str(&e, "", 0);
	p9_put_str(&e, "", 0);
	p9_put_u32(&e, 0);
	ck_assert_uint_eq(send(4096, 4096, 4096), P9_RATTACH);
	begin(P9_TWALK);
	p9_put_u32(&e, 0);
	p9_put_u32(&e, 1);
	p9_put_u16(&e, 0);
	ck_assert_uint_eq(send(4096, 4096, 4096), P9_RWALK);
	begin(P9_TLCREATE);
	p9_put_u32(&e, 1);
	p9_put_str(&e, "f", 1);
	p9_put_u32(&e, 2);
	p9_put_u32(&e, 0644);
	p9_put_u32(&e, 0);
	ck_assert_uint_eq(send(4096, 4096, 4096), P9_RLCREATE);

	/* Twrite split mid-header. */
	begin(P9_TWRITE);
	p9_put_u32(&e, 1);
	p9_put_u64(&e, 0);
	p9_put_u32(&e, 1000);
	for (int i = 0; i < 1000; i++)
		p9_put_u8(&e, 'a' + i % 26);
	ck_assert_uint_eq(send(7, 4096, 4096), P9_RWRITE);
	r = g(REP, 11);
	ck_assert_uint_eq(r[7] | r[8] << 8, 1000);

	/* Tread into an 11-byte header buffer and then pages, as the Linux
	 * client's zero-copy reads do. */
	begin(P9_TREAD);
	p9_put_u32(&e, 1);
	p9_put_u64(&e, 26);
	p9_put_u32(&e, 100);
	ck_assert_uint_eq(send(4096, 11, 4096), P9_RREAD);
	r = g(REP, 111);
	ck_assert_uint_eq(r[7], 100);
	ck_assert_uint_eq(r[11], 'a');
	ck_assert_uint_eq(r[11 + 99], 'a' + 99 % 26);

	/* An unknown message: Rlerror, not silence. */
	begin(200);
	ck_assert_uint_eq(send(4096, 4096, 4096), P9_RLERROR);
}
END_TEST

START_TEST(test_no_reply_buffer)
{
	uint32_t len;

	bring_up();
	begin(P9_TVERSION);
	p9_put_u32(&e, 8192);
	p9_put_str(&e, "9P2000.L", 8);
	msg[0] = e.off;
	/* A chain with no writable part costs the guest that request. */
	len = rpc(msg, e.off, 4096, 4096, 0);
	ck_assert_uint_eq(len, 0);
	/* The device goes on. */
	ck_assert_uint_eq(send(4096, 4096, 4096), P9_RVERSION);
}
END_TEST

/* More requests than the queue has slots, one after another: each
 * reply frees its slot for the next (slots are taken lazily and reused,
 * so a slot lost on the way would stall the 129th request). */
START_TEST(test_more_requests_than_slots)
{
	bring_up();
	for (int i = 0; i < 3 * QSZ; i++) {
		begin(200);
		ck_assert_uint_eq(send(4096, 4096, 4096), P9_RLERROR);
	}
}
END_TEST

START_TEST(test_parse_share)
{
	struct virtio_9p_share s;
	char err[128];

	ck_assert_int_eq(virtio_9p_parse_share("vol=/srv/x,ro", &s, err,
					       sizeof(err)), 0);
	ck_assert_str_eq(s.tag, "vol");
	ck_assert_str_eq(s.path, "/srv/x");
	ck_assert(s.ro);
	free(s.path);
	ck_assert_int_eq(virtio_9p_parse_share("vol=/a=b", &s, err,
					       sizeof(err)), 0);
	ck_assert_str_eq(s.path, "/a=b");
	ck_assert(!s.ro);
	free(s.path);
	ck_assert_int_eq(virtio_9p_parse_share("/srv/x", &s, err,
					       sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "TAG=PATH"));
	ck_assert_int_eq(virtio_9p_parse_share("=/x", &s, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(virtio_9p_parse_share("t=,ro", &s, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(virtio_9p_parse_share(
		"a234567890123456789012345678901234567890123456789012345678901234567890=/x",
		&s, err, sizeof(err)), -EINVAL);
}
END_TEST

static Suite *virtio_9p_suite(void)
{
	Suite *s = suite_create("virtio_9p");
	TCase *tc = tcase_create("device");
	TCase *tp = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_mount_tag);
	tcase_add_test(tc, test_requests);
	tcase_add_test(tc, test_no_reply_buffer);
	tcase_add_test(tc, test_more_requests_than_slots);
	tcase_add_test(tp, test_parse_share);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tp);
	return s;
}

UNIT_MAIN(virtio_9p_suite)
