/* Container state directories and state.json: create, save, load, lock,
 * list, remove.  Status derivation is in state_status.c. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"
#include "runtime/fsutil.h"
#include "runtime/state.h"

#define STATE_MAX_BYTES (1 << 20)

int state_validate_id(struct kvmc_ctx *ctx, const char *id)
{
	size_t n = strlen(id);

	if (!n)
		return kvmc_err(ctx, EINVAL, "invalid container id: empty");
	if (n > KVMC_ID_MAX)
		return kvmc_err(ctx, EINVAL, "invalid container id: longer than %d characters",
				KVMC_ID_MAX);
	if (!isalnum((unsigned char)id[0]))
		goto bad;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			goto bad;
	}
	return 0;
bad:
	return kvmc_err(ctx, EINVAL,
			"invalid container id '%s': expected [A-Za-z0-9][A-Za-z0-9_.-]*",
			id);
}

int state_dir(const struct kvmc_ctx *ctx, const char *id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", ctx->root, id);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int state_path(struct kvmc_ctx *ctx, const char *id, const char *file,
		      char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/%s", ctx->root, id, file);

	if (n < 0 || (size_t)n >= len)
		return kvmc_err(ctx, ENAMETOOLONG, "%s: path too long", ctx->root);
	return 0;
}

static int not_exist(struct kvmc_ctx *ctx, const char *id)
{
	/* containerd matches "does not exist" (runc's wording). */
	return kvmc_err(ctx, ENOENT, "container \"%s\" does not exist", id);
}

static void owner_name(uid_t uid, char **out)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &res) && res)
		*out = strdup(res->pw_name);
	else if (asprintf(out, "#%u", (unsigned int)uid) < 0)
		*out = NULL;
}

static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n && snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec) >= (int)(len - n))
		buf[n] = '\0';
}

static int mkdir_root(struct kvmc_ctx *ctx)
{
	char path[4096];
	char *p;

	if (snprintf(path, sizeof(path), "%s", ctx->root) >= (int)sizeof(path))
		return kvmc_err(ctx, ENAMETOOLONG, "--root: path too long");
	/* mkdir -p: each component, tolerating the ones that exist. */
	for (p = path + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0711) && errno != EEXIST)
			return kvmc_err(ctx, errno, "--root: creating %s: %s", path,
					strerror(errno));
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

static int map_dup(struct oci_map *dst, const struct oci_map *src)
{
	dst->items = NULL;
	dst->n = 0;
	if (!src || !src->n)
		return 0;
	dst->items = calloc(src->n, sizeof(*dst->items));
	if (!dst->items)
		return -ENOMEM;
	for (size_t i = 0; i < src->n; i++) {
		dst->items[i].key = strdup(src->items[i].key);
		dst->items[i].value = strdup(src->items[i].value);
		dst->n++;
		if (!dst->items[i].key || !dst->items[i].value)
			return -ENOMEM;
	}
	return 0;
}

void state_free(struct kvmc_state *st)
{
	free(st->bundle);
	free(st->rootfs);
	free(st->owner);
	oci_map_free(&st->annotations);
	oci_map_free(&st->extra);
	memset(st, 0, sizeof(*st));
}

int state_lock(struct kvmc_ctx *ctx, const char *id, int *lockfd)
{
	char dir[4096];
	struct stat st;
	int fd;

	if (state_validate_id(ctx, id))
		return -EINVAL;
	if (state_dir(ctx, id, dir, sizeof(dir)))
		return kvmc_err(ctx, ENAMETOOLONG, "%s: path too long", ctx->root);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return not_exist(ctx, id);
	if (fd < 0)
		return kvmc_err(ctx, errno, "%s: %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			int e = errno;

			close(fd);
			return kvmc_err(ctx, e, "locking %s: %s", dir, strerror(e));
		}
	}
	/* Deleted while we waited: the directory we hold is unlinked. */
	if (fstat(fd, &st) || st.st_nlink == 0) {
		close(fd);
		return not_exist(ctx, id);
	}
	*lockfd = fd;
	return 0;
}

void state_unlock(int lockfd)
{
	if (lockfd >= 0)
		close(lockfd);
}

int state_create(struct kvmc_ctx *ctx, const char *id, const char *bundle,
		 const char *rootfs, const struct oci_map *annotations,
		 struct kvmc_state *st, int *lockfd)
{
	char dir[4096];
	int ret;

