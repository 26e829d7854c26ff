/* JSON reading on jsmn tokens, and a writer. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STRICT
#include <jsmn.h>

#include "lib/json.h"

static int outer_start(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->start - 1 : t->start;
}

static int outer_end(const jsmntok_t *t)
{
	return t->type == JSMN_STRING ? t->end + 1 : t->end;
}

/* The text between two tokens is white space around exactly one `sep`
 * (or none when sep is 0). */
static bool gap_ok(const char *src, int from, int to, char sep)
{
	bool seen = false;

	for (int i = from; i < to; i++) {
		char c = src[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c != sep || seen)
			return false;
		seen = true;
	}
	return seen == (sep != 0);
}

/*
 * jsmn accepts some malformed documents ({"a":}, {"a"}, [1,], {"a":1,}):
 * check every container's members and the separators between them.
 * Returns the first bad token or -1.
 */
static int check_structure(const char *src, const jsmntok_t *t, int n)
{
	int i, k, m, prev_end;

	for (i = 0; i < n; i++) {
		bool obj = t[i].type == JSMN_OBJECT;

		if (t[i].type == JSMN_PRIMITIVE || t[i].type == JSMN_STRING) {
			if (t[i].size > 1 || (t[i].size && t[i].type != JSMN_STRING))
				return i;
			continue;
		}
		prev_end = t[i].start + 1;
		for (m = 0, k = i + 1; m < t[i].size; m++) {
			int pending = 1;

			if (k >= n)
				return i;
			if (obj && (t[k].type != JSMN_STRING || t[k].size != 1))
				return k;
			if (!obj && t[k].type == JSMN_STRING && t[k].size)
				return k;
			if (!gap_ok(src, prev_end, outer_start(&t[k]),
				    m ? ',' : 0))
				return k;
			if (obj) {
				if (k + 1 >= n || !gap_ok(src, outer_end(&t[k]),
						outer_start(&t[k + 1]), ':'))
					return k;
				k++;
			}
			prev_end = outer_end(&t[k]);
			while (pending > 0 && k < n) {
				pending += t[k].size - 1;
				k++;
			}
		}
		if (!gap_ok(src, prev_end, t[i].end - 1, 0))
			return i;
	}
	return -1;
}

int json_parse(struct json *j, const char *src, size_t len, size_t *err_off)
{
	int bad;
	jsmn_parser p;
	int n;

	memset(j, 0, sizeof(*j));
	jsmn_init(&p);
	n = jsmn_parse(&p, src, len, NULL, 0);
	if (n <= 0 || n > JSON_MAX_TOKENS) {
		if (err_off)
			*err_off = p.pos;
		return n == JSMN_ERROR_NOMEM ? -ENOMEM : -EINVAL;
	}
	j->tok = calloc((size_t)n, sizeof(*j->tok));
	if (!j->tok)
		return -ENOMEM;
	jsmn_init(&p);
	if (jsmn_parse(&p, src, len, j->tok, (unsigned int)n) != n) {
		if (err_off)
			*err_off = p.pos;
		json_free(j);
		return -EINVAL;
	}
	bad = check_structure(src, j->tok, n);
	if (bad >= 0) {
		if (err_off)
			*err_off = (size_t)j->tok[bad].start;
		json_free(j);
		return -EINVAL;
	}
	/* Only one top-level value, and only white space after it. */
	j->src = src;
	j->len = len;
	j->ntok = n;
	if (json_skip(j, 0) != n) {
		if (err_off)
			*err_off = (size_t)j->tok[json_skip(j, 0)].start;
		json_free(j);
		return -EINVAL;
	}
	return 0;
}

void json_free(struct json *j)
{
	free(j->tok);
	memset(j, 0, sizeof(*j));
}

static bool valid(const struct json *j, int t)
{
	return t >= 0 && t < j->ntok;
}

bool json_is_object(const struct json *j, int t)
{
	return valid(j, t) && j->tok[t].type == JSMN_OBJECT;
}

bool json_is_array(const struct json *j, int t)
{
	return valid(j, t) && j->tok[t].type == JSMN_ARRAY;
}

bool json_is_string(const struct json *j, int t)
{
	return valid(j, t) && j->tok[t].type == JSMN_STRING;
}

bool json_is_null(const struct json *j, int t)
{
	return valid(j, t) && j->tok[t].type == JSMN_PRIMITIVE &&
	       j->src[j->tok[t].start] == 'n';
}

int json_skip(const struct json *j, int t)
{
	int pending = 1;

	/* Tokens are in pre-order: a token's children follow it. */
	while (pending > 0 && t < j->ntok) {
		pending += j->tok[t].size;
		pending--;
		t++;
	}
	return t;
}

int json_size(const struct json *j, int t)
{
	if (!json_is_object(j, t) && !json_is_array(j, t))
		return -1;
	return j->tok[t].size;
}

bool json_eq(const struct json *j, int t, const char *s)
{
	size_t n;

	if (!valid(j, t))
		return false;
	n = (size_t)(j->tok[t].end - j->tok[t].start);
	return strlen(s) == n && !memcmp(j->src + j->tok[t].start, s, n);
}

