/*
 * The runtime configuration file (kvmc.conf): where the guest kernel and
 * initrd are, the kernel parameters, and the VM sizing defaults.  Lines are
 * `key = value`; '#' starts a comment.  The first file found is used:
 *     $KVMC_CONFIG (only that one, when set), BUNDLE/kvmc.conf,
 *     /etc/kvmc/kvmc.conf, KVMC_PREFIX/share/kvmc/kvmc.conf;
 * with none, the built-in defaults.  Relative paths in a file are relative
 * to the file's directory.  The format is documented in docs/cli.md.
 */
#ifndef KVMC_RUNTIME_RTCONFIG_H
#define KVMC_RUNTIME_RTCONFIG_H

#include <stddef.h>
#include <stdint.h>

#define RTCONFIG_NAME "kvmc.conf"
#define RTCONFIG_ETC "/etc/kvmc/kvmc.conf"

struct rtconfig {
	char *source;		/* the file read, or NULL for built-in defaults */
	/* The guest: the first kernel of the file's list that exists, and
	 * its initrd (see pick_guest in rtconfig.c, docs/cli.md). */
	char *kernel;		/* guest kernel: vmlinux (ELF/PVH) or bzImage */
	char *initrd;		/* guest initramfs (kvmc-agent [+ modules]) */
	char *kernel_params;	/* appended to kvmc's own parameters */
	char *vmm;		/* kvmc-vmm binary */
	char *shim;		/* kvmc-shim binary */
	const char *vmm_sandbox;	/* kvmc-vmm --sandbox: on, off, debug */
	uint64_t default_memory_mib;	/* guest RAM without a memory limit */
	uint64_t memory_overhead_mib;	/* added to a memory limit */
	uint64_t min_memory_mib;	/* floor of guest RAM */
	uint64_t max_memory_mib;	/* ceiling, 0 = none */
	unsigned int default_vcpus;	/* without a CPU limit */
	unsigned int max_vcpus;		/* ceiling, 0 = the host's CPUs */
};

/* Searches as above; bundle may be NULL.  0, or a negative errno with one
 * line in err ("FILE:LINE: unknown key 'x'"). */
int rtconfig_load(const char *bundle, struct rtconfig *rc,
		  char *err, size_t errlen);
/* Built-in defaults, then FILE's settings over them. */
int rtconfig_load_file(const char *path, struct rtconfig *rc,
		       char *err, size_t errlen);
void rtconfig_defaults(struct rtconfig *rc);
void rtconfig_free(struct rtconfig *rc);

#endif
