/* Extended attributes.  Txattrwalk makes a fid whose reads return a value
 * (or, for the empty name, the name list); Txattrcreate turns a fid into
 * one that collects a value through Twrite and sets it when clunked.
 * Values are bounded by the kernel's own limit, 64 KiB. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "p9/internal.h"

void p9_xattr_free(struct p9_xattr *x)
{
	if (!x)
		return;
	free(x->buf);
	free(x);
}

/* Reads the value (or list) of the inode behind fd into x. */
static int load(int fd, struct p9_xattr *x)
{
	char path[32];
	ssize_t n;

	p9_fd_path(fd, path, sizeof(path));
	n = x->name[0] ? getxattr(path, x->name, NULL, 0) :
			 listxattr(path, NULL, 0);
	if (n < 0)
		return -errno;
	if (n > P9_XATTR_MAX)
		return -E2BIG;
	x->buf = malloc(n ? n : 1);
	if (!x->buf)
		return -ENOMEM;
	n = x->name[0] ? getxattr(path, x->name, x->buf, n) :
			 listxattr(path, (char *)x->buf, n);
	if (n < 0)
		return -errno;
	x->size = n;
	return 0;
}

/* A new fid on f's inode carrying x. */
static int bind_xattr(struct p9_ctx *c, struct p9_fid *f, uint32_t num,
		      struct p9_xattr *x)
{
	int fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	int pfd = f->parent_fd >= 0 ? fcntl(f->parent_fd, F_DUPFD_CLOEXEC, 0)
				    : -1;
	struct p9_fid *nf;

	if (fd < 0 || (f->parent_fd >= 0 && pfd < 0)) {
		if (fd >= 0)
			close(fd);
		p9_xattr_free(x);
		return -errno;
	}
	nf = p9_fid_new(fd, pfd, f->name, f->uid);
	if (!nf) {
		p9_xattr_free(x);
		return -errno;
	}
	nf->xattr = x;
	return p9_fid_bind(c->s, num, nf, true);
}

/* Txattrwalk: fid[4] newfid[4] name[s] -> size[8]. */
int p9_op_xattrwalk(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d), newfid = p9_get_u32(&c->d);
	struct p9_xattr *x = calloc(1, sizeof(*x));
	struct p9_fid *f = NULL, *other;
	int ret;

	ret = x ? p9_get_cstr(&c->d, x->name, sizeof(x->name)) : -ENOMEM;
	if (c->d.err)
		ret = c->d.err;
	if (ret)
		goto fail;
	f = p9_fid_get(c->s, fid);
	ret = -EBADF;
	if (!f)
		goto fail;
	if (newfid != fid && (other = p9_fid_get(c->s, newfid))) {
		p9_fid_put(c->s, other);
		ret = -EEXIST;
		goto fail;
	}
	ret = load(f->fd, x);
	if (ret)
		goto fail;
	p9_put_u64(&c->e, x->size);
	ret = bind_xattr(c, f, newfid, x);
	p9_fid_put(c->s, f);
	return ret;
fail:
	p9_fid_put(c->s, f);
	p9_xattr_free(x);
	return ret;
}

/* Txattrcreate: fid[4] name[s] attr_size[8] flags[4]. */
int p9_op_xattrcreate(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d), flags;
	struct p9_xattr *x = calloc(1, sizeof(*x));
	struct p9_fid *f = NULL;
	uint64_t size;
	int ret;

	ret = x ? p9_get_cstr(&c->d, x->name, sizeof(x->name)) : -ENOMEM;
	size = p9_get_u64(&c->d);
	flags = p9_get_u32(&c->d);
	if (c->d.err)
		ret = c->d.err;
	if (!ret && !x->name[0])
		ret = -EINVAL;
	if (!ret && c->s->ro)
		ret = -EROFS;
	if (!ret && size > P9_XATTR_MAX)
		ret = -E2BIG;
	if (!ret && (flags & ~(XATTR_CREATE | XATTR_REPLACE)))
		ret = -EINVAL;
	if (!ret && !(x->buf = malloc(size ? size : 1)))
		ret = -ENOMEM;
	if (ret)
		goto fail;
	x->create = true;
	x->size = size;
	x->flags = flags;
	f = p9_fid_get(c->s, fid);
	ret = -EBADF;
	if (!f)
		goto fail;
	ret = bind_xattr(c, f, fid, x);
	p9_fid_put(c->s, f);
	return ret;
fail:
	p9_fid_put(c->s, f);
	p9_xattr_free(x);
	return ret;
}

int p9_xattr_read(struct p9_ctx *c, struct p9_fid *f, uint64_t off,
		  uint32_t count)
{
	struct p9_xattr *x = f->xattr;
	uint8_t *dst;
	int ret;

	if (x->create)
		return -EBADF;
	if (off > x->size)
		off = x->size;
	if (count > x->size - off)
		count = x->size - off;
	ret = p9_ctx_reply_buf(c, 4 + (size_t)count);
	if (ret)
		return ret;
	p9_put_u32(&c->e, count);
	dst = p9_put_space(&c->e, count);
	if (dst)
		memcpy(dst, x->buf + off, count);
	return 0;
}

int p9_xattr_write(struct p9_ctx *c, struct p9_fid *f, uint64_t off,
		   uint32_t count, const struct iovec *iov, unsigned int cnt)
{
	struct p9_xattr *x = f->xattr;
	size_t got = 0;

	if (!x->create)
		return -EBADF;
	if (off > x->size || count > x->size - off)
		return -ENOSPC;
	pthread_mutex_lock(&f->lock);
	for (unsigned int i = 0; i < cnt; i++) {
		memcpy(x->buf + off + got, iov[i].iov_base, iov[i].iov_len);
		got += iov[i].iov_len;
	}
	if (off + got > x->filled)
		x->filled = off + got;
	pthread_mutex_unlock(&f->lock);
	p9_put_u32(&c->e, got);
	return 0;
}

/* At clunk, with f->lock held.  A zero-size create is a removal, as the
 * Linux client sends removexattr. */
int p9_xattr_commit(struct p9_fid *f)
{
	struct p9_xattr *x = f->xattr;
	char path[32];

	p9_fd_path(f->fd, path, sizeof(path));
	if (!x->size)
		return removexattr(path, x->name) ? -errno : 0;
	if (x->filled != x->size)
		return -EINVAL;
	if (setxattr(path, x->name, x->buf, x->size, x->flags))
		return -errno;
	return 0;
}
