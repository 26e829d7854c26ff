/* Kernel modules from the initramfs, loaded with finit_module in the order
 * guest/mkinitrd.sh resolved from modules.dep, with the `module.param=`
 * values of the kernel command line (what modprobe would pass). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/log.h"

/* Module names treat '-' and '_' alike. */
static bool name_eq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen && b[i]; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return i == alen && !b[i];
}

/* Appends word to a growing string. */
static int append(char **s, size_t *len, const char *w, size_t n)
{
	char *p = realloc(*s, *len + n + 2);

	if (!p)
		return -ENOMEM;
	if (*len)
		p[(*len)++] = ' ';
	memcpy(p + *len, w, n);
	*len += n;
	p[*len] = '\0';
	*s = p;
	return 0;
}

char *modules_params(const char *cmdline, const char *name)
{
	const char *c = cmdline;
	size_t len = 0;
	char *out = strdup("");

	while (out && *c) {
		const char *w, *dot, *eq;
		size_t n;
		bool quoted = false;

		c += strspn(c, " \t\n");
		w = c;
		/* Words may quote spaces: a.b="x y". */
		while (*c && (quoted || !strchr(" \t\n", *c))) {
			if (*c == '"')
				quoted = !quoted;
			c++;
		}
		n = (size_t)(c - w);
		if (!n)
			break;
		dot = memchr(w, '.', n);
		eq = memchr(w, '=', n);
		if (!dot || (eq && eq < dot) || dot == w)
			continue;
		if (!name_eq(w, (size_t)(dot - w), name))
			continue;
		if (append(&out, &len, dot + 1, n - (size_t)(dot + 1 - w))) {
			free(out);
			return NULL;
		}
	}
	return out;
}

static int load_one(const char *path, const char *cmdline)
{
	const char *base = strrchr(path, '/');
	char name[128], *params;
	size_t n;
	int fd, ret = 0;

	base = base ? base + 1 : path;
	n = strcspn(base, ".");
	if (n >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, base, n);
	name[n] = '\0';
	params = modules_params(cmdline, name);
	if (!params)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (syscall(SYS_finit_module, fd, params, 0) < 0 && errno != EEXIST)
		ret = -errno;
	close(fd);
out:
	free(params);
	return ret;
}

int modules_load(const char *list, const char *cmdline)
{
	FILE *fp = fopen(list, "re");
	char line[4096];
	int failed = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		int ret;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		ret = load_one(line, cmdline);
		if (ret) {
			log_error("module %s: %s", line, strerror(-ret));
			failed++;
		}
	}
	fclose(fp);
	return failed;
}
