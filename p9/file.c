/* Open files: Tlopen, Tlcreate, Tread, Twrite, Tfsync.  Read and write
 * payloads go between the file and the request's scatter list. */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "p9/internal.h"

#define RREAD_HEAD	(P9_HDR_SIZE + 4)		/* then data */
#define TWRITE_HEAD	(P9_HDR_SIZE + 4 + 8 + 4)	/* then data */

static int host_open_flags(uint32_t fl)
{
	int f = (fl & P9_DOTL_ACCMODE) == 1 ? O_WRONLY :
		(fl & P9_DOTL_ACCMODE) == 2 ? O_RDWR : O_RDONLY;

	if (fl & P9_DOTL_TRUNC)
		f |= O_TRUNC;
	if (fl & P9_DOTL_APPEND)
		f |= O_APPEND;
	if (fl & P9_DOTL_DSYNC)
		f |= O_DSYNC;
	if (fl & P9_DOTL_SYNC)
		f |= O_SYNC;
	return f;
}

static bool modifies(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* The fid's open descriptor, or -EBADF. */
static int open_fd(struct p9_fid *f)
{
	int fd;

	pthread_mutex_lock(&f->lock);
	fd = f->open_fd;
	pthread_mutex_unlock(&f->lock);
	return fd >= 0 ? fd : -EBADF;
}

static int reply_open(struct p9_ctx *c, int fd)
{
	struct p9_qid q;
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	p9_qid_from_stat(c->s, &st, &q);
	p9_put_qid(&c->e, &q);
	p9_put_u32(&c->e, 0);	/* iounit 0: reads use the whole msize */
	return 0;
}

/* Tlopen: fid[4] flags[4] -> qid[13] iounit[4]. */
int p9_op_lopen(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d), fl = p9_get_u32(&c->d);
	struct p9_fid *f;
	int flags, fd, ret;

	if (c->d.err)
		return c->d.err;
	flags = host_open_flags(fl);
	if (c->s->ro && modifies(flags))
		return -EROFS;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	if (S_ISDIR(f->type)) {
		ret = -EISDIR;
		if ((flags & O_ACCMODE) != O_RDONLY)
			goto out;
		flags = O_RDONLY | O_DIRECTORY;
	}
	pthread_mutex_lock(&f->lock);
	ret = -EBADF;
	if (f->open_fd < 0 && !f->xattr) {
		fd = p9_reopen(f->fd, flags);
		ret = fd < 0 ? fd : 0;
		if (!ret) {
			f->open_fd = fd;
			f->open_flags = flags;
		}
	}
	pthread_mutex_unlock(&f->lock);
	if (!ret)
		ret = reply_open(c, f->open_fd);
out:
	p9_fid_put(c->s, f);
	return ret;
}

/* Tlcreate: fid[4] name[s] flags[4] mode[4] gid[4] -> qid[13] iounit[4].
 * fid, a directory, becomes the new file, open.  O_EXCL always: an
 * existing name (a fifo, a device) is never opened here. */
int p9_op_lcreate(struct p9_ctx *c)
{
	char name[P9_NAME_MAX + 1], path[32];
	uint32_t fid, fl, mode, gid;
	struct p9_fid *f, *nf;
	int flags, fd, pfd, dfd, ret;

	fid = p9_get_u32(&c->d);
	ret = p9_get_name(&c->d, name);
	fl = p9_get_u32(&c->d);
	mode = p9_get_u32(&c->d);
	gid = p9_get_u32(&c->d);
	if (c->d.err)
		return c->d.err;
	if (ret)
		return ret;
	if (p9_name_is_dot(name))
		return -EINVAL;
	if (c->s->ro)
		return -EROFS;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	ret = -ENOTDIR;
	if (!S_ISDIR(f->type))
		goto out;
	flags = host_open_flags(fl) & ~O_TRUNC;
	fd = openat(f->fd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode & 07777);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = p9_chown_new(f->fd, name, f->uid, gid);
	p9_fd_path(fd, path, sizeof(path));
	pfd = ret ? -1 : open(path, O_PATH | O_CLOEXEC);
	dfd = pfd < 0 ? -1 : fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	if (!ret && (pfd < 0 || dfd < 0))
		ret = -errno;
	if (ret) {
		unlinkat(f->fd, name, 0);
		close(fd);
		if (pfd >= 0)
			close(pfd);
		goto out;
	}
	nf = p9_fid_new(pfd, dfd, name, f->uid);
	if (!nf) {
		ret = -errno;
		close(fd);
		goto out;
	}
	nf->open_fd = fd;
	nf->open_flags = flags;
	ret = reply_open(c, fd);
	p9_fid_bind(c->s, fid, nf, true);
out:
	p9_fid_put(c->s, f);
	return ret;
}

