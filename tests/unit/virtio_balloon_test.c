/* unit-deps: virtio vmm p9 proxy lib */
/* The virtio-balloon device driven like the Linux driver, without KVM:
 * features and config, free page reports that drop pages (mincore says
 * they left, they read back zero, their neighbours keep their bytes),
 * and the reports a hostile guest could make, which drop nothing. */
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/balloon.h"
#include "devices/virtio/pci.h"
#include "lib/log.h"
#include "tests/unit/unit.h"
#include "vmm/vm.h"

#define MEM	(8ULL << 20)
#define QSZ	128
#define RING(q)	(0x1000 + 0x2000 * (uint64_t)(q))	/* desc, avail, used */
#define PAGE	4096ULL
#define FILL	0x5a
#define DATA	(1ULL << 20)	/* the rings sit below, the pages above */

static struct vm vm;
static struct virtio_balloon *dev;
static struct virtio_pci *vp;
static uint16_t next_desc[BALLOON_NR_QUEUES];

#include "vbar.h"

static void setup(void)
{
	log_init("t", stderr, false, LOG_ERROR);
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = -1;
	ck_assert_int_eq(guest_mem_init(&vm.mem, MEM), 0);
	ck_assert_int_eq(io_bus_init(&vm.pio), 0);
	ck_assert_int_eq(io_bus_init(&vm.mmio), 0);
	vm.loop = evloop_new();
	ck_assert_ptr_nonnull(vm.loop);
	/* Not realized: without KVM there is no bus; kicks go straight to
	 * queue_notify as the transport's on_kick would. */
	ck_assert_int_eq(virtio_balloon_new(&vm, &dev), 0);
	vp = (struct virtio_pci *)dev;	/* the transport comes first */
	memset(next_desc, 0, sizeof(next_desc));
}

static void teardown(void)
{
	virtio_balloon_free(dev);
	evloop_free(vm.loop);
	io_bus_free(&vm.pio);
	io_bus_free(&vm.mmio);
	guest_mem_free(&vm.mem);
}

static void bring_up(void)
{
	unsigned int q;

	wr(0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	wr(0x08, 0, 4);
	wr(0x0c, 1U << VIRTIO_BALLOON_F_REPORTING, 4);
	wr(0x08, 1, 4);
	wr(0x0c, 1, 4);		/* VERSION_1 */
	wr(0x14, 0x0b, 1);
	ck_assert_uint_eq(rd(0x14, 1), 0x0b);	/* FEATURES_OK stuck */
	for (q = 0; q < BALLOON_NR_QUEUES; q++) {
		wr(0x16, q, 2);
		wr(0x18, QSZ, 2);
		wr(0x20, RING(q), 8);
		wr(0x28, RING(q) + 16 * QSZ, 8);
		wr(0x30, RING(q) + 16 * QSZ + 0x200, 8);
		wr(0x1c, 1, 2);
	}
	wr(0x14, 0x0f, 1);	/* DRIVER_OK */
	ck_assert(virtio_pci_running(vp));
}

struct range {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags;		/* VRING_DESC_F_WRITE, as the driver sets */
};

/* Offers one chain of n ranges on queue q and kicks it; returns the used
 * length after checking the chain came back. */
static uint32_t offer(unsigned int q, const struct range *r, unsigned int n)
{
	struct vring_desc *desc = (void *)g(RING(q), 16 * QSZ);
	struct vring_avail *a = (void *)g(RING(q) + 16 * QSZ, 4 + 2 * QSZ);
	struct vring_used *u = (void *)g(RING(q) + 16 * QSZ + 0x200,
					 4 + 8 * QSZ);
	uint16_t head = next_desc[q], before = u->idx;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vring_desc *d = &desc[(head + i) % QSZ];

		d->addr = r[i].gpa;
		d->len = r[i].len;
		d->flags = r[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0);
		d->next = (head + i + 1) % QSZ;
	}
	next_desc[q] = (head + n) % QSZ;
	a->ring[a->idx % QSZ] = head;
	__atomic_store_n(&a->idx, a->idx + 1, __ATOMIC_RELEASE);
	virtio_pci_lock(vp);
	vp->ops->queue_notify(vp, q);
	virtio_pci_unlock(vp);
	ck_assert_uint_eq(u->idx, (uint16_t)(before + 1));
	ck_assert_uint_eq(u->ring[before % QSZ].id, head);
	return u->ring[before % QSZ].len;
}

