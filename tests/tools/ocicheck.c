/* tool-deps: runtime lib */
/*
 * Loads a bundle the way `kvmc create` does, without starting anything:
 *   ocicheck BUNDLE
 * config.json (validated), the runtime configuration found for it, and the
 * VM size; prints "key=value" lines, or the one error and exits 1.
 */
#include <stdio.h>

#include "runtime/oci.h"
#include "runtime/rtconfig.h"
#include "runtime/sizing.h"

int main(int argc, char **argv)
{
	struct oci_config *cfg = NULL;
	struct rtconfig rc = { 0 };
	struct vm_size sz;
	char err[1024];
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: ocicheck BUNDLE\n");
		return 2;
	}
	if (oci_config_load(argv[1], &cfg, err, sizeof(err)) ||
	    rtconfig_load(argv[1], &rc, err, sizeof(err)) ||
	    sizing_compute(cfg, &rc, &sz, err, sizeof(err))) {
		fprintf(stderr, "ocicheck: %s\n", err);
		goto out;
	}
	printf("rootfs=%s\n", cfg->rootfs);
	for (size_t i = 0; i < cfg->process->args.n; i++)
		printf("args[%zu]=%s\n", i, cfg->process->args.items[i]);
	printf("cwd=%s\nterminal=%d\nhostname=%s\nmounts=%zu\nnamespaces=%zu\n",
	       cfg->process->cwd, cfg->process->terminal,
	       cfg->hostname ? cfg->hostname : "", cfg->n_mounts,
	       cfg->linux_cfg.n_namespaces);
	printf("config=%s\nkernel=%s\ninitrd=%s\nkernel_params=%s\nvmm=%s\nshim=%s\n",
	       rc.source ? rc.source : "(built-in)", rc.kernel, rc.initrd,
	       rc.kernel_params, rc.vmm, rc.shim);
	printf("memory_mib=%llu\nvcpus=%u\n", (unsigned long long)sz.memory_mib,
	       sz.vcpus);
	ret = 0;
out:
	oci_config_free(cfg);
	rtconfig_free(&rc);
	return ret;
}