	memset(st, 0, sizeof(*st));
	ret = state_validate_id(ctx, id);
	if (ret)
		return ret;
	ret = mkdir_root(ctx);
	if (ret)
		return ret;
	if (state_dir(ctx, id, dir, sizeof(dir)))
		return kvmc_err(ctx, ENAMETOOLONG, "%s: path too long", ctx->root);
	if (mkdir(dir, 0711)) {
		if (errno == EEXIST)
			return kvmc_err(ctx, EEXIST, "container \"%s\" already exists", id);
		return kvmc_err(ctx, errno, "creating %s: %s", dir, strerror(errno));
	}
	snprintf(st->id, sizeof(st->id), "%s", id);
	now_rfc3339(st->created, sizeof(st->created));
	st->bundle = strdup(bundle);
	st->rootfs = strdup(rootfs);
	owner_name(geteuid(), &st->owner);
	if (!st->bundle || !st->rootfs || !st->owner ||
	    map_dup(&st->annotations, annotations)) {
		ret = kvmc_err(ctx, ENOMEM, "out of memory");
		goto fail;
	}
	ret = state_proc_get(getpid(), &st->creator);
	if (ret) {
		ret = kvmc_err(ctx, ret, "reading /proc/self/stat: %s", strerror(-ret));
		goto fail;
	}
	ret = state_lock(ctx, id, lockfd);
	if (ret)
		goto fail;
	ret = state_save(ctx, st);
	if (ret) {
		state_unlock(*lockfd);
		goto fail;
	}
	return 0;
fail:
	fs_remove_tree(dir);
	state_free(st);
	return ret;
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

int state_save(struct kvmc_ctx *ctx, const struct kvmc_state *st)
{
	char path[4096];
	struct jbuf b;
	size_t len;
	char *text;
	int ret;

	ret = state_path(ctx, st->id, STATE_FILE, path, sizeof(path));
	if (ret)
		return ret;
	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "id");
	jb_str(&b, st->id);
	jb_key(&b, "bundle");
	jb_str(&b, st->bundle ? st->bundle : "");
	jb_key(&b, "rootfs");
	jb_str(&b, st->rootfs ? st->rootfs : "");
	jb_key(&b, "created");
	jb_str(&b, st->created);
	jb_key(&b, "owner");
	jb_str(&b, st->owner ? st->owner : "");
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
	text = jb_finish(&b, &len);
	if (!text)
		return kvmc_err(ctx, ENOMEM, "%s: encoding failed", path);
	ret = fs_write_atomic(path, text, len, 0600);
	free(text);
	if (ret)
		return kvmc_err(ctx, ret, "writing %s: %s", path, strerror(-ret));
	return 0;
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

int state_load(struct kvmc_ctx *ctx, const char *id, struct kvmc_state *st)
{
	char path[4096];
	const char *field = "";
	struct json j;
	char *text;
	size_t len;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = state_validate_id(ctx, id);
	if (ret)
		return ret;
	ret = state_path(ctx, id, STATE_FILE, path, sizeof(path));
	if (ret)
		return ret;
	ret = fs_read_file(path, STATE_MAX_BYTES, &text, &len);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return not_exist(ctx, id);
	if (ret)
		return kvmc_err(ctx, ret, "reading %s: %s", path, strerror(-ret));
	ret = json_parse(&j, text, len, NULL);
	if (ret) {
		free(text);
		return kvmc_err(ctx, EIO, "%s: not valid JSON", path);
	}
	ret = parse_state(&j, st, &field);
	json_free(&j);
	free(text);
	if (ret) {
		state_free(st);
		return kvmc_err(ctx, EIO, "%s: %s: missing or invalid", path, field);
	}
	if (strcmp(st->id, id)) {
		state_free(st);
		return kvmc_err(ctx, EIO, "%s: id: does not match the directory", path);
	}
	return 0;
}

int state_remove(struct kvmc_ctx *ctx, const char *id)
{
	char dir[4096];
	int ret;

	ret = state_validate_id(ctx, id);
	if (ret)
		return ret;
	if (state_dir(ctx, id, dir, sizeof(dir)))
		return kvmc_err(ctx, ENAMETOOLONG, "%s: path too long", ctx->root);
	ret = fs_remove_tree(dir);
	if (ret)
		return kvmc_err(ctx, ret, "removing %s: %s", dir, strerror(-ret));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void state_list_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int state_list(struct kvmc_ctx *ctx, char ***ids, size_t *n)
{
	struct kvmc_ctx quiet = { .root = ctx->root };
	char **v = NULL, **nv;
	size_t cnt = 0;
	struct dirent *e;
	DIR *d;

	*ids = NULL;
	*n = 0;
	d = opendir(ctx->root);
	if (!d && errno == ENOENT)
		return 0;
	if (!d)
		return kvmc_err(ctx, errno, "%s: %s", ctx->root, strerror(errno));
	while ((e = readdir(d))) {
		/* Anything that is not a container id is not ours to list. */
		if (e->d_type != DT_DIR || state_validate_id(&quiet, e->d_name)) {
			quiet.err[0] = '\0';
			continue;
		}
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strdup(e->d_name))) {
			v = nv ? nv : v;
			closedir(d);
			state_list_free(v, cnt);
			return kvmc_err(ctx, ENOMEM, "out of memory");
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*ids = v;
	*n = cnt;
	return 0;
}

const char *state_extra_get(const struct kvmc_state *st, const char *key)
{
	for (size_t i = 0; i < st->extra.n; i++)
		if (!strcmp(st->extra.items[i].key, key))
			return st->extra.items[i].value;
	return NULL;
}

int state_extra_set(struct kvmc_state *st, const char *key, const char *value)
{
	struct oci_map *m = &st->extra;
	struct oci_kv *nv;
	char *k, *v;

	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->items[i].key, key))
			continue;
		if (!value) {
			free(m->items[i].key);
			free(m->items[i].value);
			m->items[i] = m->items[--m->n];
			return 0;
		}
		v = strdup(value);
		if (!v)
			return -ENOMEM;
		free(m->items[i].value);
		m->items[i].value = v;
		return 0;
	}
	if (!value)
		return 0;
	k = strdup(key);
	v = strdup(value);
	nv = k && v ? realloc(m->items, (m->n + 1) * sizeof(*nv)) : NULL;
	if (!nv) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	m->items = nv;
	m->items[m->n].key = k;
	m->items[m->n].value = v;
	m->n++;
	return 0;
}
