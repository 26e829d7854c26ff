/* Lazily touched arrays: see lazymem.h. */
#include <errno.h>
#include <sys/mman.h>

#include "lib/lazymem.h"

void *lazymem_alloc(size_t n, size_t size)
{
	size_t len;
	void *p;

	if (__builtin_mul_overflow(n, size, &len) || !len) {
		errno = ENOMEM;
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Only a hint: THP may be off, or the kernel without it. */
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

void lazymem_free(void *p, size_t n, size_t size)
{
	if (p)
		munmap(p, n * size);
}
