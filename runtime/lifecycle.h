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

#endif
