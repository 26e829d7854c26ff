/* Descriptor I/O helpers shared by the host binaries. */
#ifndef KVMC_LIB_FDIO_H
#define KVMC_LIB_FDIO_H

#include <stddef.h>

/* Writes all n bytes of p to fd, retrying on EINTR and short writes.
 * 0, or -errno of the write that failed. */
int fd_write_all(int fd, const void *p, size_t n);

#endif
