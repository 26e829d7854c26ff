/* `kvmc list`: every container under --root, as runc prints them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "runtime/commands.h"
#include "runtime/state.h"

enum list_format { LIST_TABLE, LIST_JSON };

static int parse_opts(struct kvmc_ctx *ctx, int argc, char **argv,
		      enum list_format *fmt, bool *quiet)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				*fmt = LIST_JSON;
			else if (!strcmp(optarg, "table"))
				*fmt = LIST_TABLE;
			else
				return cmd_usage_error(ctx, argv[0],
					"--format: expected table or json, got '%s'",
					optarg);
			break;
		case 'q':
			*quiet = true;
			break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, argv[0], "unexpected argument '%s'",
				       argv[optind]);
	return -1;
}

/* Columns as wide as their widest cell, three spaces apart (runc's
 * tabwriter layout). */
static void print_table(const struct kvmc_state *st,
			const enum kvmc_status *sts, size_t n)
{
	static const char *const head[6] = {
		"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER",
	};
	char pid[24];
	int w[6];

	for (int c = 0; c < 6; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		const char *cells[6] = { st[i].id, pid, state_status_name(sts[i]),
					 st[i].bundle, st[i].created, st[i].owner };

		snprintf(pid, sizeof(pid), "%ld",
			 sts[i] == KVMC_STOPPED ? 0L : (long)st[i].shim.pid);
		for (int c = 0; c < 6; c++)
			if ((int)strlen(cells[c]) > w[c])
				w[c] = (int)strlen(cells[c]);
	}
	printf("%-*s   %-*s   %-*s   %-*s   %-*s   %s\n", w[0], head[0], w[1],
	       head[1], w[2], head[2], w[3], head[3], w[4], head[4], head[5]);
	for (size_t i = 0; i < n; i++) {
		snprintf(pid, sizeof(pid), "%ld",
			 sts[i] == KVMC_STOPPED ? 0L : (long)st[i].shim.pid);
		printf("%-*s   %-*s   %-*s   %-*s   %-*s   %s\n", w[0], st[i].id,
		       w[1], pid, w[2], state_status_name(sts[i]), w[3], st[i].bundle,
		       w[4], st[i].created, st[i].owner);
	}
}

static int print_json(struct kvmc_ctx *ctx, const struct kvmc_state *st,
		      const enum kvmc_status *sts, size_t n)
{
	printf("[");
	for (size_t i = 0; i < n; i++) {
		char *json = state_to_runc_json(&st[i], sts[i]);

		if (!json)
			return kvmc_err(ctx, ENOMEM, "out of memory");
		printf("%s%s", i ? "," : "", json);
		free(json);
	}
	printf("]\n");
	return 0;
}

int cmd_list(struct kvmc_ctx *ctx, int argc, char **argv)
{
	enum list_format fmt = LIST_TABLE;
	enum kvmc_status *sts = NULL;
	struct kvmc_state *st = NULL;
	bool quiet = false;
	size_t n = 0, loaded = 0;
	char **ids;
	int rc;

	rc = parse_opts(ctx, argc, argv, &fmt, &quiet);
	if (rc >= 0)
		return rc;
	if (state_list(ctx, &ids, &n))
		return 1;
	rc = 1;
	if (n && (!(st = calloc(n, sizeof(*st))) ||
		  !(sts = calloc(n, sizeof(*sts))))) {
		kvmc_err(ctx, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct kvmc_ctx one = { .root = ctx->root };

		/* A container being created or deleted right now is
		 * skipped; a damaged one is reported, not fatal. */
		int ret = state_load(&one, ids[i], &st[loaded]);

		if (ret == -ENOENT)
			continue;
		if (ret) {
			log_warn("list: %s", one.err);
			continue;
		}
		/* Derived once per container: both layouts show the same. */
		sts[loaded] = state_status(&st[loaded]);
		loaded++;
	}
	if (quiet) {
		for (size_t i = 0; i < loaded; i++)
			printf("%s\n", st[i].id);
	} else if (fmt == LIST_JSON) {
		if (print_json(ctx, st, sts, loaded))
			goto out;
	} else {
		print_table(st, sts, loaded);
	}
	rc = 0;
out:
	for (size_t i = 0; i < loaded; i++)
		state_free(&st[i]);
	free(st);
	free(sts);
	state_list_free(ids, n);
	return rc;
}
