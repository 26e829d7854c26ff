/* unit-deps: lib */
#include <string.h>

#include "lib/dnsrelay.h"
#include "tests/unit/unit.h"

struct got {
	unsigned int n;
	size_t len[8];
	uint8_t first[8];
};

static void collect(void *opaque, uint8_t *msg, size_t len)
{
	struct got *g = opaque;

	ck_assert_uint_lt(g->n, 8);
	g->len[g->n] = len;
	g->first[g->n] = msg[2];
	g->n++;
}

/* A message of len bytes whose third byte is tag. */
static void msg_fill(uint8_t *m, size_t len, uint8_t tag)
{
	memset(m, 0xab, len);
	m[2] = tag;
}

START_TEST(test_encode_bounds)
{
	uint8_t m[DNS_ANSWER_MAX + 1], out[DNS_FRAME_HDR + DNS_ANSWER_MAX + 1];

	msg_fill(m, sizeof(m), 1);
	ck_assert_uint_eq(dnsf_encode(out, sizeof(out), m, 12, DNS_QUERY_MAX), 14);
	ck_assert_uint_eq(out[0], 0);
	ck_assert_uint_eq(out[1], 12);
	ck_assert_uint_eq(dnsf_encode(out, sizeof(out), m, 300, DNS_QUERY_MAX), 302);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(out[1], 300 - 256);
	/* Too short, too long for max, no room. */
	ck_assert_uint_eq(dnsf_encode(out, sizeof(out), m, 11, DNS_QUERY_MAX), 0);
	ck_assert_uint_eq(dnsf_encode(out, sizeof(out), m, 513, DNS_QUERY_MAX), 0);
	ck_assert_uint_eq(dnsf_encode(out, sizeof(out), m, 513, DNS_ANSWER_MAX), 515);
	ck_assert_uint_eq(dnsf_encode(out, 13, m, 12, DNS_QUERY_MAX), 0);
}
END_TEST

/* Frames cut anywhere, down to one byte at a time, come out whole. */
START_TEST(test_decode_bytewise)
{
	uint8_t m[600], wire[2000];
	struct dnsf_decoder d;
	struct got g = { 0 };
	size_t n = 0, i;

	msg_fill(m, sizeof(m), 7);
	n += dnsf_encode(wire + n, sizeof(wire) - n, m, 20, DNS_ANSWER_MAX);
	m[2] = 8;
	n += dnsf_encode(wire + n, sizeof(wire) - n, m, 600, DNS_ANSWER_MAX);
	dnsf_init(&d, DNS_ANSWER_MAX);
	for (i = 0; i < n; i++)
		dnsf_feed(&d, wire + i, 1, collect, &g);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.len[0], 20);
	ck_assert_uint_eq(g.first[0], 7);
	ck_assert_uint_eq(g.len[1], 600);
	ck_assert_uint_eq(g.first[1], 8);
	ck_assert_uint_eq(d.refused, 0);
}
END_TEST

/* Lengths out of range (0, 11, over max, the u16 maximum) are skipped
 * whole and counted; the frames after them still come out. */
START_TEST(test_decode_refuses_and_resyncs)
{
	static uint8_t wire[70000 + 4 * 600];
	uint8_t m[600];
	struct dnsf_decoder d;
	struct got g = { 0 };
	size_t n = 0;

	msg_fill(m, sizeof(m), 1);
	wire[n++] = 0;		/* zero length */
	wire[n++] = 0;
	wire[n++] = 0;		/* 11: below a DNS header */
	wire[n++] = 11;
	memset(wire + n, 0, 11);
	n += 11;
	n += dnsf_encode(wire + n, sizeof(wire) - n, m, 12, DNS_QUERY_MAX);
	/* 513 > DNS_QUERY_MAX, with a frame-like byte pattern inside. */
	wire[n++] = 513 >> 8;
	wire[n++] = 513 & 0xff;
	memset(wire + n, 0, 513);
	n += 513;
	/* 65535: far over any buffer. */
	wire[n++] = 0xff;
	wire[n++] = 0xff;
	memset(wire + n, 0x00, 65535);
	n += 65535;
	m[2] = 2;
	n += dnsf_encode(wire + n, sizeof(wire) - n, m, 512, DNS_QUERY_MAX);
	dnsf_init(&d, DNS_QUERY_MAX);
	dnsf_feed(&d, wire, n / 2, collect, &g);
	dnsf_feed(&d, wire + n / 2, n - n / 2, collect, &g);
	ck_assert_uint_eq(d.refused, 4);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.len[0], 12);
	ck_assert_uint_eq(g.first[0], 1);
	ck_assert_uint_eq(g.len[1], 512);
	ck_assert_uint_eq(g.first[1], 2);
}
END_TEST

