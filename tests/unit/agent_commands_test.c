/* unit-deps: guest lib */
/* The agent's channels and command handlers over socketpairs: every
 * command gets exactly one reply, hostile frames get ERROR, and NEXT
 * acknowledges every byte read.  Nothing here may touch the machine:
 * no command that mounts, spawns or resets succeeds in getting that far. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/evloop.h"
#include "lib/hyperstart.h"
#include "tests/unit/unit.h"

static struct evloop *loop;
static int host_ctl, host_stream;
static size_t sent;

static void setup(void)
{
	int ctl[2], stream[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stream), 0);
	fcntl(ctl[0], F_SETFL, O_NONBLOCK);
	fcntl(stream[0], F_SETFL, O_NONBLOCK);
	host_ctl = ctl[1];
	host_stream = stream[1];
	loop = evloop_new();
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(procs_init(loop), 0);
	ck_assert_int_eq(channel_init(loop, ctl[0], stream[0]), 0);
	sent = 0;
}

static void send_raw(int fd, const void *p, size_t n)
{
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
	if (fd == host_ctl)
		sent += n;
}

static void send_cmd(uint32_t code, const char *json)
{
	uint8_t *f;
	size_t n;

	ck_assert_int_eq(hyper_ctl_frame(code, json, json ? strlen(json) : 0,
					 &f, &n), 0);
	send_raw(host_ctl, f, n);
	free(f);
}

static void stop(void *opaque, uint32_t events)
{
	evloop_stop(loop);
}

/* One pass of the loop over everything written so far (once per test:
 * a stopped loop stays stopped). */
static void run_once(void)
{
	ck_assert_int_eq(evloop_call(loop, stop, NULL), 0);
	ck_assert_int_eq(evloop_run(loop), 0);
}

struct replies {
	int n;
	uint32_t code[32];
	char text[32][AGENT_ERR_MAX];
	size_t acked;		/* sum of NEXT */
};

static void collect(struct replies *r)
{
	struct hyper_decoder d;
	uint8_t buf[65536], *p = buf;
	ssize_t n = recv(host_ctl, buf, sizeof(buf), MSG_DONTWAIT);

	memset(r, 0, sizeof(*r));
	hyper_decoder_init(&d, HYPER_CHAN_CTL, HYPER_CTL_MAX);
	while (n > 0) {
		struct hyper_frame f;
		bool got;
		ssize_t k = hyper_decode(&d, p, (size_t)n, &f, &got);

		ck_assert_int_gt(k, 0);
		p += k;
		n -= k;
		if (!got)
			continue;
		ck_assert_int_eq(f.status, 0);
		if (f.code == HYPER_NEXT) {
			ck_assert_uint_eq(f.len, 4);
			r->acked += hyper_get_be32(f.data);
			continue;
		}
		ck_assert_int_lt(r->n, 32);
		r->code[r->n] = f.code;
		if (f.code == HYPER_ACK && f.len == 4 && f.data[0] == 0)
			snprintf(r->text[r->n], AGENT_ERR_MAX, "%u",
				 hyper_get_be32(f.data));
		else
			snprintf(r->text[r->n], AGENT_ERR_MAX, "%.*s",
				 (int)f.len, f.data);
		r->n++;
	}
	hyper_decoder_free(&d);
}

