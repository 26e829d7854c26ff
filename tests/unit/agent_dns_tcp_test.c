/* unit-deps: guest lib */
/*
 * DNS over TCP through the agent's relay: clients on a listening socket
 * on 127.0.0.1, the host's end of the port a socketpair, the relay's
 * event loop on a thread.  The test thread plays the clients and the
 * host with blocking calls (5 s receive timeouts, so a lost message fails
 * the test rather than hanging it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/dnsrelay.h"
#include "lib/evloop.h"
#include "tests/unit/unit.h"

static struct evloop *loop;
static struct dns_relay *r;
static pthread_t thread;
static int host, port, udp, tcp;
static struct sockaddr_in tcp_addr;

static void *run(void *arg)
{
	(void)arg;
	evloop_run(loop);
	return NULL;
}

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 5 };

	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
}

static void setup(void)
{
	socklen_t len = sizeof(tcp_addr);
	int sp[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	host = sp[0];
	port = sp[1];
	timeouts(host);
	ck_assert_int_eq(fcntl(port, F_SETFL, O_NONBLOCK), 0);
	udp = dns_relay_bind("127.0.0.1", 0, SOCK_DGRAM);
	tcp = dns_relay_bind("127.0.0.1", 0, SOCK_STREAM);
	ck_assert_int_ge(udp, 0);
	ck_assert_int_ge(tcp, 0);
	ck_assert_int_eq(getsockname(tcp, (struct sockaddr *)&tcp_addr, &len), 0);
	loop = evloop_new();
	ck_assert_ptr_nonnull(loop);
	r = dns_relay_new(loop, port, udp, tcp);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pthread_create(&thread, NULL, run, NULL), 0);
}

static void teardown(void)
{
	evloop_stop(loop);
	pthread_join(thread, NULL);
	dns_relay_free(r);
	evloop_free(loop);
	close(host);
	close(port);
	close(udp);
	close(tcp);
}

static int client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	timeouts(fd);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&tcp_addr,
				 sizeof(tcp_addr)), 0);
	return fd;
}

/* A framed message of len bytes, id and tag (its third byte). */
static size_t frame(uint8_t *f, uint16_t id, size_t len, uint8_t tag)
{
	uint8_t m[DNS_ANSWER_MAX];

	memset(m, tag, len);
	dns_set_id(m, id);
	return dnsf_encode(f, DNS_FRAME_HDR + DNS_ANSWER_MAX, m, len, DNS_ANSWER_MAX);
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
	ck_assert_int_eq(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* The next frame from fd (blocking, whole): its length, message in m;
 * 0 at EOF or timeout. */
static size_t recv_frame(int fd, uint8_t *m)
{
	uint8_t hdr[2];
	size_t len;

	if (recv(fd, hdr, 2, MSG_WAITALL) != 2)
		return 0;
	len = (size_t)hdr[0] << 8 | hdr[1];
	ck_assert_int_eq(recv(fd, m, len, MSG_WAITALL), (ssize_t)len);
	return len;
}

/* Two connections, the same client id, one sending two queries cut
 * across writes: each answer goes back on its own connection with its
 * own id. */
START_TEST(test_two_connections)
{
	uint8_t f[3 * (DNS_FRAME_HDR + DNS_ANSWER_MAX)], m[4][DNS_ANSWER_MAX], a[DNS_ANSWER_MAX];
	int c1 = client(), c2 = client();
	size_t n = 0, len[4];
	unsigned int i;

	n += frame(f, 0x0505, 20, 1);
	n += frame(f + n, 0x0606, 30, 2);
	send_all(c1, f, 5);
	send_all(c1, f + 5, n - 5);
	n = frame(f, 0x0505, 40, 3);
	send_all(c2, f, n);
	for (i = 0; i < 3; i++) {
		len[i] = recv_frame(host, m[i]);
		ck_assert_uint_gt(len[i], 0);
	}
	/* The host got all three (any order between the connections),
	 * each under an id of the relay's own. */
	ck_assert_uint_ne(dns_get_id(m[0]), dns_get_id(m[1]));
	ck_assert_uint_ne(dns_get_id(m[0]), dns_get_id(m[2]));
	ck_assert_uint_ne(dns_get_id(m[1]), dns_get_id(m[2]));
	for (i = 3; i-- > 0;) {
		uint8_t out[DNS_FRAME_HDR + DNS_ANSWER_MAX];

		m[i][4] = 0x99;	/* the answer differs from the query */
		send_all(host, out, dnsf_encode(out, sizeof(out), m[i], len[i] + 100,
						DNS_ANSWER_MAX));
	}
	for (i = 0; i < 2; i++) {
		n = recv_frame(c1, a);
		ck_assert_uint_eq(n, a[2] == 1 ? 120 : 130);
		ck_assert_uint_eq(dns_get_id(a), a[2] == 1 ? 0x0505 : 0x0606);
		ck_assert_uint_eq(a[4], 0x99);
	}
	n = recv_frame(c2, a);
	ck_assert_uint_eq(n, 140);
	ck_assert_uint_eq(dns_get_id(a), 0x0505);
	ck_assert_uint_eq(a[2], 3);
	close(c1);
	close(c2);
}
END_TEST

/* A client gone before its answer costs nothing; a bad frame from a
 * client is skipped and its next query still goes. */
START_TEST(test_gone_and_bad_frames)
{
	uint8_t f[2 * (DNS_FRAME_HDR + DNS_ANSWER_MAX)], m[DNS_ANSWER_MAX], a[DNS_ANSWER_MAX];
	uint8_t bad[2 + 5] = { 0, 5 };
	int c = client();
	size_t n, len;

	n = frame(f, 7, 20, 7);
	send_all(c, f, n);
	len = recv_frame(host, m);
	ck_assert_uint_eq(len, 20);
	close(c);
	usleep(100000);	/* the loop sees the close */
	send_all(host, f, dnsf_encode(f, sizeof(f), m, len, DNS_ANSWER_MAX));
	c = client();
	send_all(c, bad, sizeof(bad));
	n = frame(f, 8, 25, 8);
	send_all(c, f, n);
	len = recv_frame(host, m);
	ck_assert_uint_eq(len, 25);
	ck_assert_uint_eq(m[2], 8);
	send_all(host, f, dnsf_encode(f, sizeof(f), m, len, DNS_ANSWER_MAX));
	ck_assert_uint_eq(recv_frame(c, a), 25);
	ck_assert_uint_eq(dns_get_id(a), 8);
	close(c);
}
END_TEST

/* A client that shuts its sending side after its query still gets the
 * answer, and then the connection is closed. */
START_TEST(test_half_close)
{
	uint8_t f[DNS_FRAME_HDR + DNS_ANSWER_MAX], m[DNS_ANSWER_MAX], a[DNS_ANSWER_MAX];
	int c = client();
	size_t n, len;

	n = frame(f, 0x0909, 33, 9);
	send_all(c, f, n);
	ck_assert_int_eq(shutdown(c, SHUT_WR), 0);
	len = recv_frame(host, m);
	ck_assert_uint_eq(len, 33);
	usleep(100000);	/* the loop sees the shutdown first, most likely */
	send_all(host, f, dnsf_encode(f, sizeof(f), m, len, DNS_ANSWER_MAX));
	n = recv_frame(c, a);
	ck_assert_uint_eq(n, 33);
	ck_assert_uint_eq(dns_get_id(a), 0x0909);
	ck_assert_int_eq(recv(c, a, sizeof(a), 0), 0);	/* then EOF */
	close(c);
}
END_TEST

/* DNS_TCP_CONNS at a time: one more is closed at once; when one goes,
 * a new one is served. */
START_TEST(test_connection_limit)
{
	uint8_t f[DNS_FRAME_HDR + DNS_ANSWER_MAX], m[DNS_ANSWER_MAX], a[16];
	int c[DNS_TCP_CONNS + 1], extra;
	unsigned int i;
	size_t n;

	for (i = 0; i < DNS_TCP_CONNS; i++) {
		c[i] = client();
		/* A query each, so that all are accepted before the next. */
		n = frame(f, (uint16_t)i, 12, 0);
		send_all(c[i], f, n);
		ck_assert_uint_eq(recv_frame(host, m), 12);
	}
	extra = client();
	ck_assert_int_eq(recv(extra, a, sizeof(a), 0), 0);	/* EOF */
	close(extra);
	close(c[0]);
	/* Until the loop has seen the close, a new one is refused too:
	 * retried for up to 10 s. */
	for (i = 0; i < 100; i++) {
		struct timeval tv = { .tv_usec = 100000 };

		c[DNS_TCP_CONNS] = client();
		setsockopt(c[DNS_TCP_CONNS], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(c[DNS_TCP_CONNS], a, 1, MSG_PEEK) < 0 && errno == EAGAIN)
			break;	/* accepted: no EOF */
		close(c[DNS_TCP_CONNS]);
	}
	ck_assert_uint_lt(i, 100);
	n = frame(f, 77, 12, 0);
	send_all(c[DNS_TCP_CONNS], f, n);
	ck_assert_uint_eq(recv_frame(host, m), 12);
	for (i = 1; i <= DNS_TCP_CONNS; i++)
		close(c[i]);
}
END_TEST

static Suite *agent_dns_tcp_suite(void)
{
	Suite *s = suite_create("agent_dns_tcp");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_two_connections);
	tcase_add_test(tc, test_gone_and_bad_frames);
	tcase_add_test(tc, test_connection_limit);
	tcase_add_test(tc, test_half_close);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_dns_tcp_suite)
