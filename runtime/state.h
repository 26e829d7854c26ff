/*
 * Container state under --root: ROOT/ID/state.json, replaced atomically
 * (temporary file, fsync, rename, fsync of the directory), so it is
 * readable whole after any crash.  The status is not stored: it is derived
 * from the liveness of the recorded processes (a pid counts as alive only
 * if /proc/PID/stat still shows the recorded start time, so a reused pid
 * is seen as dead) and from the started/paused hints.
 *
 * Errors are recorded in ctx (kvmc_err) with runc's wording where
 * containerd matches it: `container "ID" does not exist`.
 *
 * The intended use: create calls state_create (which holds the lock),
 * starts the VMM and the shim, records them with state_proc_get, saves,
 * writes the pid file, unlocks.  Other commands changing a container:
 * state_lock, state_load, state_expect, act, set the hints, state_save,
 * state_unlock.  delete signals with state_proc_signal, never kill(2).
 */
#ifndef KVMC_RUNTIME_STATE_H
#define KVMC_RUNTIME_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/ctx.h"
#include "runtime/oci.h"

#define KVMC_ID_MAX 128
#define STATE_FILE "state.json"

enum kvmc_status {
	KVMC_CREATING,	/* create is still running (its pid is alive) */
	KVMC_CREATED,
	KVMC_RUNNING,
	KVMC_PAUSED,
	KVMC_STOPPED,
};

/* A process identified by its pid and its start time (clock ticks since
 * boot, /proc/PID/stat field 22); pid 0 = none. */
struct kvmc_proc {
	pid_t pid;
	uint64_t start;
};

struct kvmc_state {
	char id[KVMC_ID_MAX + 1];
	char *bundle;		/* absolute */
	char *rootfs;		/* absolute */
	char created[40];	/* RFC 3339, UTC, nanoseconds */
	char *owner;		/* user name of the creator ("#UID" if none) */
	struct kvmc_proc creator;	/* the `kvmc create` that made it */
	struct kvmc_proc shim;	/* the init's kvmc-shim: the container pid */
	struct kvmc_proc vmm;	/* kvmc-vmm */
	bool started;		/* hint: start succeeded */
	bool paused;		/* hint: pause succeeded, resume not yet */
	struct oci_map annotations;
	/* Further string settings owned by the lifecycle commands (e.g. the
	 * exec shims, the console); kept under "kvmc" in state.json. */
	struct oci_map extra;
};

/* 0 if id is [A-Za-z0-9][A-Za-z0-9_.-]* and at most KVMC_ID_MAX long. */
int state_validate_id(struct kvmc_ctx *ctx, const char *id);
/* ROOT/ID into buf; -ENAMETOOLONG if it does not fit. */
int state_dir(const struct kvmc_ctx *ctx, const char *id, char *buf,
	      size_t len);

/*
 * Makes ROOT/ID (failing with `container "ID" already exists` if it does),
 * fills st with id, created = now, creator = this process, owner, and
 * writes it.  On success *lockfd holds the container's lock (as
 * state_lock); the caller fills in the rest and calls state_save.
 */
int state_create(struct kvmc_ctx *ctx, const char *id, const char *bundle,
		 const char *rootfs, const struct oci_map *annotations,
		 struct kvmc_state *st, int *lockfd);
int state_save(struct kvmc_ctx *ctx, const struct kvmc_state *st);
/* -ENOENT with `container "ID" does not exist` when there is none. */
int state_load(struct kvmc_ctx *ctx, const char *id, struct kvmc_state *st);
void state_free(struct kvmc_state *st);
/* Removes ROOT/ID and everything in it (whatever is left there). */
int state_remove(struct kvmc_ctx *ctx, const char *id);

/*
 * Exclusive flock on the container's directory, for commands that change
 * it; blocks while another command holds it.  -ENOENT (does not exist)
 * also when the container was deleted while we waited.
 */
int state_lock(struct kvmc_ctx *ctx, const char *id, int *lockfd);
void state_unlock(int lockfd);

enum kvmc_status state_status(const struct kvmc_state *st);

/* A set of statuses for state_expect: KVMC_ST(KVMC_CREATED) | ... */
#define KVMC_ST(s) (1u << (s))
/*
 * 0 if status s is in allowed; otherwise records the refusal of action
 * ("start", "pause" ...) and returns -EINVAL.  A stopped container gets
 * runc's "container not running" (containerd matches it); any other
 * status `cannot ACTION container "ID": it is STATUS`.
 */
int state_expect(struct kvmc_ctx *ctx, const struct kvmc_state *st,
		 enum kvmc_status s, unsigned int allowed, const char *action);
const char *state_status_name(enum kvmc_status s);
/* state.json's text (malloc'd, *len its length), and back: decode returns
 * -EINVAL naming the bad member in *field ("" when the text is not JSON). */
char *state_encode(const struct kvmc_state *st, size_t *len);
int state_decode(const char *text, size_t len, struct kvmc_state *st,
		 const char **field);
/* runc's `state` JSON (malloc'd) for st with status s. */
char *state_to_runc_json(const struct kvmc_state *st, enum kvmc_status s);

/* Sorted ids of every container under ROOT (none if ROOT is missing). */
int state_list(struct kvmc_ctx *ctx, char ***ids, size_t *n);
void state_list_free(char **ids, size_t n);

/* Extra settings; set replaces, value NULL removes. */
const char *state_extra_get(const struct kvmc_state *st, const char *key);
int state_extra_set(struct kvmc_state *st, const char *key, const char *value);

/* Records pid with its start time; -ESRCH if it is not running. */
int state_proc_get(pid_t pid, struct kvmc_proc *out);
/* Still the same process (not a zombie, not a reused pid)? */
bool state_proc_alive(const struct kvmc_proc *p);
/* Sends sig to p only if it is still the recorded process: the pid is
 * pinned with a pidfd before its start time is checked, so a reused pid is
 * never signalled.  0, -ESRCH when it is gone, or a negative errno. */
int state_proc_signal(const struct kvmc_proc *p, int sig);

#endif