START_TEST(test_replies)
{
	static const struct {
		uint32_t code;
		const char *json, *want;	/* want: ACK text or ERROR part */
		bool ack;
	} cmds[] = {
		{ HYPER_PING, NULL, "", true },
		{ HYPER_GETVERSION, NULL, "4244", true },
		{ 99, NULL, "command 99: not supported", false },
		{ HYPER_STOPPOD_DEPRECATED, NULL, "not supported", false },
		{ HYPER_READFILE, "{}", "not supported", false },
		{ HYPER_NEWCONTAINER, "{nope", "malformed JSON", false },
		{ HYPER_NEWCONTAINER, "{\"id\":\"c\",\"process\":{\"args\":[\"x\"],"
		  "\"stdio\":1}}", "no shareDir", false },
		{ HYPER_EXECCMD, "{\"container\":\"ghost\",\"process\":{\"id\":\"e\","
		  "\"args\":[\"x\"],\"stdio\":1}}", "container ghost: not found", false },
		{ HYPER_KILLCONTAINER, "{\"container\":\"ghost\",\"signal\":9}",
		  "container ghost: not found", false },
		{ HYPER_SIGNALPROCESS, "{\"container\":\"ghost\",\"process\":\"p\","
		  "\"signal\":9}", "container ghost: not found", false },
		{ HYPER_REMOVECONTAINER, "{\"container\":\"ghost\"}",
		  "container ghost: not found", false },
		{ HYPER_REMOVECONTAINER, "{}", "container: missing", false },
		{ HYPER_WINSIZE, "{\"seq\":5,\"row\":1,\"column\":1}",
		  "no such process", false },
		{ HYPER_SETUPROUTE, "{\"routes\":[{\"dest\":\"x\",\"gateway\":\"y\"}]}",
		  "bad address", false },
		{ HYPER_SETUPINTERFACE, "{\"device\":\"no-such-if0\"}",
		  "not found", false },
		{ HYPER_STARTPOD, "{\"shareDir\":\"tag\"}", "", true },
		{ HYPER_STARTPOD, "{\"shareDir\":\"tag\"}", "already started", false },
		{ HYPER_PING, NULL, "", true },
	};
	const size_t n = sizeof(cmds) / sizeof(cmds[0]);
	struct replies r;

	for (size_t i = 0; i < n; i++)
		send_cmd(cmds[i].code, cmds[i].json);
	run_once();
	collect(&r);
	ck_assert_int_eq(r.n, (int)n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(r.code[i] == (cmds[i].ack ? HYPER_ACK : HYPER_ERROR),
			      "command %zu (%u): reply %u \"%s\"", i, cmds[i].code,
			      r.code[i], r.text[i]);
		ck_assert_msg(cmds[i].ack ? !strcmp(r.text[i], cmds[i].want) :
			      !!strstr(r.text[i], cmds[i].want),
			      "command %zu: \"%s\" lacks \"%s\"", i, r.text[i],
			      cmds[i].want);
	}
	/* NEXT acknowledged every byte that was read. */
	ck_assert_uint_eq(r.acked, sent);
}
END_TEST

START_TEST(test_hostile_frames)
{
	static const uint8_t short_len[] = { 0, 0, 0, 12, 0, 0, 0, 3 };
	static const uint8_t stream_junk[] = {
		0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 15, 'a', 'b', 'c',	/* no seq 42 */
		0, 0, 0, 0, 0, 0, 0, 43, 0, 0, 0, 2,			/* short */
	};
	static const uint8_t binary[] = { 0, 0, 0, 6, 0, 0, 0, 12, 0xff, 0, 0xfe, 1 };
	struct replies r;

	send_raw(host_ctl, short_len, sizeof(short_len));
	send_raw(host_ctl, binary, sizeof(binary));
	send_raw(host_stream, stream_junk, sizeof(stream_junk));
	send_cmd(HYPER_PING, NULL);
	run_once();
	collect(&r);
	ck_assert_int_eq(r.n, 3);
	ck_assert_uint_eq(r.code[0], HYPER_ERROR);
	ck_assert_ptr_nonnull(strstr(r.text[0], "length"));
	ck_assert_uint_eq(r.code[1], HYPER_ERROR);
	ck_assert_ptr_nonnull(strstr(r.text[1], "malformed JSON"));
	ck_assert_uint_eq(r.code[2], HYPER_ACK);
	ck_assert_uint_eq(r.acked, sent);
}
END_TEST

static Suite *agent_commands_suite(void)
{
	Suite *s = suite_create("agent_commands");
	TCase *tc = tcase_create("core");

	/* Each test forks (Check's default): fresh agent state per test. */
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_replies);
	tcase_add_test(tc, test_hostile_frames);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_commands_suite)
