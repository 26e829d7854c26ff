/* Placeholder until the lifecycle command lands: fails plainly. */
#include <errno.h>

#include "runtime/commands.h"

int cmd_delete(struct kvmc_ctx *ctx, int argc, char **argv)
{
	kvmc_err(ctx, ENOSYS, "delete: not implemented");
	return 1;
}
