/* A container's file tree: its root from a 9p share, the OCI-like mounts
 * inside it, the fsmap binds and its sysctls.  Paths inside the root or a
 * share are resolved with openat2(RESOLVE_IN_ROOT), so a symlink in the
 * image cannot point a mount at the agent's own tree. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/log.h"

#define P9_OPTS	"trans=virtio,version=9p2000.L,msize=512000,cache=none"

struct container {
	struct container *next;
	char *id;
	char dir[128];		/* AGENT_CTR_DIR/ID */
	char root[160];		/* dir/root */
	int pidns;		/* fd, -1 until the init runs */
};

static struct container *containers;

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (ret && n < errlen)
		snprintf(err + n, errlen - n, ": %s", strerror(-ret));
	return ret ? ret : -EINVAL;
}

int share_mount(const char *tag, char *path, size_t pathlen)
{
	struct stat st;

	snprintf(path, pathlen, AGENT_SHARE_DIR "/%s", tag);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* Already mounted when the directory's device differs from its
	 * parent's. */
	if (stat(path, &st) == 0) {
		struct stat parent;

		if (stat(AGENT_SHARE_DIR, &parent) == 0 && st.st_dev != parent.st_dev)
			return 0;
	}
	if (mount(tag, path, "9p", MS_NOSUID | MS_NODEV, P9_OPTS) < 0)
		return -errno;
	return 0;
}

static int resolve(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how,
			      sizeof(how));

	return fd < 0 ? -errno : fd;
}

/*
 * Opens path inside rootfd's tree (rootfd acting as /; symlinks resolved
 * inside it) as an O_PATH fd.  Missing components are created: directories,
 * and the last one as an empty file when `file`.
 */
static int open_in(int rootfd, const char *path, bool file)
{
	char buf[PATH_MAX];
	size_t end = 0, len = strlen(path);
	int fd = resolve(rootfd, path);

	if (fd != -ENOENT)
		return fd;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	while (end < len) {
		size_t start = end + strspn(buf + end, "/");
		char saved, *name;
		int parent;

		if (start == len)
			break;
		end = start + strcspn(buf + start, "/");
		saved = buf[end];
		buf[end] = '\0';
		fd = resolve(rootfd, buf);
		if (fd == -ENOENT) {
			buf[start] = '\0';
			parent = resolve(rootfd, buf);
			buf[start] = path[start];
			if (parent < 0)
				return parent;
			name = buf + start;
			if (file && end == len) {
				int f = openat(parent, name, O_CREAT | O_EXCL |
					       O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
					       0644);

				if (f >= 0)
					close(f);
			} else {
				mkdirat(parent, name, 0755);
			}
			close(parent);
			fd = resolve(rootfd, buf);
		}
		buf[end] = saved;
		if (fd < 0)
			return fd;
		if (end < len)
			close(fd);
	}
	return fd;
}

/* mount(2) onto an fd from open_in. */
static int mount_at(int rootfd, const char *path, const char *src,
		    const char *type, unsigned long flags, const char *data,
		    bool file)
{
	char target[64];
	int fd = open_in(rootfd, path, file);
	int ret = 0;

	if (fd < 0)
		return fd;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(src, target, type, flags, data) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int remount_ro(int rootfd, const char *path)
{
	return mount_at(rootfd, path, NULL, NULL,
			MS_BIND | MS_REMOUNT | MS_RDONLY, NULL, false);
}

static int make_dev(int rootfd)
{
	static const struct { const char *name; unsigned int maj, min; } n[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const struct { const char *name, *target; } l[] = {
		{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	int dev = open_in(rootfd, "/dev", false), ret = 0;
	int dfd;
	char p[64];

	if (dev < 0)
		return dev;
	/* O_PATH fds cannot be used with mknodat: reopen as a directory. */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", dev);
	dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(dev);
	if (dfd < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]) && !ret; i++)
		if (mknodat(dfd, n[i].name, S_IFCHR | 0666,
			    makedev(n[i].maj, n[i].min)) < 0)
			ret = -errno;
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]) && !ret; i++)
		if (symlinkat(l[i].target, dfd, l[i].name) < 0)
			ret = -errno;
	close(dfd);
	return ret;
}

static int base_mounts(int rootfd, char *err, size_t errlen)
{
	static const struct {
		const char *path, *type;
		unsigned long flags;
		const char *data;
	} m[] = {
		{ "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
		{ "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
		  NULL },
		{ "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k" },
		{ "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620,gid=5" },
		{ "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=1777,size=65536k" },
		{ "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	};
	int ret;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		ret = mount_at(rootfd, m[i].path, m[i].type, m[i].type,
			       m[i].flags, m[i].data, false);
		if (ret)
			return fail(err, errlen, ret, "mount %s", m[i].path);
		if (!strcmp(m[i].path, "/dev") && (ret = make_dev(rootfd)))
			return fail(err, errlen, ret, "populating /dev");
	}
	return 0;
}

static int bind_map(int rootfd, const struct fsmap_spec *m,
		    const char *pod_share, char *err, size_t errlen)
{
	char share[PATH_MAX], src[64];
	const char *tag = m->share_tag ? m->share_tag : pod_share;
	struct stat st;
	int sharefd, srcfd, ret;

	if (!tag)
		return fail(err, errlen, 0, "fsmap %s: no share (STARTPOD "
			    "shareDir or shareTag)", m->path);
	ret = share_mount(tag, share, sizeof(share));
	if (ret)
		return fail(err, errlen, ret, "9p share %s", tag);
	sharefd = open(share, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sharefd < 0)
		return fail(err, errlen, -errno, "9p share %s", tag);
	srcfd = resolve(sharefd, m->source);
	close(sharefd);
	if (srcfd < 0)
		return fail(err, errlen, srcfd, "fsmap source %s", m->source);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", srcfd);
	if (stat(src, &st) < 0) {
		close(srcfd);
		return fail(err, errlen, -errno, "fsmap source %s", m->source);
	}
	ret = mount_at(rootfd, m->path, src, NULL, MS_BIND | MS_REC, NULL,
		       !S_ISDIR(st.st_mode));
	close(srcfd);
	if (!ret && m->readonly)
		ret = remount_ro(rootfd, m->path);
	if (ret)
		return fail(err, errlen, ret, "fsmap %s", m->path);
	return 0;
}

static int set_sysctl(const struct sysctl_spec *s, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd, ret = 0;
	size_t n = strlen(s->value);

	snprintf(path, sizeof(path), "/proc/sys/%s", s->key);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, s->value, n) != (ssize_t)n)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret ? fail(err, errlen, ret, "sysctl %s", s->key) : 0;
}

