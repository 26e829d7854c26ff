/*
 * A hostile virtio driver, run as root inside a kvmc guest (faults.bats):
 *   vq-attack [SYSFS]
 * takes the guest's virtio-net function away from its driver (unbind),
 * maps its BAR0 through SYSFS/bus/pci/devices/ADDR/resource0, kicks through
 * its notify ports (the I/O BAR2, written through resource2) and drives
 * the virtio-pci common config itself, with rings in a locked page whose
 * physical address comes from /proc/self/pagemap.  On the transmit queue
 * it posts descriptor loops, buffers outside guest RAM or whose end
 * wraps, nested and looping indirect tables, readable after writable,
 * then an avail index far ahead, a head past the queue and rings outside
 * RAM; it writes garbage to the MSI-X table, the PBA and past them.
 *
 * What the host must do, and what this checks from the guest side: a bad
 * chain comes back in the used ring with length 0 and the queue goes on
 * (a valid frame after it is taken too); a broken ring sets
 * DEVICE_NEEDS_RESET, and after a reset the device works again; MSI-X
 * entries keep only their mask bit, vectors out of range read back as
 * NO_VECTOR.  The host's own side (its log, that it lives, the other
 * devices) is the test's to check.
 *
 * One line per check, "VQ ok NAME" or "VQ FAIL NAME: why", then
 * "VQ-END pass=N fail=N"; exit 0 when nothing failed.  SYSFS (default
 * /tmp/vq-sys) is where a writable sysfs is mounted (the container's
 * /sys is read-only).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#define BAR_SIZE	0x8000
#define NOTIFY_MULT	2	/* queue q's notify port: BAR2 + 2q */
#define MSIX_OFF	0x4000
#define PBA_OFF		0x5000
#define TXQ		1
#define QSIZE		16
#define FRAME_LEN	(12 + 60)	/* virtio-net header + a minimal frame */
#define WAIT_MS		10000

/* Common config (virtio 1.x, struct virtio_pci_common_cfg). */
#define C_DFSELECT	0x00
#define C_GFSELECT	0x08
#define C_GF		0x0c
#define C_MSIX_CONFIG	0x10
#define C_NUM_QUEUES	0x12
#define C_STATUS	0x14
#define C_QSELECT	0x16
#define C_QSIZE		0x18
#define C_QVECTOR	0x1a
#define C_QENABLE	0x1c
#define C_QDESC		0x20
#define C_QAVAIL	0x28
#define C_QUSED		0x30

/* Layout of the one locked page: rings, indirect tables, one frame. */
#define P_DESC		0x000
#define P_AVAIL		0x100
#define P_USED		0x200
#define P_IND1		0x400
#define P_IND2		0x480
#define P_IND3		0x500
#define P_FRAME		0x800

static volatile uint8_t *bar;
static uint8_t *page;
static uint64_t page_pa;
static uint16_t avail_idx, used_seen;
static int cfg_fd = -1;
static int notify_fd = -1;	/* resource2: pwrite of 2 bytes = outw */
static int passed, failed;

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		printf("VQ ok %s\n", name);
	} else {
		failed++;
		printf("VQ FAIL %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
	fflush(stdout);
}

static void die(const char *what)
{
	printf("VQ FAIL setup: %s: %s\nVQ-END pass=%d fail=%d\n", what,
	       strerror(errno), passed, failed + 1);
	exit(1);
}

static uint8_t r8(unsigned int off) { return bar[off]; }
static uint16_t r16(unsigned int off) { return *(volatile uint16_t *)(bar + off); }
static uint32_t r32(unsigned int off) { return *(volatile uint32_t *)(bar + off); }
static void w8(unsigned int off, uint8_t v) { bar[off] = v; }
static void w16(unsigned int off, uint16_t v) { *(volatile uint16_t *)(bar + off) = v; }
static void w32(unsigned int off, uint32_t v) { *(volatile uint32_t *)(bar + off) = v; }

static void w64(unsigned int off, uint64_t v)
{
	w32(off, (uint32_t)v);
	w32(off + 4, (uint32_t)(v >> 32));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* snprintf into a path buffer; too long a path is a setup failure. */
#define pathf(buf, ...) do { \
	if ((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) >= sizeof(buf)) { \
		errno = ENAMETOOLONG; \
		die(buf); \
	} \
} while (0)

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -1;
	close(fd);
	return ret;
}

