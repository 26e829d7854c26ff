/* Threads with small stacks, and a malloc that stays small, for the
 * long-lived per-VM processes (kvmc-vmm, kvmc-shim): see
 * docs/benchmarks.md, "bench/density". */
#ifndef KVMC_LIB_THREAD_H
#define KVMC_LIB_THREAD_H

#include <pthread.h>
#include <stddef.h>

/* The stack of every kvmc-vmm thread.  The deepest frames are ~17 KiB
 * (virtio-net rx, 9p read/write, the proxy's client read); glibc's
 * default of 8 MiB only costs what is touched, but with transparent huge
 * pages set to `always` a touch inside an 8 MiB stack can fault in a
 * whole 2 MiB page, which a mapping under 2 MiB never gets. */
#define THREAD_STACK_SIZE	(256 * 1024)

/* pthread_create with a stack of stack_size bytes (rounded up to a
 * page) and a one-page guard below it.  0 or an errno value, like
 * pthread_create. */
int thread_start(pthread_t *t, size_t stack_size, void *(*fn)(void *),
		 void *arg);

/* Tunes glibc's malloc for a process that lives as long as its VM, in
 * main before any thread: one arena (threads would otherwise get a 64 MiB
 * reserve each, touched a page at a time), and a fixed mmap threshold
 * of 128 KiB (glibc raises it to the size of any large block freed, up
 * to 32 MiB, after which buffers of that size come from the heap, which
 * keeps them and can get huge pages).  0, or -1 if glibc refused. */
int thread_malloc_tune(void);

#endif