/* The pod's DNS servers, unless the runtime binds its own resolv.conf. */
static int bind_resolv_conf(int rootfd, const struct container_spec *spec,
			    const char *resolv, char *err, size_t errlen)
{
	int ret;

	for (int i = 0; i < spec->nmaps; i++)
		if (!strcmp(spec->maps[i].path, "/etc/resolv.conf"))
			return 0;
	ret = mount_at(rootfd, "/etc/resolv.conf", resolv, NULL, MS_BIND, NULL,
		       true);
	return ret ? fail(err, errlen, ret, "binding /etc/resolv.conf") : 0;
}

int container_create(const struct container_spec *spec, const char *pod_share,
		     const char *resolv, struct container **out, char *err,
		     size_t errlen)
{
	const char *tag = spec->share_tag ? spec->share_tag : pod_share;
	char share[PATH_MAX], rel[PATH_MAX], src[64];
	struct container *c;
	int sharefd = -1, srcfd = -1, rootfd = -1, ret, i;

	if (container_find(spec->id))
		return fail(err, errlen, 0, "container %s: already exists",
			    spec->id);
	if (!tag)
		return fail(err, errlen, 0, "container %s: no shareDir (in "
			    "STARTPOD or NEWCONTAINER)", spec->id);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->id = strdup(spec->id))) {
		free(c);
		return -ENOMEM;
	}
	c->pidns = -1;
	snprintf(c->dir, sizeof(c->dir), AGENT_CTR_DIR "/%.64s", spec->id);
	snprintf(c->root, sizeof(c->root), "%s/root", c->dir);
	ret = share_mount(tag, share, sizeof(share));
	if (ret) {
		fail(err, errlen, ret, "9p share %s", tag);
		goto out;
	}
	if (mkdir(c->dir, 0700) < 0 || mkdir(c->root, 0755) < 0) {
		ret = fail(err, errlen, -errno, "%s", c->root);
		goto out;
	}
	sharefd = open(share, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sharefd < 0) {
		ret = fail(err, errlen, -errno, "9p share %s", tag);
		goto out;
	}
	snprintf(rel, sizeof(rel), "%s/%s", spec->image ? spec->image : "",
		 spec->rootfs ? spec->rootfs : "");
	srcfd = resolve(sharefd, rel);
	if (srcfd < 0) {
		ret = fail(err, errlen, srcfd, "rootfs %s in share %s", rel, tag);
		goto out;
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", srcfd);
	if (mount(src, c->root, NULL, MS_BIND | MS_REC, NULL) < 0) {
		ret = fail(err, errlen, -errno, "binding the rootfs");
		goto out;
	}
	rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		ret = fail(err, errlen, -errno, "%s", c->root);
		goto out;
	}
	if ((ret = base_mounts(rootfd, err, errlen)))
		goto out;
	for (i = 0; i < spec->nmaps; i++)
		if ((ret = bind_map(rootfd, &spec->maps[i], pod_share, err, errlen)))
			goto out;
	if (resolv && (ret = bind_resolv_conf(rootfd, spec, resolv, err, errlen)))
		goto out;
	if (spec->readonly && mount(NULL, c->root, NULL,
				    MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		ret = fail(err, errlen, -errno, "read-only root");
		goto out;
	}
	for (i = 0; i < spec->nsysctls; i++)
		if ((ret = set_sysctl(&spec->sysctls[i], err, errlen)))
			goto out;
out:
	if (srcfd >= 0)
		close(srcfd);
	if (sharefd >= 0)
		close(sharefd);
	if (rootfd >= 0)
		close(rootfd);
	if (ret) {
		umount2(c->root, MNT_DETACH);
		rmdir(c->root);
		rmdir(c->dir);
		free(c->id);
		free(c);
		return ret;
	}
	c->next = containers;
	containers = c;
	*out = c;
	return 0;
}

struct container *container_find(const char *id)
{
	for (struct container *c = containers; c; c = c->next)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

const char *container_root(const struct container *c)
{
	return c->root;
}

const char *container_id(const struct container *c)
{
	return c->id;
}

int container_pidns(const struct container *c)
{
	return c->pidns;
}

void container_set_pidns(struct container *c, int fd)
{
	if (c->pidns >= 0)
		close(c->pidns);
	c->pidns = fd;
}

void container_destroy(struct container *c)
{
	struct container **pp;

	for (pp = &containers; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	/* Detaching the root takes every mount below it along. */
	if (umount2(c->root, MNT_DETACH) < 0)
		log_warn("umount %s: %s", c->root, strerror(errno));
	rmdir(c->root);
	rmdir(c->dir);
	if (c->pidns >= 0)
		close(c->pidns);
	free(c->id);
	free(c);
}