static uint32_t read_hex(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return (uint32_t)strtoul(buf, NULL, 16);
}

/* The first virtio-net function (modern id 0x1041) under sysfs, its
 * directory in dir. */
static int find_net(const char *sysfs, char *dir, size_t len)
{
	char base[256], p[512];
	struct dirent *e;
	int ret = -1;
	DIR *d;

	pathf(base, "%s/bus/pci/devices", sysfs);
	d = opendir(base);
	if (!d)
		return -1;
	errno = ENODEV;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		pathf(p, "%s/%s/vendor", base, e->d_name);
		if (read_hex(p) != 0x1af4)
			continue;
		pathf(p, "%s/%s/device", base, e->d_name);
		if (read_hex(p) != 0x1041)
			continue;
		if ((size_t)snprintf(dir, len, "%s/%s", base, e->d_name) < len)
			ret = 0;
		else
			errno = ENAMETOOLONG;
		break;
	}
	closedir(d);
	return ret;
}

/* Physical address of a locked page, from /proc/self/pagemap (root). */
static uint64_t phys_of(void *va)
{
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		die("/proc/self/pagemap");
	if (pread(fd, &ent, 8, (off_t)((uintptr_t)va / 4096) * 8) != 8)
		die("reading /proc/self/pagemap");
	close(fd);
	if (!(ent >> 63) || !(ent & ((1ULL << 55) - 1))) {
		errno = EFAULT;
		die("pagemap: page not present or PFN hidden");
	}
	return (ent & ((1ULL << 55) - 1)) * 4096;
}

static uint8_t cfg_read8(unsigned int off)
{
	uint8_t v = 0;

	if (pread(cfg_fd, &v, 1, off) != 1)
		die("reading PCI config");
	return v;
}

static void cfg_write8(unsigned int off, uint8_t v)
{
	if (pwrite(cfg_fd, &v, 1, off) != 1)
		die("writing PCI config");
}

/* Offset of the MSI-X capability in config space, or 0. */
static unsigned int find_msix(void)
{
	unsigned int p = cfg_read8(0x34), n;

	for (n = 0; p && n < 48; n++) {
		if (cfg_read8(p) == 0x11)
			return p;
		p = cfg_read8(p + 1);
	}
	return 0;
}

static struct vring_desc *desc(unsigned int i)
{
	return (struct vring_desc *)(page + P_DESC) + i;
}

static struct vring_desc *ind(unsigned int table, unsigned int i)
{
	return (struct vring_desc *)(page + table) + i;
}

static void set_desc(struct vring_desc *d, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(page + P_AVAIL);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(page + P_USED);
}

static uint16_t used_idx(void)
{
	return __atomic_load_n(&used()->idx, __ATOMIC_ACQUIRE);
}

static int wait_status(uint8_t bit)
{
	int t;

	for (t = 0; t < WAIT_MS; t += 10) {
		if (r8(C_STATUS) & bit)
			return 1;
		sleep_ms(10);
	}
	return 0;
}

/* Device reset, then a driver with VERSION_1 and INDIRECT_DESC and the
 * transmit queue at desc/avail/used (guest-physical); 0 or what failed. */