int json_get(const struct json *j, int obj, const char *key)
{
	int i, n, k;

	if (!json_is_object(j, obj))
		return -1;
	n = j->tok[obj].size;
	for (i = 0, k = obj + 1; i < n; i++) {
		if (j->tok[k].type == JSMN_STRING && json_eq(j, k, key))
			return k + 1;
		k = json_skip(j, k + 1);
	}
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex4(const char *s, const char *end, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	if (end - s < 4)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -EINVAL;
		v = v << 4 | (unsigned int)h;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

int json_string(const struct json *j, int t, char **out)
{
	const char *s, *end;
	char *buf, *o;

	if (!json_is_string(j, t))
		return -EINVAL;
	s = j->src + j->tok[t].start;
	end = j->src + j->tok[t].end;
	/* Unescaping never grows the text (\uXXXX is 6 bytes, <= 4 out). */
	buf = malloc((size_t)(end - s) + 1);
	if (!buf)
		return -ENOMEM;
	for (o = buf; s < end; s++) {
		unsigned int cp, lo;

		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		if (++s == end)
			goto bad;
		switch (*s) {
		case '"': case '\\': case '/':
			*o++ = *s;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(s + 1, end, &cp))
				goto bad;
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (end - s < 7 || s[1] != '\\' || s[2] != 'u' ||
				    hex4(s + 3, end, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				s += 6;
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad;
			}
			if (cp == 0)	/* C strings cannot hold it */
				goto bad;
			o = put_utf8(o, cp);
			break;
		default:
			goto bad;
		}
	}
	*o = '\0';
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

/* Copies a primitive's text; numbers are short, longer ones are refused. */
static int primitive(const struct json *j, int t, char *buf, size_t size)
{
	size_t n;

	if (!valid(j, t) || j->tok[t].type != JSMN_PRIMITIVE)
		return -EINVAL;
	n = (size_t)(j->tok[t].end - j->tok[t].start);
	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(buf, j->src + j->tok[t].start, n);
	buf[n] = '\0';
	return 0;
}

int json_int64(const struct json *j, int t, int64_t *out)
{
	char buf[32], *end;
	long long v;

	if (primitive(j, t, buf, sizeof(buf)))
		return -EINVAL;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end || !(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')))
		return -EINVAL;
	*out = v;
	return 0;
}

int json_uint64(const struct json *j, int t, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long v;

	if (primitive(j, t, buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int json_bool(const struct json *j, int t, bool *out)
{
	char buf[8];

	if (primitive(j, t, buf, sizeof(buf)))
		return -EINVAL;
	if (!strcmp(buf, "true"))
		*out = true;
	else if (!strcmp(buf, "false"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* --- writer ---------------------------------------------------------- */

void jb_init(struct jbuf *b)
{
	memset(b, 0, sizeof(*b));
	b->first[0] = true;
}

static void put(struct jbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *nb;

		while (cap < b->len + n + 1)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (!nb) {
			b->err = true;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void putf(struct jbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void putf(struct jbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(b, tmp, (size_t)n);
}

/* Separator before a value: a comma unless first in its container, and
 * nothing right after a key. */
static void sep(struct jbuf *b)
{
	if (b->after_key) {
		b->after_key = false;
		return;
	}
	if (!b->first[b->depth])
		put(b, ",", 1);
	b->first[b->depth] = false;
}

static void open_c(struct jbuf *b, char c)
{
	sep(b);
	if (b->depth + 1 >= JB_MAX_DEPTH) {
		b->err = true;
		return;
	}
	put(b, &c, 1);
	b->first[++b->depth] = true;
}

static void close_c(struct jbuf *b, char c)
{
	if (b->depth == 0 || b->after_key) {
		b->err = true;
		return;
	}
	b->depth--;
	put(b, &c, 1);
}

void jb_obj_begin(struct jbuf *b) { open_c(b, '{'); }
void jb_obj_end(struct jbuf *b) { close_c(b, '}'); }
void jb_arr_begin(struct jbuf *b) { open_c(b, '['); }
void jb_arr_end(struct jbuf *b) { close_c(b, ']'); }

static void quoted(struct jbuf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	put(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		default: putf(b, "\\u%04x", c); break;
		}
	}
	put(b, s + run, n - run);
	put(b, "\"", 1);
}

void jb_key(struct jbuf *b, const char *key)
{
	sep(b);
	quoted(b, key, strlen(key));
	put(b, ":", 1);
	b->after_key = true;
}

void jb_strn(struct jbuf *b, const char *s, size_t n)
{
	sep(b);
	quoted(b, s, n);
}

void jb_str(struct jbuf *b, const char *s)
{
	jb_strn(b, s, strlen(s));
}

void jb_int(struct jbuf *b, int64_t v)
{
	sep(b);
	putf(b, "%" PRId64, v);
}

void jb_uint(struct jbuf *b, uint64_t v)
{
	sep(b);
	putf(b, "%" PRIu64, v);
}

void jb_bool(struct jbuf *b, bool v)
{
	sep(b);
	put(b, v ? "true" : "false", v ? 4 : 5);
}

void jb_null(struct jbuf *b)
{
	sep(b);
	put(b, "null", 4);
}

void jb_raw(struct jbuf *b, const char *json, size_t n)
{
	sep(b);
	put(b, json, n);
}

char *jb_finish(struct jbuf *b, size_t *len)
{
	char *out = b->buf;

	if (b->err || b->depth != 0 || b->after_key || !out) {
		free(b->buf);
		jb_init(b);
		return NULL;
	}
	if (len)
		*len = b->len;
	jb_init(b);
	return out;
}
