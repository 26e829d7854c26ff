/* Placeholder until the lifecycle commands land: fail plainly. */
#include <errno.h>

#include "runtime/commands.h"

int cmd_pause(struct kvmc_ctx *ctx, int argc, char **argv)
{
	kvmc_err(ctx, ENOSYS, "pause: not implemented");
	return 1;
}

int cmd_resume(struct kvmc_ctx *ctx, int argc, char **argv)
{
	kvmc_err(ctx, ENOSYS, "resume: not implemented");
	return 1;
}
