/* A byte budget for an output the guest controls (see outcap.h). */
#include <stdio.h>

#include "lib/fdio.h"
#include "lib/outcap.h"

void outcap_init(struct outcap *o, int fd, uint64_t max)
{
	o->fd = fd;
	o->max = max;
	o->used = 0;
}

int outcap_write(struct outcap *o, const void *buf, size_t n)
{
	uint64_t old = __atomic_fetch_add(&o->used, (uint64_t)n, __ATOMIC_RELAXED);
	char note[96];
	int ret, len;

	/* Claims are disjoint: exactly one holds the first byte past the
	 * budget, and that one writes what fits, then the note. */
	if (old > o->max || !n)
		return 0;
	if (old + n <= o->max)
		return fd_write_all(o->fd, buf, n);
	ret = fd_write_all(o->fd, buf, (size_t)(o->max - old));
	len = snprintf(note, sizeof(note),
		       "\n[kvmc-vmm: console output beyond %llu bytes dropped]\n",
		       (unsigned long long)o->max);
	if (!ret)
		ret = fd_write_all(o->fd, note, (size_t)len);
	return ret;
}
