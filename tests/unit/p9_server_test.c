/* unit-deps: p9 lib */
/* Framing, dispatch, scatter lists, out-of-order completion and Tflush. */
#include <pthread.h>

#include "lib/log.h"
#include "p9/iov.h"
#include "tests/unit/p9_client.h"

struct done {
	size_t len;
	int calls;
};

static void count_done(struct p9_req *q, size_t len)
{
	struct done *dd = q->opaque;

	dd->len = len;
	dd->calls++;
}

static struct tcl C;

static void setup(void)
{
	/* Unknown types are logged (rate-limited) as warnings: not here. */
	log_init("t", stderr, false, LOG_ERROR);
	t_setup(&C, false);
}

static void teardown(void)
{
	t_teardown(&C);
}

START_TEST(test_unknown_and_short)
{
	uint8_t out[64];

	/* Unknown types (and R-messages, and legacy 9P2000 ones) get an
	 * Rlerror, never silence. */
	t_begin(&C, 250);
	ck_assert_int_eq(t_rpc(&C), -EOPNOTSUPP);
	t_begin(&C, P9_RREAD);
	ck_assert_int_eq(t_rpc(&C), -EOPNOTSUPP);
	t_begin(&C, 112);	/* Topen */
	ck_assert_int_eq(t_rpc(&C), -EOPNOTSUPP);
	/* Fewer bytes than a header: nothing to answer to. */
	ck_assert_uint_eq(p9_handle_buf(C.s, "\x07\0\0", 3, out, 64), 0);
	/* A reply buffer too small for an Rlerror. */
	t_begin(&C, P9_TCLUNK);
	p9_put_u32(&C.e, 5);
	C.req[0] = C.e.off;
	ck_assert_uint_eq(p9_handle_buf(C.s, C.req, C.e.off, out, 10), 0);
	/* A size field beyond the bytes given, or below a header. */
	t_begin(&C, P9_TCLUNK);
	p9_put_u32(&C.e, 0);
	C.req[0] = 200;
	ck_assert_uint_eq(p9_handle_buf(C.s, C.req, C.e.off, out, 64), 11);
	ck_assert_uint_eq(out[4], P9_RLERROR);
	C.req[0] = 3;
	ck_assert_uint_eq(p9_handle_buf(C.s, C.req, C.e.off, out, 64), 11);
	/* Truncated bodies. */
	t_begin(&C, P9_TLOPEN);
	p9_put_u32(&C.e, 0);
	ck_assert_int_eq(t_rpc(&C), -EPROTO);
	t_begin(&C, P9_TLCREATE);
	p9_put_u32(&C.e, 0);
	p9_put_u16(&C.e, 3);
	ck_assert_int_eq(t_rpc(&C), -EPROTO);
}
END_TEST

START_TEST(test_fuzz)
{
	unsigned int seed = 12345;

	/* Random messages with valid-looking headers over every type: the
	 * server must answer each without crashing (ASan watches). */
	ck_assert_int_eq(t_mkdir(&C, 0, "d"), 0);
	for (int i = 0; i < 20000; i++) {
		size_t len = P9_HDR_SIZE + rand_r(&seed) % 64;
		size_t r;

		t_begin(&C, rand_r(&seed) % 128);
		for (size_t j = P9_HDR_SIZE; j < len; j++) {
			uint8_t v = rand_r(&seed);

			/* Small fids and lengths reach deeper. */
			p9_put_u8(&C.e, v % 4 ? v % 3 : v);
		}
		if (C.req[4] == P9_TVERSION || C.req[4] == P9_TREMOVE ||
		    C.req[4] == P9_TUNLINKAT || C.req[4] == P9_TRENAME ||
		    C.req[4] == P9_TRENAMEAT)
			continue;
		C.req[0] = len;
		r = p9_handle_buf(C.s, C.req, len, C.rep, 8192);
		ck_assert_uint_ge(r, P9_HDR_SIZE);
		ck_assert_uint_le(r, 8192);
	}
}
END_TEST

