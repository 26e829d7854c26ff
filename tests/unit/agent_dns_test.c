/* unit-deps: guest lib */
/*
 * The agent's DNS relay: clients on a udp socket bound to 127.0.0.1 (not
 * 127.0.0.11:53, which needs root), the host's end of the port a
 * socketpair.  The handlers are called directly; the loop is never run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/dnsrelay.h"
#include "lib/evloop.h"
#include "tests/unit/unit.h"

static struct evloop *loop;
static struct dns_relay *r;
static int host, port, udp;
static struct sockaddr_in relay_addr;

static void setup(void)
{
	socklen_t len = sizeof(relay_addr);
	int sp[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				    0, sp), 0);
	host = sp[0];
	port = sp[1];
	udp = dns_relay_bind("127.0.0.1", 0, SOCK_DGRAM);
	ck_assert_int_ge(udp, 0);
	ck_assert_int_eq(getsockname(udp, (struct sockaddr *)&relay_addr, &len), 0);
	loop = evloop_new();
	ck_assert_ptr_nonnull(loop);
	r = dns_relay_new(loop, port, udp, -1);
	ck_assert_ptr_nonnull(r);
}

static void teardown(void)
{
	dns_relay_free(r);
	evloop_free(loop);
	close(host);
	close(port);
	close(udp);
}

static int client(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&relay_addr,
				 sizeof(relay_addr)), 0);
	return fd;
}

static void client_query(int fd, uint16_t id, size_t len, uint8_t tag)
{
	uint8_t m[DNS_QUERY_MAX + 10];

	memset(m, tag, len);
	dns_set_id(m, id);
	ck_assert_int_eq(send(fd, m, len, 0), (ssize_t)len);
}

/* The next frame on the host's end: its message in m, its length. */
static size_t host_frame(uint8_t *m)
{
	uint8_t hdr[2];
	size_t len;

	if (recv(host, hdr, 2, 0) != 2)
		return 0;
	len = (size_t)hdr[0] << 8 | hdr[1];
	ck_assert_int_eq(recv(host, m, len, 0), (ssize_t)len);
	return len;
}

static void host_answer(const uint8_t *m, size_t len)
{
	uint8_t f[DNS_FRAME_HDR + DNS_ANSWER_MAX];
	size_t n = dnsf_encode(f, sizeof(f), m, len, DNS_ANSWER_MAX);

	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(send(host, f, n, 0), (ssize_t)n);
}

/* Two clients with the same id: distinct ids on the port, and each
 * answer back to its own client with its own id restored. */
START_TEST(test_two_clients_same_id)
{
	uint8_t m1[DNS_ANSWER_MAX], m2[DNS_ANSWER_MAX], a[DNS_ANSWER_MAX];
	int c1 = client(), c2 = client();
	struct dns_relay_stats st;
	size_t l1, l2;

	client_query(c1, 0x4242, 30, 1);
	client_query(c2, 0x4242, 40, 2);
	dns_relay_from_clients(r);
	l1 = host_frame(m1);
	l2 = host_frame(m2);
	ck_assert_uint_eq(l1, 30);
	ck_assert_uint_eq(l2, 40);
	ck_assert_uint_eq(m1[2], 1);
	ck_assert_uint_eq(m2[2], 2);
	ck_assert_uint_ne(dns_get_id(m1), dns_get_id(m2));
	/* Answered in reverse order, longer than the queries. */
	m2[5] = 0x77;
	host_answer(m2, 300);
	host_answer(m1, l1);
	dns_relay_from_port(r);
	ck_assert_int_eq(recv(c1, a, sizeof(a), 0), 30);
	ck_assert_uint_eq(dns_get_id(a), 0x4242);
	ck_assert_uint_eq(a[2], 1);
	ck_assert_int_eq(recv(c2, a, sizeof(a), 0), 300);
	ck_assert_uint_eq(dns_get_id(a), 0x4242);
	ck_assert_uint_eq(a[5], 0x77);
	/* The same answer again: its slot is free, nobody gets it. */
	host_answer(m1, l1);
	dns_relay_from_port(r);
	ck_assert_int_lt(recv(c1, a, sizeof(a), 0), 0);
	ck_assert_int_eq(errno, EAGAIN);
	dns_relay_stats(r, &st);
	ck_assert_uint_eq(st.queries, 2);
	ck_assert_uint_eq(st.answers, 2);
	ck_assert_uint_eq(st.dropped, 1);
	close(c1);
	close(c2);
}
END_TEST

/* Queries shorter than a header or over DNS_QUERY_MAX never reach the
 * port; a bad frame from the host is skipped and the next one works. */
START_TEST(test_bad_sizes)
{
	uint8_t m[DNS_ANSWER_MAX], a[DNS_ANSWER_MAX], bad[2 + 5] = { 0, 5 };
	int c = client();
	struct dns_relay_stats st;
	size_t len;

	client_query(c, 1, 11, 0);
	client_query(c, 2, DNS_QUERY_MAX + 1, 0);
	client_query(c, 3, DNS_QUERY_MAX, 3);
	dns_relay_from_clients(r);
	len = host_frame(m);
	ck_assert_uint_eq(len, DNS_QUERY_MAX);
	ck_assert_uint_eq(m[2], 3);
	ck_assert_uint_eq(host_frame(a), 0);
	ck_assert_int_eq(send(host, bad, sizeof(bad), 0), (ssize_t)sizeof(bad));
	host_answer(m, 12);
	dns_relay_from_port(r);
	ck_assert_int_eq(recv(c, a, sizeof(a), 0), 12);
	ck_assert_uint_eq(dns_get_id(a), 3);
	dns_relay_stats(r, &st);
	ck_assert_uint_eq(st.refused, 1);
	ck_assert_uint_eq(st.dropped, 2);
	close(c);
}
END_TEST

/* No more than DNS_INFLIGHT_MAX wait for the host. */
START_TEST(test_inflight_bounded)
{
	uint8_t m[DNS_ANSWER_MAX];
	struct dns_relay_stats st;
	unsigned int i, frames = 0;
	int c = client();

	for (i = 0; i < DNS_INFLIGHT_MAX + 3; i++) {
		client_query(c, (uint16_t)i, 20, 0);
		/* The relay takes QUERIES_PER_WAKE at a time. */
		if (i % 16 == 15)
			dns_relay_from_clients(r);
	}
	dns_relay_from_clients(r);
	while (host_frame(m))
		frames++;
	ck_assert_uint_eq(frames, DNS_INFLIGHT_MAX);
	dns_relay_stats(r, &st);
	ck_assert_uint_eq(st.dropped, 3);
	close(c);
}
END_TEST

START_TEST(test_bind_errors)
{
	ck_assert_int_eq(dns_relay_bind("not-an-address", 53, SOCK_DGRAM), -EINVAL);
}
END_TEST

static Suite *agent_dns_suite(void)
{
	Suite *s = suite_create("agent_dns");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_two_clients_same_id);
	tcase_add_test(tc, test_bad_sizes);
	tcase_add_test(tc, test_inflight_bounded);
	tcase_add_test(tc, test_bind_errors);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_dns_suite)
