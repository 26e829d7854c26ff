/* kvmc ps: the host pids that stand for the container's processes (the
 * shims), as runc's `ps --format json` prints them: a JSON array. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "runtime/commands.h"
#include "runtime/state.h"

int cmd_ps(struct kvmc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kvmc_state st = { 0 };
	const char *format = "table";
	bool alive;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "table") && strcmp(optarg, "json"))
				return cmd_usage_error(ctx, argv[0],
					"--format: '%s' is not table or json", optarg);
			format = optarg;
			break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, argv[0], "expects exactly one container ID");
	if (state_validate_id(ctx, argv[optind]) || state_load(ctx, argv[optind], &st))
		return 1;
	alive = state_proc_alive(&st.shim);
	if (!strcmp(format, "json")) {
		if (alive)
			printf("[%d]\n", st.shim.pid);
		else
			printf("[]\n");
	} else {
		printf("PID\tCMD\n");
		if (alive)
			printf("%d\tkvmc-shim (the container's init)\n", st.shim.pid);
	}
	state_free(&st);
	return 0;
}
