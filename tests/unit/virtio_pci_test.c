/* unit-deps: virtio vmm p9 proxy lib */
/* The virtio-pci transport driven like a driver would, without KVM
 * (vm_fd < 0): config space, BAR registers, status, MSI-X. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/pci.h"
#include "lib/log.h"
#include "tests/unit/unit.h"
#include "vmm/vm.h"

#define NQ	2
#define QSZ	16

static struct vm vm;
static struct virtio_pci vp;
static int starts, resets, notified[NQ];

static void cfg_read(struct virtio_pci *d, uint32_t off, void *data,
		     uint32_t len)
{
	memset(data, 0xa0 + off, len);
}

static int start(struct virtio_pci *d)
{
	starts++;
	return 0;
}

static void reset(struct virtio_pci *d)
{
	resets++;
}

static void queue_notify(struct virtio_pci *d, unsigned int q)
{
	ck_assert_uint_lt(q, NQ);
	notified[q]++;
}

static const struct virtio_ops ops = {
	.features = 1ULL << 3,
	.queue_notify = queue_notify,
	.config_size = 8,
	.config_read = cfg_read,
	.start = start,
	.reset = reset,
};

static uint64_t rd(uint64_t off, uint32_t len)
{
	uint64_t v = 0;

	virtio_pci_bar_access(&vp, off, &v, len, false);
	return v;
}

static void wr(uint64_t off, uint64_t v, uint32_t len)
{
	virtio_pci_bar_access(&vp, off, &v, len, true);
}

/* A config-space write as the PCI bus delivers it. */
static void cfg_wr(uint32_t off, const void *data, uint32_t len)
{
	memcpy(vp.pci.cfg + off, data, len);
	vp.pci.cfg_write(&vp.pci, off, len);
}

static int find_cap(uint8_t id, uint8_t vtype)
{
	unsigned int off = vp.pci.cfg[0x34], n = 0;

	while (off && n++ < 48) {
		if (vp.pci.cfg[off] == id &&
		    (id != 0x09 || vp.pci.cfg[off + 3] == vtype))
			return off;
		off = vp.pci.cfg[off + 1];
	}
	return -1;
}

static void setup(void)
{
	log_init("t", stderr, false, LOG_ERROR);
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = -1;
	ck_assert_int_eq(guest_mem_init(&vm.mem, 1 << 20), 0);
	starts = resets = 0;
	memset(notified, 0, sizeof(notified));
	ck_assert_int_eq(virtio_pci_init(&vp, &vm, 3, 0x078000, NQ, QSZ, &ops,
					 NULL), 0);
}

static void teardown(void)
{
	virtio_pci_free(&vp);
	guest_mem_free(&vm.mem);
}

