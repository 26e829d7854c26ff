/* Port-I/O and MMIO dispatch for exits to userspace. */
#ifndef KVMC_VMM_IO_H
#define KVMC_VMM_IO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* offset is relative to the region's base; data holds len (1..8) bytes,
 * little-endian, filled by the handler on a read. */
typedef void (*io_fn)(void *opaque, uint64_t offset, void *data,
		      uint32_t len, bool is_write);

struct io_region {
	uint64_t base, len;
	io_fn fn;
	void *opaque;
};

struct io_bus {
	pthread_rwlock_t lock;
	struct io_region *regions;	/* sorted by base, non-overlapping */
	unsigned int nr, cap;
};

int io_bus_init(struct io_bus *bus);
void io_bus_free(struct io_bus *bus);
/* -EEXIST on overlap, -EINVAL on len == 0 or base + len overflowing. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_fn fn, void *opaque);
int io_bus_unregister(struct io_bus *bus, uint64_t base);
/* Moves a region (a guest reprogramming a BAR).  -ENOENT, -EEXIST. */
int io_bus_move(struct io_bus *bus, uint64_t old_base, uint64_t new_base);
/* false if no region covers [addr, addr + len): reads then return ~0. */
bool io_bus_dispatch(struct io_bus *bus, uint64_t addr, void *data,
		     uint32_t len, bool is_write);

#endif
