/* fuzz-deps: runtime lib */
/* runtime/oci*.c: config.json (and exec's process.json) from a buffer. */
#include <stdlib.h>
#include "runtime/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_config *cfg = NULL;
	struct oci_process *p = NULL;
	char err[512];

	if (oci_config_parse((const char *)data, size, "config.json", "/b",
			     &cfg, err, sizeof(err)) == 0)
		oci_config_free(cfg);
	if (oci_process_parse((const char *)data, size, "process.json", &p,
			      err, sizeof(err)) == 0)
		oci_process_free(p);
	return 0;
}
