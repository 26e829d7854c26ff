/* Port-I/O and MMIO dispatch: a sorted array of regions, read-locked on
 * the vCPU exit path and write-locked only when a BAR moves. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/io.h"

int io_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	return -pthread_rwlock_init(&bus->lock, NULL);
}

void io_bus_free(struct io_bus *bus)
{
	free(bus->regions);
	pthread_rwlock_destroy(&bus->lock);
	memset(bus, 0, sizeof(*bus));
}

/* Index of the first region with base + len > addr (locked by caller). */
static unsigned int lower_bound(const struct io_bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct io_region *r = &bus->regions[mid];

		if (r->base + r->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int insert(struct io_bus *bus, const struct io_region *n)
{
	unsigned int i;
	uint64_t end;

	if (n->len == 0 || __builtin_add_overflow(n->base, n->len - 1, &end))
		return -EINVAL;
	i = lower_bound(bus, n->base);
	if (i < bus->nr && bus->regions[i].base <= end)
		return -EEXIST;
	if (bus->nr == bus->cap) {
		unsigned int cap = bus->cap ? bus->cap * 2 : 16;
		struct io_region *r = realloc(bus->regions, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		bus->regions = r;
		bus->cap = cap;
	}
	memmove(&bus->regions[i + 1], &bus->regions[i],
		(bus->nr - i) * sizeof(*n));
	bus->regions[i] = *n;
	bus->nr++;
	return 0;
}

static int find_exact(const struct io_bus *bus, uint64_t base)
{
	unsigned int i = lower_bound(bus, base);

	if (i < bus->nr && bus->regions[i].base == base)
		return (int)i;
	return -ENOENT;
}

static void remove_at(struct io_bus *bus, unsigned int i)
{
	memmove(&bus->regions[i], &bus->regions[i + 1],
		(bus->nr - i - 1) * sizeof(bus->regions[0]));
	bus->nr--;
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_fn fn, void *opaque)
{
	struct io_region r = { base, len, fn, opaque };
	int ret;

	pthread_rwlock_wrlock(&bus->lock);
	ret = insert(bus, &r);
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int io_bus_unregister(struct io_bus *bus, uint64_t base)
{
	int i;

	pthread_rwlock_wrlock(&bus->lock);
	i = find_exact(bus, base);
	if (i >= 0)
		remove_at(bus, (unsigned int)i);
	pthread_rwlock_unlock(&bus->lock);
	return i < 0 ? i : 0;
}

int io_bus_move(struct io_bus *bus, uint64_t old_base, uint64_t new_base)
{
	struct io_region r;
	int i, ret;

	pthread_rwlock_wrlock(&bus->lock);
	i = find_exact(bus, old_base);
	if (i < 0) {
		ret = i;
		goto out;
	}
	r = bus->regions[i];
	remove_at(bus, (unsigned int)i);
	r.base = new_base;
	ret = insert(bus, &r);
	if (ret) {
		r.base = old_base;
		insert(bus, &r);	/* it was there: cannot fail */
	}
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

bool io_bus_dispatch(struct io_bus *bus, uint64_t addr, void *data,
		     uint32_t len, bool is_write)
{
	const struct io_region *r = NULL;
	struct io_region copy;
	unsigned int i;

	pthread_rwlock_rdlock(&bus->lock);
	i = lower_bound(bus, addr);
	if (i < bus->nr && bus->regions[i].base <= addr &&
	    addr - bus->regions[i].base + len <= bus->regions[i].len) {
		copy = bus->regions[i];
		r = &copy;
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!r) {
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	r->fn(r->opaque, addr - r->base, data, len, is_write);
	return true;
}