static const char *dev_init(uint64_t pdesc, uint64_t pavail, uint64_t pused,
			    uint16_t size)
{
	w8(C_STATUS, 0);
	if (r8(C_STATUS) != 0)
		return "status not 0 after reset";
	memset(page, 0, P_FRAME);
	avail_idx = used_seen = 0;
	w8(C_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	w32(C_GFSELECT, 0);
	w32(C_GF, 1u << VIRTIO_RING_F_INDIRECT_DESC);
	w32(C_GFSELECT, 1);
	w32(C_GF, 1u << (VIRTIO_F_VERSION_1 - 32));
	w8(C_STATUS, r8(C_STATUS) | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(r8(C_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		return "FEATURES_OK refused";
	w16(C_QSELECT, TXQ);
	w16(C_QSIZE, size);
	w16(C_QVECTOR, 1);
	w64(C_QDESC, pdesc);
	w64(C_QAVAIL, pavail);
	w64(C_QUSED, pused);
	w16(C_QENABLE, 1);
	w8(C_STATUS, r8(C_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
	return NULL;
}

static void init_default(const char *name)
{
	const char *why = dev_init(page_pa + P_DESC, page_pa + P_AVAIL,
				   page_pa + P_USED, QSIZE);

	if (why) {
		check(0, name, "%s", why);
		printf("VQ-END pass=%d fail=%d\n", passed, failed);
		exit(1);
	}
}

static void kick(void)
{
	uint16_t q = TXQ;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (pwrite(notify_fd, &q, 2, TXQ * NOTIFY_MULT) != 2)
		die("kick through resource2");
}

/* Makes head available and kicks; 1 when the device returned exactly it,
 * with length 0, within WAIT_MS. */
static int post(uint16_t head, char *why, size_t len)
{
	struct vring_used_elem *e;
	int t;

	avail()->ring[avail_idx % QSIZE] = head;
	__atomic_store_n(&avail()->idx, ++avail_idx, __ATOMIC_RELEASE);
	kick();
	for (t = 0; t < WAIT_MS && used_idx() == used_seen; t += 10)
		sleep_ms(10);
	if (used_idx() != (uint16_t)(used_seen + 1)) {
		snprintf(why, len, "used idx %u, expected %u (status %#x)",
			 used_idx(), used_seen + 1, r8(C_STATUS));
		return 0;
	}
	e = &used()->ring[used_seen % QSIZE];
	used_seen++;
	if (e->id != head || e->len != 0) {
		snprintf(why, len, "used id %u len %u, expected %u and 0",
			 e->id, e->len, head);
		return 0;
	}
	return 1;
}

static void frame(uint16_t head)
{
	uint8_t *f = page + P_FRAME;

	memset(f, 0, FRAME_LEN);
	memset(f + 12, 0xff, 6);		/* broadcast */
	memcpy(f + 18, "\x02\x00\x00\x00\x00\x01", 6);
	f[24] = 0x88;				/* local experimental ethertype */
	f[25] = 0xb5;
	memcpy(f + 26, "kvmc-vq-attack", 14);
	set_desc(desc(head), page_pa + P_FRAME, FRAME_LEN, 0, 0);
}

static void expect_taken(const char *name, uint16_t head)
{
	char why[128] = "";

	check(post(head, why, sizeof(why)), name, "%s", why);
}

/* A bad chain; spaced so that the host's rate limit (10 lines a second
 * per call site) logs every one. */
static void expect_refused(const char *name, uint16_t head)
{
	sleep_ms(150);
	expect_taken(name, head);
}

/* Chains the host must refuse one by one, the queue going on. */
static void bad_chains(void)
{
	uint64_t fa = page_pa + P_FRAME;

	set_desc(desc(1), fa, FRAME_LEN, VRING_DESC_F_NEXT, 2);
	set_desc(desc(2), fa, FRAME_LEN, VRING_DESC_F_NEXT, 1);
	expect_refused("loop-two-descriptors", 1);
	set_desc(desc(3), fa, FRAME_LEN, VRING_DESC_F_NEXT, 3);
	expect_refused("loop-self", 3);
	set_desc(desc(4), 0x7fff00000000ULL, 64, 0, 0);
	expect_refused("buffer-outside-ram", 4);
	set_desc(desc(5), 0xfffffffffffff000ULL, 0x2000, 0, 0);
	expect_refused("buffer-end-wraps", 5);
	set_desc(desc(6), fa, 0xffffffffu, 0, 0);
	expect_refused("length-past-ram", 6);
	set_desc(desc(7), fa, FRAME_LEN, VRING_DESC_F_NEXT, 0xffff);
	expect_refused("next-outside-table", 7);

	set_desc(desc(8), page_pa + P_IND1, 32, VRING_DESC_F_INDIRECT, 0);
	set_desc(ind(P_IND1, 0), page_pa + P_IND2, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(ind(P_IND2, 0), fa, FRAME_LEN, 0, 0);
	expect_refused("indirect-in-indirect", 8);
	set_desc(desc(9), page_pa + P_IND3, 32, VRING_DESC_F_INDIRECT, 0);
	set_desc(ind(P_IND3, 0), fa, FRAME_LEN, VRING_DESC_F_NEXT, 1);
	set_desc(ind(P_IND3, 1), fa, FRAME_LEN, VRING_DESC_F_NEXT, 0);
	expect_refused("indirect-loop", 9);
	set_desc(desc(10), page_pa + P_IND2, 16,
		 VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 0);
	expect_refused("indirect-with-next", 10);
	set_desc(desc(11), page_pa + P_IND2, 17, VRING_DESC_F_INDIRECT, 0);
	expect_refused("indirect-odd-length", 11);
	set_desc(desc(12), 0x7fff00000000ULL, 64, VRING_DESC_F_INDIRECT, 0);
	expect_refused("indirect-outside-ram", 12);
	set_desc(desc(13), fa, FRAME_LEN, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 14);
	set_desc(desc(14), fa, FRAME_LEN, 0, 0);
	expect_refused("readable-after-writable", 13);
}

/* Rings the host must refuse as a whole: DEVICE_NEEDS_RESET. */
static void broken_rings(void)
{
	uint16_t before;

	init_default("reset-before-avail-ahead");
	before = used_idx();
	__atomic_store_n(&avail()->idx, avail_idx + 1000, __ATOMIC_RELEASE);
	kick();
	check(wait_status(VIRTIO_CONFIG_S_NEEDS_RESET) && used_idx() == before,
	      "avail-idx-far-ahead", "status %#x, used idx %u (was %u)",
	      r8(C_STATUS), used_idx(), before);

	init_default("reset-before-head-past-queue");
	avail()->ring[0] = 500;
	__atomic_store_n(&avail()->idx, 1, __ATOMIC_RELEASE);
	kick();
	check(wait_status(VIRTIO_CONFIG_S_NEEDS_RESET) && used_idx() == 0,
	      "head-past-queue", "status %#x, used idx %u", r8(C_STATUS),
	      used_idx());

	dev_init(0x7fff00000000ULL, page_pa + P_AVAIL, page_pa + P_USED, QSIZE);
	check(r8(C_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET, "rings-outside-ram",
	      "status %#x", r8(C_STATUS));
	dev_init(page_pa + P_DESC + 8, page_pa + P_AVAIL, page_pa + P_USED,
		 QSIZE);
	check(r8(C_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET, "rings-misaligned",
	      "status %#x", r8(C_STATUS));
	dev_init(page_pa + P_DESC, page_pa + P_AVAIL, page_pa + P_USED, 12);
	check(r8(C_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET,
	      "queue-size-not-power-of-two", "status %#x", r8(C_STATUS));

	init_default("reset-after-broken-rings");
	frame(0);
	expect_taken("valid-frame-after-reset", 0);
}

/* Garbage in the MSI-X table, the PBA and past them, the vector numbers
 * out of range; interrupts through garbage routes while masking. */
static void msix_abuse(unsigned int cap)
{
	uint16_t nvec = r16(C_NUM_QUEUES) + 1, v;
	uint32_t ctrl_ok = 1;
	unsigned int i, off;
	char why[128] = "";
	int ok = 1;

	w16(C_MSIX_CONFIG, 999);
	w16(C_QSELECT, TXQ);
	w16(C_QVECTOR, 0x1234);
	v = r16(C_QVECTOR);
	check(r16(C_MSIX_CONFIG) == VIRTIO_MSI_NO_VECTOR &&
	      v == VIRTIO_MSI_NO_VECTOR, "vector-out-of-range",
	      "msix_config %#x, queue vector %#x", r16(C_MSIX_CONFIG), v);

	cfg_write8(cap + 3, 0x80);		/* MSI-X enable, not masked */
	for (i = 0; i < nvec; i++) {
		off = MSIX_OFF + 16 * i;
		w32(off, 0xdeadbee0u + i);	/* no such APIC */
		w32(off + 4, 0);			/* xAPIC: no high address bits */
		w32(off + 8, 0xdead0022u);	/* fixed, edge, reserved bits set */
		w32(off + 12, 0xfffffffeu);	/* unmasked, reserved bits set */
		ctrl_ok &= r32(off + 12) == 0;
		w32(off + 12, 0xffffffffu);
		ctrl_ok &= r32(off + 12) == 1;
	}
	check(ctrl_ok, "msix-reserved-bits", "vector control kept more than the mask bit");
	for (off = MSIX_OFF + 16 * nvec; off < PBA_OFF; off += 4)
		w32(off, 0xffffffffu);
	for (off = PBA_OFF; off < PBA_OFF + 64; off += 4)
		w32(off, 0xffffffffu);
	*(volatile uint64_t *)(bar + MSIX_OFF + 8) = ~0ULL;	/* across data and ctrl */
	check(r32(MSIX_OFF + 16 * nvec) == 0 && r32(PBA_OFF + 8) == 0,
	      "msix-past-table-and-pba", "past table %#x, PBA+8 %#x",
	      r32(MSIX_OFF + 16 * nvec), r32(PBA_OFF + 8));

	/* Interrupts through the garbage routes, masked and unmasked. */
	init_default("reset-before-msix-storm");
	for (i = 0; i < nvec; i++)
		w32(MSIX_OFF + 16 * i + 12, 0);
	frame(0);
	for (i = 0; i < 64 && ok; i++) {
		if (i % 8 == 3)
			cfg_write8(cap + 3, 0xc0);	/* function mask */
		if (i % 8 == 5)
			cfg_write8(cap + 3, 0x80);
		if (i % 8 == 6)
			w32(MSIX_OFF + 16 + 12, i & 1);
		ok = post(0, why, sizeof(why));
	}
	cfg_write8(cap + 3, 0x00);
	check(ok, "msix-storm-through-garbage-routes", "%s", why);
}

int main(int argc, char **argv)
{
	const char *sysfs = argc > 1 ? argv[1] : "/tmp/vq-sys";
	char dir[512], path[600], *addr;
	unsigned int cap;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir(sysfs, 0700);
	if (mount("sysfs", sysfs, "sysfs", 0, NULL) < 0 && errno != EBUSY)
		die("mounting sysfs read-write");
	if (find_net(sysfs, dir, sizeof(dir)))
		die("no virtio-net PCI function");
	addr = strrchr(dir, '/') + 1;
	printf("VQ device %s\n", addr);
	pathf(path, "%s/driver/unbind", dir);
	if (access(path, F_OK) == 0 && write_file(path, addr))
		die("unbinding the driver");
	pathf(path, "%s/config", dir);
	cfg_fd = open(path, O_RDWR);
	if (cfg_fd < 0)
		die(path);
	cfg_write8(0x04, cfg_read8(0x04) | 0x07);	/* I/O, memory, bus master */
	cap = find_msix();
	if (!cap) {
		errno = ENOENT;
		die("no MSI-X capability");
	}
	pathf(path, "%s/resource0", dir);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die(path);
	bar = mmap(NULL, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED)
		die("mmap of resource0");
	pathf(path, "%s/resource2", dir);
	notify_fd = open(path, O_RDWR);
	if (notify_fd < 0)
		die(path);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED,
		    -1, 0);
	if (page == MAP_FAILED || mlock(page, 4096))
		die("a locked page");
	memset(page, 0, 4096);
	page_pa = phys_of(page);
	printf("VQ rings at %#llx\n", (unsigned long long)page_pa);

	init_default("init");
	frame(0);
	expect_taken("valid-frame", 0);
	bad_chains();
	frame(0);
	expect_taken("valid-frame-after-bad-chains", 0);
	check(!(r8(C_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET),
	      "bad-chains-cost-only-themselves", "status %#x", r8(C_STATUS));
	broken_rings();
	msix_abuse(cap);
	w8(C_STATUS, 0);
	printf("VQ-END pass=%d fail=%d\n", passed, failed);
	return failed ? 1 : 0;
}
