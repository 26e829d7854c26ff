/* state.json (kvmc's own record) and runc's `state` JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/oci.h"
#include "runtime/state.h"

static void put_str(struct jbuf *b, const char *key, const char *v)
{
	jb_key(b, key);
	jb_str(b, v ? v : "");
}

static void put_proc(struct jbuf *b, const char *key, const struct kvmc_proc *p)
{
	jb_key(b, key);
	jb_obj_begin(b);
	jb_key(b, "pid");
	jb_int(b, p->pid);
	jb_key(b, "start");
	jb_uint(b, p->start);
	jb_obj_end(b);
}

static void put_map(struct jbuf *b, const char *key, const struct oci_map *m)
{
	jb_key(b, key);
	jb_obj_begin(b);
	for (size_t i = 0; i < m->n; i++) {
		jb_key(b, m->items[i].key);
		jb_str(b, m->items[i].value);
	}
	jb_obj_end(b);
}

char *state_encode(const struct kvmc_state *st, size_t *len)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	put_str(&b, "id", st->id);
	put_str(&b, "bundle", st->bundle);
	put_str(&b, "rootfs", st->rootfs);
	put_str(&b, "created", st->created);
	put_str(&b, "owner", st->owner);
	put_proc(&b, "creator", &st->creator);
	put_proc(&b, "shim", &st->shim);
	put_proc(&b, "vmm", &st->vmm);
	jb_key(&b, "started");
	jb_bool(&b, st->started);
	jb_key(&b, "paused");
	jb_bool(&b, st->paused);
	put_map(&b, "annotations", &st->annotations);
	put_map(&b, "kvmc", &st->extra);
	jb_obj_end(&b);
	return jb_finish(&b, len);
}

static int get_str(const struct json *j, const char *key, char **out)
{
	int t = json_get(j, 0, key);

	return t < 0 ? -EINVAL : json_string(j, t, out);
}

static int get_bool(const struct json *j, const char *key, bool *out)
{
	int t = json_get(j, 0, key);

	return t < 0 ? -EINVAL : json_bool(j, t, out);
}

static int get_proc(const struct json *j, const char *key, struct kvmc_proc *p)
{
	int t = json_get(j, 0, key);
	int64_t pid;

	if (t < 0 || json_int64(j, json_get(j, t, "pid"), &pid) ||
	    pid < 0 || pid > INT32_MAX ||
	    json_uint64(j, json_get(j, t, "start"), &p->start))
		return -EINVAL;
	p->pid = (pid_t)pid;
	return 0;
}

static int get_map(const struct json *j, const char *key, struct oci_map *m)
{
	int t = json_get(j, 0, key), n, k;

	if (t < 0 || !json_is_object(j, t))
		return -EINVAL;
	n = json_size(j, t);
	m->items = n ? calloc((size_t)n, sizeof(*m->items)) : NULL;
	if (n && !m->items)
		return -ENOMEM;
	for (k = json_first(j, t); n--; k = json_skip(j, k)) {
		struct oci_kv *kv = &m->items[m->n++];

		if (json_string(j, k, &kv->key) ||
		    json_string(j, k + 1, &kv->value))
			return -EINVAL;
	}
	return 0;
}

static int parse_state(const struct json *j, struct kvmc_state *st,
		       const char **field)
{
	char *s = NULL;
	bool ok;

#define NEED(name, expr) do { *field = name; if (expr) return -EINVAL; } while (0)
	NEED("id", get_str(j, "id", &s));
	ok = strlen(s) <= KVMC_ID_MAX;
	snprintf(st->id, sizeof(st->id), "%s", s);
	free(s);
	NEED("id", !ok);
	NEED("created", get_str(j, "created", &s));
	ok = strlen(s) < sizeof(st->created);
	snprintf(st->created, sizeof(st->created), "%s", s);
	free(s);
	NEED("created", !ok);
	NEED("bundle", get_str(j, "bundle", &st->bundle));
	NEED("rootfs", get_str(j, "rootfs", &st->rootfs));
	NEED("owner", get_str(j, "owner", &st->owner));
	NEED("creator", get_proc(j, "creator", &st->creator));
	NEED("shim", get_proc(j, "shim", &st->shim));
	NEED("vmm", get_proc(j, "vmm", &st->vmm));
	NEED("started", get_bool(j, "started", &st->started));
	NEED("paused", get_bool(j, "paused", &st->paused));
	NEED("annotations", get_map(j, "annotations", &st->annotations));
	NEED("kvmc", get_map(j, "kvmc", &st->extra));
#undef NEED
	return 0;
}

int state_decode(const char *text, size_t len, struct kvmc_state *st,
		 const char **field)
{
	struct json j;
	int ret;

	memset(st, 0, sizeof(*st));
	*field = "";
	ret = json_parse(&j, text, len, NULL);
	if (ret)
		return ret;
	ret = parse_state(&j, st, field);
	json_free(&j);
	if (ret)
		state_free(st);
	return ret;
}

char *state_to_runc_json(const struct kvmc_state *st, enum kvmc_status s)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	put_str(&b, "ociVersion", OCI_VERSION);
	put_str(&b, "id", st->id);
	jb_key(&b, "pid");
	/* As runc: no pid once stopped (it may already name another process). */
	jb_int(&b, s == KVMC_STOPPED ? 0 : st->shim.pid);
	put_str(&b, "status", state_status_name(s));
	put_str(&b, "bundle", st->bundle);
	put_str(&b, "rootfs", st->rootfs);
	put_str(&b, "created", st->created);
	if (st->annotations.n)
		put_map(&b, "annotations", &st->annotations);
	put_str(&b, "owner", st->owner);
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}
