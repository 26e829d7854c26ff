/* The bundle's /etc/resolv.conf, /etc/hosts and /etc/hostname as copies
 * in a share of their own (see etcfiles.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/json.h"
#include "runtime/etcfiles.h"
#include "runtime/fsutil.h"

static const char *const etc_files[] = {
	"/etc/resolv.conf", "/etc/hosts", "/etc/hostname",
};

static bool has_option(const struct oci_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->options.n; i++)
		if (!strcmp(m->options.items[i], opt))
			return true;
	return false;
}

bool etc_is_file_mount(const struct oci_mount *m)
{
	bool bind = (m->type && !strcmp(m->type, "bind")) ||
		    has_option(m, "bind") || has_option(m, "rbind");

	if (!bind || !m->source)
		return false;
	for (size_t i = 0; i < sizeof(etc_files) / sizeof(etc_files[0]); i++)
		if (!strcmp(m->destination, etc_files[i]))
			return true;
	return false;
}

/* Reads a regular file, never a fifo or a device Docker did not give. */
static int read_source(const char *path, char **buf, size_t *len)
{
	struct stat st;

	if (path[0] != '/')
		return -EINVAL;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return fs_read_file(path, ETC_FILE_MAX, buf, len);
}

int etc_files_prepare(const struct oci_config *cfg, const char *statedir,
		      struct jbuf *fsmap, bool *shared, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], *data = NULL;
	const struct oci_mount *m;
	size_t len, n = 0;
	int ret = 0;

	*shared = false;
	snprintf(dir, sizeof(dir), "%s/%s", statedir, ETC_DIR);
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const char *name;

		m = &cfg->mounts[i];
		if (!etc_is_file_mount(m))
			continue;
		ret = read_source(m->source, &data, &len);
		if (ret) {
			snprintf(err, errlen, "mounts: %s from %s: %s",
				 m->destination, m->source,
				 ret == -EINVAL ? "not an absolute path to a regular file"
						: strerror(-ret));
			goto out;
		}
		if (!n++ && mkdir(dir, 0755) < 0 && errno != EEXIST) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			goto out;
		}
		name = strrchr(m->destination, '/') + 1;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		ret = fs_write_atomic(path, data, len, 0644);
		free(data);
		data = NULL;
		if (ret) {
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			goto out;
		}
		jb_obj_begin(fsmap);
		jb_key(fsmap, "source");
		jb_str(fsmap, name);
		jb_key(fsmap, "path");
		jb_str(fsmap, m->destination);
		jb_key(fsmap, "shareTag");
		jb_str(fsmap, ETC_SHARE_TAG);
		jb_key(fsmap, "readOnly");
		jb_bool(fsmap, has_option(m, "ro"));
		jb_obj_end(fsmap);
	}
	*shared = n > 0;
out:
	free(data);
	if (ret)
		fs_remove_tree(dir);
	return ret;
}
