/* The lifecycle steps `create`, `start`, `delete` and `run` share. */
#ifndef KVMC_RUNTIME_LIFECYCLE_H
#define KVMC_RUNTIME_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/ctx.h"

#define LC_PROCESS_JSON	"process.json"	/* the init's, for start */
#define LC_FSMAP_JSON	"fsmap.json"	/* NEWCONTAINER's binds, for start */
#define LC_INIT_STDIO	1		/* stream numbers of the init */
#define LC_INIT_STDERR	2

/* Boots the VM, starts the init's shim (our child), writes the state and
 * then pid_file (may be NULL).  0 and *shim, or 1 with ctx's error. */
int lc_create(struct kvmc_ctx *ctx, const char *id, const char *bundle,
	      const char *pid_file, const char *console_socket, pid_t *shim);
int lc_start(struct kvmc_ctx *ctx, const char *id);
int lc_delete(struct kvmc_ctx *ctx, const char *id, bool force);

/* Writes pid to path atomically, digits only, no newline (containerd
 * reads it strictly): the last step of create and exec.  0 or -errno. */
int lc_write_pid_file(struct kvmc_ctx *ctx, const char *path, pid_t pid);
/* Waits for the shim, our child, passing on the signals we get (but not a
 * terminal's, which reach the shim itself); returns its status as an exit
 * code: the process's, 128+N when a signal N ended the shim. */
int lc_wait(pid_t shim);

#endif
