/* unit-deps: proxy lib */
/*
 * The proxy against in-memory stand-ins for the two virtio-console ports
 * (the vcon_port calls it makes are defined here), its event loop on a
 * thread, and a shim played with the blocking client calls.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/console.h"
#include "lib/evloop.h"
#include "lib/hyperstart.h"
#include "lib/proxy_proto.h"
#include "proxy/proxy_int.h"
#include "tests/unit/unit.h"

struct vcon_port {
	pthread_mutex_t mu;
	uint8_t in[65536];		/* from the guest */
	size_t in_len, in_off;
	const struct vcon_port_ops *ops;
	void *opaque;
};

void vcon_port_set_ops(struct vcon_port *p, const struct vcon_port_ops *ops,
		       void *opaque)
{
	pthread_mutex_lock(&p->mu);
	p->ops = ops;
	p->opaque = opaque;
	pthread_mutex_unlock(&p->mu);
}

size_t vcon_port_read(struct vcon_port *p, void *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&p->mu);
	n = p->in_len - p->in_off;
	if (n > len)
		n = len;
	memcpy(buf, p->in + p->in_off, n);
	p->in_off += n;
	pthread_mutex_unlock(&p->mu);
	return n;
}

size_t vcon_port_write(struct vcon_port *p, const void *buf, size_t len)
{
	return len;	/* the agent's side is not played: commands vanish */
}

static struct vcon_port ctl = { .mu = PTHREAD_MUTEX_INITIALIZER };
static struct vcon_port stream = { .mu = PTHREAD_MUTEX_INITIALIZER };
static struct evloop *loop;
static struct proxy *proxy;
static pthread_t loop_thread;
static char dir[] = "/tmp/proxy_test.XXXXXX", sock[64];

static void nop(void *opaque)
{
}

static void *run_loop(void *arg)
{
	evloop_run(loop);
	return NULL;
}

/* Queues bytes from the guest; nothing is read until guest_kick. */
static void guest_put(struct vcon_port *p, const void *data, size_t len)
{
	pthread_mutex_lock(&p->mu);
	ck_assert_uint_le(p->in_len + len, sizeof(p->in));
	memcpy(p->in + p->in_len, data, len);
	p->in_len += len;
	pthread_mutex_unlock(&p->mu);
}

static void guest_ctl(uint32_t code, const char *json)
{
	uint8_t *f;
	size_t len;

	ck_assert_int_eq(hyper_ctl_frame(code, json, json ? strlen(json) : 0,
					 &f, &len), 0);
	guest_put(&ctl, f, len);
	free(f);
}

static void guest_stream(uint64_t seq, const char *text)
{
	uint8_t *f;
	size_t len;

	ck_assert_int_eq(hyper_stream_frame(seq, text, text ? strlen(text) : 0,
					    &f, &len), 0);
	guest_put(&stream, f, len);
	free(f);
}

static void guest_exit(const char *process, int status)
{
	size_t len;
	char *ev = hyper_proc_event_encode("c", process, status, &len);

	ck_assert_ptr_nonnull(ev);
	guest_ctl(HYPER_PROCESSASYNCEVENT, ev);
	free(ev);
}

/* One pump reads everything queued on both ports: control first. */
static void guest_kick(void)
{
	ctl.ops->readable(&ctl, ctl.opaque);
}

static void setup(void)
{
	struct proxy_ops ops = { .pause = nop, .resume = nop };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/proxy.sock", dir);
	ctl.in_len = ctl.in_off = stream.in_len = stream.in_off = 0;
	loop = evloop_new();
	ck_assert_ptr_nonnull(loop);
	proxy = proxy_new(loop, &ctl, &stream, sock, &ops);
	ck_assert_ptr_nonnull(proxy);
	ck_assert_int_eq(pthread_create(&loop_thread, NULL, run_loop, NULL), 0);
	guest_ctl(HYPER_READY, NULL);
	guest_kick();
}

static void teardown(void)
{
	evloop_stop(loop);
	pthread_join(loop_thread, NULL);
	proxy_free(proxy);
	evloop_free(loop);
	rmdir(dir);
}

static int attach(const char *process, uint64_t stdio, uint64_t err_seq,
		  struct px_decoder *d)
{
	char json[160];
	struct px_frame f;
	int fd = px_connect(sock, 5000);

	ck_assert_int_ge(fd, 0);
	snprintf(json, sizeof(json),
		 "{\"container\":\"c\",\"process\":\"%s\",\"stdio\":%llu,\"stderr\":%llu}",
		 process, (unsigned long long)stdio, (unsigned long long)err_seq);
	ck_assert_int_eq(px_send(fd, PX_ATTACH, json, strlen(json), NULL, 0), 0);
	px_decoder_init(d);
	ck_assert_int_eq(px_recv(fd, d, &f, 5000), 0);
	ck_assert_uint_eq(f.type, PX_RESPONSE);
	ck_assert_uint_eq(hyper_get_be32(f.data), HYPER_ACK);
	return fd;
}

static void expect_stream(int fd, struct px_decoder *d, uint64_t seq,
			  const char *text)
{
	struct px_frame f;

	ck_assert_int_eq(px_recv(fd, d, &f, 5000), 0);
	ck_assert_uint_eq(f.type, PX_STREAM);
	ck_assert_uint_eq(px_get_be64(f.data), seq);
	ck_assert_uint_eq(f.len - 8, strlen(text));
	ck_assert_int_eq(memcmp(f.data + 8, text, f.len - 8), 0);
}

