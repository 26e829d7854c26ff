/* unit-deps: virtio vmm lib */
/* virtio-net driven like the Linux driver, without KVM, on a real tap in
 * a private network namespace (a user namespace when not root, so no
 * privilege is needed); a packet socket on the tap is the far end. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_packet.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/net.h"
#include "devices/virtio/pci.h"
#include "lib/log.h"
#include "lib/tap.h"
#include "tests/unit/unit.h"
#include "vmm/vm.h"

#define QSZ	128
#define RING(q)	(0x1000 + (q) * 0x8000)	/* desc, then avail, then used */
#define AVAIL(q) (RING(q) + 0x2000)
#define USED(q)	(RING(q) + 0x3000)
#define RXBUF	0x20000
#define TXBUF	0x30000
#define ETYPE	0x88b5			/* local experimental ethertype */

static struct vm vm;
static struct virtio_net *dev;
static struct virtio_pci *vp;
static pthread_t loop_thread;
static int pkt = -1;
static bool have_ns;

#include "vbar.h"

static void *run_loop(void *arg)
{
	evloop_run(vm.loop);
	return NULL;
}

static void sysctl0(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		(void)!write(fd, "1", 1);
		close(fd);
	}
}

static void setup(void)
{
	struct virtio_net_opts o;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct timeval tv = { .tv_sec = 30 };
	struct ifreq ifr;
	char err[128];
	int s, fd;

	log_init("t", stderr, false, LOG_ERROR);
	have_ns = unshare(CLONE_NEWNET) == 0 ||
		  unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0;
	if (!have_ns) {
		fprintf(stderr, "net_test: no network namespace, device tests "
			"skipped\n");
		return;
	}
	/* No router solicitations or MLD reports in the way. */
	sysctl0("/proc/sys/net/ipv6/conf/default/disable_ipv6");
	fd = tap_open("kt0", NULL);
	if (fd == -EACCES || fd == -EPERM || fd == -ENOENT) {
		/* /dev/net/tun closed to us: nothing to drive. */
		fprintf(stderr, "net_test: no tap (%s), device tests skipped\n",
			strerror(-fd));
		have_ns = false;
		return;
	}
	ck_assert_int_ge(fd, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "kt0");
	ck_assert_int_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	pkt = socket(AF_PACKET, SOCK_RAW, htons(ETYPE));
	ck_assert_int_ge(pkt, 0);
	sll.sll_protocol = htons(ETYPE);
	sll.sll_ifindex = if_nametoindex("kt0");
	ck_assert_int_eq(bind(pkt, (struct sockaddr *)&sll, sizeof(sll)), 0);
	setsockopt(pkt, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = -1;
	ck_assert_int_eq(guest_mem_init(&vm.mem, 4 << 20), 0);
	ck_assert_int_eq(io_bus_init(&vm.pio), 0);
	ck_assert_int_eq(io_bus_init(&vm.mmio), 0);
	vm.loop = evloop_new();
	ck_assert_ptr_nonnull(vm.loop);
	snprintf(err, sizeof(err), "fd=%d,mac=02:00:00:00:00:01", fd);
	ck_assert_int_eq(virtio_net_parse(err, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(virtio_net_new(&vm, &o, &dev), 0);
	vp = (struct virtio_pci *)dev;	/* the transport comes first */
	ck_assert_int_eq(pthread_create(&loop_thread, NULL, run_loop, NULL), 0);
}

static void teardown(void)
{
	if (!have_ns)
		return;
	evloop_stop(vm.loop);
	pthread_join(loop_thread, NULL);
	virtio_net_free(dev);
	evloop_free(vm.loop);
	io_bus_free(&vm.pio);
	io_bus_free(&vm.mmio);
	guest_mem_free(&vm.mem);
	close(pkt);
}

static void bring_up(void)
{
	uint32_t f = 1U << VIRTIO_NET_F_MAC | 1U << VIRTIO_NET_F_MRG_RXBUF |
		     1U << VIRTIO_NET_F_STATUS;

	wr(0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	wr(0x08, 0, 4);
	wr(0x0c, f, 4);
	wr(0x08, 1, 4);
	wr(0x0c, 1, 4);		/* VERSION_1 */
	wr(0x14, 0x0b, 1);
	for (unsigned int q = 0; q < 2; q++) {
		wr(0x16, q, 2);
		wr(0x18, QSZ, 2);
		wr(0x20, RING(q), 8);
		wr(0x28, AVAIL(q), 8);
		wr(0x30, USED(q), 8);
		wr(0x1c, 1, 2);
	}
	wr(0x14, 0x0f, 1);	/* DRIVER_OK */
	ck_assert(virtio_pci_running(vp));
}

static void set_desc(unsigned int q, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags)
{
	struct vring_desc *d = g(RING(q) + 16 * i, 16);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = i + 1;
}

static void offer(unsigned int q, uint16_t head)
{
	struct vring_avail *a = g(AVAIL(q), 4 + 2 * QSZ);

	a->ring[a->idx % QSZ] = head;
	__atomic_store_n(&a->idx, a->idx + 1, __ATOMIC_RELEASE);
	virtio_pci_lock(vp);
	vp->ops->queue_notify(vp, q);
	virtio_pci_unlock(vp);
}

/* Waits (up to 30 s, never a timing assert) for the used index. */
static struct vring_used *wait_used(unsigned int q, uint16_t idx)
{
	struct vring_used *u = g(USED(q), 4 + 8 * QSZ);

	for (int n = 0; n < 30000 &&
	     __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) != idx; n++)
		usleep(1000);
	ck_assert_uint_eq(u->idx, idx);
	return u;
}

static void frame(uint8_t *f, size_t len, uint8_t fill)
{
	memset(f, 0xff, 6);					/* dst */
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);		/* src */
	f[12] = ETYPE >> 8;
	f[13] = ETYPE & 0xff;
	memset(f + 14, fill, len - 14);
}

START_TEST(test_config_mac_and_status)
{
	uint64_t v = 0;

	if (!have_ns)
		return;
	virtio_pci_bar_access(vp, VIRTIO_PCI_DEVCFG_OFF, &v, 4, false);
	ck_assert_uint_eq(v, 0x00000002);
	v = 0;
	virtio_pci_bar_access(vp, VIRTIO_PCI_DEVCFG_OFF + 6, &v, 2, false);
	ck_assert_uint_eq(v, VIRTIO_NET_S_LINK_UP);
}
END_TEST

START_TEST(test_tx_split_chain)
{
	uint8_t *buf, got[256];
	struct vring_used *u;
	ssize_t n;

	if (!have_ns)
		return;
	bring_up();
	buf = g(TXBUF, 12 + 100);
	memset(buf, 0, 12);
	frame(buf + 12, 100, 0x5a);
	/* header and 20 bytes in one descriptor, the rest in another */
	set_desc(1, 0, TXBUF, 32, VRING_DESC_F_NEXT);
	set_desc(1, 1, TXBUF + 32, 80, 0);
	offer(1, 0);
	u = wait_used(1, 1);
	ck_assert_uint_eq(u->ring[0].id, 0);
	n = recv(pkt, got, sizeof(got), 0);
	ck_assert_int_eq(n, 100);
	ck_assert_int_eq(memcmp(got, buf + 12, 100), 0);
}
END_TEST

START_TEST(test_tx_bad_chains_cost_only_themselves)
{
	uint8_t *buf, got[256];
	ssize_t n;

	if (!have_ns)
		return;
	bring_up();
	/* shorter than the header; then a writable one; then a good one */
	set_desc(1, 0, TXBUF, 4, 0);
	offer(1, 0);
	wait_used(1, 1);
	set_desc(1, 1, TXBUF, 64, VRING_DESC_F_WRITE);
	offer(1, 1);
	wait_used(1, 2);
	buf = g(TXBUF, 12 + 60);
	memset(buf, 0, 12);
	frame(buf + 12, 60, 0x11);
	set_desc(1, 2, TXBUF, 72, 0);
	offer(1, 2);
	wait_used(1, 3);
	ck_assert(virtio_pci_running(vp));
	n = recv(pkt, got, sizeof(got), 0);
	ck_assert_int_eq(n, 60);
	ck_assert_uint_eq(got[20], 0x11);
}
END_TEST

START_TEST(test_rx_into_guest_buffers)
{
	uint8_t f[1000];
	struct vring_used *u;
	struct virtio_net_hdr_v1 *h;

	if (!have_ns)
		return;
	bring_up();
	memset(g(RXBUF, 4096), 0xee, 4096);
	set_desc(0, 0, RXBUF, 2048, VRING_DESC_F_WRITE);
	offer(0, 0);
	frame(f, sizeof(f), 0x77);
	ck_assert_int_eq(send(pkt, f, sizeof(f), 0), (ssize_t)sizeof(f));
	u = wait_used(0, 1);
	ck_assert_uint_eq(u->ring[0].id, 0);
	ck_assert_uint_eq(u->ring[0].len, 12 + sizeof(f));
	h = g(RXBUF, 12);
	ck_assert_uint_eq(h->num_buffers, 1);
	ck_assert_int_eq(memcmp(g(RXBUF + 12, sizeof(f)), f, sizeof(f)), 0);
}
END_TEST

START_TEST(test_rx_merged_buffers)
{
	uint8_t f[1400];
	struct vring_used *u;
	struct virtio_net_hdr_v1 *h;

	if (!have_ns)
		return;
	bring_up();
	/* three 512-byte buffers: the frame needs all of them */
	for (int i = 0; i < 3; i++) {
		set_desc(0, i, RXBUF + 512 * i, 512, VRING_DESC_F_WRITE);
		offer(0, i);
	}
	frame(f, sizeof(f), 0x33);
	ck_assert_int_eq(send(pkt, f, sizeof(f), 0), (ssize_t)sizeof(f));
	u = wait_used(0, 3);
	h = g(RXBUF, 12);
	ck_assert_uint_eq(h->num_buffers, 3);
	ck_assert_uint_eq(u->ring[0].len + u->ring[1].len + u->ring[2].len,
			  12 + sizeof(f));
	/* the buffers are contiguous here, so the frame reads straight */
	ck_assert_int_eq(memcmp(g(RXBUF + 12, sizeof(f)), f, sizeof(f)), 0);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("virtio-net");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_config_mac_and_status);
	tcase_add_test(tc, test_tx_split_chain);
	tcase_add_test(tc, test_tx_bad_chains_cost_only_themselves);
	tcase_add_test(tc, test_rx_into_guest_buffers);
	tcase_add_test(tc, test_rx_merged_buffers);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(net_suite)
