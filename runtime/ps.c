/* kvmc ps: the host pids that stand for the container's processes (the
 * shims: the init's, then each exec'd process's), as runc's
 * `ps --format json` prints them: a JSON array. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/commands.h"
#include "runtime/exec.h"
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
	struct kvmc_proc *execs;
	size_t n_execs;
	bool json, first = true;
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
	if (execs_list(&st, &execs, &n_execs)) {
		state_free(&st);
		kvmc_err(ctx, ENOMEM, "ps: out of memory");
		return 1;
	}
	json = !strcmp(format, "json");
	printf(json ? "[" : "PID\tCMD\n");
	if (state_proc_alive(&st.shim)) {
		printf(json ? "%d" : "%d\tkvmc-shim (the container's init)\n",
		       st.shim.pid);
		first = false;
	}
	for (size_t i = 0; i < n_execs; i++) {
		if (!state_proc_alive(&execs[i]))
			continue;
		if (json)
			printf("%s%d", first ? "" : ",", execs[i].pid);
		else
			printf("%d\tkvmc-shim (an exec'd process)\n", execs[i].pid);
		first = false;
	}
	if (json)
		printf("]\n");
	free(execs);
	state_free(&st);
	return 0;
}