static void expect_exit(int fd, struct px_decoder *d, uint32_t status)
{
	struct px_frame f;

	ck_assert_int_eq(px_recv(fd, d, &f, 5000), 0);
	ck_assert_uint_eq(f.type, PX_EXIT);
	ck_assert_uint_eq(hyper_get_be32(f.data), status);
}

/* The agent ends the streams, then reports the exit, on the other port:
 * read in one pump, control first, the exit must still come last. */
START_TEST(test_exit_after_the_output)
{
	struct px_decoder d;
	int fd = attach("exec-1", 3, 4, &d);

	guest_stream(3, "last words");
	guest_stream(3, NULL);
	guest_stream(4, "on stderr");
	guest_stream(4, NULL);
	guest_exit("exec-1", 7);
	guest_kick();
	expect_stream(fd, &d, 3, "last words");
	expect_stream(fd, &d, 3, "");
	expect_stream(fd, &d, 4, "on stderr");
	expect_stream(fd, &d, 4, "");
	expect_exit(fd, &d, 7);
	px_decoder_free(&d);
	close(fd);
}
END_TEST

/* The exit waits for every stream the process has: until stderr's EOF. */
START_TEST(test_exit_waits_for_each_stream)
{
	struct px_decoder d;
	struct px_frame f;
	int fd = attach("exec-2", 5, 6, &d);

	guest_stream(5, NULL);
	guest_exit("exec-2", 0);
	guest_kick();
	expect_stream(fd, &d, 5, "");
	ck_assert_int_eq(px_recv(fd, &d, &f, 300), -ETIMEDOUT);
	guest_stream(6, NULL);
	guest_kick();
	expect_stream(fd, &d, 6, "");
	expect_exit(fd, &d, 0);
	px_decoder_free(&d);
	close(fd);
}
END_TEST

/* A terminal process has one stream. */
START_TEST(test_one_stream)
{
	struct px_decoder d;
	int fd = attach("exec-3", 7, 0, &d);

	guest_stream(7, "tty");
	guest_stream(7, NULL);
	guest_exit("exec-3", 130);
	guest_kick();
	expect_stream(fd, &d, 7, "tty");
	expect_stream(fd, &d, 7, "");
	expect_exit(fd, &d, 130);
	px_decoder_free(&d);
	close(fd);
}
END_TEST

static int procs_left;

static void count_procs(void *opaque, uint32_t events)
{
	int n = 0;

	for (struct px_proc *pr = proxy->procs; pr; pr = pr->next)
		n++;
	__atomic_store_n(&procs_left, n, __ATOMIC_RELEASE);
}

static int procs_now(void)
{
	__atomic_store_n(&procs_left, -1, __ATOMIC_RELEASE);
	evloop_call(loop, count_procs, NULL);
	for (int i = 0; i < 500; i++) {
		int n = __atomic_load_n(&procs_left, __ATOMIC_ACQUIRE);

		if (n >= 0)
			return n;
		usleep(10000);
	}
	return -1;
}

/* A process whose shim had its exit and went is forgotten; one that is
 * still running is kept when its shim goes (it may come back). */
START_TEST(test_ended_process_forgotten)
{
	struct px_decoder d, d2;
	int fd = attach("exec-4", 9, 0, &d), fd2 = attach("exec-5", 11, 0, &d2);

	ck_assert_int_eq(procs_now(), 2);
	guest_stream(9, NULL);
	guest_exit("exec-4", 0);
	guest_kick();
	expect_stream(fd, &d, 9, "");
	expect_exit(fd, &d, 0);
	close(fd);
	close(fd2);
	for (int i = 0; i < 500 && procs_now() != 1; i++)
		usleep(10000);
	ck_assert_int_eq(procs_now(), 1);
	ck_assert_str_eq(proxy->procs->process, "exec-5");
	px_decoder_free(&d);
	px_decoder_free(&d2);
}
END_TEST

/* A buffer whose reader keeps up but never empties it stays about as big
 * as what is pending, not as all that passed through, and keeps the
 * bytes in order. */
START_TEST(test_bytes_bounded)
{
	static uint8_t chunk[65536], want[60000];
	struct bytes b = { NULL, 0, 0 };
	uint64_t in = 0, out = 0;

	for (int i = 0; i < 400; i++) {
		for (size_t k = 0; k < sizeof(chunk); k++)
			chunk[k] = (uint8_t)((in + k) * 131 >> 3);
		ck_assert_int_eq(bytes_add(&b, chunk, sizeof(chunk)), 0);
		in += sizeof(chunk);
		/* The reader takes a little less than came in. */
		for (size_t k = 0; k < 60000; k++)
			want[k] = (uint8_t)((out + k) * 131 >> 3);
		ck_assert(memcmp(b.data + b.off, want, 60000) == 0);
		out += 60000;
		b.off += 60000;
		ck_assert_uint_eq(bytes_pending(&b), in - out);
		ck_assert_uint_le(b.len, 2 * bytes_pending(&b) + sizeof(chunk));
	}
	ck_assert_uint_gt(in, 24u << 20);
	bytes_free(&b);
}
END_TEST

static Suite *proxy_suite(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bytes_bounded);
	tcase_add_test(tc, test_exit_after_the_output);
	tcase_add_test(tc, test_exit_waits_for_each_stream);
	tcase_add_test(tc, test_one_stream);
	tcase_add_test(tc, test_ended_process_forgotten);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(proxy_suite)