/* Up to FEATURES_OK with VERSION_1 and EVENT_IDX, queue 0 enabled. */
static void bring_up(void)
{
	wr(0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	wr(0x08, 0, 4);
	wr(0x0c, 1U << VIRTIO_RING_F_EVENT_IDX, 4);
	wr(0x08, 1, 4);
	wr(0x0c, 1, 4);		/* VERSION_1 */
	wr(0x14, 0x0b, 1);
	ck_assert_uint_eq(rd(0x14, 1), 0x0b);
	wr(0x16, 0, 2);
	wr(0x20, 0x1000, 8);
	wr(0x28, 0x2000, 4);	/* 64-bit fields as two halves */
	wr(0x2c, 0, 4);
	wr(0x30, 0x3000, 8);
	wr(0x1c, 1, 2);
	ck_assert(vp.vq[0].ready);
}

START_TEST(test_identity_and_caps)
{
	static const uint8_t types[] = {
		VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_ISR_CFG,
		VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_PCI_CFG,
	};
	unsigned int i;
	int off;

	ck_assert_uint_eq(vp.pci.cfg[0] | vp.pci.cfg[1] << 8, 0x1af4);
	ck_assert_uint_eq(vp.pci.cfg[2] | vp.pci.cfg[3] << 8, 0x1043);
	ck_assert_uint_eq(vp.pci.cfg[8], 1);
	ck_assert_uint_eq(vp.pci.bar[0].size, VIRTIO_PCI_BAR_SIZE);
	for (i = 0; i < sizeof(types); i++) {
		off = find_cap(0x09, types[i]);
		ck_assert_int_gt(off, 0x3f);
		ck_assert_uint_eq(vp.pci.cfg[off + 4], 0);	/* BAR0 */
	}
	/* The notify registers are an I/O BAR, a port per queue. */
	off = find_cap(0x09, VIRTIO_PCI_CAP_NOTIFY_CFG);
	ck_assert_uint_eq(vp.pci.cfg[off + 4], VIRTIO_PCI_NOTIFY_BAR);
	ck_assert_uint_eq(vp.pci.cfg[off + 8], 0);		/* offset */
	ck_assert_uint_eq(vp.pci.cfg[off + 12], NQ * VIRTIO_PCI_NOTIFY_MULT);
	ck_assert_uint_eq(vp.pci.cfg[off + 16], VIRTIO_PCI_NOTIFY_MULT);
	ck_assert(vp.pci.bar[VIRTIO_PCI_NOTIFY_BAR].io);
	ck_assert_uint_ge(vp.pci.bar[VIRTIO_PCI_NOTIFY_BAR].size,
			  NQ * VIRTIO_PCI_NOTIFY_MULT);
	off = find_cap(0x11, 0);
	ck_assert_int_gt(off, 0);
	ck_assert_uint_eq((vp.pci.cfg[off + 2] | vp.pci.cfg[off + 3] << 8) & 0x7ff,
			  NQ);	/* table size - 1 */
}
END_TEST

START_TEST(test_features_and_queues)
{
	wr(0x00, 0, 4);
	ck_assert(rd(0x04, 4) & (1U << VIRTIO_RING_F_EVENT_IDX));
	ck_assert(rd(0x04, 4) & (1U << VIRTIO_RING_F_INDIRECT_DESC));
	ck_assert(rd(0x04, 4) & (1U << 3));
	wr(0x00, 1, 4);
	ck_assert_uint_eq(rd(0x04, 4), 1);	/* VERSION_1 */
	wr(0x00, 7, 4);
	ck_assert_uint_eq(rd(0x04, 4), 0);
	ck_assert_uint_eq(rd(0x12, 2), NQ);
	ck_assert_uint_eq(rd(0x18, 2), QSZ);
	ck_assert_uint_eq(rd(0x1e, 2), 0);
	wr(0x16, 1, 2);
	ck_assert_uint_eq(rd(0x1e, 2), 1);
}
END_TEST

START_TEST(test_bad_queue_select)
{
	wr(0x16, NQ, 2);
	ck_assert_uint_eq(rd(0x18, 2), 0);
	wr(0x20, 0x1000, 8);
	wr(0x18, 4, 2);
	wr(0x1c, 1, 2);
	wr(0x16, 0xffff, 2);
	wr(0x1a, 0, 2);
	ck_assert_uint_eq(rd(0x1a, 2), 0);
	wr(0x16, 0, 2);
	ck_assert_uint_eq(rd(0x18, 2), QSZ);
	ck_assert_uint_eq(rd(0x20, 8), 0);
	ck_assert(!vp.vq[0].ready && !vp.vq[1].ready);
}
END_TEST

START_TEST(test_feature_negotiation)
{
	wr(0x14, 3, 1);
	wr(0x08, 0, 4);
	wr(0x0c, 1U << 5, 4);	/* not offered */
	wr(0x08, 1, 4);
	wr(0x0c, 1, 4);
	wr(0x14, 0x0b, 1);
	ck_assert_uint_eq(rd(0x14, 1), 3);
	wr(0x08, 0, 4);
	wr(0x0c, 0, 4);
	wr(0x08, 1, 4);
	wr(0x0c, 0, 4);		/* no VERSION_1 */
	wr(0x14, 0x0b, 1);
	ck_assert_uint_eq(rd(0x14, 1), 3);
	wr(0x0c, 1, 4);
	wr(0x14, 0x0b, 1);
	ck_assert_uint_eq(rd(0x14, 1), 0x0b);
	/* Clearing bits is refused. */
	wr(0x14, 0x03, 1);
	ck_assert_uint_eq(rd(0x14, 1), 0x0b);
}
END_TEST

/* A guest_feature_select past the two words is ignored, not used as a
 * shift count (tests/fuzz/crashes/virtio_pci/: UBSan stopped the VMM). */
START_TEST(test_feature_select_out_of_range)
{
	wr(0x08, 0, 4);
	wr(0x0c, 1U << VIRTIO_RING_F_EVENT_IDX, 4);
	wr(0x08, 0x70000, 4);
	ck_assert_uint_eq(rd(0x08, 4), 0x70000);
	wr(0x0c, 0xffffffff, 4);
	ck_assert_uint_eq(rd(0x0c, 4), 0);
	wr(0x08, 2, 4);
	wr(0x0c, 0xffffffff, 4);
	ck_assert_uint_eq(vp.driver_features, 1ULL << VIRTIO_RING_F_EVENT_IDX);
	wr(0x08, 0, 4);
	ck_assert_uint_eq(rd(0x0c, 4), 1U << VIRTIO_RING_F_EVENT_IDX);
}
END_TEST

START_TEST(test_status_reset_reinit)
{
	bring_up();
	wr(0x14, 0x0f, 1);
	ck_assert_int_eq(starts, 1);
	ck_assert(virtio_pci_running(&vp));
	wr(0x16, 0, 2);
	wr(0x20, 0x5000, 8);	/* ignored while enabled */
	ck_assert_uint_eq(rd(0x20, 8), 0x1000);
	wr(0x14, 0, 1);
	ck_assert_int_eq(resets, 1);
	ck_assert_uint_eq(rd(0x14, 1), 0);
	ck_assert(!vp.vq[0].ready);
	ck_assert_uint_eq(rd(0x20, 8), 0);
	ck_assert_uint_eq(rd(0x18, 2), QSZ);
	/* The driver loads again. */
	bring_up();
	wr(0x14, 0x0f, 1);
	ck_assert_int_eq(starts, 2);
	ck_assert(virtio_pci_running(&vp));
}
END_TEST

START_TEST(test_bad_ring_needs_reset)
{
	bring_up();
	wr(0x16, 1, 2);
	wr(0x18, 12, 2);	/* not a power of two */
	wr(0x1c, 1, 2);
	ck_assert(!vp.vq[1].ready);
	ck_assert(rd(0x14, 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
	wr(0x14, 0, 1);
	ck_assert_uint_eq(rd(0x14, 1), 0);
	bring_up();
	wr(0x16, 1, 2);
	wr(0x18, 8, 2);
	wr(0x20, (1 << 20) - 64, 8);	/* desc ring runs past RAM */
	wr(0x1c, 1, 2);
	ck_assert(rd(0x14, 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert(!virtio_pci_running(&vp));
}
END_TEST

START_TEST(test_isr_and_device_config)
{
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF + 4, 4), 0xa4a4a4a4);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF + 6, 4), 0);	/* past 8 */
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVCFG_OFF + 0x800, 1), 0);
	virtio_pci_config_changed(&vp);
	ck_assert_uint_eq(rd(0x15, 1), 1);	/* config_generation */
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR_OFF, 1), 0);
	/* Accesses outside the BAR or wider than 8 bytes. */
	ck_assert_uint_eq(rd(VIRTIO_PCI_BAR_SIZE - 2, 4), 0xffffffff);
	wr(VIRTIO_PCI_BAR_SIZE + 8, 1, 4);
}
END_TEST

