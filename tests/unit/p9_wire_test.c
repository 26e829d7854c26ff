/* unit-deps: p9 lib */
#include <errno.h>
#include <string.h>

#include "p9/wire.h"
#include "tests/unit/unit.h"

START_TEST(test_ints_le)
{
	const uint8_t m[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct p9_dec d;

	p9_dec_init(&d, m, sizeof(m));
	ck_assert_uint_eq(p9_get_u8(&d), 1);
	ck_assert_uint_eq(p9_get_u16(&d), 0x0302);
	ck_assert_uint_eq(p9_get_u32(&d), 0x07060504);
	ck_assert_uint_eq(p9_get_u64(&d), 0x0f0e0d0c0b0a0908ull);
	ck_assert_int_eq(d.err, 0);
	/* Past the end: zero, and the error sticks. */
	ck_assert_uint_eq(p9_get_u8(&d), 0);
	ck_assert_int_eq(d.err, -EPROTO);
	p9_dec_init(&d, m, 3);
	ck_assert_uint_eq(p9_get_u32(&d), 0);
	ck_assert_uint_eq(p9_get_u8(&d), 0);	/* even though 3 bytes exist */
	ck_assert_int_eq(d.err, -EPROTO);
}
END_TEST

START_TEST(test_strings)
{
	const uint8_t ok[] = { 3, 0, 'a', 'b', 'c' };
	const uint8_t longer[] = { 0xff, 0xff, 'a' };
	const uint8_t slash[] = { 3, 0, 'a', '/', 'c' };
	const uint8_t nul[] = { 3, 0, 'a', 0, 'c' };
	const uint8_t empty[] = { 0, 0 };
	char name[P9_NAME_MAX + 1], small[3];
	struct p9_dec d;
	const char *s;
	uint16_t n;

	p9_dec_init(&d, ok, sizeof(ok));
	p9_get_str(&d, &s, &n);
	ck_assert_int_eq(n, 3);
	ck_assert(!memcmp(s, "abc", 3));
	p9_dec_init(&d, ok, sizeof(ok));
	ck_assert_int_eq(p9_get_name(&d, name), 0);
	ck_assert_str_eq(name, "abc");
	p9_dec_init(&d, ok, sizeof(ok));
	ck_assert_int_eq(p9_get_cstr(&d, small, sizeof(small)), -ENAMETOOLONG);

	p9_dec_init(&d, longer, sizeof(longer));
	p9_get_str(&d, &s, &n);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(d.err, -EPROTO);
	p9_dec_init(&d, longer, sizeof(longer));
	ck_assert_int_eq(p9_get_name(&d, name), -EPROTO);

	p9_dec_init(&d, slash, sizeof(slash));
	ck_assert_int_eq(p9_get_name(&d, name), -EINVAL);
	p9_dec_init(&d, nul, sizeof(nul));
	ck_assert_int_eq(p9_get_name(&d, name), -EINVAL);
	p9_dec_init(&d, empty, sizeof(empty));
	ck_assert_int_eq(p9_get_name(&d, name), -EINVAL);
	ck_assert(p9_name_is_dot("."));
	ck_assert(p9_name_is_dot(".."));
	ck_assert(!p9_name_is_dot("..."));
}
END_TEST

START_TEST(test_long_name)
{
	uint8_t m[2 + 300];
	char name[P9_NAME_MAX + 1];
	struct p9_dec d;

	m[0] = 300 & 0xff;
	m[1] = 300 >> 8;
	memset(m + 2, 'x', 300);
	p9_dec_init(&d, m, sizeof(m));
	ck_assert_int_eq(p9_get_name(&d, name), -ENAMETOOLONG);
	m[0] = 255;
	m[1] = 0;
	p9_dec_init(&d, m, sizeof(m));
	ck_assert_int_eq(p9_get_name(&d, name), 0);
	ck_assert_uint_eq(strlen(name), 255);
}
END_TEST

START_TEST(test_encoder)
{
	uint8_t b[16];
	struct p9_enc e;
	struct p9_qid q = { 0x80, 1, 2 };

	p9_enc_init(&e, b, sizeof(b));
	p9_put_qid(&e, &q);
	ck_assert_int_eq(e.off, 13);
	ck_assert_uint_eq(b[0], 0x80);
	ck_assert_uint_eq(b[5], 2);
	p9_put_str(&e, "abc", 3);		/* 5 bytes, 3 left */
	ck_assert_int_eq(e.err, -ENOBUFS);
	ck_assert_int_eq(e.off, 13 + 2);	/* the length fit, not the rest */
	p9_put_u8(&e, 1);
	ck_assert_int_eq(e.off, 15);
	ck_assert_ptr_null(p9_put_space(&e, 0));
}
END_TEST

static Suite *p9_wire_suite(void)
{
	Suite *s = suite_create("p9_wire");
	TCase *tc = tcase_create("wire");

	tcase_add_test(tc, test_ints_le);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_long_name);
	tcase_add_test(tc, test_encoder);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(p9_wire_suite)
