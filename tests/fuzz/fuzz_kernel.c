/* fuzz-deps: vmm lib */
/* The kernel image loaders (vmm/bzimage.c, vmm/pvh.c): the input as a
 * bzImage loaded into 64 MiB of guest memory, and as an ELF whose PVH
 * note is looked up. */
#include <stdlib.h>
#include "vmm/boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_mem m;
	struct boot_file k = { .data = (uint8_t *)data, .size = size };
	struct boot_info bi;
	uint64_t entry;
	char err[256];

	if (!m.host && guest_mem_init(&m, 64 << 20) < 0)
		abort();
	bzimage_load(&m, &k, NULL, "console=ttyS0", &bi, err, sizeof(err));
	pvh_find_entry(data, size, &entry);
	return 0;
}
