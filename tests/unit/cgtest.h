/* Shared by the cgroup unit tests: a plain directory standing in for a
 * cgroupfs, and its files. */
#ifndef KVMC_TESTS_CGTEST_H
#define KVMC_TESTS_CGTEST_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "tests/unit/unit.h"

static inline char *cgt_root(void)
{
	char tmpl[] = "/tmp/kvmc-cgtest.XXXXXX", *d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	return strdup(d);
}

static inline void cgt_put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, file),
			 (int)sizeof(path));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The file's text (static buffer), "<missing>" when there is none. */
static inline const char *cgt_get(const char *dir, const char *file)
{
	static char buf[4096];
	char path[PATH_MAX + 64];
	FILE *f;
	size_t n;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, file),
			 (int)sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return "<missing>";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline void cgt_mkdir(const char *dir, const char *sub)
{
	char path[PATH_MAX + 64];

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, sub),
			 (int)sizeof(path));
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static inline void cgt_free(char *root)
{
	ck_assert_int_eq(fs_remove_tree(root), 0);
	free(root);
}

#endif
