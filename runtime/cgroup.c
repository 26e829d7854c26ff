/* The container's host cgroup: where it is, making it, moving processes
 * in, writing limits, removing it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "runtime/cgroup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static const char *const controllers[] = { CG_CONTROLLERS };

bool cg_is_unified(const char *root)
{
	struct statfs sf;

	return !statfs(root, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int cg_self(char *buf, size_t len)
{
	char line[PATH_MAX + 8];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		ret = snprintf(buf, len, "%s", line + 3) >= (int)len ?
		      -ENAMETOOLONG : 0;
		break;
	}
	fclose(f);
	return ret;
}

/* Appends the components of p to out (which holds *n bytes), each as
 * "/comp", dropping empty and "." ones; -EINVAL for "..". */
static int append_clean(char *out, size_t len, size_t *n, const char *p)
{
	while (*p) {
		size_t c = strcspn(p, "/");

		if (c == 2 && !strncmp(p, "..", 2))
			return -EINVAL;
		if (c && !(c == 1 && *p == '.')) {
			if (*n + 1 + c >= len)
				return -ENAMETOOLONG;
			out[(*n)++] = '/';
			memcpy(out + *n, p, c);
			*n += c;
			out[*n] = '\0';
		}
		p += c;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* systemd's slice nesting: "a-b.slice" -> "/a.slice/a-b.slice", "-.slice"
 * -> "" (the root). */
static int expand_slice(const char *slice, char *out, size_t len)
{
	size_t sl = strlen(slice), n = 0, base;
	const char *suffix = ".slice";
	char name[NAME_MAX + 1];

	if (sl <= strlen(suffix) || strcmp(slice + sl - strlen(suffix), suffix) ||
	    strchr(slice, '/') || sl > NAME_MAX)
		return -EINVAL;
	base = sl - strlen(suffix);
	out[0] = '\0';
	if (base == 1 && slice[0] == '-')
		return 0;
	for (size_t i = 0; i <= base; i++) {
		if (i < base && slice[i] != '-')
			continue;
		/* "a--b.slice" and "-a.slice" are not slice names. */
		if (i == 0 || slice[i - 1] == '-')
			return -EINVAL;
		snprintf(name, sizeof(name), "%.*s%s", (int)i, slice, suffix);
		if (n + 1 + strlen(name) >= len)
			return -ENAMETOOLONG;
		n += (size_t)snprintf(out + n, len - n, "/%s", name);
	}
	return 0;
}

static bool unit_word_ok(const char *s)
{
	return !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int resolve_systemd(const char *path, const char *id, char *rel,
			   size_t len, char *err, size_t errlen)
{
	char buf[PATH_MAX], *slice, *prefix, *name, *c1, *c2;
	int ret;

	if (!path || !*path)
		snprintf(buf, sizeof(buf), "system.slice:kvmc:%s", id);
	else if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		goto bad;
	c1 = strchr(buf, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':'))
		goto bad;
	*c1 = *c2 = '\0';
	slice = *buf ? buf : "system.slice";
	prefix = c1 + 1;
	name = c2 + 1;
	if (!*name || !unit_word_ok(name) || !unit_word_ok(prefix))
		goto bad;
	if (strlen(name) > strlen(".slice") &&
	    !strcmp(name + strlen(name) - strlen(".slice"), ".slice")) {
		ret = expand_slice(name, rel, len);
	} else {
		size_t n;

		ret = expand_slice(slice, rel, len);
		n = strlen(rel);
		if (!ret && (size_t)snprintf(rel + n, len - n, "/%s%s%s.scope",
					     prefix, *prefix ? "-" : "",
					     name) >= len - n)
			ret = -ENAMETOOLONG;
	}
	if (!ret)
		return 0;
bad:
	snprintf(err, errlen,
		 "linux.cgroupsPath: '%s' is not SLICE:PREFIX:NAME with a systemd slice name (--systemd-cgroup)",
		 path ? path : "");
	return -EINVAL;
}

int cg_resolve(const char *root, const char *own, const char *path,
	       bool systemd, const char *id, char *out, size_t len,
	       char *err, size_t errlen)
{
	char rel[PATH_MAX], parent[PATH_MAX];
	const char *shown = path ? path : "";
	size_t n = 0;
	int ret;

	rel[0] = '\0';
	if (systemd) {
		char slices[PATH_MAX];

		ret = resolve_systemd(path, id, slices, sizeof(slices), err, errlen);
		if (ret)
			return ret;
		ret = append_clean(rel, sizeof(rel), &n, slices);
	} else if (path && path[0] == '/') {
		ret = append_clean(rel, sizeof(rel), &n, path);
	} else {
		/* Relative: beside our own cgroup, as runc does (ours is
		 * most likely a scope with tasks in it already). */
		snprintf(parent, sizeof(parent), "%s",
			 own && own[0] == '/' ? own : "/");
		*strrchr(parent, '/') = '\0';
		ret = append_clean(rel, sizeof(rel), &n, parent);
		if (!ret)
			ret = append_clean(rel, sizeof(rel), &n,
					   path && *path ? path : id);
	}
	if (ret == -EINVAL) {
		snprintf(err, errlen, "linux.cgroupsPath: '%s': '..' is not allowed",
			 shown);
		return ret;
	}
	if (!ret && !n) {
		snprintf(err, errlen,
			 "linux.cgroupsPath: '%s' is the root cgroup, not a container's",
			 shown);
		return -EINVAL;
	}
	if (!ret && snprintf(out, len, "%s%s", root, rel) >= (int)len)
		ret = -ENAMETOOLONG;
	if (ret)
		snprintf(err, errlen, "linux.cgroupsPath: '%s': %s", shown,
			 strerror(-ret));
	return ret;
}

static int write_file(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* O_APPEND changes nothing on cgroupfs, and lets a test's plain file
	 * keep every write. */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(val))
		ret = -EIO;
	close(fd);
	return ret;
}

int cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return n < 0 ? -errno : 0;
}

