/* User and group names resolved through the container's own /etc/passwd
 * and /etc/group: the agent is static and has no NSS, and the names that
 * count are the image's, not the VM's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/agent.h"

#define MAX_GROUPS	256

/* A decimal id, or -1. */
static long parse_id(const char *s)
{
	char *end;
	long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 0x7fffffffL)
		return -1;
	return v;
}

/* Splits a colon-separated line in place into at most n fields (the
 * missing ones NULL); returns the number found. */
static int split(char *line, char **f, int n)
{
	int i = 0;

	memset(f, 0, sizeof(*f) * (size_t)n);
	line[strcspn(line, "\n")] = '\0';
	while (i < n) {
		f[i++] = line;
		line = strchr(line, ':');
		if (!line)
			break;
		*line++ = '\0';
	}
	return i;
}

/* Finds the entry whose name (or, when name is NULL, id) matches in an
 * /etc/passwd-like file; fills f and returns 1, 0 if none, -errno. */
static int lookup(const char *path, const char *name, long id, char *line,
		  size_t size, char **f, int nf)
{
	FILE *fp = fopen(path, "re");
	int found = 0;

	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, (int)size, fp)) {
		if (split(line, f, nf) < 3)
			continue;
		if (name ? !strcmp(f[0], name) : parse_id(f[2]) == id) {
			found = 1;
			break;
		}
	}
	fclose(fp);
	return found;
}

/* A group name or number to a gid. */
static int resolve_group(const char *root, const char *g, gid_t *gid,
			 char *err, size_t errlen)
{
	char path[4096], line[4096], *f[4];
	long id = parse_id(g);
	int ret;

	if (id >= 0) {
		*gid = (gid_t)id;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/etc/group", root);
	ret = lookup(path, g, -1, line, sizeof(line), f, 4);
	if (ret <= 0 || (id = parse_id(f[2])) < 0) {
		snprintf(err, errlen, "group \"%s\": not found in /etc/group", g);
		return ret < 0 ? ret : -ENOENT;
	}
	*gid = (gid_t)id;
	return 0;
}

int user_resolve(const char *root, const char *user, const char *group,
		 char *const *groups, struct user_ids *ids, char *err,
		 size_t errlen)
{
	char path[4096], line[4096], *f[7];
	long id = user ? parse_id(user) : 0;
	int ret, n = 0;

	memset(ids, 0, sizeof(*ids));
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	/* A numeric user still takes its gid and home from passwd if listed. */
	ret = lookup(path, id >= 0 ? NULL : user, id, line, sizeof(line), f, 7);
	if (ret < 0) {
		snprintf(err, errlen, "/etc/passwd: %s", strerror(-ret));
		return ret;
	}
	if (!ret && id < 0) {
		snprintf(err, errlen, "user \"%s\": not found in /etc/passwd",
			 user);
		return -ENOENT;
	}
	if (ret) {
		long uid = parse_id(f[2]), gid = parse_id(f[3] ? f[3] : "");

		if (uid < 0 || gid < 0) {
			snprintf(err, errlen, "/etc/passwd: bad entry for %s",
				 f[0]);
			return -EINVAL;
		}
		ids->uid = (uid_t)uid;
		ids->gid = (gid_t)gid;
		ids->home = strdup(f[5] && *f[5] ? f[5] : "/");
	} else {
		ids->uid = (uid_t)id;
		ids->gid = 0;
		ids->home = strdup("/");
	}
	if (!ids->home)
		return -ENOMEM;
	if (group) {
		ret = resolve_group(root, group, &ids->gid, err, errlen);
		if (ret)
			goto fail;
	}
	for (n = 0; groups && groups[n]; n++)
		;
	if (n > MAX_GROUPS) {
		snprintf(err, errlen, "additionalGroups: more than %d", MAX_GROUPS);
		ret = -EINVAL;
		goto fail;
	}
	ids->groups = calloc((size_t)n + 1, sizeof(*ids->groups));
	if (!ids->groups) {
		ret = -ENOMEM;
		goto fail;
	}
	for (ids->ngroups = 0; ids->ngroups < n; ids->ngroups++) {
		ret = resolve_group(root, groups[ids->ngroups],
				    &ids->groups[ids->ngroups], err, errlen);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	user_ids_free(ids);
	return ret;
}

void user_ids_free(struct user_ids *ids)
{
	free(ids->groups);
	free(ids->home);
	memset(ids, 0, sizeof(*ids));
}