/* Touches [gpa, gpa + len) with FILL. */
static void fill(uint64_t gpa, uint64_t len)
{
	memset(g(gpa, len), FILL, len);
}

/* Whether every host page of [gpa, gpa + len) is resident. */
static bool resident(uint64_t gpa, uint64_t len)
{
	unsigned char vec[MEM / PAGE];
	uint64_t i;

	ck_assert_int_eq(mincore(g(gpa, len), len, vec), 0);
	for (i = 0; i < len / PAGE; i++)
		if (!(vec[i] & 1))
			return false;
	return true;
}

static uint64_t discarded(void)
{
	uint64_t d, r;

	virtio_balloon_counts(dev, &d, &r);
	return d;
}

static uint64_t refusals(void)
{
	uint64_t d, r;

	virtio_balloon_counts(dev, &d, &r);
	return r;
}

static bool all(uint64_t gpa, uint64_t len, uint8_t v)
{
	const uint8_t *p = g(gpa, len);
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

START_TEST(test_features_and_config)
{
	uint32_t v = 1234;

	wr(0x00, 0, 4);
	ck_assert_uint_eq(rd(0x04, 4) & (1U << VIRTIO_BALLOON_F_REPORTING),
			  1U << VIRTIO_BALLOON_F_REPORTING);
	/* No stats queue, no hinting, no poison, no deflate-on-OOM: those
	 * would change the queue numbering or promise what is not done. */
	ck_assert_uint_eq(rd(0x04, 4) & ((1U << VIRTIO_BALLOON_F_STATS_VQ) |
					 (1U << VIRTIO_BALLOON_F_FREE_PAGE_HINT) |
					 (1U << VIRTIO_BALLOON_F_PAGE_POISON) |
					 (1U << VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |
					 (1U << VIRTIO_BALLOON_F_MUST_TELL_HOST)), 0);
	ck_assert_uint_eq(rd(0x12, 2), BALLOON_NR_QUEUES);
	bring_up();
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF +
			     offsetof(struct virtio_balloon_config, num_pages),
			     4), 0);
	wr(VIRTIO_PCI_DEVCFG_OFF + offsetof(struct virtio_balloon_config, actual),
	   v, 4);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF +
			     offsetof(struct virtio_balloon_config, actual), 4),
			  v);
	/* num_pages is the device's: a driver write does not stick. */
	wr(VIRTIO_PCI_DEVCFG_OFF, 99, 4);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF, 4), 0);
}
END_TEST

START_TEST(test_report_drops_pages)
{
	const struct range r[] = {
		{ 2 << 20, 2 << 20, VRING_DESC_F_WRITE },
		{ 5 << 20, 16 * PAGE, VRING_DESC_F_WRITE },
	};

	bring_up();
	fill(1 << 20, 6 << 20);
	ck_assert(resident(2 << 20, 2 << 20));
	ck_assert_uint_eq(offer(BALLOON_REPORTQ, r, 2), 0);
	ck_assert(!resident(2 << 20, 2 << 20));
	ck_assert(!resident(5 << 20, 16 * PAGE));
	ck_assert(all(2 << 20, 2 << 20, 0));
	ck_assert(all(5 << 20, 16 * PAGE, 0));
	/* The neighbours keep their bytes. */
	ck_assert(all((2 << 20) - PAGE, PAGE, FILL));
	ck_assert(all(4 << 20, 1 << 20, FILL));
	ck_assert(all((5 << 20) + 16 * PAGE, PAGE, FILL));
	ck_assert_uint_eq(discarded(), (2 << 20) + 16 * PAGE);
	ck_assert_uint_eq(refusals(), 0);
	/* The guest uses the pages again: ordinary memory. */
	fill(2 << 20, PAGE);
	ck_assert(all(2 << 20, PAGE, FILL));
}
END_TEST

