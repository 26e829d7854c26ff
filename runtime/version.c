/* `kvmc version` (and `kvmc --version`), in runc's layout. */
#include <stdio.h>

#include "runtime/commands.h"
#include "runtime/oci.h"

int cmd_version(struct kvmc_ctx *ctx, int argc, char **argv)
{
	int rc = cmd_noopts(ctx, argc, argv, 0, 0);

	if (rc >= 0)
		return rc;
	printf("kvmc version %s\ncommit: %s\nspec: %s\n", KVMC_VERSION,
	       KVMC_GITREV, OCI_VERSION);
	return 0;
}
