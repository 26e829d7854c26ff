/* Bounds-checked 9P decoding and encoding over flat buffers.
 *
 * A decoder never reads past its buffer: the first short read latches
 * d->err and every later get returns zero, so a handler decodes all its
 * fields and checks d->err once.  The encoder works the same way against
 * its capacity. */
#ifndef KVMC_P9_WIRE_H
#define KVMC_P9_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define P9_NAME_MAX	255

struct p9_dec {
	const uint8_t *p;
	size_t len, off;
	int err;		/* 0 or -EPROTO */
};

struct p9_enc {
	uint8_t *p;
	size_t cap, off;
	int err;		/* 0 or -ENOBUFS */
};

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

void p9_dec_init(struct p9_dec *d, const void *p, size_t len);
uint8_t p9_get_u8(struct p9_dec *d);
uint16_t p9_get_u16(struct p9_dec *d);
uint32_t p9_get_u32(struct p9_dec *d);
uint64_t p9_get_u64(struct p9_dec *d);
/* A string[s] left in place: *s points into the message, not terminated. */
void p9_get_str(struct p9_dec *d, const char **s, uint16_t *n);
/*
 * A string copied into out (P9_NAME_MAX + 1 bytes) as a single path
 * component for the host: 0, or -EPROTO (truncated message), -EINVAL
 * (empty, or holding '/' or NUL), -ENAMETOOLONG.  "." and ".." pass: the
 * caller decides (walk allows "..", creation refuses both).
 */
int p9_get_name(struct p9_dec *d, char *out);
/* A string copied and NUL-terminated into out[cap]: -EINVAL if it holds a
 * NUL, -ENAMETOOLONG if it does not fit. */
int p9_get_cstr(struct p9_dec *d, char *out, size_t cap);

void p9_enc_init(struct p9_enc *e, void *p, size_t cap);
void p9_put_u8(struct p9_enc *e, uint8_t v);
void p9_put_u16(struct p9_enc *e, uint16_t v);
void p9_put_u32(struct p9_enc *e, uint32_t v);
void p9_put_u64(struct p9_enc *e, uint64_t v);
void p9_put_str(struct p9_enc *e, const char *s, size_t n);
void p9_put_qid(struct p9_enc *e, const struct p9_qid *q);
/* Reserves n bytes and returns where they start (NULL if they do not fit). */
uint8_t *p9_put_space(struct p9_enc *e, size_t n);

/* True if name is "." or "..": never valid as a name to create. */
int p9_name_is_dot(const char *name);

#endif
