/* Scatter-list helpers: see iov.h. */
#include <string.h>

#include "p9/iov.h"

size_t p9_iov_len(const struct iovec *iov, unsigned int cnt)
{
	size_t n = 0;

	for (unsigned int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

unsigned int p9_iov_slice(const struct iovec *iov, unsigned int cnt,
			  size_t off, size_t len, struct iovec *out,
			  unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cnt && len && n < max; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len)
			l = len;
		out[n].iov_base = (char *)iov[i].iov_base + off;
		out[n].iov_len = l;
		n++;
		len -= l;
		off = 0;
	}
	return n;
}

static size_t copy(const struct iovec *iov, unsigned int cnt, size_t off,
		   void *buf, size_t len, int to_buf)
{
	struct iovec part[64];
	size_t done = 0;

	while (done < len) {
		unsigned int n = p9_iov_slice(iov, cnt, off + done,
					      len - done, part, 64);
		size_t got = 0;

		if (!n)
			break;
		for (unsigned int i = 0; i < n; i++) {
			char *b = (char *)buf + done + got;

			if (to_buf)
				memcpy(b, part[i].iov_base, part[i].iov_len);
			else
				memcpy(part[i].iov_base, b, part[i].iov_len);
			got += part[i].iov_len;
		}
		done += got;
	}
	return done;
}

size_t p9_iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		     void *buf, size_t len)
{
	return copy(iov, cnt, off, buf, len, 1);
}

size_t p9_iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t off,
		       const void *buf, size_t len)
{
	return copy(iov, cnt, off, (void *)buf, len, 0);
}
