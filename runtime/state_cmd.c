/* `kvmc state ID`: runc's state JSON, the status derived afresh. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/commands.h"
#include "runtime/state.h"

int cmd_state(struct kvmc_ctx *ctx, int argc, char **argv)
{
	struct kvmc_state st;
	char *json;
	int rc = cmd_noopts(ctx, argc, argv, 1, 1);

	if (rc >= 0)
		return rc;
	/* No lock: state.json is replaced atomically, and a reader must not
	 * wait behind a long create. */
	if (state_load(ctx, argv[optind], &st))
		return 1;
	json = state_to_runc_json(&st, state_status(&st));
	state_free(&st);
	if (!json)
		return kvmc_err(ctx, ENOMEM, "out of memory"), 1;
	printf("%s\n", json);
	free(json);
	return 0;
}
