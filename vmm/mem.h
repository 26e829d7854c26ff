/* Guest RAM: one anonymous MAP_NORESERVE mapping, touched lazily.
 *
 * Layout: RAM below 3 GiB sits at guest-physical 0; whatever is above goes
 * to 4 GiB and up, so the 32-bit hole [3 GiB, 4 GiB) holds the PCI MMIO
 * window, the IOAPIC and the LAPIC.  Host address of gpa g:
 *   g <  low_size             -> host + g
 *   4G <= g < 4G + high_size  -> host + low_size + (g - 4G)
 */
#ifndef KVMC_VMM_MEM_H
#define KVMC_VMM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_HOLE_START	0xC0000000ULL	/* 3 GiB: start of the 32-bit hole */
#define MEM_HIGH_START	0x100000000ULL	/* 4 GiB: RAM resumes here */

struct guest_mem {
	uint8_t *host;
	uint64_t low_size;	/* bytes of RAM at [0, low_size) */
	uint64_t high_size;	/* bytes of RAM at [4 GiB, 4 GiB + high_size) */
};

/* Maps size bytes of RAM (size > 0).  Returns 0 or -errno. */
int guest_mem_init(struct guest_mem *m, uint64_t size);
void guest_mem_free(struct guest_mem *m);

static inline uint64_t guest_mem_size(const struct guest_mem *m)
{
	return m->low_size + m->high_size;
}

/*
 * The one place a guest-physical range becomes a host pointer.  Returns
 * NULL unless all of [gpa, gpa + len) lies inside a single RAM region,
 * with overflow of gpa + len checked; a range ending exactly at the top of
 * a region is fine.  len == 0 is accepted if gpa itself is inside RAM or at
 * the end of a region.
 */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

#endif
