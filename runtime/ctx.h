/* The global context of one `kvmc` invocation: global options, and the one
 * error message a command carries up to main(), which prints it once. */
#ifndef KVMC_RUNTIME_CTX_H
#define KVMC_RUNTIME_CTX_H

#include <stdbool.h>

#define KVMC_DEFAULT_ROOT "/run/kvmc"
#define KVMC_ERR_MAX 1024

struct kvmc_ctx {
	const char *root;	/* --root: state directories live in ROOT/ID */
	const char *log_path;	/* --log, or NULL (stderr) */
	bool log_json;		/* --log-format json */
	bool debug;		/* --debug */
	bool systemd_cgroup;	/* --systemd-cgroup: systemd's cgroupsPath form */
	char err[KVMC_ERR_MAX];	/* the failure, without the "kvmc: " prefix */
};

/*
 * Records the error of the current command (the first one wins: the
 * deepest cause is reported, not its callers' paraphrases) and returns a
 * negative errno: -errnum when errnum > 0, errnum when < 0, -EINVAL for 0.
 */
int kvmc_err(struct kvmc_ctx *ctx, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, replacing any recorded message (to rephrase a lower error). */
int kvmc_err_set(struct kvmc_ctx *ctx, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
