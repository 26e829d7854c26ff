/* unit-deps: lib */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/proxy_proto.h"
#include "tests/unit/unit.h"

START_TEST(test_header)
{
	uint8_t h[PX_HDR];

	px_header(h, PX_STREAM, 5);
	ck_assert_int_eq(hyper_get_be32(h), 13);
	ck_assert_int_eq(h[4], 0);
	ck_assert_int_eq(h[5], PX_STREAM);
	ck_assert_int_eq(h[6] | h[7], 0);
}
END_TEST

/* Two frames fed one byte at a time come out whole and in order. */
START_TEST(test_decode_bytewise)
{
	uint8_t wire[64];
	struct px_decoder d;
	struct px_frame f;
	size_t n = 0;
	int got = 0;

	px_header(wire, PX_HYPER, 3);
	memcpy(wire + PX_HDR, "abc", 3);
	n = PX_HDR + 3;
	px_header(wire + n, PX_EXIT, 0);
	n += PX_HDR;
	px_decoder_init(&d);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(px_feed(&d, wire + i, 1), 0);
		while (px_next(&d, &f)) {
			if (got == 0) {
				ck_assert_int_eq(f.type, PX_HYPER);
				ck_assert_uint_eq(f.len, 3);
				ck_assert_mem_eq(f.data, "abc", 3);
			} else {
				ck_assert_int_eq(f.type, PX_EXIT);
				ck_assert_uint_eq(f.len, 0);
			}
			got++;
		}
	}
	ck_assert_int_eq(got, 2);
	ck_assert_int_eq(px_next(&d, &f), 0);
	px_decoder_free(&d);
}
END_TEST

/* A peer's length below the header or above PX_MAX poisons the decoder
 * before any allocation of that size. */
START_TEST(test_decode_bad_lengths)
{
	uint8_t h[PX_HDR] = { 0 };
	struct px_decoder d;
	struct px_frame f;

	px_decoder_init(&d);
	hyper_put_be32(h, 7);
	ck_assert_int_eq(px_feed(&d, h, sizeof(h)), -EMSGSIZE);
	ck_assert_int_eq(px_next(&d, &f), 0);
	px_decoder_free(&d);

	px_decoder_init(&d);
	hyper_put_be32(h, PX_MAX + 1);
	ck_assert_int_eq(px_feed(&d, h, sizeof(h)), -EMSGSIZE);
	px_decoder_free(&d);

	px_decoder_init(&d);
	hyper_put_be32(h, 0xffffffffu);
	ck_assert_int_eq(px_feed(&d, h, sizeof(h)), -EMSGSIZE);
	px_decoder_free(&d);
}
END_TEST

/* px_send's two parts arrive as one frame through px_recv. */
START_TEST(test_send_recv)
{
	struct px_decoder d;
	struct px_frame f;
	uint8_t seq[8];
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	px_put_be64(seq, 0x0102030405060708ull);
	ck_assert_int_eq(px_send(sv[0], PX_STREAM, seq, 8, "hi", 2), 0);
	px_decoder_init(&d);
	ck_assert_int_eq(px_recv(sv[1], &d, &f, 10000), 0);
	ck_assert_int_eq(f.type, PX_STREAM);
	ck_assert_uint_eq(f.len, 10);
	ck_assert(px_get_be64(f.data) == 0x0102030405060708ull);
	ck_assert_mem_eq(f.data + 8, "hi", 2);
	ck_assert_int_eq(px_send(sv[0], PX_STREAM, NULL, PX_MAX, NULL, 0),
			 -EMSGSIZE);
	close(sv[0]);
	ck_assert_int_eq(px_recv(sv[1], &d, &f, 10000), -ECONNRESET);
	px_decoder_free(&d);
	close(sv[1]);
}
END_TEST