START_TEST(test_msix_vectors)
{
	int off = find_cap(0x11, 0), fd = virtio_pci_vector_fd(&vp, 0);
	uint8_t ctl;
	eventfd_t n;

	wr(0x10, 0, 2);
	ck_assert_uint_eq(rd(0x10, 2), 0);
	wr(0x10, NQ + 1, 2);	/* past the table */
	ck_assert_uint_eq(rd(0x10, 2), 0xffff);
	wr(0x10, 0, 2);
	/* MSI-X disabled: pending only. */
	virtio_pci_config_changed(&vp);
	ck_assert_int_eq(eventfd_read(fd, &n), -1);
	ck_assert_uint_eq(rd(VIRTIO_PCI_PBA_OFF, 8), 1);
	ctl = 0x80;
	cfg_wr(off + 3, &ctl, 1);
	/* Entry 0 still masked: still pending. */
	ck_assert_int_eq(eventfd_read(fd, &n), -1);
	wr(VIRTIO_PCI_MSIX_OFF, 0xfee00000, 4);
	wr(VIRTIO_PCI_MSIX_OFF + 8, 0x41, 4);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_OFF + 8, 4), 0x41);
	wr(VIRTIO_PCI_MSIX_OFF + 12, 0, 4);	/* unmask: delivered */
	ck_assert_int_eq(eventfd_read(fd, &n), 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_PBA_OFF, 8), 0);
	virtio_pci_config_changed(&vp);
	ck_assert_int_eq(eventfd_read(fd, &n), 0);
	/* Function mask holds it back again. */
	ctl = 0xc0;
	cfg_wr(off + 3, &ctl, 1);
	virtio_pci_config_changed(&vp);
	ck_assert_int_eq(eventfd_read(fd, &n), -1);
	ctl = 0x80;
	cfg_wr(off + 3, &ctl, 1);
	ck_assert_int_eq(eventfd_read(fd, &n), 0);
	/* Writes outside the table and PBA, and across an entry, do nothing. */
	wr(VIRTIO_PCI_MSIX_OFF + 16 * (NQ + 1), 0x1234, 4);
	wr(VIRTIO_PCI_MSIX_OFF + 12, 0xffffffffffffffffULL, 8);
	wr(VIRTIO_PCI_PBA_OFF, 0xff, 8);
	wr(VIRTIO_PCI_BAR_SIZE - 4, 0xff, 4);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_OFF + 12, 4), 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_OFF + 16 * (NQ + 1), 4), 0);
	/* Only the mask bit of vector control is kept. */
	wr(VIRTIO_PCI_MSIX_OFF + 12, 0xfffe, 4);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_OFF + 12, 4), 0);
}
END_TEST