/* Whether the word w is in the space-separated list s. */
static bool has_word(const char *s, const char *w)
{
	size_t wl = strlen(w);

	for (s += strspn(s, " \n"); *s; s += strspn(s, " \n")) {
		size_t l = strcspn(s, " \n");

		if (l == wl && !strncmp(s, w, l))
			return true;
		s += l;
	}
	return false;
}

static void enable_controllers(const char *dir)
{
	char avail[512], on[512], cmd[32];

	if (cg_read(dir, "cgroup.controllers", avail, sizeof(avail)))
		return;
	if (cg_read(dir, "cgroup.subtree_control", on, sizeof(on)))
		on[0] = '\0';
	for (size_t i = 0; i < sizeof(controllers) / sizeof(*controllers); i++) {
		if (!has_word(avail, controllers[i]) || has_word(on, controllers[i]))
			continue;
		snprintf(cmd, sizeof(cmd), "+%s", controllers[i]);
		write_file(dir, "cgroup.subtree_control", cmd);
	}
}

int cg_make(const char *root, const char *dir, bool *created, char *err,
	    size_t errlen)
{
	size_t rl = strlen(root);
	char path[PATH_MAX];
	char *p;

	*created = false;
	if (strncmp(dir, root, rl) || dir[rl] != '/' ||
	    snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "cgroup %s: not below %s", dir, root);
		return -EINVAL;
	}
	enable_controllers(root);
	for (p = path + rl + 1; ; p++) {
		bool last;

		p += strcspn(p, "/");
		last = !*p;
		*p = '\0';
		if (mkdir(path, 0755) == 0) {
			*created = last;
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "cgroup %s: %s", path, strerror(errno));
			return -errno;
		}
		if (last)
			return 0;
		enable_controllers(path);
		*p = '/';
	}
}

int cg_attach(const char *dir, pid_t pid)
{
	char num[24];

	snprintf(num, sizeof(num), "%d", (int)pid);
	return write_file(dir, "cgroup.procs", num);
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (!shares)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static int apply_one(const char *dir, const char *file, const char *val,
		     char *err, size_t errlen)
{
	int ret = write_file(dir, file, val);

	if (ret == -ENOENT)
		snprintf(err, errlen,
			 "%s/%s: missing (is its controller enabled in the parent's cgroup.subtree_control?)",
			 dir, file);
	else if (ret)
		snprintf(err, errlen, "%s/%s: cannot write '%s': %s", dir, file,
			 val, strerror(-ret));
	return ret;
}

int cg_apply(const char *dir, const struct cg_limits *l, char *err,
	     size_t errlen)
{
	char v[64];
	int ret = 0;

	if (l->pids_max) {
		if (l->pids_max > 0)
			snprintf(v, sizeof(v), "%lld", (long long)l->pids_max);
		else
			snprintf(v, sizeof(v), "max");
		ret = apply_one(dir, "pids.max", v, err, errlen);
	}
	if (!ret && l->set_cpu_max) {
		int n = l->cpu_quota > 0 ?
			snprintf(v, sizeof(v), "%lld", (long long)l->cpu_quota) :
			snprintf(v, sizeof(v), "max");

		if (l->cpu_period)
			snprintf(v + n, sizeof(v) - (size_t)n, " %llu",
				 (unsigned long long)l->cpu_period);
		ret = apply_one(dir, "cpu.max", v, err, errlen);
	}
	if (!ret && l->cpu_weight) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->cpu_weight);
		ret = apply_one(dir, "cpu.weight", v, err, errlen);
	}
	if (!ret && l->cpuset_cpus && *l->cpuset_cpus)
		ret = apply_one(dir, "cpuset.cpus", l->cpuset_cpus, err, errlen);
	if (!ret && l->cpuset_mems && *l->cpuset_mems)
		ret = apply_one(dir, "cpuset.mems", l->cpuset_mems, err, errlen);
	return ret;
}

int cg_cpu_max(const char *dir, int64_t *quota, uint64_t *period)
{
	char buf[64], q[24];
	unsigned long long p;
	int ret = cg_read(dir, "cpu.max", buf, sizeof(buf));

	if (ret)
		return ret;
	if (sscanf(buf, "%23s %llu", q, &p) != 2)
		return -EINVAL;
	*period = p;
	if (!strcmp(q, "max")) {
		*quota = -1;
		return 0;
	}
	return sscanf(q, "%lld", (long long *)quota) == 1 ? 0 : -EINVAL;
}

static void kill_all(const char *dir)
{
	char path[PATH_MAX];
	FILE *f;
	int pid;

	/* cgroup.kill (Linux 5.14) kills them all at once, forks included. */
	if (!write_file(dir, "cgroup.kill", "1"))
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 0)
			kill(pid, SIGKILL);
	fclose(f);
}

int cg_remove(const char *dir, int timeout_ms, bool kill_left)
{
	bool killed = false;

	for (int ms = 0; ; ms += 20) {
		if (!rmdir(dir) || errno == ENOENT)
			return 0;
		if (errno != EBUSY || ms >= timeout_ms)
			return -errno;
		if (kill_left && !killed && ms >= timeout_ms / 2) {
			kill_all(dir);
			killed = true;
		}
		usleep(20000);
	}
}
