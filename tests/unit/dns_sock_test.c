/* unit-deps: runtime lib */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/dns_sock.h"
#include "runtime/fsutil.h"
#include "tests/unit/unit.h"

static bool names(const char *text)
{
	return dns_names_relay(text, strlen(text));
}

START_TEST(test_names_relay)
{
	ck_assert(names("nameserver 127.0.0.11\n"));
	ck_assert(names("search x\noptions ndots:0\n\tnameserver\t127.0.0.11"));
	ck_assert(names("nameserver 10.0.0.1\nnameserver 127.0.0.11 # docker\n"));
	ck_assert(names("nameserver 127.0.0.11\r\n"));
	ck_assert(!names(""));
	ck_assert(!names("nameserver 127.0.0.1\n"));
	ck_assert(!names("nameserver 127.0.0.110\n"));
	ck_assert(!names("nameserver 127.0.0.111\n"));
	ck_assert(!names("# nameserver 127.0.0.11\n"));
	ck_assert(!names("nameservers 127.0.0.11\n"));
	ck_assert(!names("search 127.0.0.11\n"));
	ck_assert(!names("nameserver\n127.0.0.11\n"));
	/* Not NUL-terminated: only len bytes count. */
	ck_assert(!dns_names_relay("nameserver 127.0.0.11", 20));
}
END_TEST

START_TEST(test_relay_wanted)
{
	char dir[] = "/tmp/dns-sock-test.XXXXXX", path[128];
	const char *conf = "nameserver 127.0.0.11\noptions ndots:0\n";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert(!dns_relay_wanted(dir));		/* no etc copy */
	snprintf(path, sizeof(path), "%s/etc", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/etc/resolv.conf", dir);
	ck_assert_int_eq(fs_write_atomic(path, "nameserver 8.8.8.8\n", 19, 0600), 0);
	ck_assert(!dns_relay_wanted(dir));
	ck_assert_int_eq(fs_write_atomic(path, conf, strlen(conf), 0600), 0);
	ck_assert(dns_relay_wanted(dir));
	fs_remove_tree(dir);
}
END_TEST

/* In our own namespace (the one a test can always name): a connected
 * datagram socket to 127.0.0.11:53, close-on-exec, and this thread is
 * back where it was. */
START_TEST(test_socket)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	struct stat before, after;
	char err[256] = "", addr[32];
	int fd, type = 0;
	socklen_t tlen = sizeof(type);

	ck_assert_int_eq(stat("/proc/thread-self/ns/net", &before), 0);
	fd = dns_socket("/proc/self/ns/net", err, sizeof(err));
	if (fd == -EPERM) {
		fprintf(stderr, "dns_sock_test: setns not permitted here: "
			"the socket case is skipped (%s)\n", err);
		return;
	}
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_eq(stat("/proc/thread-self/ns/net", &after), 0);
	ck_assert(before.st_ino == after.st_ino);
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &len), 0);
	ck_assert_str_eq(inet_ntop(AF_INET, &peer.sin_addr, addr, sizeof(addr)),
			 "127.0.0.11");
	ck_assert_uint_eq(ntohs(peer.sin_port), 53);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen), 0);
	ck_assert_int_eq(type, SOCK_DGRAM);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}
END_TEST

START_TEST(test_socket_missing_ns)
{
	char err[256] = "";

	ck_assert_int_eq(dns_socket("/nonexistent/netns", err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/netns"));
	ck_assert_ptr_nonnull(strstr(err, "DNS relay"));
}
END_TEST

static Suite *dns_sock_suite(void)
{
	Suite *s = suite_create("dns_sock");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names_relay);
	tcase_add_test(tc, test_relay_wanted);
	tcase_add_test(tc, test_socket);
	tcase_add_test(tc, test_socket_missing_ns);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(dns_sock_suite)
