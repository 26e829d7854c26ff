/* The kvmc command table: one file and one function per command. */
#ifndef KVMC_RUNTIME_COMMANDS_H
#define KVMC_RUNTIME_COMMANDS_H

#include <stdio.h>

#include "runtime/ctx.h"

/*
 * A command gets argv[0] = its own name and the arguments after it.  It
 * parses its flags with getopt_long (set optind = 0 first: glibc then
 * starts afresh), prints cmd_help() for -h/--help and returns 0, and on
 * failure records the cause with kvmc_err() and returns non-zero: 1 for
 * failures, 2 for bad usage (cmd_usage_error() does both).  `run`
 * returns the container's exit status.
 */
typedef int (*kvmc_cmd_fn)(struct kvmc_ctx *ctx, int argc, char **argv);

struct kvmc_command {
	const char *name;
	kvmc_cmd_fn fn;
	const char *args;	/* synopsis after the name */
	const char *summary;	/* one line */
	const char *options;	/* option lines for --help, or NULL */
};

extern const struct kvmc_command kvmc_commands[];	/* ends with name NULL */

const struct kvmc_command *command_find(const char *name);
/* `kvmc NAME --help` text. */
void cmd_help(const char *name, FILE *out);
/* Records "NAME: MSG (see 'kvmc NAME --help')" and returns 2. */
int cmd_usage_error(struct kvmc_ctx *ctx, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For getopt_long's '?' and ':' returns (call it with opterr = 0 and an
 * optstring starting with "+:"): records which option was wrong, returns 2. */
int cmd_bad_option(struct kvmc_ctx *ctx, char **argv, int c);
/* Commands whose only option is --help: parses it, checks that there are
 * min..max arguments (from argv[optind]).  Returns -1 to go on, otherwise
 * the exit status to return (0 after printing the help). */
int cmd_noopts(struct kvmc_ctx *ctx, int argc, char **argv, int min, int max);

int cmd_create(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_start(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_run(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_state(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_kill(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_delete(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_exec(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_ps(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_list(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_pause(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_resume(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_events(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_update(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_features(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_spec(struct kvmc_ctx *ctx, int argc, char **argv);
int cmd_version(struct kvmc_ctx *ctx, int argc, char **argv);

#endif
