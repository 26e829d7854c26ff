/* Scatter lists: a 9P request and its reply buffer as iovec arrays (the
 * guest's descriptors), so read and write payloads move with preadv and
 * pwritev straight between the file and guest memory. */
#ifndef KVMC_P9_IOV_H
#define KVMC_P9_IOV_H

#include <stddef.h>
#include <sys/uio.h>

#define P9_IOV_MAX	1024	/* what one preadv/pwritev takes (IOV_MAX) */

size_t p9_iov_len(const struct iovec *iov, unsigned int cnt);
/* Copy between [off, off + len) of the list and buf; returns the bytes
 * copied, less than len if the list is shorter. */
size_t p9_iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		     void *buf, size_t len);
size_t p9_iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		       const void *buf, size_t len);
/* Fills out[max] with the part [off, off + len) of the list; returns the
 * number of entries (their total may be short of len if the list is). */
unsigned int p9_iov_slice(const struct iovec *iov, unsigned int cnt,
			  size_t off, size_t len, struct iovec *out,
			  unsigned int max);

#endif
