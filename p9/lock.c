/* Tlock and Tgetlock as POSIX record locks on the fid's open file.
 *
 * The guest kernel arbitrates between its own processes before asking; the
 * host lock only makes the guest's locks visible to host processes (and
 * theirs to the guest).  Locks are never waited for here: a conflict is
 * P9_LOCK_BLOCKED and the client retries. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "p9/internal.h"

static int lock_fd(struct p9_ctx *c, uint32_t fid, struct p9_fid **fp)
{
	struct p9_fid *f = p9_fid_get(c->s, fid);
	int fd;

	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	fd = f->open_fd;
	pthread_mutex_unlock(&f->lock);
	if (fd < 0) {
		p9_fid_put(c->s, f);
		return -EBADF;
	}
	*fp = f;
	return fd;
}

static int fill_flock(struct flock *fl, uint8_t type, uint64_t start,
		      uint64_t len)
{
	memset(fl, 0, sizeof(*fl));
	switch (type) {
	case P9_LOCK_TYPE_RDLCK: fl->l_type = F_RDLCK; break;
	case P9_LOCK_TYPE_WRLCK: fl->l_type = F_WRLCK; break;
	case P9_LOCK_TYPE_UNLCK: fl->l_type = F_UNLCK; break;
	default: return -EINVAL;
	}
	if (start > INT64_MAX || len > INT64_MAX)
		return -EINVAL;
	fl->l_whence = SEEK_SET;
	fl->l_start = start;
	fl->l_len = len;
	return 0;
}

/* Tlock: fid[4] type[1] flags[4] start[8] length[8] proc_id[4]
 * client_id[s] -> status[1]. */
int p9_op_lock(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d);
	uint8_t type = p9_get_u8(&c->d), status;
	uint64_t start, len;
	struct p9_fid *f;
	struct flock fl;
	const char *id;
	uint16_t n;
	int fd, ret;

	p9_get_u32(&c->d);
	start = p9_get_u64(&c->d);
	len = p9_get_u64(&c->d);
	p9_get_u32(&c->d);
	p9_get_str(&c->d, &id, &n);
	if (c->d.err)
		return c->d.err;
	ret = fill_flock(&fl, type, start, len);
	if (ret)
		return ret;
	fd = lock_fd(c, fid, &f);
	if (fd < 0)
		return fd;
	if (!fcntl(fd, F_SETLK, &fl))
		status = P9_LOCK_SUCCESS;
	else if (errno == EAGAIN || errno == EACCES)
		status = P9_LOCK_BLOCKED;
	else
		status = P9_LOCK_ERROR;
	p9_fid_put(c->s, f);
	p9_put_u8(&c->e, status);
	return 0;
}

/* Tgetlock: fid[4] type[1] start[8] length[8] proc_id[4] client_id[s]
 * -> type[1] start[8] length[8] proc_id[4] client_id[s]. */
int p9_op_getlock(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d), proc;
	uint8_t type = p9_get_u8(&c->d);
	uint64_t start, len;
	struct p9_fid *f;
	struct flock fl;
	const char *id;
	uint16_t n;
	int fd, ret;

	start = p9_get_u64(&c->d);
	len = p9_get_u64(&c->d);
	proc = p9_get_u32(&c->d);
	p9_get_str(&c->d, &id, &n);
	if (c->d.err)
		return c->d.err;
	ret = fill_flock(&fl, type, start, len);
	if (ret)
		return ret;
	fd = lock_fd(c, fid, &f);
	if (fd < 0)
		return fd;
	ret = fcntl(fd, F_GETLK, &fl) ? -errno : 0;
	p9_fid_put(c->s, f);
	if (ret)
		return ret;
	if (fl.l_type == F_UNLCK) {
		p9_put_u8(&c->e, P9_LOCK_TYPE_UNLCK);
		p9_put_u64(&c->e, start);
		p9_put_u64(&c->e, len);
		p9_put_u32(&c->e, proc);
	} else {
		p9_put_u8(&c->e, fl.l_type == F_RDLCK ? P9_LOCK_TYPE_RDLCK :
			  P9_LOCK_TYPE_WRLCK);
		p9_put_u64(&c->e, fl.l_start);
		p9_put_u64(&c->e, fl.l_len);
		p9_put_u32(&c->e, fl.l_pid);
	}
	p9_put_str(&c->e, id, n);
	return 0;
}
