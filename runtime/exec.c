/* Placeholder until the lifecycle command lands: fails plainly. */
#include <errno.h>

#include "runtime/commands.h"

int cmd_exec(struct kvmc_ctx *ctx, int argc, char **argv)
{
	kvmc_err(ctx, ENOSYS, "exec: not implemented");
	return 1;
}
