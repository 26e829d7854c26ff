/* Typed reads of config.json members, each failure naming its JSON path. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/oci_parse.h"

int oci_fail(struct oci_parser *p, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path[0])
		snprintf(p->err, p->errlen, "%s: %s: %s", p->name, path, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->name, msg);
	/* Values and member names are quoted from the document: keep the
	 * error one printable line whatever they hold. */
	for (char *c = p->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return strcmp(msg, "out of memory") ? -EINVAL : -ENOMEM;
}

int oci_nomem(struct oci_parser *p)
{
	return oci_fail(p, "", "out of memory");
}

int oci_parser_open(struct oci_parser *p, struct json *j, const char *buf,
		    size_t len)
{
	size_t off = 0;
	int ret = json_parse(j, buf, len, &off);

	if (ret == -ENOMEM)
		return oci_nomem(p);
	if (ret) {
		snprintf(p->err, p->errlen, "%s: not valid JSON (at byte %zu)",
			 p->name, off);
		return -EINVAL;
	}
	p->j = j;
	return 0;
}

/* Paths only come from keys kvmc knows and array indexes, but a member
 * name inside a map is the document's: a too-long path ends in "...". */
static void mark_truncated(char *buf, int n)
{
	if (n >= OCI_PATH_MAX)
		memcpy(buf + OCI_PATH_MAX - 4, "...", 4);
}

void oci_path(char *buf, const char *parent, const char *key)
{
	mark_truncated(buf, snprintf(buf, OCI_PATH_MAX, "%s%s%s", parent,
				     parent[0] ? "." : "", key));
}

void oci_path_index(char *buf, const char *parent, size_t i)
{
	mark_truncated(buf, snprintf(buf, OCI_PATH_MAX, "%s[%zu]", parent, i));
}

int oci_member(struct oci_parser *p, int obj, const char *parent,
	       const char *key, int *tok)
{
	int t = json_get(p->j, obj, key);

	*tok = t < 0 || json_is_null(p->j, t) ? -1 : t;
	return 0;
}

static int absent(struct oci_parser *p, const char *parent, const char *key,
		  bool required)
{
	char path[OCI_PATH_MAX];

	if (!required)
		return 0;
	oci_path(path, parent, key);
	return oci_fail(p, path, "missing (required)");
}

int oci_get_object(struct oci_parser *p, int obj, const char *parent,
		   const char *key, bool required, int *tok)
{
	char path[OCI_PATH_MAX];
	int t;

	oci_member(p, obj, parent, key, &t);
	*tok = -1;
	if (t < 0)
		return absent(p, parent, key, required);
	if (!json_is_object(p->j, t)) {
		oci_path(path, parent, key);
		return oci_fail(p, path, "expected an object");
	}
	*tok = t;
	return 0;
}

int oci_get_array(struct oci_parser *p, int obj, const char *parent,
		  const char *key, int *tok, int *n)
{
	char path[OCI_PATH_MAX];
	int t;

	oci_member(p, obj, parent, key, &t);
	*tok = -1;
	*n = 0;
	if (t < 0)
		return 0;
	if (!json_is_array(p->j, t)) {
		oci_path(path, parent, key);
		return oci_fail(p, path, "expected an array");
	}
	*tok = t;
	*n = json_size(p->j, t);
	return 0;
}

int oci_get_string(struct oci_parser *p, int obj, const char *parent,
		   const char *key, bool required, char **out)
{
	char path[OCI_PATH_MAX];
	int t, ret;

	oci_member(p, obj, parent, key, &t);
	if (t < 0)
		return absent(p, parent, key, required);
	ret = json_string(p->j, t, out);
	if (ret == -ENOMEM)
		return oci_nomem(p);
	if (ret) {
		oci_path(path, parent, key);
		return oci_fail(p, path, "expected a string");
	}
	return 0;
}

int oci_get_path(struct oci_parser *p, int obj, const char *parent,
		 const char *key, bool required, char **out)
{
	char path[OCI_PATH_MAX];
	int ret = oci_get_string(p, obj, parent, key, required, out);

	if (ret || !*out || (*out)[0] == '/')
		return ret;
	oci_path(path, parent, key);
	ret = oci_fail(p, path, "expected an absolute path, got '%s'", *out);
	free(*out);
	*out = NULL;
	return ret;
}

int oci_get_bool(struct oci_parser *p, int obj, const char *parent,
		 const char *key, bool *out)
{
	char path[OCI_PATH_MAX];
	int t;

	oci_member(p, obj, parent, key, &t);
	if (t < 0 || !json_bool(p->j, t, out))
		return 0;
	oci_path(path, parent, key);
	return oci_fail(p, path, "expected true or false");
}

