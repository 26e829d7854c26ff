/* Bounds-checked 9P decoding and encoding: see wire.h. */
#include <errno.h>
#include <string.h>

#include "p9/wire.h"

void p9_dec_init(struct p9_dec *d, const void *p, size_t len)
{
	d->p = p;
	d->len = len;
	d->off = 0;
	d->err = 0;
}

/* Returns the n bytes at the cursor, or NULL (and latches the error). */
static const uint8_t *take(struct p9_dec *d, size_t n)
{
	const uint8_t *q;

	if (d->err || n > d->len - d->off) {
		d->err = -EPROTO;
		return NULL;
	}
	q = d->p + d->off;
	d->off += n;
	return q;
}

static uint64_t get_le(struct p9_dec *d, size_t n)
{
	const uint8_t *q = take(d, n);
	uint64_t v = 0;

	if (!q)
		return 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)q[i] << (8 * i);
	return v;
}

uint8_t p9_get_u8(struct p9_dec *d)
{
	return get_le(d, 1);
}

uint16_t p9_get_u16(struct p9_dec *d)
{
	return get_le(d, 2);
}

uint32_t p9_get_u32(struct p9_dec *d)
{
	return get_le(d, 4);
}

uint64_t p9_get_u64(struct p9_dec *d)
{
	return get_le(d, 8);
}

void p9_get_str(struct p9_dec *d, const char **s, uint16_t *n)
{
	uint16_t len = p9_get_u16(d);
	const uint8_t *q = take(d, len);

	*s = q ? (const char *)q : "";
	*n = q ? len : 0;
}

int p9_get_cstr(struct p9_dec *d, char *out, size_t cap)
{
	const char *s;
	uint16_t n;

	p9_get_str(d, &s, &n);
	out[0] = '\0';
	if (d->err)
		return d->err;
	if (n >= cap)
		return -ENAMETOOLONG;
	if (memchr(s, '\0', n))
		return -EINVAL;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int p9_get_name(struct p9_dec *d, char *out)
{
	int ret = p9_get_cstr(d, out, P9_NAME_MAX + 1);

	if (ret)
		return ret;
	if (!out[0] || strchr(out, '/'))
		return -EINVAL;
	return 0;
}

int p9_name_is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

void p9_enc_init(struct p9_enc *e, void *p, size_t cap)
{
	e->p = p;
	e->cap = cap;
	e->off = 0;
	e->err = 0;
}

uint8_t *p9_put_space(struct p9_enc *e, size_t n)
{
	uint8_t *q;

	if (e->err || n > e->cap - e->off) {
		e->err = -ENOBUFS;
		return NULL;
	}
	q = e->p + e->off;
	e->off += n;
	return q;
}

static void put_le(struct p9_enc *e, uint64_t v, size_t n)
{
	uint8_t *q = p9_put_space(e, n);

	if (!q)
		return;
	for (size_t i = 0; i < n; i++)
		q[i] = v >> (8 * i);
}

void p9_put_u8(struct p9_enc *e, uint8_t v)
{
	put_le(e, v, 1);
}

void p9_put_u16(struct p9_enc *e, uint16_t v)
{
	put_le(e, v, 2);
}

void p9_put_u32(struct p9_enc *e, uint32_t v)
{
	put_le(e, v, 4);
}

void p9_put_u64(struct p9_enc *e, uint64_t v)
{
	put_le(e, v, 8);
}

void p9_put_str(struct p9_enc *e, const char *s, size_t n)
{
	uint8_t *q;

	if (n > UINT16_MAX) {
		e->err = -ENOBUFS;
		return;
	}
	p9_put_u16(e, n);
	q = p9_put_space(e, n);
	if (q)
		memcpy(q, s, n);
}

void p9_put_qid(struct p9_enc *e, const struct p9_qid *q)
{
	p9_put_u8(e, q->type);
	p9_put_u32(e, q->version);
	p9_put_u64(e, q->path);
}
