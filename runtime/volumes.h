/*
 * Bind mounts of host directories (docker run -v, OCI "mounts" of type
 * bind) as 9p shares of the VM: one `--share volN=SOURCE[,ro]` each for
 * kvmc-vmm, and an fsmap entry of NEWCONTAINER that binds the share onto
 * the destination in the container (docs/cli.md, "Mounts").
 */
#ifndef KVMC_RUNTIME_VOLUMES_H
#define KVMC_RUNTIME_VOLUMES_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/json.h"
#include "runtime/oci.h"

/* kvmc-vmm takes 16 shares; the rootfs is one of them. */
#define VOL_MAX		15
#define VOL_TAG_LEN	8	/* "vol14" + NUL */

struct volume {
	char tag[VOL_TAG_LEN];
	const char *source;		/* cfg's: absolute, a directory */
	const char *destination;	/* cfg's */
	bool readonly;
};

struct volumes {
	struct volume v[VOL_MAX];
	unsigned int n;
};

/*
 * Picks cfg's bind mounts of host directories.  Binds the guest makes
 * itself (below /proc, /sys and /dev) and the single files Docker binds
 * onto /etc/hosts, /etc/hostname and /etc/resolv.conf are left out; any
 * other bind of a file, or one kvmc-vmm cannot name, is an error.  0, or
 * -EINVAL with "config.json: mounts[N]...: why" in err.
 */
int volumes_plan(const struct oci_config *cfg, struct volumes *out,
		 char *err, size_t errlen);

/* Writes NEWCONTAINER's fsmap array for vols into b. */
void volumes_fsmap_json(const struct volumes *vols, struct jbuf *b);

#endif