START_TEST(test_readonly_config_space)
{
	int off = find_cap(0x09, VIRTIO_PCI_CAP_COMMON_CFG);
	int mx = find_cap(0x11, 0);
	uint32_t v = 0x12345678;
	uint8_t b = 0xff;

	cfg_wr(off + 8, &v, 4);
	ck_assert_uint_eq(vp.pci.cfg[off + 8], 0);
	cfg_wr(mx + 4, &v, 4);
	ck_assert_uint_eq(vp.pci.cfg[mx + 4], VIRTIO_PCI_MSIX_OFF & 0xff);
	cfg_wr(mx + 3, &b, 1);
	ck_assert_uint_eq(vp.pci.cfg[mx + 3], 0xc0);
}
END_TEST

START_TEST(test_pci_cfg_window)
{
	int off = find_cap(0x09, VIRTIO_PCI_CAP_PCI_CFG);
	uint32_t boff = 0x12, blen = 2, data;
	uint8_t bar = 0;

	cfg_wr(off + 4, &bar, 1);
	cfg_wr(off + 12, &blen, 4);
	cfg_wr(off + 8, &boff, 4);	/* num_queues */
	memcpy(&data, vp.pci.cfg + off + 16, 4);
	ck_assert_uint_eq(data & 0xffff, NQ);
	/* Write through the window: queue_select = 1. */
	boff = 0x16;
	cfg_wr(off + 8, &boff, 4);
	data = 1;
	cfg_wr(off + 16, &data, 2);
	ck_assert_uint_eq(vp.queue_select, 1);
	/* Out of range window: nothing happens. */
	boff = VIRTIO_PCI_BAR_SIZE;
	cfg_wr(off + 8, &boff, 4);
	cfg_wr(off + 16, &data, 2);
	ck_assert_uint_eq(vp.queue_select, 1);
}
END_TEST

START_TEST(test_pci_cfg_window_notify)
{
	int off = find_cap(0x09, VIRTIO_PCI_CAP_PCI_CFG);
	uint32_t boff = VIRTIO_PCI_NOTIFY_MULT, blen = 2, data = 1;
	uint8_t bar = VIRTIO_PCI_NOTIFY_BAR;
	eventfd_t n;

	/* Queue 1's port through the window: a kick. */
	cfg_wr(off + 4, &bar, 1);
	cfg_wr(off + 12, &blen, 4);
	cfg_wr(off + 8, &boff, 4);
	memcpy(&data, vp.pci.cfg + off + 16, 4);
	ck_assert_uint_eq(data, 0);
	data = 1;
	cfg_wr(off + 16, &data, 2);
	ck_assert_int_eq(eventfd_read(vp.qfd[1].fd, &n), 0);
	/* Past the last queue's port, and other BARs: nothing. */
	boff = NQ * VIRTIO_PCI_NOTIFY_MULT;
	cfg_wr(off + 8, &boff, 4);
	cfg_wr(off + 16, &data, 2);
	bar = 4;
	boff = 0;
	cfg_wr(off + 4, &bar, 1);
	cfg_wr(off + 8, &boff, 4);
	cfg_wr(off + 16, &data, 2);
	ck_assert_int_eq(eventfd_read(vp.qfd[0].fd, &n), -1);
	ck_assert_int_eq(eventfd_read(vp.qfd[1].fd, &n), -1);
}
END_TEST

