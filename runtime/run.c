/* kvmc run: create, start, wait for the container, delete it, and exit
 * with its status (for people and for `make demo`). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "runtime/commands.h"
#include "runtime/lifecycle.h"

int cmd_run(struct kvmc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".", *pid_file = NULL, *id;
	bool detach = false;
	int c, status;
	pid_t shim;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:b:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bundle = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'd': detach = true; break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, argv[0], "expects exactly one container ID");
	id = argv[optind];
	if (lc_create(ctx, id, bundle, pid_file, NULL, &shim))
		return 1;
	if (lc_start(ctx, id)) {
		lc_delete(ctx, id, true);
		return 1;
	}
	if (detach)
		return 0;
	status = lc_wait(shim);
	lc_delete(ctx, id, true);
	return status;
}
