/* unit-deps: lib */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hyperstart.h"
#include "tests/unit/unit.h"

START_TEST(test_codes_pinned)
{
	/* hyperstart master, APIVERSION 4244. */
	ck_assert_int_eq(HYPER_APIVERSION, 4244);
	ck_assert_int_eq(HYPER_DESTROYPOD, 4);
	ck_assert_int_eq(HYPER_EXECCMD, 6);
	ck_assert_int_eq(HYPER_READY, 8);
	ck_assert_int_eq(HYPER_ACK, 9);
	ck_assert_int_eq(HYPER_ERROR, 10);
	ck_assert_int_eq(HYPER_PING, 12);
	ck_assert_int_eq(HYPER_NEXT, 14);
	ck_assert_int_eq(HYPER_NEWCONTAINER, 17);
	ck_assert_int_eq(HYPER_REMOVECONTAINER, 22);
	ck_assert_int_eq(HYPER_PROCESSASYNCEVENT, 23);
	ck_assert_int_eq(HYPER_SIGNALPROCESS, 24);
	ck_assert_str_eq(hyper_cmd_name(HYPER_NEWCONTAINER), "NEWCONTAINER");
	ck_assert_str_eq(hyper_cmd_name(HYPER_DELETEINTERFACE), "DELETEINTERFACE");
	ck_assert_ptr_null(hyper_cmd_name(26));
	ck_assert_ptr_null(hyper_cmd_name(0xffffffffu));
}
END_TEST

