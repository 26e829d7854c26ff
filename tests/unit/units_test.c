/* unit-deps: runtime lib */
#include <errno.h>
#include <stdint.h>

#include "runtime/units.h"
#include "tests/unit/unit.h"

START_TEST(test_durations)
{
	static const struct { const char *s; uint64_t ns; } ok[] = {
		{ "0", 0 }, { "5s", 5000000000ULL }, { "250ms", 250000000ULL },
		{ "1m30s", 90000000000ULL }, { "1.5s", 1500000000ULL },
		{ ".5s", 500000000ULL }, { "2h", 7200000000000ULL },
		{ "10us", 10000 }, { "10\xc2\xb5s", 10000 }, { "7ns", 7 },
		{ "1h1m1s1ms", 3661001000000ULL }, { "0.000000001s", 1 },
	};
	static const char *const bad[] = {
		"", "5", "s", "-5s", "+5s", "5x", "5 s", "1.s5", "5s ",
		"99999999999999999999s", "5000000000000h", "1.5.5s",
	};
	uint64_t ns;

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		ns = 42;
		if (units_duration_ns(ok[i].s, &ns) || ns != ok[i].ns)
			ck_abort_msg("%s: got %llu, want %llu", ok[i].s,
				     (unsigned long long)ns,
				     (unsigned long long)ok[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (units_duration_ns(bad[i], &ns) != -EINVAL)
			ck_abort_msg("'%s' accepted as %llu ns", bad[i],
				     (unsigned long long)ns);
}
END_TEST

START_TEST(test_bytes)
{
	static const struct { const char *s; int64_t v; } ok[] = {
		{ "0", 0 }, { "512", 512 }, { "512m", 512LL << 20 },
		{ "512M", 512LL << 20 }, { "1g", 1LL << 30 }, { "1.5G", 3LL << 29 },
		{ "64MiB", 64LL << 20 }, { "64mb", 64LL << 20 }, { "10 k", 10240 },
		{ "2t", 2LL << 40 }, { "1p", 1LL << 50 }, { "100b", 100 },
	};
	static const char *const bad[] = {
		"", "m", "-1", "12x", "1.5.5g", "1gg", "10000000p", "1  k", "k1",
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		v = 42;
		if (units_bytes(ok[i].s, &v) || v != ok[i].v)
			ck_abort_msg("%s: got %lld, want %lld", ok[i].s,
				     (long long)v, (long long)ok[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (units_bytes(bad[i], &v) != -EINVAL)
			ck_abort_msg("'%s' accepted as %lld", bad[i], (long long)v);
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_bytes);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(units_suite)
