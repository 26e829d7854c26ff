/* Placeholder until the lifecycle command lands: fails plainly. */
#include <errno.h>

#include "runtime/commands.h"

int cmd_create(struct kvmc_ctx *ctx, int argc, char **argv)
{
	kvmc_err(ctx, ENOSYS, "create: not implemented");
	return 1;
}
