/* unit-deps: vmm lib */
/*
 * The VMM's side of the DNS relay between an in-memory port (the guest's
 * end) and a udp "server" on 127.0.0.1 the relay's socket is connected
 * to.  The handlers are called directly; the event loop is never run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/dnsrelay.h"
#include "lib/evloop.h"
#include "tests/unit/unit.h"
#include "vmm/dns_host.h"

struct fake_port {
	uint8_t to_host[70000];
	size_t to_host_len, to_host_off;
	uint8_t to_guest[20000];
	size_t to_guest_len;
	size_t room;			/* writable() */
};

static size_t fp_read(void *port, void *buf, size_t len)
{
	struct fake_port *p = port;
	size_t n = p->to_host_len - p->to_host_off;

	if (n > len)
		n = len;
	memcpy(buf, p->to_host + p->to_host_off, n);
	p->to_host_off += n;
	return n;
}

static size_t fp_write(void *port, const void *buf, size_t len)
{
	struct fake_port *p = port;

	ck_assert_uint_le(len, p->room);
	ck_assert_uint_le(p->to_guest_len + len, sizeof(p->to_guest));
	memcpy(p->to_guest + p->to_guest_len, buf, len);
	p->to_guest_len += len;
	p->room -= len;
	return len;
}

static size_t fp_writable(void *port)
{
	return ((struct fake_port *)port)->room;
}

static const struct dns_host_port fp_ops = { fp_read, fp_write, fp_writable };

static struct evloop *loop;
static struct dns_host *h;
static struct fake_port port;
static int server;

