/* Whole-file reads and crash-safe replacement, for config and state files. */
#ifndef KVMC_RUNTIME_FSUTIL_H
#define KVMC_RUNTIME_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Reads all of path (at most max bytes, else -EFBIG) into a malloc'd,
 * NUL-terminated buffer.  Negative errno on failure. */
int fs_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * Replaces path with data so that a crash at any moment leaves either the
 * old or the new contents: a unique temporary file beside it, fsync,
 * rename over path, fsync of the directory.  Negative errno on failure
 * (the temporary file is removed).
 */
int fs_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode);

/* Removes path and everything below it, not following symlinks; a missing
 * path is success. */
int fs_remove_tree(const char *path);

#endif
