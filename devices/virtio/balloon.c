/* virtio-balloon with free page reporting only (see balloon.h).
 *
 * The reporting queue: each chain is one report, its device-writable
 * buffers the guest-physical ranges of free pages (the Linux driver adds
 * them with virtqueue_add_inbuf, 2 MiB or more each at the default
 * page_reporting_order).  The transport's chain walker has put every
 * buffer inside one RAM region; here each must also start and end on a
 * 4 KiB page (the balloon's unit), else the whole report is refused,
 * nothing dropped.  Then the host pages inside each range are dropped
 * with MADV_DONTNEED: guest RAM is MAP_PRIVATE anonymous (vmm/mem.c), so
 * the guest's next touch gets a zero page.  A report is returned with
 * used length 0, which is all the driver waits for.
 *
 * Inflate and deflate: num_pages is always 0, so a driver that follows
 * the spec never inflates; whatever arrives there is completed without
 * touching memory (an inflated page would have to be dropped only once
 * the driver promises not to use it, and there is no target to reach).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virtio_balloon.h>
#include <linux/virtio_ids.h>

#include "devices/virtio/balloon.h"
#include "devices/virtio/pci.h"
#include "lib/log.h"
#include "vmm/vm.h"

#define PCI_CLASS_OTHERS	0xff0000	/* as QEMU's virtio-balloon-pci */
/* The Linux driver wants room for PAGE_REPORTING_CAPACITY (32) ranges. */
#define QUEUE_SIZE		128
#define BALLOON_PAGE		4096ULL
/* Reports handled per wake-up before yielding the loop to others. */
#define BUDGET			64

struct virtio_balloon {
	struct virtio_pci vp;
	struct vm *vm;
	struct virtio_balloon_config cfg;	/* num_pages stays 0 */
	size_t host_page;
	uint64_t discarded, refused;
	struct virtq_req req;
};

static struct virtio_balloon *balloon_of(struct virtio_pci *vp)
{
	return vp->priv;
}

static void config_read(struct virtio_pci *vp, uint32_t off, void *data,
			uint32_t len)
{
	memcpy(data, (uint8_t *)&balloon_of(vp)->cfg + off, len);
}

/* The driver writes only actual (the pages it holds inflated); it is
 * kept so that it reads back, and never acted on. */
static void config_write(struct virtio_pci *vp, uint32_t off,
			 const void *data, uint32_t len)
{
	struct virtio_balloon *b = balloon_of(vp);
	const uint32_t lo = offsetof(struct virtio_balloon_config, actual);

	if (off >= lo && off + len <= lo + sizeof(b->cfg.actual))
		memcpy((uint8_t *)&b->cfg + off, data, len);
}

/* The guest-physical address of a host pointer into RAM, for log lines. */
static uint64_t gpa_of(const struct guest_mem *m, const void *p)
{
	uint64_t off = (uint64_t)((const uint8_t *)p - m->host);

	return off < m->low_size ? off : off - m->low_size + MEM_HIGH_START;
}

/* NULL if every buffer of the report may be dropped, else what is wrong
 * with it (*bad: the buffer). */
static const char *check_report(const struct virtq_req *req, unsigned int *bad)
{
	unsigned int i;

	if (req->nr_rd) {
		*bad = 0;
		return "a device-readable buffer";
	}
	for (i = 0; i < req->nr_wr; i++) {
		const struct iovec *v = &req->iov[i];

		*bad = i;
		if ((uintptr_t)v->iov_base % BALLOON_PAGE ||
		    v->iov_len % BALLOON_PAGE)
			return "a range not aligned to 4 KiB pages";
	}
	return NULL;
}

/* Drops the whole host pages inside [p, p + len). */
static void discard(struct virtio_balloon *b, void *p, size_t len)
{
	uintptr_t start = (uintptr_t)p, end = start + len;

	start = (start + b->host_page - 1) & ~(uintptr_t)(b->host_page - 1);
	end &= ~(uintptr_t)(b->host_page - 1);
	if (end <= start)
		return;
	if (madvise((void *)start, end - start, MADV_DONTNEED)) {
		log_warn("virtio-balloon: madvise(%#llx, %zu bytes): %s",
			 (unsigned long long)gpa_of(&b->vm->mem, (void *)start),
			 (size_t)(end - start), strerror(errno));
		return;
	}
	b->discarded += end - start;
}

static void report(struct virtio_balloon *b, struct virtq_req *req)
{
	const struct iovec *v;
	const char *why;
	unsigned int i;

	why = check_report(req, &i);
	if (why) {
		v = &req->iov[i];
		b->refused++;
		log_guest("virtio-balloon: report refused: buffer %u "
			  "(gpa %#llx, %zu bytes) is %s (%llu refused so far)",
			  i, (unsigned long long)gpa_of(&b->vm->mem, v->iov_base),
			  v->iov_len, why, (unsigned long long)b->refused);
		return;
	}
	for (i = 0; i < req->nr_wr; i++)
		discard(b, req->iov[i].iov_base, req->iov[i].iov_len);
}

static void queue_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_balloon *b = balloon_of(vp);
	struct virtq *vq = virtio_pci_vq(vp, q);
	int budget = BUDGET, r;

	if (!vq)
		return;
	while (budget-- > 0 && (r = virtq_pop(vq, &b->req)) == 1) {
		if (q == BALLOON_REPORTQ)
			report(b, &b->req);
		virtq_push(vq, b->req.head, 0);
	}
	virtio_pci_notify(vp, q);
	if (r < 0)
		virtio_pci_needs_reset(vp);
	else if (budget < 0)
		virtio_pci_kick(vp, q);
}

static void reset(struct virtio_pci *vp)
{
	balloon_of(vp)->cfg.actual = 0;
}

static const struct virtio_ops ops_balloon = {
	.features = 1ULL << VIRTIO_BALLOON_F_REPORTING,
	/* num_pages and actual: the rest belongs to features not offered. */
	.config_size = offsetof(struct virtio_balloon_config,
				free_page_hint_cmd_id),
	.config_read = config_read,
	.config_write = config_write,
	.queue_notify = queue_notify,
	.reset = reset,
};

int virtio_balloon_new(struct vm *vm, struct virtio_balloon **out)
{
	struct virtio_balloon *b = calloc(1, sizeof(*b));
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	if (!b)
		return -ENOMEM;
	b->vm = vm;
	b->host_page = page > 0 ? (size_t)page : 4096;
	ret = virtio_pci_init(&b->vp, vm, VIRTIO_ID_BALLOON, PCI_CLASS_OTHERS,
			      BALLOON_NR_QUEUES, QUEUE_SIZE, &ops_balloon, b);
	if (ret) {
		free(b);
		return ret;
	}
	*out = b;
	return 0;
}

int virtio_balloon_realize(struct virtio_balloon *b)
{
	return virtio_pci_register(&b->vp);
}

void virtio_balloon_free(struct virtio_balloon *b)
{
	if (!b)
		return;
	virtio_pci_free(&b->vp);
	free(b);
}

void virtio_balloon_counts(struct virtio_balloon *b, uint64_t *discarded,
			   uint64_t *refused)
{
	virtio_pci_lock(&b->vp);
	*discarded = b->discarded;
	*refused = b->refused;
	virtio_pci_unlock(&b->vp);
}