int oci_get_u32(struct oci_parser *p, int obj, const char *parent,
		const char *key, bool required, uint32_t *out)
{
	char path[OCI_PATH_MAX];
	uint64_t v;
	int t;

	oci_member(p, obj, parent, key, &t);
	if (t < 0)
		return absent(p, parent, key, required);
	if (!json_uint64(p->j, t, &v) && v <= UINT32_MAX) {
		*out = (uint32_t)v;
		return 0;
	}
	oci_path(path, parent, key);
	return oci_fail(p, path, "expected an integer from 0 to %u", UINT32_MAX);
}

int oci_get_int64(struct oci_parser *p, int obj, const char *parent,
		  const char *key, bool *present, int64_t *out)
{
	char path[OCI_PATH_MAX];
	int t;

	*present = false;
	oci_member(p, obj, parent, key, &t);
	if (t < 0)
		return 0;
	if (!json_int64(p->j, t, out)) {
		*present = true;
		return 0;
	}
	oci_path(path, parent, key);
	return oci_fail(p, path, "expected a 64-bit integer");
}

int oci_get_uint64(struct oci_parser *p, int obj, const char *parent,
		   const char *key, bool *present, uint64_t *out)
{
	char path[OCI_PATH_MAX];
	int t;

	*present = false;
	oci_member(p, obj, parent, key, &t);
	if (t < 0)
		return 0;
	if (!json_uint64(p->j, t, out)) {
		*present = true;
		return 0;
	}
	oci_path(path, parent, key);
	return oci_fail(p, path, "expected an unsigned 64-bit integer");
}

int oci_get_object_array(struct oci_parser *p, int obj, const char *parent,
			 const char *key, size_t size, void **items, size_t *n,
			 oci_elem_fn fn)
{
	char path[OCI_PATH_MAX], el[OCI_PATH_MAX];
	int t, count, k, ret;
	char *v;

	*items = NULL;
	*n = 0;
	ret = oci_get_array(p, obj, parent, key, &t, &count);
	if (ret || t < 0 || !count)
		return ret;
	oci_path(path, parent, key);
	v = calloc((size_t)count, size);
	if (!v)
		return oci_nomem(p);
	*items = v;
	for (k = json_first(p->j, t); *n < (size_t)count; k = json_skip(p->j, k)) {
		oci_path_index(el, path, *n);
		if (!json_is_object(p->j, k))
			return oci_fail(p, el, "expected an object");
		ret = fn(p, k, el, v + *n * size);
		++*n;
		if (ret)
			return ret;
	}
	return 0;
}

int oci_get_strv(struct oci_parser *p, int obj, const char *parent,
		 const char *key, struct oci_strv *out)
{
	char path[OCI_PATH_MAX];
	int t, n, k, ret;

	oci_member(p, obj, parent, key, &t);
	if (t < 0)
		return 0;
	oci_path(path, parent, key);
	if (!json_is_array(p->j, t))
		return oci_fail(p, path, "expected an array of strings");
	n = json_size(p->j, t);
	out->items = calloc((size_t)n + 1, sizeof(*out->items));
	if (!out->items)
		return oci_nomem(p);
	for (k = json_first(p->j, t); out->n < (size_t)n; k = json_skip(p->j, k)) {
		ret = json_string(p->j, k, &out->items[out->n]);
		if (ret == -ENOMEM)
			return oci_nomem(p);
		if (ret)
			return oci_fail(p, path, "expected an array of strings");
		out->n++;
	}
	return 0;
}

int oci_get_map(struct oci_parser *p, int obj, const char *parent,
		const char *key, struct oci_map *out)
{
	char path[OCI_PATH_MAX];
	int t, n, k;

	oci_member(p, obj, parent, key, &t);
	if (t < 0)
		return 0;
	oci_path(path, parent, key);
	if (!json_is_object(p->j, t))
		return oci_fail(p, path, "expected an object of strings");
	n = json_size(p->j, t);
	out->items = n ? calloc((size_t)n, sizeof(*out->items)) : NULL;
	if (n && !out->items)
		return oci_nomem(p);
	for (k = json_first(p->j, t); out->n < (size_t)n; k = json_skip(p->j, k)) {
		struct oci_kv *kv = &out->items[out->n];

		int ret = json_string(p->j, k, &kv->key);

		if (ret == -ENOMEM)
			return oci_nomem(p);
		if (ret)
			return oci_fail(p, path, "invalid member name");
		out->n++;
		if (json_string(p->j, k + 1, &kv->value)) {
			char sub[OCI_PATH_MAX];

			oci_path(sub, path, kv->key);
			return oci_fail(p, sub, "expected a string");
		}
	}
	return 0;
}

void oci_strv_free(struct oci_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->n = 0;
}

void oci_map_free(struct oci_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].key);
		free(m->items[i].value);
	}
	free(m->items);
	m->items = NULL;
	m->n = 0;
}
