/* Attributes: Tgetattr, Tsetattr, Tstatfs, Treadlink.  All of them work on
 * the fid's O_PATH descriptor (AT_EMPTY_PATH), so an unlinked file that a
 * fid still holds keeps answering. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "p9/internal.h"

/* Tgetattr: fid[4] request_mask[8] -> valid[8] qid[13] mode[4] uid[4]
 * gid[4] nlink[8] rdev[8] size[8] blksize[8] blocks[8] atime[16] mtime[16]
 * ctime[16] btime[16] gen[8] data_version[8]. */
int p9_op_getattr(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d);
	struct p9_fid *f;
	struct p9_qid q;
	struct stat st;
	int ret;

	p9_get_u64(&c->d);
	if (c->d.err)
		return c->d.err;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	ret = p9_fid_stat(f, &st);
	p9_fid_put(c->s, f);
	if (ret)
		return ret;
	p9_qid_from_stat(c->s, &st, &q);
	p9_put_u64(&c->e, P9_GETATTR_BASIC);
	p9_put_qid(&c->e, &q);
	p9_put_u32(&c->e, st.st_mode);
	p9_put_u32(&c->e, st.st_uid);
	p9_put_u32(&c->e, st.st_gid);
	p9_put_u64(&c->e, st.st_nlink);
	p9_put_u64(&c->e, st.st_rdev);
	p9_put_u64(&c->e, st.st_size);
	p9_put_u64(&c->e, st.st_blksize);
	p9_put_u64(&c->e, st.st_blocks);
	p9_put_u64(&c->e, st.st_atim.tv_sec);
	p9_put_u64(&c->e, st.st_atim.tv_nsec);
	p9_put_u64(&c->e, st.st_mtim.tv_sec);
	p9_put_u64(&c->e, st.st_mtim.tv_nsec);
	p9_put_u64(&c->e, st.st_ctim.tv_sec);
	p9_put_u64(&c->e, st.st_ctim.tv_nsec);
	for (int i = 0; i < 4; i++)	/* btime, gen, data_version */
		p9_put_u64(&c->e, 0);
	return 0;
}

static int set_size(struct p9_fid *f, uint64_t size)
{
	int fd, ret = 0;

	if (size > INT64_MAX)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	fd = f->open_fd;
	if (fd >= 0 && (f->open_flags & O_ACCMODE) != O_RDONLY) {
		if (ftruncate(fd, size))
			ret = -errno;
		pthread_mutex_unlock(&f->lock);
		return ret;
	}
	pthread_mutex_unlock(&f->lock);
	if (S_ISDIR(f->type))
		return -EISDIR;
	fd = p9_reopen(f->fd, O_WRONLY);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, size))
		ret = -errno;
	close(fd);
	return ret;
}

static void set_time(struct timespec *ts, uint32_t valid, uint32_t is,
		     uint32_t set, uint64_t sec, uint64_t nsec)
{
	if (!(valid & is)) {
		ts->tv_nsec = UTIME_OMIT;
	} else if (valid & set) {
		ts->tv_sec = sec;
		ts->tv_nsec = nsec;
	} else {
		ts->tv_nsec = UTIME_NOW;
	}
}

/* Tsetattr: fid[4] valid[4] mode[4] uid[4] gid[4] size[8] atime[16]
 * mtime[16]. */
int p9_op_setattr(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d), valid = p9_get_u32(&c->d);
	uint32_t mode = p9_get_u32(&c->d), uid = p9_get_u32(&c->d);
	uint32_t gid = p9_get_u32(&c->d);
	uint64_t size = p9_get_u64(&c->d);
	uint64_t as = p9_get_u64(&c->d), an = p9_get_u64(&c->d);
	uint64_t ms = p9_get_u64(&c->d), mn = p9_get_u64(&c->d);
	struct timespec ts[2];
	struct p9_fid *f;
	char path[32];
	int ret = 0;

	if (c->d.err)
		return c->d.err;
	if (c->s->ro)
		return -EROFS;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	/* Owner before mode: a chown drops set-id bits, a chmod in the same
	 * request sets them again.  CTIME alone needs no call: every change
	 * here updates it. */
	if ((valid & (P9_SETATTR_UID | P9_SETATTR_GID)) &&
	    fchownat(f->fd, "", valid & P9_SETATTR_UID ? uid : (uid_t)-1,
		     valid & P9_SETATTR_GID ? gid : (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		ret = -errno;
	if (!ret && (valid & P9_SETATTR_MODE)) {
		p9_fd_path(f->fd, path, sizeof(path));
		if (S_ISLNK(f->type))
			ret = -EOPNOTSUPP;
		else if (chmod(path, mode & 07777))
			ret = -errno;
	}
	if (!ret && (valid & P9_SETATTR_SIZE))
		ret = set_size(f, size);
	if (!ret && (valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME))) {
		set_time(&ts[0], valid, P9_SETATTR_ATIME, P9_SETATTR_ATIME_SET,
			 as, an);
		set_time(&ts[1], valid, P9_SETATTR_MTIME, P9_SETATTR_MTIME_SET,
			 ms, mn);
		if (utimensat(f->fd, "", ts,
			      AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			ret = -errno;
	}
	p9_fid_put(c->s, f);
	return ret;
}

/* Tstatfs: fid[4] -> type[4] bsize[4] blocks[8] bfree[8] bavail[8]
 * files[8] ffree[8] fsid[8] namelen[4]. */
int p9_op_statfs(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d);
	struct p9_fid *f;
	struct statfs sf;
	int ret;

	if (c->d.err)
		return c->d.err;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	ret = fstatfs(f->fd, &sf) ? -errno : 0;
	p9_fid_put(c->s, f);
	if (ret)
		return ret;
	p9_put_u32(&c->e, sf.f_type);
	p9_put_u32(&c->e, sf.f_bsize);
	p9_put_u64(&c->e, sf.f_blocks);
	p9_put_u64(&c->e, sf.f_bfree);
	p9_put_u64(&c->e, sf.f_bavail);
	p9_put_u64(&c->e, sf.f_files);
	p9_put_u64(&c->e, sf.f_ffree);
	p9_put_u64(&c->e, (uint32_t)sf.f_fsid.__val[0] |
		   (uint64_t)(uint32_t)sf.f_fsid.__val[1] << 32);
	p9_put_u32(&c->e, sf.f_namelen);
	return 0;
}

/* Treadlink: fid[4] -> target[s].  The target is only text: nothing here
 * or anywhere in the server follows it. */
int p9_op_readlink(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d);
	char buf[PATH_MAX];
	struct p9_fid *f;
	ssize_t n;
	int ret;

	if (c->d.err)
		return c->d.err;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	if (!S_ISLNK(f->type))
		n = -EINVAL;
	else if ((n = readlinkat(f->fd, "", buf, sizeof(buf))) < 0)
		n = -errno;
	p9_fid_put(c->s, f);
	if (n < 0)
		return n;
	if (n == sizeof(buf))
		return -ENAMETOOLONG;
	ret = p9_ctx_reply_buf(c, 2 + n);
	if (ret)
		return ret;
	p9_put_str(&c->e, buf, n);
	return 0;
}
