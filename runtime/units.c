/* Go durations and Docker byte sizes. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "runtime/units.h"

/* digits[.digits] at *s: the integer part, and the fraction as num/den
 * (den a power of ten, at most 10^18). */
static int parse_decimal(const char **s, uint64_t *ip, uint64_t *num,
			 uint64_t *den)
{
	const char *p = *s;

	*ip = 0;
	*num = 0;
	*den = 1;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (*ip > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		*ip = *ip * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++)
			if (*den < 1000000000000000000ULL) {	/* extra digits dropped */
				*num = *num * 10 + (uint64_t)(*p - '0');
				*den *= 10;
			}
	}
	*s = p;
	return 0;
}

/* ip + num/den times unit, or -EINVAL on overflow. */
static int scale(uint64_t ip, uint64_t num, uint64_t den, uint64_t unit,
		 uint64_t *out)
{
	__uint128_t v = (__uint128_t)ip * unit +
			(__uint128_t)num * unit / den;

	if (v > UINT64_MAX)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

int units_duration_ns(const char *s, uint64_t *ns)
{
	static const struct { const char *name; uint64_t ns; } units[] = {
		/* Longest first, so that "ms" is not read as "m". */
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
		{ "\xce\xbcs", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL },
	};
	uint64_t total = 0, ip, num, den, part;

	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		size_t i, best = 0, best_len = 0;

		if (parse_decimal(&s, &ip, &num, &den))
			return -EINVAL;
		for (i = 0; i < sizeof(units) / sizeof(*units); i++) {
			size_t l = strlen(units[i].name);

			if (!strncmp(s, units[i].name, l) && l > best_len) {
				best = i;
				best_len = l;
			}
		}
		if (!best_len || scale(ip, num, den, units[best].ns, &part) ||
		    total > UINT64_MAX - part)
			return -EINVAL;
		total += part;
		s += best_len;
	}
	*ns = total;
	return 0;
}

int units_bytes(const char *s, int64_t *out)
{
	static const char mult[] = "kmgtp";
	uint64_t ip, num, den, unit = 1, v;
	const char *m;

	if (parse_decimal(&s, &ip, &num, &den))
		return -EINVAL;
	if (*s == ' ')
		s++;
	if (*s && (m = strchr(mult, tolower((unsigned char)*s)))) {
		for (long i = 0; i <= m - mult; i++)
			unit *= 1024;
		s++;
	}
	if (*s == 'i' || *s == 'I')
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s || scale(ip, num, den, unit, &v) || v > INT64_MAX)
		return -EINVAL;
	*out = (int64_t)v;
	return 0;
}
