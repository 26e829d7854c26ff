/* fuzz-deps: virtio vmm lib */
/* The virtqueue chain walker (devices/virtio/virtqueue.c) on a guest RAM
 * built from the input.  Input layout:
 *   byte 0      queue size is 1 << (b0 % 11) (max_size 1024); bit 7 of
 *               b0 sets max_size to half of it (virtq_start must refuse)
 *   byte 1      features: bit 0 INDIRECT_DESC, bit 1 EVENT_IDX; bit 2
 *               puts part of RAM above 4 GiB (a split guest_mem)
 *   bytes 2-7   desc, avail and used ring offsets (16 bits each, scaled
 *               by 16, 2 and 4 up to twice RAM_SIZE; byte 1 bit 3
 *               misaligns the used ring)
 *   byte 8      N: then N (op, arg) byte pairs, one step each: pop (and
 *               virtq_read from arg), push a popped head, notify, write
 *               the last request, or move avail->idx / flip a RAM byte
 *               (a racing driver); without ops the ring is drained
 *   the rest    the first bytes of the 8 KiB guest RAM (zero-filled)
 * Checked after every pop: each iovec lies inside guest RAM, the part
 * lengths add up, at most VIRTQ_MAX_SEGS segments, a head inside the
 * queue; virtq_read returns the iovec bytes in order.  A violation
 * aborts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/virtqueue.h"
#include "lib/log.h"

#define RAM_SIZE	(8 << 10)
#define LOW_SPLIT	(6 << 10)	/* low part when RAM is split */
#define MAX_OPS		256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t ram[RAM_SIZE];
static struct virtq_req req;
static uint8_t buf[4096];
static unsigned int irqs;

static void count_irq(void *opaque)
{
	(void)opaque;
	irqs++;
}

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_virtqueue: invariant broken: %s\n", what);
		abort();
	}
}

/* Everything virtq_pop returned must be inside guest RAM and add up. */
static void check_req(const struct virtq *vq, const struct guest_mem *m,
		      const struct virtq_req *r)
{
	size_t rd = 0, wr = 0;
	unsigned int i, n = r->nr_rd + r->nr_wr;

	check(r->head < vq->size, "head past the queue");
	check(n <= VIRTQ_MAX_SEGS, "more than VIRTQ_MAX_SEGS segments");
	for (i = 0; i < n; i++) {
		const uint8_t *b = r->iov[i].iov_base;
		size_t l = r->iov[i].iov_len;

		check(l > 0, "empty iovec");
		check(b >= ram && l <= RAM_SIZE && b <= ram + RAM_SIZE - l,
		      "iovec outside guest RAM");
		/* Across the low/high split: contiguous on the host only. */
		check(b >= ram + m->low_size || b + l <= ram + m->low_size,
		      "iovec spans the 32-bit hole");
		if (i < r->nr_rd)
			rd += l;
		else
			wr += l;
	}
	check(rd == r->rd_len && wr == r->wr_len, "part lengths do not add up");
}