static void setup(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int c;

	memset(&port, 0, sizeof(port));
	port.room = sizeof(port.to_guest);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(server, 0);
	ck_assert_int_eq(bind(server, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(server, (struct sockaddr *)&sa, &len), 0);
	c = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	loop = evloop_new();
	ck_assert_ptr_nonnull(loop);
	h = dns_host_new(loop, c, &fp_ops, &port);
	ck_assert_ptr_nonnull(h);
}

static void teardown(void)
{
	dns_host_free(h);
	evloop_free(loop);
	close(server);
}

/* The guest sends a query of len bytes with this id. */
static void guest_query(uint16_t id, size_t len)
{
	uint8_t m[DNS_ANSWER_MAX];

	memset(m, 0x11, len);
	dns_set_id(m, id);
	port.to_host_len += dnsf_encode(port.to_host + port.to_host_len,
					sizeof(port.to_host) - port.to_host_len,
					m, len, DNS_ANSWER_MAX);
}

/* The next query at the server: its id, or -1 if none; *from its sender. */
static int server_query(struct sockaddr_in *from, size_t *len)
{
	uint8_t m[DNS_ANSWER_MAX];
	socklen_t flen = sizeof(*from);
	ssize_t n = recvfrom(server, m, sizeof(m), 0, (struct sockaddr *)from, &flen);

	if (n < 0)
		return -1;
	if (len)
		*len = (size_t)n;
	return dns_get_id(m);
}

static void server_answer(const struct sockaddr_in *to, uint16_t id, size_t len)
{
	static uint8_t m[DNS_ANSWER_MAX + 100];

	memset(m, 0x22, len);
	dns_set_id(m, id);
	ck_assert_int_eq(sendto(server, m, len, 0, (const struct sockaddr *)to,
				sizeof(*to)), (ssize_t)len);
}

/* The frames the guest got: their ids in order, their count returned. */
static unsigned int guest_answers(uint16_t *ids, size_t *lens, unsigned int max)
{
	size_t off = 0;
	unsigned int n = 0;

	while (off + DNS_FRAME_HDR <= port.to_guest_len && n < max) {
		size_t len = (size_t)port.to_guest[off] << 8 | port.to_guest[off + 1];

		ck_assert_uint_le(off + DNS_FRAME_HDR + len, port.to_guest_len);
		ids[n] = dns_get_id(port.to_guest + off + DNS_FRAME_HDR);
		lens[n++] = len;
		off += DNS_FRAME_HDR + len;
	}
	ck_assert_uint_eq(off, port.to_guest_len);
	return n;
}

/* The relay's counters: queries, answers, refused, dropped. */
static void assert_stats(unsigned long q, unsigned long a, unsigned long r,
			 unsigned long d)
{
	struct dns_host_stats st;

	dns_host_stats(h, &st);
	ck_assert_uint_eq(st.queries, q);
	ck_assert_uint_eq(st.answers, a);
	ck_assert_uint_eq(st.refused, r);
	ck_assert_uint_eq(st.dropped, d);
}

START_TEST(test_query_and_answer)
{
	struct sockaddr_in from;
	uint16_t ids[4];
	size_t lens[4], len;

	guest_query(0x0101, 40);
	guest_query(0x0202, 512);
	dns_host_from_guest(h);
	ck_assert_int_eq(server_query(&from, &len), 0x0101);
	ck_assert_uint_eq(len, 40);
	ck_assert_int_eq(server_query(&from, &len), 0x0202);
	ck_assert_uint_eq(len, 512);
	ck_assert_int_eq(server_query(&from, NULL), -1);
	/* Answers in any order; one the size of the cap. */
	server_answer(&from, 0x0202, DNS_ANSWER_MAX);
	server_answer(&from, 0x0101, 60);
	dns_host_from_server(h);
	ck_assert_uint_eq(guest_answers(ids, lens, 4), 2);
	ck_assert_uint_eq(ids[0], 0x0202);
	ck_assert_uint_eq(lens[0], DNS_ANSWER_MAX);
	ck_assert_uint_eq(ids[1], 0x0101);
	ck_assert_uint_eq(lens[1], 60);
	/* A second answer to the same id is not passed on. */
	server_answer(&from, 0x0101, 60);
	dns_host_from_server(h);
	ck_assert_uint_eq(guest_answers(ids, lens, 4), 2);
	assert_stats(2, 2, 0, 1);
}
END_TEST

/* What the guest gets wrong costs only that frame. */
START_TEST(test_bad_frames_skipped)
{
	struct sockaddr_in from;

	port.to_host[port.to_host_len++] = 0;	/* 5 bytes: no DNS header */
	port.to_host[port.to_host_len++] = 5;
	port.to_host_len += 5;
	port.to_host[port.to_host_len++] = 513 >> 8;	/* over DNS_QUERY_MAX */
	port.to_host[port.to_host_len++] = 513 & 0xff;
	port.to_host_len += 513;
	guest_query(0x0303, 30);
	/* The same id again while the first waits. */
	guest_query(0x0303, 30);
	dns_host_from_guest(h);
	ck_assert_int_eq(server_query(&from, NULL), 0x0303);
	ck_assert_int_eq(server_query(&from, NULL), -1);
	assert_stats(2, 0, 2, 1);
}
END_TEST

/* At most DNS_INFLIGHT_MAX wait; an answer frees a place. */
START_TEST(test_inflight_bounded)
{
	struct sockaddr_in from;
	unsigned int i, got = 0;

	for (i = 0; i < DNS_INFLIGHT_MAX + 5; i++)
		guest_query((uint16_t)(1000 + i), 20);
	dns_host_from_guest(h);
	while (server_query(&from, NULL) >= 0)
		got++;
	ck_assert_uint_eq(got, DNS_INFLIGHT_MAX);
	server_answer(&from, 1000, 20);
	dns_host_from_server(h);
	guest_query(5000, 20);
	dns_host_from_guest(h);
	ck_assert_int_eq(server_query(&from, NULL), 5000);
	assert_stats(DNS_INFLIGHT_MAX + 6, 1, 0, 5);
}
END_TEST

/* Answers over the cap, with an unknown id, shorter than a header, or
 * with no room on the port are dropped; nothing partial reaches the
 * guest. */
START_TEST(test_answers_dropped)
{
	struct sockaddr_in from;
	uint16_t ids[4];
	size_t lens[4];

	guest_query(1, 20);
	guest_query(2, 20);
	guest_query(3, 20);
	dns_host_from_guest(h);
	ck_assert_int_eq(server_query(&from, NULL), 1);
	server_answer(&from, 1, DNS_ANSWER_MAX + 1);
	server_answer(&from, 9, 30);
	server_answer(&from, 2, 11);
	dns_host_from_server(h);
	ck_assert_uint_eq(port.to_guest_len, 0);
	port.room = 20;		/* less than the frame of the next */
	server_answer(&from, 3, 30);
	dns_host_from_server(h);
	ck_assert_uint_eq(port.to_guest_len, 0);
	port.room = 100;
	server_answer(&from, 2, 30);
	dns_host_from_server(h);
	ck_assert_uint_eq(guest_answers(ids, lens, 4), 1);
	ck_assert_uint_eq(ids[0], 2);
	assert_stats(3, 1, 0, 4);
}
END_TEST

START_TEST(test_new_refuses_bad_fd)
{
	errno = 0;
	ck_assert_ptr_null(dns_host_new(loop, -1, &fp_ops, &port));
	ck_assert_int_ne(errno, 0);
}
END_TEST

static Suite *dns_host_suite(void)
{
	Suite *s = suite_create("dns_host");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_query_and_answer);
	tcase_add_test(tc, test_bad_frames_skipped);
	tcase_add_test(tc, test_inflight_bounded);
	tcase_add_test(tc, test_answers_dropped);
	tcase_add_test(tc, test_new_refuses_bad_fd);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(dns_host_suite)
