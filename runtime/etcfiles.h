/* The bundle's /etc/resolv.conf, /etc/hosts and /etc/hostname: the bind
 * mounts Docker (and CNI runtimes) put in config.json, copied into the
 * container's state directory and shared with the guest, where the agent
 * binds them over the container's own (NEWCONTAINER fsmap). */
#ifndef KVMC_RUNTIME_ETCFILES_H
#define KVMC_RUNTIME_ETCFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/json.h"
#include "runtime/oci.h"

#define ETC_SHARE_TAG	"etc"		/* the 9p tag of the copies */
#define ETC_DIR		"etc"		/* the copies, in the state dir */
#define ETC_FILE_MAX	(1 << 20)	/* larger sources are refused */

/* Whether mount m is one of those (a bind mount of one of the three). */
bool etc_is_file_mount(const struct oci_mount *m);

/*
 * Copies each such mount's source (an absolute path to a regular file,
 * at most ETC_FILE_MAX bytes) to STATEDIR/etc/NAME and appends the
 * agent's fsmap entry for it to the array open in fsmap (read-only when
 * the mount's options say "ro").  *shared tells whether there is anything
 * to share (STATEDIR/etc exists).  With none of them, nothing is written.
 * 0, or -errno with one line in err naming the mount (STATEDIR/etc is
 * removed again).
 */
int etc_files_prepare(const struct oci_config *cfg, const char *statedir,
		      struct jbuf *fsmap, bool *shared, char *err,
		      size_t errlen);

#endif