/* Each report here must drop nothing and still come back (used len 0);
 * whether the walker or the device refused it does not matter. */
static void refused(const struct range *r, unsigned int n)
{
	ck_assert_uint_eq(offer(BALLOON_REPORTQ, r, n), 0);
	ck_assert_uint_eq(discarded(), 0);
	ck_assert(all(DATA, MEM - DATA, FILL));
	ck_assert(virtio_pci_running(vp));
}

START_TEST(test_hostile_reports)
{
	const uint16_t W = VRING_DESC_F_WRITE;
	const struct range past_end[] = { { MEM, PAGE, W } };
	const struct range straddle[] = { { MEM - PAGE, 2 * PAGE, W } };
	const struct range overflow[] = { { UINT64_MAX - PAGE + 1, 2 * PAGE, W } };
	const struct range in_hole[] = { { MEM_HOLE_START, PAGE, W } };
	const struct range bad_addr[] = { { DATA + 512, PAGE, W } };
	const struct range bad_len[] = { { DATA, PAGE + 1, W } };
	const struct range short_len[] = { { DATA, 512, W } };
	const struct range readable[] = { { DATA, PAGE, 0 } };
	/* A good range does not survive with a bad one in the same report. */
	const struct range mixed[] = { { 2 << 20, 2 << 20, W },
				       { MEM - PAGE, 2 * PAGE, W } };
	const struct range mixed_align[] = { { 2 << 20, 2 << 20, W },
					     { DATA + 3 * PAGE, 100, W } };

	bring_up();
	fill(DATA, MEM - DATA);
	refused(past_end, 1);
	refused(straddle, 1);
	refused(overflow, 1);
	refused(in_hole, 1);
	refused(mixed, 2);
	ck_assert_uint_eq(refusals(), 0);	/* the walker's */
	refused(bad_addr, 1);
	refused(bad_len, 1);
	refused(short_len, 1);
	refused(readable, 1);
	refused(mixed_align, 2);
	ck_assert_uint_eq(refusals(), 5);
}
END_TEST

START_TEST(test_empty_report)
{
	const struct range empty[] = { { 2 << 20, 0, VRING_DESC_F_WRITE } };

	bring_up();
	fill(DATA, MEM - DATA);
	ck_assert_uint_eq(offer(BALLOON_REPORTQ, empty, 1), 0);
	ck_assert(all(DATA, MEM - DATA, FILL));
	ck_assert_uint_eq(discarded(), 0);
	ck_assert_uint_eq(refusals(), 0);
}
END_TEST

/* Inflate and deflate buffers (PFN arrays) come back untouched, and
 * neither the array nor the pages it names are dropped. */
START_TEST(test_inflate_deflate_completed)
{
	const struct range pfns[] = { { 6 << 20, 8, 0 } };
	uint32_t *a;

	bring_up();
	fill(DATA, MEM - DATA);
	a = (uint32_t *)g(6 << 20, 8);
	a[0] = (2 << 20) / PAGE;
	a[1] = (3 << 20) / PAGE;
	ck_assert_uint_eq(offer(BALLOON_INFLATEQ, pfns, 1), 0);
	ck_assert_uint_eq(offer(BALLOON_DEFLATEQ, pfns, 1), 0);
	ck_assert_uint_eq(a[0], (2 << 20) / PAGE);
	ck_assert(all(2 << 20, 2 << 20, FILL));
	ck_assert_uint_eq(discarded(), 0);
}
END_TEST

static Suite *virtio_balloon_suite(void)
{
	Suite *s = suite_create("virtio_balloon");
	TCase *tc = tcase_create("device");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_features_and_config);
	tcase_add_test(tc, test_report_drops_pages);
	tcase_add_test(tc, test_hostile_reports);
	tcase_add_test(tc, test_empty_report);
	tcase_add_test(tc, test_inflate_deflate_completed);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(virtio_balloon_suite)
