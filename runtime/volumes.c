/* Bind mounts of host directories as 9p shares of the VM. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/volumes.h"

/* path is dir or below it. */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static bool has_option(const struct oci_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->options.n; i++)
		if (!strcmp(m->options.items[i], opt))
			return true;
	return false;
}

static bool is_bind(const struct oci_mount *m)
{
	return (m->type && !strcmp(m->type, "bind")) ||
	       has_option(m, "bind") || has_option(m, "rbind");
}

/* What the guest provides in every container itself. */
static bool guest_made(const char *dest)
{
	return below(dest, "/proc") || below(dest, "/sys") ||
	       below(dest, "/dev") || !strcmp(dest, "/etc/hosts") ||
	       !strcmp(dest, "/etc/hostname") ||
	       !strcmp(dest, "/etc/resolv.conf");
}

static int vol_fail(char *err, size_t errlen, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int vol_fail(char *err, size_t errlen, size_t i, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "config.json: mounts[%zu]", i);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int volumes_plan(const struct oci_config *cfg, struct volumes *out,
		 char *err, size_t errlen)
{
	size_t len;

	out->n = 0;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct oci_mount *m = &cfg->mounts[i];
		struct volume *v;
		struct stat st;

		if (!is_bind(m) || guest_made(m->destination))
			continue;
		if (!m->source || m->source[0] != '/')
			return vol_fail(err, errlen, i,
					".source: a bind needs an absolute source");
		if (stat(m->source, &st) < 0)
			return vol_fail(err, errlen, i, ".source: %s: %s",
					m->source, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return vol_fail(err, errlen, i, ".source: %s: only "
					"directories can be bound into the VM",
					m->source);
		len = strlen(m->source);
		/* kvmc-vmm reads "TAG=PATH[,ro]": a trailing ",ro" would be
		 * taken for the flag. */
		if (len >= 3 && !strcmp(m->source + len - 3, ",ro"))
			return vol_fail(err, errlen, i, ".source: %s: a path "
					"ending in \",ro\" cannot be shared",
					m->source);
		if (out->n == VOL_MAX)
			return vol_fail(err, errlen, i, ": more than %d bind "
					"mounts of directories", VOL_MAX);
		v = &out->v[out->n];
		snprintf(v->tag, sizeof(v->tag), "vol%u", out->n);
		v->source = m->source;
		v->destination = m->destination;
		v->readonly = has_option(m, "ro");
		out->n++;
	}
	return 0;
}

void volumes_fsmap_json(const struct volumes *vols, struct jbuf *b)
{
	jb_arr_begin(b);
	for (unsigned int i = 0; i < vols->n; i++) {
		jb_obj_begin(b);
		jb_key(b, "source");
		jb_str(b, "");
		jb_key(b, "path");
		jb_str(b, vols->v[i].destination);
		jb_key(b, "readOnly");
		jb_bool(b, vols->v[i].readonly);
		jb_key(b, "shareTag");
		jb_str(b, vols->v[i].tag);
		jb_obj_end(b);
	}
	jb_arr_end(b);
}
