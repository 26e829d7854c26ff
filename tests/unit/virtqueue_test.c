/* unit-deps: virtio vmm lib */
#include <errno.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/virtqueue.h"
#include "lib/log.h"
#include "tests/unit/unit.h"

/* A 1 MiB guest with one queue of 8 built by hand. */
#define RAM	(1 << 20)
#define QSZ	8
#define DESC	0x1000
#define AVAIL	0x2000
#define USED	0x3000
#define DATA	0x10000
#define ITABLE	0x8000

static struct guest_mem mem;
static struct virtq vq;
static struct virtq_req req;
static int interrupts;

static void count_irq(void *opaque)
{
	interrupts++;
}

static struct vring_desc *desc(uint64_t table, unsigned int i)
{
	return guest_mem_ptr(&mem, table + 16 * i, 16);
}

static void set_desc(uint64_t table, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = desc(table, i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static struct vring_avail *avail(void)
{
	return guest_mem_ptr(&mem, AVAIL, 6 + 2 * QSZ);
}

static struct vring_used *used(void)
{
	return guest_mem_ptr(&mem, USED, 6 + 8 * QSZ);
}

/* Makes head available to the device. */
static void offer(uint16_t head)
{
	struct vring_avail *a = avail();

	a->ring[a->idx % QSZ] = head;
	a->idx++;
}

static void start(uint64_t features)
{
	ck_assert_int_eq(guest_mem_init(&mem, RAM), 0);
	virtq_reset(&vq, QSZ);
	vq.interrupt = count_irq;
	vq.desc_gpa = DESC;
	vq.avail_gpa = AVAIL;
	vq.used_gpa = USED;
	interrupts = 0;
	ck_assert_int_eq(virtq_start(&vq, &mem, features), 0);
}

static void setup(void)
{
	log_init("t", stderr, false, LOG_ERROR);
	start(1ULL << VIRTIO_RING_F_INDIRECT_DESC);
}

static void teardown(void)
{
	guest_mem_free(&mem);
}

/* The chain at head is refused: completed with length 0, ring intact. */
static void assert_rejected(uint16_t head)
{
	uint16_t before = used()->idx;

	offer(head);
	ck_assert_int_eq(virtq_pop(&vq, &req), 0);
	ck_assert_uint_eq(used()->idx, (uint16_t)(before + 1));
	ck_assert_uint_eq(used()->ring[before % QSZ].id, head);
	ck_assert_uint_eq(used()->ring[before % QSZ].len, 0);
	ck_assert(!vq.broken);
}

START_TEST(test_simple_chain)
{
	set_desc(DESC, 0, DATA, 10, VRING_DESC_F_NEXT, 3);
	set_desc(DESC, 3, DATA + 100, 20, VRING_DESC_F_NEXT, 5);
	set_desc(DESC, 5, DATA + 200, 30, VRING_DESC_F_WRITE, 0);
	memcpy(guest_mem_ptr(&mem, DATA, 10), "0123456789", 10);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	ck_assert_uint_eq(req.head, 0);
	ck_assert_uint_eq(req.nr_rd, 2);
	ck_assert_uint_eq(req.nr_wr, 1);
	ck_assert_uint_eq(req.rd_len, 30);
	ck_assert_uint_eq(req.wr_len, 30);
	ck_assert_ptr_eq(req.iov[2].iov_base, guest_mem_ptr(&mem, DATA + 200, 30));

	char buf[16] = { 0 };
	ck_assert_uint_eq(virtq_read(&req, 5, buf, sizeof(buf)), 16);
	ck_assert_mem_eq(buf, "56789", 5);
	ck_assert_uint_eq(virtq_write(&req, 25, "abcdefgh", 8), 5);
	ck_assert_mem_eq(guest_mem_ptr(&mem, DATA + 225, 5), "abcde", 5);

	ck_assert_int_eq(virtq_pop(&vq, &req), 0);
	virtq_push(&vq, req.head, 5);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].len, 5);
	virtq_notify(&vq);
	ck_assert_int_eq(interrupts, 1);
	virtq_notify(&vq);	/* nothing new: no interrupt */
	ck_assert_int_eq(interrupts, 1);
}
END_TEST

START_TEST(test_loop)
{
	set_desc(DESC, 0, DATA, 1, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, 1, VRING_DESC_F_NEXT, 0);
	assert_rejected(0);
	set_desc(DESC, 2, DATA, 1, VRING_DESC_F_NEXT, 2);
	assert_rejected(2);
}
END_TEST