START_TEST(test_scatter_lists)
{
	uint8_t a[5], b[3], c[4096], rep_a[9], rep_b[4096];
	struct iovec in[3], out[2];
	uint8_t req[64];
	struct p9_req r = { 0 };
	size_t n;

	ck_assert_int_eq(t_walk(&C, 0, 1, 0), 0);
	ck_assert_int_eq(t_lcreate(&C, 1, "f", 2, 0644), 0);
	/* Twrite split across three buffers, the header too. */
	t_begin(&C, P9_TWRITE);
	p9_put_u32(&C.e, 1);
	p9_put_u64(&C.e, 0);
	p9_put_u32(&C.e, 10);
	memcpy(p9_put_space(&C.e, 10), "0123456789", 10);
	C.req[0] = C.e.off;
	memcpy(req, C.req, C.e.off);
	memcpy(a, req, 5);
	memcpy(b, req + 5, 3);
	memcpy(c, req + 8, C.e.off - 8);
	in[0] = (struct iovec){ a, 5 };
	in[1] = (struct iovec){ b, 3 };
	in[2] = (struct iovec){ c, sizeof(c) };	/* longer than the message */
	out[0] = (struct iovec){ rep_a, sizeof(rep_a) };
	out[1] = (struct iovec){ rep_b, sizeof(rep_b) };
	r.in = in;
	r.in_cnt = 3;
	r.out = out;
	r.out_cnt = 2;
	{
		struct done d = { 0, 0 };

		r.done = count_done;
		r.opaque = &d;
		p9_submit(C.s, &r);
		ck_assert_int_eq(d.calls, 1);
		ck_assert_uint_eq(d.len, 11);
		ck_assert_uint_eq(rep_a[4], P9_RWRITE);
		ck_assert_uint_eq(rep_a[7], 10);

		/* Tread into a reply split after 9 bytes: data lands across
		 * the seam. */
		t_begin(&C, P9_TREAD);
		p9_put_u32(&C.e, 1);
		p9_put_u64(&C.e, 2);
		p9_put_u32(&C.e, 100);
		C.req[0] = C.e.off;
		in[0] = (struct iovec){ C.req, C.e.off };
		r.in_cnt = 1;
		p9_submit(C.s, &r);
		ck_assert_int_eq(d.calls, 2);
		ck_assert_uint_eq(d.len, 11 + 8);
		ck_assert_uint_eq(rep_a[4], P9_RREAD);
		ck_assert_uint_eq(rep_a[7], 8);
		ck_assert(!memcmp(rep_b + 2, "23456789", 8));
	}
	n = p9_iov_len(out, 2);
	ck_assert_uint_eq(n, sizeof(rep_a) + sizeof(rep_b));
}
END_TEST

/* Out-of-order completion on workers, with a Tflush after every read. */
#define NREQ 200
struct slot {
	struct p9_req r;
	struct iovec in, out;
	uint8_t req[64], rep[256];
	size_t len;
};
static struct slot slots[2 * NREQ];
static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t order_cond = PTHREAD_COND_INITIALIZER;
static int order[2 * NREQ], calls[2 * NREQ], ndone;

static void slot_done(struct p9_req *r, size_t len)
{
	struct slot *s = (struct slot *)r;

	pthread_mutex_lock(&order_lock);
	s->len = len;
	calls[s - slots]++;
	order[s - slots] = ndone++;
	pthread_cond_broadcast(&order_cond);
	pthread_mutex_unlock(&order_lock);
}

static void slot_submit(struct p9_server *srv, int i, size_t len)
{
	struct slot *s = &slots[i];

	s->in = (struct iovec){ s->req, len };
	s->out = (struct iovec){ s->rep, sizeof(s->rep) };
	s->r = (struct p9_req){ .in = &s->in, .in_cnt = 1, .out = &s->out,
				.out_cnt = 1, .done = slot_done };
	p9_submit(srv, &s->r);
}

START_TEST(test_workers_and_flush)
{
	struct p9_server *srv;
	struct p9_server_opts o = { .root = C.dir, .workers = 4 };
	struct p9_enc e;

	close(creat(t_host(&C, "f"), 0644));
	p9_server_free(C.s);
	ck_assert_int_eq(p9_server_new(&o, &srv), 0);
	/* Tversion, Tattach, Twalk, Tlopen in order (each waits). */
	C.s = srv;
	t_version_attach(&C);
	ck_assert_int_eq(t_walk(&C, 0, 1, 1, "f"), 1);
	ck_assert_int_eq(t_lopen(&C, 1, 0), 0);
	for (int i = 0; i < NREQ; i++) {
		p9_enc_init(&e, slots[i].req, 64);
		p9_put_u32(&e, 23);
		p9_put_u8(&e, P9_TREAD);
		p9_put_u16(&e, i);
		p9_put_u32(&e, 1);
		p9_put_u64(&e, 0);
		p9_put_u32(&e, 100);
		slot_submit(srv, i, e.off);
		p9_enc_init(&e, slots[NREQ + i].req, 64);
		p9_put_u32(&e, 9);
		p9_put_u8(&e, P9_TFLUSH);
		p9_put_u16(&e, 1000 + i);
		p9_put_u16(&e, i);
		slot_submit(srv, NREQ + i, e.off);
	}
	pthread_mutex_lock(&order_lock);
	while (ndone < 2 * NREQ)
		pthread_cond_wait(&order_cond, &order_lock);
	pthread_mutex_unlock(&order_lock);
	for (int i = 0; i < NREQ; i++) {
		ck_assert_int_eq(calls[i], 1);
		ck_assert_int_eq(calls[NREQ + i], 1);
		/* A flushed request answers before its Rflush. */
		ck_assert_int_lt(order[i], order[NREQ + i]);
		ck_assert_uint_eq(slots[i].rep[4], P9_RREAD);
		ck_assert_uint_eq(slots[NREQ + i].len, P9_HDR_SIZE);
		ck_assert_uint_eq(slots[NREQ + i].rep[4], P9_RFLUSH);
	}
	p9_server_free(srv);
	C.s = NULL;
	/* t_teardown frees C.s: give it a fresh one. */
	t_open_server(&C, false, 0);
}
END_TEST

static Suite *p9_server_suite(void)
{
	Suite *s = suite_create("p9_server");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_unknown_and_short);
	tcase_add_test(tc, test_fuzz);
	tcase_add_test(tc, test_scatter_lists);
	tcase_add_test(tc, test_workers_and_flush);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(p9_server_suite)