/* Decodes fid[4] offset[8] count[4], common to Tread and Twrite, and
 * takes the fid. */
static int io_begin(struct p9_ctx *c, struct p9_fid **fp, uint64_t *off,
		    uint32_t *count)
{
	uint32_t fid = p9_get_u32(&c->d);

	*off = p9_get_u64(&c->d);
	*count = p9_get_u32(&c->d);
	if (c->d.err)
		return c->d.err;
	if (*off > INT64_MAX)
		return -EINVAL;
	*fp = p9_fid_get(c->s, fid);
	return *fp ? 0 : -EBADF;
}

/* Tread: fid[4] offset[8] count[4] -> count[4] data[count], the data read
 * straight into the reply's scatter list. */
int p9_op_read(struct p9_ctx *c)
{
	struct iovec iov[P9_IOV_MAX];
	struct p9_fid *f;
	unsigned int n;
	uint32_t count;
	uint64_t off;
	ssize_t got;
	int fd, ret = io_begin(c, &f, &off, &count);

	if (ret)
		return ret;
	if (count > c->max_reply - RREAD_HEAD)
		count = c->max_reply - RREAD_HEAD;
	if (f->xattr) {
		ret = p9_xattr_read(c, f, off, count);
		goto out;
	}
	fd = ret = open_fd(f);
	if (ret < 0)
		goto out;
	n = p9_iov_slice(c->out, c->out_cnt, RREAD_HEAD, count, iov,
			 P9_IOV_MAX);
	got = n ? preadv(fd, iov, n, off) : 0;
	ret = got < 0 ? -errno : 0;
	if (!ret) {
		p9_put_u32(&c->e, got);
		c->direct = got;
	}
out:
	p9_fid_put(c->s, f);
	return ret;
}

/* Twrite: fid[4] offset[8] count[4] data[count] -> count[4], the data
 * written straight from the request's scatter list. */
int p9_op_write(struct p9_ctx *c)
{
	struct iovec iov[P9_IOV_MAX];
	struct p9_fid *f;
	unsigned int n;
	uint32_t count;
	uint64_t off;
	ssize_t put;
	int fd, ret = io_begin(c, &f, &off, &count);

	if (ret)
		return ret;
	if (count > c->in_size - TWRITE_HEAD)
		ret = -EPROTO;
	else if (c->s->ro)
		ret = -EROFS;
	if (ret)
		goto out;
	n = p9_iov_slice(c->in, c->in_cnt, TWRITE_HEAD, count, iov,
			 P9_IOV_MAX);
	if (f->xattr) {
		ret = p9_xattr_write(c, f, off, count, iov, n);
		goto out;
	}
	fd = ret = open_fd(f);
	if (ret < 0)
		goto out;
	put = n ? pwritev(fd, iov, n, off) : 0;
	ret = put < 0 ? -errno : 0;
	if (!ret)
		p9_put_u32(&c->e, put);
out:
	p9_fid_put(c->s, f);
	return ret;
}

/* Tfsync: fid[4] datasync[4] (older clients send only fid). */
int p9_op_fsync(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d), datasync;
	struct p9_fid *f;
	int fd, ret = 0;

	if (c->d.err)
		return c->d.err;
	datasync = c->d.len - c->d.off >= 4 ? p9_get_u32(&c->d) : 0;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	fd = open_fd(f);
	if (fd < 0)
		ret = -EBADF;
	else if (datasync ? fdatasync(fd) : fsync(fd))
		ret = -errno;
	p9_fid_put(c->s, f);
	return ret;
}
