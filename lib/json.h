/* JSON: reading with jsmn (tokens indexed from 0 = the root value) and a
 * small writer.  Shared by the runtime (config.json, state), the agent and
 * the proxy (hyperstart payloads). */
#ifndef KVMC_LIB_JSON_H
#define KVMC_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER

struct json {
	const char *src;	/* not owned, not NUL-terminated */
	size_t len;
	jsmntok_t *tok;
	int ntok;
};

/* 0, -EINVAL (malformed; *err_off, if given, gets the byte offset), or
 * -ENOMEM.  Documents deeper than JSON_MAX_TOKENS tokens are refused. */
#define JSON_MAX_TOKENS (1 << 20)
int json_parse(struct json *j, const char *src, size_t len, size_t *err_off);
void json_free(struct json *j);

bool json_is_object(const struct json *j, int t);
bool json_is_array(const struct json *j, int t);
bool json_is_string(const struct json *j, int t);
bool json_is_null(const struct json *j, int t);
/* Token after t's whole subtree (its next sibling), or j->ntok. */
int json_skip(const struct json *j, int t);
/* Value of key in object obj, or -1 (also when obj is not an object). */
int json_get(const struct json *j, int obj, const char *key);
/* Number of elements (array) or members (object); -1 otherwise. */
int json_size(const struct json *j, int t);
/* Iteration: for (i = json_first(j, arr); n--; i = json_skip(j, i)). */
static inline int json_first(const struct json *j, int t)
{
	(void)j;
	return t + 1;
}

/* Typed reads; -EINVAL on a type mismatch or out-of-range number. */
int json_string(const struct json *j, int t, char **out);	/* malloc'd */
int json_int64(const struct json *j, int t, int64_t *out);
int json_uint64(const struct json *j, int t, uint64_t *out);
int json_bool(const struct json *j, int t, bool *out);
/* Raw token text equals s (for keys and unescaped strings). */
bool json_eq(const struct json *j, int t, const char *s);

/* Writer.  Errors (OOM, nesting) are sticky and reported by jb_finish. */
#define JB_MAX_DEPTH 32
struct jbuf {
	char *buf;
	size_t len, cap;
	bool err;
	int depth;
	bool first[JB_MAX_DEPTH];	/* no element yet at this depth */
	bool after_key;
};

void jb_init(struct jbuf *b);
void jb_obj_begin(struct jbuf *b);
void jb_obj_end(struct jbuf *b);
void jb_arr_begin(struct jbuf *b);
void jb_arr_end(struct jbuf *b);
void jb_key(struct jbuf *b, const char *key);
void jb_str(struct jbuf *b, const char *s);
void jb_strn(struct jbuf *b, const char *s, size_t n);
void jb_int(struct jbuf *b, int64_t v);
void jb_uint(struct jbuf *b, uint64_t v);
void jb_bool(struct jbuf *b, bool v);
void jb_null(struct jbuf *b);
/* Inserts already-encoded JSON as one value. */
void jb_raw(struct jbuf *b, const char *json, size_t n);
/* The NUL-terminated text (caller frees), or NULL after any error. */
char *jb_finish(struct jbuf *b, size_t *len);

#endif
