/* unit-deps: lib */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/outcap.h"
#include "tests/unit/unit.h"

#define NOTE "\n[kvmc-vmm: console output beyond 10 bytes dropped]\n"

/* A memfd opened for appending, as kvmc-vmm opens its console file. */
static int append_fd(void)
{
	int fd = memfd_create("outcap", 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_APPEND), 0);
	return fd;
}

/* Everything written to a memfd so far. */
static size_t contents(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len, 0);

	ck_assert_int_ge(n, 0);
	return (size_t)n;
}

START_TEST(test_under_budget_is_written_whole)
{
	int fd = append_fd();
	struct outcap o;
	char buf[128];

	outcap_init(&o, fd, 10);
	ck_assert_int_eq(outcap_write(&o, "abcd", 4), 0);
	ck_assert_int_eq(outcap_write(&o, "efghij", 6), 0);
	ck_assert_uint_eq(contents(fd, buf, sizeof(buf)), 10);
	ck_assert_mem_eq(buf, "abcdefghij", 10);
	close(fd);
}
END_TEST

START_TEST(test_crossing_write_is_cut_and_noted_once)
{
	int fd = append_fd();
	struct outcap o;
	char buf[256];
	size_t n;

	outcap_init(&o, fd, 10);
	ck_assert_int_eq(outcap_write(&o, "abcdefgh", 8), 0);
	ck_assert_int_eq(outcap_write(&o, "12345", 5), 0);
	ck_assert_int_eq(outcap_write(&o, "more", 4), 0);
	ck_assert_int_eq(outcap_write(&o, "x", 1), 0);
	n = contents(fd, buf, sizeof(buf));
	ck_assert_uint_eq(n, 10 + strlen(NOTE));
	ck_assert_mem_eq(buf, "abcdefgh12", 10);
	ck_assert_mem_eq(buf + 10, NOTE, strlen(NOTE));
	close(fd);
}
END_TEST

START_TEST(test_failed_write_is_reported)
{
	struct outcap o;

	outcap_init(&o, -1, 10);
	ck_assert_int_eq(outcap_write(&o, "abc", 3), -EBADF);
	/* Past the budget nothing is written, so nothing fails. */
	ck_assert_int_eq(outcap_write(&o, "abcdefghijkl", 12), -EBADF);
	ck_assert_int_eq(outcap_write(&o, "abc", 3), 0);
}
END_TEST

struct writer {
	struct outcap *o;
	char c;
};

static void *write_many(void *opaque)
{
	struct writer *w = opaque;
	int i;

	for (i = 0; i < 10000; i++)
		outcap_write(w->o, &w->c, 1);
	return NULL;
}

/* Two threads (a vCPU and the loop) share one budget: the file never
 * holds more than the budget and one note. */
START_TEST(test_threads_share_the_budget)
{
	int fd = append_fd();
	struct writer w[2];
	pthread_t t[2];
	struct outcap o;
	char buf[8192];
	int i;

	outcap_init(&o, fd, 5000);
	for (i = 0; i < 2; i++) {
		w[i] = (struct writer){ &o, (char)('a' + i) };
		ck_assert_int_eq(pthread_create(&t[i], NULL, write_many, &w[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(contents(fd, buf, sizeof(buf)),
			  5000 + strlen("\n[kvmc-vmm: console output beyond 5000 bytes dropped]\n"));
	close(fd);
}
END_TEST

static Suite *outcap_suite(void)
{
	Suite *s = suite_create("outcap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_under_budget_is_written_whole);
	tcase_add_test(tc, test_crossing_write_is_cut_and_noted_once);
	tcase_add_test(tc, test_failed_write_is_reported);
	tcase_add_test(tc, test_threads_share_the_budget);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(outcap_suite)
