/* Large arrays whose pages are touched a few at a time (the 9p request
 * slots: 128 of 16 KiB each, mostly unused), kept out of transparent
 * huge pages so that an idle VMM pays for the pages it touched, not
 * for 2 MiB at a time: docs/benchmarks.md, "bench/density". */
#ifndef KVMC_LIB_LAZYMEM_H
#define KVMC_LIB_LAZYMEM_H

#include <stddef.h>

/* n * size zeroed bytes, none of them resident until touched, in 4 KiB
 * pages.  NULL with errno set (ENOMEM also on overflow). */
void *lazymem_alloc(size_t n, size_t size);
/* p from lazymem_alloc(n, size), or NULL. */
void lazymem_free(void *p, size_t n, size_t size);

#endif