/* virtq_read from off must give the readable iovecs' bytes in order. */
static void check_read(const struct virtq_req *r, size_t off, size_t len)
{
	size_t got = virtq_read(r, off, buf, len), want, done = 0, k;
	unsigned int i;

	want = off >= r->rd_len ? 0 : r->rd_len - off;
	if (want > len)
		want = len;
	check(got == want, "virtq_read length");
	for (i = 0; i < r->nr_rd && done < got; i++) {
		if (off >= r->iov[i].iov_len) {
			off -= r->iov[i].iov_len;
			continue;
		}
		k = r->iov[i].iov_len - off;
		if (k > got - done)
			k = got - done;
		check(!memcmp(buf + done, (uint8_t *)r->iov[i].iov_base + off, k),
		      "virtq_read bytes");
		done += k;
		off = 0;
	}
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool inited;
	struct guest_mem mem = { .host = ram, .low_size = RAM_SIZE };
	struct virtq vq = { 0 };
	uint16_t popped[VIRTQ_MAX_SIZE], qmax;
	unsigned int npopped = 0, ops = 0, flags;
	bool have_req = false, has;
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;
	const uint8_t *ops_data;
	size_t n, nops;
	int r;

	if (!inited) {
		log_init("fuzz", stderr, false, LOG_ERROR);
		inited = true;
	}
	if (size < 9)
		return 0;
	qmax = (uint16_t)(1u << (data[0] % 11));
	flags = data[1];
	if (flags & 1)
		features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (flags & 2)
		features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (flags & 4) {
		mem.low_size = LOW_SPLIT;
		mem.high_size = RAM_SIZE - LOW_SPLIT;
	}
	virtq_reset(&vq, (data[0] & 0x80) && qmax > 1 ? qmax / 2 : qmax);
	vq.size = qmax;
	vq.interrupt = count_irq;
	/* Up to twice RAM_SIZE: some rings end outside RAM. */
	vq.desc_gpa = (uint64_t)(get16(data + 2) % (RAM_SIZE / 8)) * 16;
	vq.avail_gpa = (uint64_t)(get16(data + 4) % RAM_SIZE) * 2;
	vq.used_gpa = (uint64_t)(get16(data + 6) % (RAM_SIZE / 2)) * 4;
	if (flags & 8)
		vq.used_gpa |= 2;
	if (flags & 4) {	/* rings may sit above 4 GiB */
		if (vq.desc_gpa >= LOW_SPLIT)
			vq.desc_gpa += MEM_HIGH_START - LOW_SPLIT;
		if (vq.avail_gpa >= LOW_SPLIT)
			vq.avail_gpa += MEM_HIGH_START - LOW_SPLIT;
		if (vq.used_gpa >= LOW_SPLIT)
			vq.used_gpa += MEM_HIGH_START - LOW_SPLIT;
	}
	nops = 2 * (size_t)data[8];
	data += 9;
	size -= 9;
	if (nops > size)
		nops = size;
	ops_data = data;
	data += nops;
	size -= nops;
	n = size < RAM_SIZE ? size : RAM_SIZE;
	memcpy(ram, data, n);
	memset(ram + n, 0, RAM_SIZE - n);
	data = ops_data;
	size = nops;
	irqs = 0;

	r = virtq_start(&vq, &mem, features);
	if (r < 0) {
		check(!vq.ready && !vq.desc, "failed start left the queue ready");
		return 0;
	}
	check(vq.size <= vq.max_size && !(vq.size & (vq.size - 1)),
	      "queue started with a bad size");
	/* No ops given: drain the ring as a device would. */
	for (; ops < MAX_OPS; ops++) {
		uint8_t op = size ? data[0] : 0, arg = size > 1 ? data[1] : 0;

		if (size) {
			data += size > 1 ? 2 : 1;
			size -= size > 1 ? 2 : 1;
		} else if (ops > 2 * VIRTQ_MAX_SIZE) {
			break;
		}
		switch (op % 8) {
		case 0: case 1: case 2:		/* pop */
			has = virtq_has_avail(&vq);
			r = virtq_pop(&vq, &req);
			check(r == 1 || r == 0 || r == -EIO, "virtq_pop result");
			check(has || r != 1, "popped with nothing available");
			if (r == 1) {
				have_req = true;
				check_req(&vq, &mem, &req);
				check_read(&req, arg, sizeof(buf));
				if (npopped < VIRTQ_MAX_SIZE)
					popped[npopped++] = req.head;
			} else if (r < 0) {
				check(vq.broken, "-EIO without broken");
				check(virtq_pop(&vq, &req) == r, "broken queue popped");
			}
			if (!size && r != 1)
				goto out;
			break;
		case 3:				/* push one, in any order */
			if (npopped) {
				unsigned int i = arg % npopped;

				virtq_push(&vq, popped[i], (uint32_t)arg * 97);
				popped[i] = popped[--npopped];
			}
			break;
		case 4:
			virtq_notify(&vq);
			check(!vq.pending, "still pending after notify");
			break;
		case 5:				/* device writes its last request */
			if (!have_req)
				break;
			memset(buf, arg, sizeof(buf));
			n = virtq_write(&req, arg, buf, (size_t)arg * 8);
			check(n == (arg >= req.wr_len ? 0 :
				    req.wr_len - arg < (size_t)arg * 8 ?
				    req.wr_len - arg : (size_t)arg * 8),
			      "virtq_write length");
			break;
		case 6:				/* the driver moves avail->idx */
			if (vq.avail)
				__atomic_store_n(&vq.avail->idx,
						 (uint16_t)(vq.avail->idx + arg - 128),
						 __ATOMIC_RELEASE);
			break;
		case 7:				/* the driver changes a byte */
			ram[(size_t)arg * 257 % RAM_SIZE] ^= (uint8_t)(op ^ arg);
			break;
		}
	}
out:
	return 0;
}
