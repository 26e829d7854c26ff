/*
 * What `kvmc exec` needs besides the VM helpers: the process of the plain
 * form (exec_spec.c) and the container's register of exec'd processes in
 * its state (execs.c).
 *
 * Exec number N (1, 2, ...) is process "exec-N" in the guest with streams
 * 2N+1 (stdin/stdout) and 2N+2 (stderr): the init has 1 and 2, and numbers
 * are never reused within a container, so neither the agent nor the proxy
 * can confuse a new process with an old one.  The state keeps the next
 * number under "exec.next" and each live exec's shim under "exec.N" as
 * "PID START" (a struct kvmc_proc), for `ps`.
 */
#ifndef KVMC_RUNTIME_EXEC_H
#define KVMC_RUNTIME_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/oci.h"
#include "runtime/state.h"

/* Options of the plain form, `exec [--tty] [--cwd] [--env]... [--user] ID
 * ARGS...`; cwd and user may be NULL. */
struct exec_opts {
	char **args;
	size_t n_args;
	const char *cwd;
	char **env;		/* "KEY=VALUE" each */
	size_t n_env;
	const char *user;	/* "UID[:GID]" */
	bool tty;
};

/*
 * Turns the container's own process (config.json's, as runc does) into
 * the exec'd one: args replaced, cwd and user replaced when given, env
 * entries added (an existing KEY is replaced), terminal = tty.  0, or
 * -EINVAL with one line in err naming the option at fault.
 */
int exec_spec_apply(struct oci_process *p, const struct exec_opts *o,
		    char *err, size_t errlen);

/* The next exec number of the container (recorded in st).  0 or -errno. */
int execs_next(struct kvmc_state *st, unsigned int *n);
void execs_streams(unsigned int n, uint64_t *stdio, uint64_t *stderr_seq);
/* "exec-N" into buf. */
void execs_id(unsigned int n, char *buf, size_t len);
/* Records (shim non-NULL) or forgets exec n's shim. */
int execs_set(struct kvmc_state *st, unsigned int n,
	      const struct kvmc_proc *shim);
/* Forgets the execs whose shim has ended. */
int execs_prune(struct kvmc_state *st);
/* The recorded exec shims, in exec order; *out malloc'd (NULL if none).
 * 0 or -ENOMEM. */
int execs_list(const struct kvmc_state *st, struct kvmc_proc **out,
	       size_t *n);

#endif
