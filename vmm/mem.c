/* Guest RAM: one anonymous MAP_NORESERVE mapping, split around the 32-bit
 * hole.  Pages are touched lazily, so an idle VM costs what it used. */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/mem.h"

/* KVM maps a guest range with a 2 MiB nested page only where the host
 * address and the guest-physical address agree modulo 2 MiB: the mapping
 * starts on a 2 MiB boundary (guest-physical 0 and 4 GiB are both on one,
 * and so is low_size).  mmap() gives no such alignment on the kernels we
 * run on (before 6.7), so map 2 MiB more and trim both ends. */
#define GUEST_MEM_ALIGN	(2ULL << 20)

int guest_mem_init(struct guest_mem *m, uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t span, head, end;
	uint8_t *raw, *p;

	if (size == 0 || size > (1ULL << 46))
		return -EINVAL;
	span = size + GUEST_MEM_ALIGN;
	raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	head = -(uintptr_t)raw & (GUEST_MEM_ALIGN - 1);
	p = raw + head;
	end = (size + page - 1) & ~(page - 1);
	if (head)
		munmap(raw, head);
	if (span - head > end)
		munmap(p + end, span - head - end);
	/* Guest RAM is never worth a host core dump.  Transparent huge
	 * pages: each first touch of a guest page is a nested-paging fault,
	 * which costs milliseconds under nested virtualisation; 2 MiB pages
	 * take 512 times fewer (measured: the kernel's BSS clear went from
	 * ~1 MB/s to instant; the aligned start above then made the guest
	 * kernel's own boot, its memory map set-up most, 2-3x faster in the
	 * emulated test host).  THP may still be off host-wide. */
	madvise(p, size, MADV_DONTDUMP);
	madvise(p, size, MADV_HUGEPAGE);
	m->host = p;
	m->low_size = size < MEM_HOLE_START ? size : MEM_HOLE_START;
	m->high_size = size - m->low_size;
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, guest_mem_size(m));
	m->host = NULL;
	m->low_size = m->high_size = 0;
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (!m->host || __builtin_add_overflow(gpa, len, &end))
		return NULL;
	if (end <= m->low_size)
		return m->host + gpa;
	if (gpa >= MEM_HIGH_START && end - MEM_HIGH_START <= m->high_size)
		return m->host + m->low_size + (gpa - MEM_HIGH_START);
	return NULL;
}
