/*
 * OCI hooks (config.json "hooks"), run on the host as the runtime spec
 * says: each hook's path is executed with its args (args[0] is argv[0];
 * the path alone when there are none) and exactly its env, the
 * container's state (runc's `state` JSON) on stdin.  A hook that exits
 * non-zero, is killed, or outlives its timeout fails; the hooks after it
 * are not run.  Which phases kvmc runs, and when, is create's, start's and
 * delete's business (docs/cli.md).
 */
#ifndef KVMC_RUNTIME_HOOKS_H
#define KVMC_RUNTIME_HOOKS_H

#include <stddef.h>

#include "runtime/oci.h"

/* Runs list's hooks in order.  phase names them in errors ("prestart").
 * 0, or a negative errno with one line in err naming the hook, its index
 * and what happened, with the end of its output. */
int hooks_run(const struct oci_hooks_list *list, const char *phase,
	      const char *state_json, char *err, size_t errlen);

#endif