/* A fake proxy answering px_hyper: checks the request, replies ERROR. */
static void *fake_proxy(void *arg)
{
	int fd = *(int *)arg;
	struct px_decoder d;
	struct px_frame f;
	uint8_t code[4];

	px_decoder_init(&d);
	if (!px_recv(fd, &d, &f, 10000) && f.type == PX_HYPER && f.len == 6 &&
	    hyper_get_be32(f.data) == HYPER_NEWCONTAINER &&
	    !memcmp(f.data + 4, "{}", 2)) {
		px_send(fd, PX_EXIT, NULL, 0, NULL, 0);
		hyper_put_be32(code, HYPER_ERROR);
		px_send(fd, PX_RESPONSE, code, 4, "no", 2);
	}
	px_decoder_free(&d);
	return NULL;
}

START_TEST(test_hyper_error_reply)
{
	pthread_t t;
	char *reply = NULL;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, fake_proxy, &sv[1]), 0);
	/* Frames other than the response (here PX_EXIT) are skipped. */
	ck_assert_int_eq(px_hyper(sv[0], HYPER_NEWCONTAINER, "{}", &reply,
				  10000), -EIO);
	ck_assert_str_eq(reply, "no");
	free(reply);
	pthread_join(t, NULL);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_sockaddr_long_path)
{
	char path[300];
	struct sockaddr_un sa;
	int dirfd;

	ck_assert_int_eq(px_sockaddr("/run/x.sock", &sa, &dirfd), 0);
	ck_assert_int_eq(dirfd, -1);
	ck_assert_str_eq(sa.sun_path, "/run/x.sock");

	/* A name that cannot fit even behind /proc/self/fd/N/. */
	memset(path, 'a', sizeof(path));
	memcpy(path, "/tmp/", 5);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(px_sockaddr(path, &sa, &dirfd), -ENAMETOOLONG);
	ck_assert_int_eq(dirfd, -1);
	/* A missing directory. */
	path[150] = '/';
	path[151] = '\0';
	ck_assert_int_eq(px_sockaddr(path, &sa, &dirfd), -ENOENT);
	/* A long directory path with a short name: reached through a
	 * descriptor of the directory. */
	memset(path, '/', 120);
	memcpy(path, "/tmp", 4);
	strcpy(path + 120, "x.sock");
	ck_assert_int_eq(px_sockaddr(path, &sa, &dirfd), 0);
	ck_assert_int_ge(dirfd, 0);
	ck_assert(!strncmp(sa.sun_path, "/proc/self/fd/", 14));
	close(dirfd);
}
END_TEST

/* A listener that appears 30 ms late, as the VMM's does after its exec. */
static void *listen_late(void *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	usleep(30000);
	strcpy(sa.sun_path, path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		return (void *)-1L;
	return (void *)(long)fd;
}

START_TEST(test_connect_waits_for_the_socket)
{
	char dir[] = "/tmp/pxc.XXXXXX", path[64];
	pthread_t t;
	void *lfd;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.sock", dir);
	/* Nothing there and no time to wait: ENOENT at once. */
	ck_assert_int_eq(px_connect(path, 0), -ENOENT);
	ck_assert_int_eq(pthread_create(&t, NULL, listen_late, path), 0);
	fd = px_connect(path, 10000);
	ck_assert_int_ge(fd, 0);
	pthread_join(t, &lfd);
	ck_assert_int_ge((long)lfd, 0);
	close(fd);
	/* A socket nobody listens on any more: refused until the timeout. */
	close((int)(long)lfd);
	ck_assert_int_eq(px_connect(path, 5), -ECONNREFUSED);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *proxy_proto_suite(void)
{
	Suite *s = suite_create("proxy_proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_decode_bytewise);
	tcase_add_test(tc, test_decode_bad_lengths);
	tcase_add_test(tc, test_send_recv);
	tcase_add_test(tc, test_hyper_error_reply);
	tcase_add_test(tc, test_sockaddr_long_path);
	tcase_add_test(tc, test_connect_waits_for_the_socket);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(proxy_proto_suite)