START_TEST(test_encode)
{
	uint8_t *p;
	size_t n;

	ck_assert_int_eq(hyper_ctl_frame(HYPER_PING, NULL, 0, &p, &n), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_mem_eq(p, "\0\0\0\x0c\0\0\0\x08", 8);
	free(p);
	ck_assert_int_eq(hyper_ctl_frame(HYPER_EXECCMD, "{}", 2, &p, &n), 0);
	ck_assert_uint_eq(n, 10);
	ck_assert_mem_eq(p, "\0\0\0\x06\0\0\0\x0a{}", 10);
	free(p);
	ck_assert_int_eq(hyper_stream_frame(0x0102030405060708ull, "hi", 2,
					    &p, &n), 0);
	ck_assert_uint_eq(n, 14);
	ck_assert_mem_eq(p, "\x01\x02\x03\x04\x05\x06\x07\x08\0\0\0\x0ehi", 14);
	free(p);
	ck_assert_int_eq(hyper_ctl_frame(1, "", HYPER_CTL_MAX, &p, &n),
			 -EMSGSIZE);
	ck_assert_int_eq(hyper_stream_frame(1, "", HYPER_STREAM_MAX, &p, &n),
			 -EMSGSIZE);
}
END_TEST

/* Feeds buf in chunks of `step` bytes and collects the frames. */
struct seen {
	int n;
	uint32_t code[8];
	uint64_t seq[8];
	int status[8];
	size_t len[8];
	char data[8][64];
};

static void feed(struct hyper_decoder *d, const uint8_t *buf, size_t len,
		 size_t step, struct seen *s)
{
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	while (off < len) {
		size_t n = len - off < step ? len - off : step;

		while (n) {
			struct hyper_frame f;
			bool got;
			ssize_t r = hyper_decode(d, buf + off, n, &f, &got);

			ck_assert_int_gt(r, 0);
			off += (size_t)r;
			n -= (size_t)r;
			if (!got)
				continue;
			ck_assert_int_lt(s->n, 8);
			s->code[s->n] = f.code;
			s->seq[s->n] = f.seq;
			s->status[s->n] = f.status;
			s->len[s->n] = f.len;
			if (!f.status) {
				ck_assert_uint_lt(f.len, sizeof(s->data[0]));
				ck_assert_int_eq(f.data[f.len], '\0');
				memcpy(s->data[s->n], f.data, f.len);
			} else {
				ck_assert_ptr_null(f.data);
			}
			s->n++;
		}
	}
}

START_TEST(test_decode_any_split)
{
	static const uint8_t in[] =
		"\0\0\0\x0c\0\0\0\x08"			/* PING */
		"\0\0\0\x11\0\0\0\x0d{\"a\"}"		/* NEWCONTAINER */
		"\0\0\0\x09\0\0\0\x0a" "ab";		/* ACK "ab" */
	struct hyper_decoder d;
	struct seen s;

	for (size_t step = 1; step <= sizeof(in); step++) {
		hyper_decoder_init(&d, HYPER_CHAN_CTL, HYPER_CTL_MAX);
		feed(&d, in, sizeof(in) - 1, step, &s);
		ck_assert_int_eq(s.n, 3);
		ck_assert_uint_eq(s.code[0], HYPER_PING);
		ck_assert_uint_eq(s.len[0], 0);
		ck_assert_uint_eq(s.code[1], HYPER_NEWCONTAINER);
		ck_assert_str_eq(s.data[1], "{\"a\"}");
		ck_assert_uint_eq(s.code[2], HYPER_ACK);
		ck_assert_str_eq(s.data[2], "ab");
		for (int i = 0; i < 3; i++)
			ck_assert_int_eq(s.status[i], 0);
		hyper_decoder_free(&d);
	}
}
END_TEST

START_TEST(test_decode_stream)
{
	static const uint8_t in[] =
		"\0\0\0\x01\0\0\0\x02\0\0\0\x0fxyz"
		"\xff\0\0\0\0\0\0\x03\0\0\0\x0c";	/* EOF on a big seq */
	struct hyper_decoder d;
	struct seen s;

	hyper_decoder_init(&d, HYPER_CHAN_STREAM, HYPER_STREAM_MAX);
	feed(&d, in, sizeof(in) - 1, 5, &s);
	ck_assert_int_eq(s.n, 2);
	ck_assert(s.seq[0] == 0x100000002ull);
	ck_assert_str_eq(s.data[0], "xyz");
	ck_assert(s.seq[1] == 0xff00000000000003ull);
	ck_assert_uint_eq(s.len[1], 0);
	ck_assert_int_eq(s.status[1], 0);
	hyper_decoder_free(&d);
}
END_TEST

START_TEST(test_decode_hostile_lengths)
{
	/* A length below the header, a 4 GiB length that must be skipped
	 * without allocating, then a good frame: all stay in step. */
	uint8_t in[64];
	size_t n = 0;
	struct hyper_decoder d;
	struct hyper_frame f;
	bool got;
	ssize_t r;

	memcpy(in + n, "\0\0\0\x0c\0\0\0\x03", 8);
	n += 8;
	memcpy(in + n, "\0\0\0\x11\0\0\0\x20", 8);	/* 24 bytes payload, max 16 */
	n += 8;
	memset(in + n, 'x', 24);
	n += 24;
	memcpy(in + n, "\0\0\0\x0c\0\0\0\x08", 8);
	n += 8;

	struct seen s;

	for (size_t step = 1; step <= n; step++) {
		hyper_decoder_init(&d, HYPER_CHAN_CTL, 16);
		feed(&d, in, n, step, &s);
		ck_assert_int_eq(s.n, 3);
		ck_assert_int_eq(s.status[0], -EBADMSG);
		ck_assert_uint_eq(s.code[0], HYPER_PING);
		ck_assert_int_eq(s.status[1], -EMSGSIZE);
		ck_assert_uint_eq(s.code[1], HYPER_NEWCONTAINER);
		ck_assert_uint_eq(s.len[1], 24);
		ck_assert_int_eq(s.status[2], 0);
		ck_assert_uint_eq(s.code[2], HYPER_PING);
		/* The oversized payload was never stored. */
		ck_assert_ptr_null(d.buf);
		hyper_decoder_free(&d);
	}

	/* 0xffffffff: the decoder swallows what arrives and allocates nothing. */
	hyper_decoder_init(&d, HYPER_CHAN_CTL, HYPER_CTL_MAX);
	memcpy(in, "\0\0\0\x01\xff\xff\xff\xff", 8);
	memset(in + 8, 'y', 56);
	r = hyper_decode(&d, in, 64, &f, &got);
	ck_assert_int_eq(r, 64);
	ck_assert(!got);
	ck_assert_ptr_null(d.buf);
	hyper_decoder_free(&d);

	/* A zero-byte feed is harmless. */
	hyper_decoder_init(&d, HYPER_CHAN_STREAM, HYPER_STREAM_MAX);
	ck_assert_int_eq(hyper_decode(&d, in, 0, &f, &got), 0);
	ck_assert(!got);
	hyper_decoder_free(&d);
}
END_TEST

START_TEST(test_proc_event)
{
	struct hyper_proc_event ev;
	size_t len;
	char *s = hyper_proc_event_encode("c1", "init", 137, &len);

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(len, strlen(s));
	ck_assert_int_eq(hyper_proc_event_decode(s, len, &ev), 0);
	ck_assert_str_eq(ev.container, "c1");
	ck_assert_str_eq(ev.process, "init");
	ck_assert_str_eq(ev.event, "finished");
	ck_assert_int_eq(ev.status, 137);
	hyper_proc_event_free(&ev);
	free(s);

	static const char *const bad[] = {
		"", "[]", "{\"container\":\"c\"}",
		"{\"container\":1,\"process\":\"p\",\"event\":\"finished\",\"status\":0}",
		"{\"container\":\"c\",\"process\":\"p\",\"event\":\"finished\",\"status\":256}",
		"{\"container\":\"c\",\"process\":\"p\",\"event\":\"finished\",\"status\":-1}",
		"{\"container\":\"c\",\"process\":\"p\",\"event\":\"finished\",\"status\":\"0\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(hyper_proc_event_decode(bad[i], strlen(bad[i]),
							 &ev), -EINVAL);
		ck_assert_ptr_null(ev.container);
	}

	/* Deep nesting from a guest is refused by size, before jsmn. */
	char *deep = malloc(HYPER_EVENT_MAX + 2);

	memset(deep, '[', HYPER_EVENT_MAX / 2 + 1);
	memset(deep + HYPER_EVENT_MAX / 2 + 1, ']', HYPER_EVENT_MAX / 2 + 1);
	ck_assert_int_eq(hyper_proc_event_decode(deep, HYPER_EVENT_MAX + 2, &ev),
			 -EINVAL);
	free(deep);
}
END_TEST

static Suite *hyperstart_suite(void)
{
	Suite *s = suite_create("hyperstart");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_codes_pinned);
	tcase_add_test(tc, test_encode);
	tcase_add_test(tc, test_decode_any_split);
	tcase_add_test(tc, test_decode_stream);
	tcase_add_test(tc, test_decode_hostile_lengths);
	tcase_add_test(tc, test_proc_event);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(hyperstart_suite)