START_TEST(test_next_out_of_table)
{
	set_desc(DESC, 0, DATA, 1, VRING_DESC_F_NEXT, QSZ);
	assert_rejected(0);
}
END_TEST

START_TEST(test_past_ram)
{
	set_desc(DESC, 0, RAM, 1, 0, 0);
	assert_rejected(0);
	set_desc(DESC, 0, RAM - 8, 9, 0, 0);
	assert_rejected(0);
	set_desc(DESC, 0, 0xC0000000ULL, 16, 0, 0);	/* the PCI hole */
	assert_rejected(0);
	/* Ends exactly at the top of RAM: fine. */
	set_desc(DESC, 0, RAM - 8, 8, VRING_DESC_F_WRITE, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	ck_assert_uint_eq(req.wr_len, 8);
}
END_TEST

START_TEST(test_overflow)
{
	set_desc(DESC, 0, UINT64_MAX - 3, 8, 0, 0);
	assert_rejected(0);
	set_desc(DESC, 0, UINT64_MAX, UINT32_MAX, VRING_DESC_F_WRITE, 0);
	assert_rejected(0);
}
END_TEST

START_TEST(test_zero_length)
{
	/* A zero-length buffer carries nothing: no iovec, nothing to check. */
	set_desc(DESC, 0, UINT64_MAX, 0, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, 4, VRING_DESC_F_WRITE, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	ck_assert_uint_eq(req.nr_rd + req.nr_wr, 1);
	ck_assert_uint_eq(req.rd_len, 0);
	ck_assert_uint_eq(req.wr_len, 4);
}
END_TEST

START_TEST(test_read_after_write)
{
	set_desc(DESC, 0, DATA, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, 4, 0, 0);
	assert_rejected(0);
}
END_TEST

START_TEST(test_indirect)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		set_desc(ITABLE, i, DATA + 16 * i, 16,
			 (i < 3 ? VRING_DESC_F_NEXT : 0) |
			 (i >= 2 ? VRING_DESC_F_WRITE : 0), i + 1);
	set_desc(DESC, 0, ITABLE, 4 * 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	ck_assert_uint_eq(req.nr_rd, 2);
	ck_assert_uint_eq(req.nr_wr, 2);
	ck_assert_uint_eq(req.wr_len, 32);
}
END_TEST

START_TEST(test_indirect_bad)
{
	/* Nested. */
	set_desc(ITABLE, 0, ITABLE + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(ITABLE + 0x100, 0, DATA, 4, 0, 0);
	set_desc(DESC, 0, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
	assert_rejected(0);
	/* Length not a multiple of 16, zero, too long. */
	set_desc(ITABLE, 0, DATA, 4, 0, 0);
	set_desc(DESC, 0, ITABLE, 24, VRING_DESC_F_INDIRECT, 0);
	assert_rejected(0);
	set_desc(DESC, 0, ITABLE, 0, VRING_DESC_F_INDIRECT, 0);
	assert_rejected(0);
	set_desc(DESC, 0, 0, 16 * (VIRTQ_MAX_SEGS + 1), VRING_DESC_F_INDIRECT, 0);
	assert_rejected(0);
	/* Table past RAM; with NEXT; a loop inside the table. */
	set_desc(DESC, 0, RAM - 16, 32, VRING_DESC_F_INDIRECT, 0);
	assert_rejected(0);
	set_desc(DESC, 0, ITABLE, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	assert_rejected(0);
	set_desc(ITABLE, 0, DATA, 4, VRING_DESC_F_NEXT, 1);
	set_desc(ITABLE, 1, DATA, 4, VRING_DESC_F_NEXT, 0);
	set_desc(DESC, 0, ITABLE, 32, VRING_DESC_F_INDIRECT, 0);
	assert_rejected(0);
}
END_TEST

START_TEST(test_indirect_not_negotiated)
{
	teardown();
	start(0);
	set_desc(ITABLE, 0, DATA, 4, 0, 0);
	set_desc(DESC, 0, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
	assert_rejected(0);
}
END_TEST

START_TEST(test_oversized_chain)
{
	unsigned int i;

	/* VIRTQ_MAX_SEGS buffers is the most a request may have. */
	for (i = 0; i < VIRTQ_MAX_SEGS; i++)
		set_desc(ITABLE, i, DATA, 1, VRING_DESC_F_NEXT, i + 1);
	desc(ITABLE, VIRTQ_MAX_SEGS - 1)->flags = 0;
	set_desc(DESC, 0, ITABLE, 16 * VIRTQ_MAX_SEGS, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	ck_assert_uint_eq(req.nr_rd, VIRTQ_MAX_SEGS);
	/* A direct chain can never be longer than the queue. */
	for (i = 0; i < QSZ; i++)
		set_desc(DESC, i, DATA, 1, VRING_DESC_F_NEXT, (i + 1) % QSZ);
	assert_rejected(0);
}
END_TEST

START_TEST(test_avail_jump)
{
	set_desc(DESC, 0, DATA, 4, 0, 0);
	avail()->idx = QSZ + 1;
	ck_assert_int_eq(virtq_pop(&vq, &req), -EIO);
	ck_assert(vq.broken);
	ck_assert_int_eq(virtq_pop(&vq, &req), -EIO);
	ck_assert_uint_eq(used()->idx, 0);
}
END_TEST

START_TEST(test_head_out_of_range)
{
	offer(QSZ);
	ck_assert_int_eq(virtq_pop(&vq, &req), -EIO);
	ck_assert(vq.broken);
}
END_TEST

START_TEST(test_start_checks)
{
	struct virtq q;

	virtq_reset(&q, QSZ);
	q.desc_gpa = DESC;
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	q.size = 6;
	ck_assert_int_eq(virtq_start(&q, &mem, 0), -EINVAL);
	q.size = 0;
	ck_assert_int_eq(virtq_start(&q, &mem, 0), -EINVAL);
	q.size = 2 * QSZ;
	ck_assert_int_eq(virtq_start(&q, &mem, 0), -EINVAL);
	q.size = QSZ;
	q.desc_gpa = DESC + 8;
	ck_assert_int_eq(virtq_start(&q, &mem, 0), -EINVAL);
	q.desc_gpa = DESC;
	q.used_gpa = RAM - 8;
	ck_assert_int_eq(virtq_start(&q, &mem, 0), -EINVAL);
	q.used_gpa = UINT64_MAX - 3;
	ck_assert_int_eq(virtq_start(&q, &mem, 0), -EINVAL);
	ck_assert(!q.ready);
	/* Used ring ending exactly at the top of RAM. */
	q.used_gpa = RAM - (6 + 8 * QSZ) - 2;
	ck_assert_int_eq(virtq_start(&q, &mem, 0), 0);
}
END_TEST

START_TEST(test_no_interrupt_flag)
{
	set_desc(DESC, 0, DATA, 4, VRING_DESC_F_WRITE, 0);
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	virtq_push(&vq, 0, 4);
	virtq_notify(&vq);
	ck_assert_int_eq(interrupts, 0);
}
END_TEST

START_TEST(test_event_idx)
{
	uint16_t *used_event, *avail_event;

	teardown();
	start(1ULL << VIRTIO_RING_F_EVENT_IDX);
	used_event = &avail()->ring[QSZ];
	avail_event = (uint16_t *)&used()->ring[QSZ];
	set_desc(DESC, 0, DATA, 4, VRING_DESC_F_WRITE, 0);
	set_desc(DESC, 1, DATA, 4, VRING_DESC_F_WRITE, 0);
	offer(0);
	offer(1);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	ck_assert_int_eq(virtq_pop(&vq, &req), 1);
	ck_assert_int_eq(virtq_pop(&vq, &req), 0);
	ck_assert_uint_eq(*avail_event, 2);	/* kick me at the third */
	/* The driver wants an interrupt after the second completion only. */
	*used_event = 1;
	virtq_push(&vq, 0, 4);
	virtq_notify(&vq);
	ck_assert_int_eq(interrupts, 0);
	virtq_push(&vq, 1, 4);
	virtq_notify(&vq);
	ck_assert_int_eq(interrupts, 1);
}
END_TEST

/* The driver's side of a kick with EVENT_IDX: does adding one buffer
 * (avail idx old -> old + 1) call for one? */
static bool driver_kicks(uint16_t old)
{
	uint16_t event = *(uint16_t *)&used()->ring[QSZ];

	return vring_need_event(event, (uint16_t)(old + 1), old);
}

/* Adds buffers one at a time as a driver would, until one asks for a
 * kick; how many that took (QSZ + 1 for none). */
static unsigned int adds_to_kick(void)
{
	unsigned int n;

	for (n = 1; n <= QSZ; n++) {
		uint16_t old = avail()->idx;

		offer(0);
		if (driver_kicks(old))
			return n;
	}
	return QSZ + 1;
}

/* Drains what the driver offered. */
static void take_all(void)
{
	while (virtq_pop(&vq, &req) == 1)
		virtq_push(&vq, req.head, 0);
}

START_TEST(test_kick_after)
{
	teardown();
	start(1ULL << VIRTIO_RING_F_EVENT_IDX);
	set_desc(DESC, 0, DATA, 4, VRING_DESC_F_WRITE, 0);
	/* Default: a kick at the first buffer the device has not taken. */
	take_all();
	ck_assert_uint_eq(adds_to_kick(), 1);
	take_all();
	/* Three: the third buffer kicks, whether set now or at the pop
	 * that empties the ring. */
	virtq_kick_after(&vq, 3);
	ck_assert_uint_eq(adds_to_kick(), 3);
	take_all();
	ck_assert_uint_eq(adds_to_kick(), 3);
	/* The pop that emptied the ring asked again for three. */
	take_all();
	ck_assert_uint_eq(*(uint16_t *)&used()->ring[QSZ],
			  (uint16_t)(vq.last_avail + 2));
	/* None: a whole queue of buffers and no kick. */
	virtq_kick_after(&vq, 0);
	ck_assert_uint_eq(adds_to_kick(), QSZ + 1);
	take_all();
	ck_assert_uint_eq(adds_to_kick(), QSZ + 1);
	take_all();
	/* More than the queue holds is the queue. */
	virtq_kick_after(&vq, 1000);
	ck_assert_uint_eq(vq.kick_batch, QSZ);
	ck_assert_uint_eq(adds_to_kick(), QSZ);
	take_all();
	/* Across the index's wrap. */
	virtq_kick_after(&vq, 2);
	while (vq.last_avail < 65530) {
		offer(0);
		take_all();
	}
	for (int i = 0; i < 6; i++) {
		ck_assert_uint_eq(adds_to_kick(), 2);
		take_all();
	}
	ck_assert_uint_lt(vq.last_avail, 100);
	/* A reset is back to every buffer. */
	virtq_reset(&vq, QSZ);
	ck_assert_uint_eq(vq.kick_batch, 1);
}
END_TEST

/* Without EVENT_IDX there is no avail_event: the field is not touched. */
START_TEST(test_kick_after_no_event_idx)
{
	uint16_t *avail_event = (uint16_t *)&used()->ring[QSZ];

	*avail_event = 0x5a5a;
	virtq_kick_after(&vq, 4);
	set_desc(DESC, 0, DATA, 4, VRING_DESC_F_WRITE, 0);
	offer(0);
	take_all();
	ck_assert_uint_eq(*avail_event, 0x5a5a);
	ck_assert_uint_eq(virtq_avail_count(&vq), 0);
	offer(0);
	offer(0);
	ck_assert_uint_eq(virtq_avail_count(&vq), 2);
	/* An index run ahead counts as the queue, pop breaks it. */
	avail()->idx += 100;
	ck_assert_uint_eq(virtq_avail_count(&vq), QSZ);
	ck_assert_int_eq(virtq_pop(&vq, &req), -EIO);
	ck_assert_uint_eq(virtq_avail_count(&vq), 0);
}
END_TEST

static Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_simple_chain);
	tcase_add_test(tc, test_loop);
	tcase_add_test(tc, test_next_out_of_table);
	tcase_add_test(tc, test_past_ram);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_zero_length);
	tcase_add_test(tc, test_read_after_write);
	tcase_add_test(tc, test_indirect);
	tcase_add_test(tc, test_indirect_bad);
	tcase_add_test(tc, test_indirect_not_negotiated);
	tcase_add_test(tc, test_oversized_chain);
	tcase_add_test(tc, test_avail_jump);
	tcase_add_test(tc, test_head_out_of_range);
	tcase_add_test(tc, test_start_checks);
	tcase_add_test(tc, test_no_interrupt_flag);
	tcase_add_test(tc, test_event_idx);
	tcase_add_test(tc, test_kick_after);
	tcase_add_test(tc, test_kick_after_no_event_idx);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(virtqueue_suite)
