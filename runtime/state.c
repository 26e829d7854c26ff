/* Container state directories: create, save, load, lock, list, remove.
 * The JSON is in state_json.c, the status derivation in state_status.c. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
		char c = *p;

		if (c && c != '/')
			continue;
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

int state_save(struct kvmc_ctx *ctx, const struct kvmc_state *st)
{
	char path[4096];
	size_t len;
	char *text;
	int ret;

	ret = state_path(ctx, st->id, STATE_FILE, path, sizeof(path));
	if (ret)
		return ret;
	text = state_encode(st, &len);
	if (!text)
		return kvmc_err(ctx, ENOMEM, "%s: encoding failed", path);
	ret = fs_write_atomic(path, text, len, 0600);
	free(text);
	if (ret)
		return kvmc_err(ctx, ret, "writing %s: %s", path, strerror(-ret));
	return 0;
}

int state_load(struct kvmc_ctx *ctx, const char *id, struct kvmc_state *st)
{
	char path[4096];
	const char *field = "";
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
	ret = state_decode(text, len, st, &field);
	free(text);
	if (ret == -ENOMEM)
		return kvmc_err(ctx, ENOMEM, "out of memory");
	if (ret && !field[0])
		return kvmc_err(ctx, EIO, "%s: not valid JSON", path);
	if (ret)
		return kvmc_err(ctx, EIO, "%s: %s: missing or invalid", path, field);
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
		struct stat sb;
		bool dir = e->d_type == DT_DIR;

		/* Some filesystems do not fill d_type. */
		if (e->d_type == DT_UNKNOWN)
			dir = !fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) &&
			      S_ISDIR(sb.st_mode);
		/* Anything that is not a container id is not ours to list. */
		if (!dir || state_validate_id(&quiet, e->d_name)) {
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