/* A kick no ioeventfd caught: the port (2 bytes at 2q) names the queue. */
static void kick(uint64_t off, uint64_t v, uint32_t len)
{
	virtio_pci_notify_access(&vp, off, &v, len, true);
}

START_TEST(test_notify_without_kvm)
{
	eventfd_t n;
	uint64_t v = ~0ULL;

	kick(1 * VIRTIO_PCI_NOTIFY_MULT, 1, 2);
	ck_assert_int_eq(eventfd_read(vp.qfd[1].fd, &n), 0);
	/* The port decides, not the value. */
	kick(0, 1, 2);
	ck_assert_int_eq(eventfd_read(vp.qfd[0].fd, &n), 0);
	ck_assert_int_eq(eventfd_read(vp.qfd[1].fd, &n), -1);
	/* No such queue, odd ports, other widths: nothing. */
	kick(40 * VIRTIO_PCI_NOTIFY_MULT, 40, 2);
	kick(NQ * VIRTIO_PCI_NOTIFY_MULT, NQ, 2);
	kick(1, 0, 2);
	kick(0, 0, 1);
	kick(0, 0, 4);
	kick(~0ULL - 1, 0, 2);
	ck_assert_int_eq(eventfd_read(vp.qfd[0].fd, &n), -1);
	ck_assert_int_eq(eventfd_read(vp.qfd[1].fd, &n), -1);
	/* Reads are zero. */
	virtio_pci_notify_access(&vp, 0, &v, 2, false);
	ck_assert_uint_eq(v & 0xffff, 0);
}
END_TEST

/* virtio_pci_look_later: one timer for the device, the queues it was
 * asked for looked at once it fires, and only those that can be. */
START_TEST(test_look_later)
{
	struct pollfd pfd;
	uint64_t n;

	bring_up();
	wr(0x14, 0x0f, 1);			/* DRIVER_OK */
	ck_assert(virtio_pci_running(&vp));
	virtio_pci_look_later(&vp, 0, 1000);
	virtio_pci_look_later(&vp, 1, 1000000);	/* the earlier one stands */
	virtio_pci_look_later(&vp, NQ, 10);	/* no such queue: ignored */
	ck_assert_uint_eq(vp.later_queues, 3);
	pfd = (struct pollfd){ .fd = vp.later_fd, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 500), 1);	/* 1 ms, not 1 s */
	ck_assert_int_eq(read(vp.later_fd, &n, sizeof(n)), sizeof(n));
	virtio_pci_look_now(&vp);
	ck_assert_int_eq(notified[0], 1);
	ck_assert_int_eq(notified[1], 0);	/* never enabled */
	ck_assert_uint_eq(vp.later_queues, 0);
	virtio_pci_look_now(&vp);		/* nothing asked: nothing */
	ck_assert_int_eq(notified[0], 1);
	/* A look asked for before a reset finds nothing to look at. */
	virtio_pci_look_later(&vp, 0, 1000);
	wr(0x14, 0, 1);
	virtio_pci_look_now(&vp);
	ck_assert_int_eq(notified[0], 1);
}
END_TEST

START_TEST(test_init_checks)
{
	struct virtio_pci x;

	ck_assert_int_eq(virtio_pci_init(&x, &vm, 3, 0, 0, QSZ, &ops, NULL), -EINVAL);
	ck_assert_int_eq(virtio_pci_init(&x, &vm, 3, 0, 1, 12, &ops, NULL), -EINVAL);
	ck_assert_int_eq(virtio_pci_init(&x, &vm, 3, 0, VIRTIO_PCI_MAX_QUEUES + 1,
					 QSZ, &ops, NULL), -EINVAL);
}
END_TEST

static Suite *virtio_pci_suite(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity_and_caps);
	tcase_add_test(tc, test_features_and_queues);
	tcase_add_test(tc, test_pci_cfg_window_notify);
	tcase_add_test(tc, test_bad_queue_select);
	tcase_add_test(tc, test_feature_negotiation);
	tcase_add_test(tc, test_feature_select_out_of_range);
	tcase_add_test(tc, test_status_reset_reinit);
	tcase_add_test(tc, test_bad_ring_needs_reset);
	tcase_add_test(tc, test_isr_and_device_config);
	tcase_add_test(tc, test_msix_vectors);
	tcase_add_test(tc, test_readonly_config_space);
	tcase_add_test(tc, test_pci_cfg_window);
	tcase_add_test(tc, test_notify_without_kvm);
	tcase_add_test(tc, test_init_checks);
	tcase_add_test(tc, test_look_later);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(virtio_pci_suite)
