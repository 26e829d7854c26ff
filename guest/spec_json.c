/* JSON helpers shared by the payload parsers: typed members with error
 * messages that name the field. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/spec_json.h"

int spec_fail(struct spec_doc *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int spec_open_doc(struct spec_doc *x, const char *json, size_t len, char *err,
		  size_t errlen)
{
	size_t off = 0;
	int ret;

	x->err = err;
	x->errlen = errlen;
	ret = json_parse(&x->j, json, len, &off);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return spec_fail(x, "payload: malformed JSON at byte %zu", off);
	if (!json_is_object(&x->j, 0)) {
		json_free(&x->j);
		return spec_fail(x, "payload: not a JSON object");
	}
	return 0;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Optional string member: *out stays NULL when absent or null. */
int spec_opt_str(struct spec_doc *x, int obj, const char *key, const char *where,
		 char **out)
{
	int t = json_get(&x->j, obj, key);
	int ret;

	*out = NULL;
	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	ret = json_string(&x->j, t, out);
	if (ret)
		return spec_fail(x, "%s%s: not a string", where, key);
	return 0;
}

int spec_req_str(struct spec_doc *x, int obj, const char *key, const char *where,
		 char **out)
{
	int ret = spec_opt_str(x, obj, key, where, out);

	if (!ret && !*out)
		return spec_fail(x, "%s%s: missing", where, key);
	return ret;
}

int spec_opt_bool(struct spec_doc *x, int obj, const char *key, const char *where,
		  bool *out)
{
	int t = json_get(&x->j, obj, key);

	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	if (json_bool(&x->j, t, out))
		return spec_fail(x, "%s%s: not a boolean", where, key);
	return 0;
}

int spec_opt_u64(struct spec_doc *x, int obj, const char *key, const char *where,
		 uint64_t *out)
{
	int t = json_get(&x->j, obj, key);

	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	if (json_uint64(&x->j, t, out))
		return spec_fail(x, "%s%s: not an unsigned integer", where, key);
	return 0;
}

/* String array member; *out NULL-terminated (empty when absent). */
int spec_opt_strv(struct spec_doc *x, int obj, const char *key,
		  const char *where, char ***out)
{
	int t = json_get(&x->j, obj, key);
	int n, i, e;
	char **v;

	*out = NULL;
	n = t < 0 || json_is_null(&x->j, t) ? 0 : json_size(&x->j, t);
	if (t >= 0 && !json_is_null(&x->j, t) && !json_is_array(&x->j, t))
		return spec_fail(x, "%s%s: not an array", where, key);
	if (n > SPEC_MAX_ITEMS)
		return spec_fail(x, "%s%s: more than %d elements", where, key,
				 SPEC_MAX_ITEMS);
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0, e = n ? json_first(&x->j, t) : 0; i < n;
	     i++, e = json_skip(&x->j, e)) {
		if (json_string(&x->j, e, &v[i])) {
			strv_free(v);
			return spec_fail(x, "%s%s[%d]: not a string", where, key, i);
		}
	}
	*out = v;
	return 0;
}

bool spec_valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > AGENT_ID_MAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") == n;
}

/* A relative path inside a share or root: no "..", no leading '/'. */
bool spec_safe_relpath(const char *s)
{
	const char *c = s;

	if (*s == '/')
		return false;
	while (*c) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += n;
		c += *c == '/';
	}
	return true;
}