START_TEST(test_table_full_and_expiry)
{
	static struct dnsq_table t;
	struct dnsq_slot *s[DNS_INFLIGHT_MAX];
	unsigned int i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < DNS_INFLIGHT_MAX; i++) {
		s[i] = dnsq_alloc(&t, 1000);
		ck_assert_ptr_nonnull(s[i]);
		s[i]->id = (uint16_t)(100 + i);
	}
	ck_assert_ptr_null(dnsq_alloc(&t, 1000));
	ck_assert_uint_eq(dnsq_inflight(&t, 1000), DNS_INFLIGHT_MAX);
	ck_assert_ptr_eq(dnsq_find(&t, 105, 1000), s[5]);
	ck_assert_ptr_null(dnsq_find(&t, 99, 1000));
	/* A freed slot is found again, and not by its old id. */
	dnsq_free(s[5]);
	ck_assert_ptr_null(dnsq_find(&t, 105, 1000));
	ck_assert_ptr_eq(dnsq_alloc(&t, 1000), s[5]);
	ck_assert_ptr_null(dnsq_find(&t, 105, 1000));
	/* At the deadline every slot is free: none found, all reusable. */
	ck_assert_ptr_null(dnsq_find(&t, 100, 1000 + DNS_TIMEOUT_MS));
	ck_assert_uint_eq(dnsq_inflight(&t, 1000 + DNS_TIMEOUT_MS), 0);
	ck_assert_ptr_nonnull(dnsq_alloc(&t, 1000 + DNS_TIMEOUT_MS));
}
END_TEST

/* The agent's ids: distinct among those in flight, and a slot's next id
 * differs from its previous one (a late answer does not match). */
START_TEST(test_alloc_id_unique)
{
	static struct dnsq_table t;
	unsigned int i, j;
	uint16_t ids[DNS_INFLIGHT_MAX], old;
	struct dnsq_slot *s;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < DNS_INFLIGHT_MAX; i++) {
		s = dnsq_alloc_id(&t, 5);
		ck_assert_ptr_nonnull(s);
		ids[i] = s->id;
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(ids[i], ids[j]);
	}
	ck_assert_ptr_null(dnsq_alloc_id(&t, 5));
	s = dnsq_find(&t, ids[3], 5);
	ck_assert_ptr_nonnull(s);
	old = s->id;
	dnsq_free(s);
	s = dnsq_alloc_id(&t, 5);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_ne(s->id, old);
	ck_assert_ptr_null(dnsq_find(&t, old, 5));
}
END_TEST

START_TEST(test_ids)
{
	uint8_t m[12] = { 0 };

	dns_set_id(m, 0xbeef);
	ck_assert_uint_eq(m[0], 0xbe);
	ck_assert_uint_eq(m[1], 0xef);
	ck_assert_uint_eq(dns_get_id(m), 0xbeef);
	ck_assert_uint_gt(dnsq_now_ms(), 0);
}
END_TEST

static Suite *dnsrelay_suite(void)
{
	Suite *s = suite_create("dnsrelay");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_encode_bounds);
	tcase_add_test(tc, test_decode_bytewise);
	tcase_add_test(tc, test_decode_refuses_and_resyncs);
	tcase_add_test(tc, test_table_full_and_expiry);
	tcase_add_test(tc, test_alloc_id_unique);
	tcase_add_test(tc, test_ids);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(dnsrelay_suite)
