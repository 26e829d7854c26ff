/* Names in directories: Tmkdir, Tmknod, Tsymlink, Tlink, Trename,
 * Trenameat, Tunlinkat, Tremove.  Every name is one component (no '/',
 * never "." or "..") relative to a directory fid's descriptor, so nothing
 * can be made, moved or removed outside the export. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "p9/internal.h"

int p9_chown_new(int dirfd, const char *name, uint32_t uid, uint32_t gid)
{
	/* Only possible, and only needed, when the server runs as root. */
	if (geteuid() != 0)
		return 0;
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

/* Decodes dfid[4] name[s] and takes the directory fid. */
static int get_dir_name(struct p9_ctx *c, struct p9_fid **dp, char *name)
{
	uint32_t dfid = p9_get_u32(&c->d);
	int ret = p9_get_name(&c->d, name);

	if (c->d.err)
		return c->d.err;
	if (ret)
		return ret;
	if (p9_name_is_dot(name))
		return -EINVAL;
	*dp = p9_fid_get(c->s, dfid);
	if (!*dp)
		return -EBADF;
	if (!S_ISDIR((*dp)->type)) {
		p9_fid_put(c->s, *dp);
		return -ENOTDIR;
	}
	return 0;
}

/* After a creation: owner, then the qid of what was made (removed again
 * if it cannot be given to the guest's user). */
static int finish_create(struct p9_ctx *c, struct p9_fid *d,
			 const char *name, uint32_t gid, bool dir)
{
	struct p9_qid q;
	struct stat st;
	int ret = p9_chown_new(d->fd, name, d->uid, gid);

	if (!ret && fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW))
		ret = -errno;
	if (ret) {
		unlinkat(d->fd, name, dir ? AT_REMOVEDIR : 0);
		return ret;
	}
	p9_qid_from_stat(c->s, &st, &q);
	p9_put_qid(&c->e, &q);
	return 0;
}

/* Tmkdir: dfid[4] name[s] mode[4] gid[4] -> qid[13]. */
int p9_op_mkdir(struct p9_ctx *c)
{
	char name[P9_NAME_MAX + 1];
	struct p9_fid *d;
	uint32_t mode, gid;
	int ret = get_dir_name(c, &d, name);

	if (ret)
		return ret;
	mode = p9_get_u32(&c->d);
	gid = p9_get_u32(&c->d);
	if (c->d.err)
		ret = c->d.err;
	else if (c->s->ro)
		ret = -EROFS;
	else if (mkdirat(d->fd, name, mode & 07777))
		ret = -errno;
	else
		ret = finish_create(c, d, name, gid, true);
	p9_fid_put(c->s, d);
	return ret;
}

/* Tmknod: dfid[4] name[s] mode[4] major[4] minor[4] gid[4] -> qid[13].
 * Fifos, sockets and empty files; never device nodes. */
int p9_op_mknod(struct p9_ctx *c)
{
	char name[P9_NAME_MAX + 1];
	struct p9_fid *d;
	uint32_t mode, gid;
	int ret = get_dir_name(c, &d, name);

	if (ret)
		return ret;
	mode = p9_get_u32(&c->d);
	p9_get_u32(&c->d);
	p9_get_u32(&c->d);
	gid = p9_get_u32(&c->d);
	if (c->d.err)
		ret = c->d.err;
	else if (c->s->ro)
		ret = -EROFS;
	else if (S_ISCHR(mode) || S_ISBLK(mode))
		ret = -EPERM;
	else if (!S_ISFIFO(mode) && !S_ISSOCK(mode) && !S_ISREG(mode))
		ret = -EINVAL;
	else if (mknodat(d->fd, name, (mode & S_IFMT) | (mode & 07777), 0))
		ret = -errno;
	else
		ret = finish_create(c, d, name, gid, false);
	p9_fid_put(c->s, d);
	return ret;
}

/* Tsymlink: fid[4] name[s] symtgt[s] gid[4] -> qid[13]. */
int p9_op_symlink(struct p9_ctx *c)
{
	char name[P9_NAME_MAX + 1], target[PATH_MAX];
	struct p9_fid *d;
	uint32_t gid;
	int ret = get_dir_name(c, &d, name);

	if (ret)
		return ret;
	ret = p9_get_cstr(&c->d, target, sizeof(target));
	gid = p9_get_u32(&c->d);
	if (c->d.err)
		ret = c->d.err;
	else if (!ret && !target[0])
		ret = -ENOENT;
	else if (!ret && c->s->ro)
		ret = -EROFS;
	else if (!ret && symlinkat(target, d->fd, name))
		ret = -errno;
	else if (!ret)
		ret = finish_create(c, d, name, gid, false);
	p9_fid_put(c->s, d);
	return ret;
}

/* Tlink: dfid[4] fid[4] name[s].  linkat through /proc/self/fd: the
 * O_PATH way that needs no CAP_DAC_READ_SEARCH (open(2)). */
int p9_op_link(struct p9_ctx *c)
{
	uint32_t dfid = p9_get_u32(&c->d), fid = p9_get_u32(&c->d);
	char name[P9_NAME_MAX + 1], path[32];
	struct p9_fid *d = NULL, *f = NULL;
	int ret = p9_get_name(&c->d, name);

	if (c->d.err)
		return c->d.err;
	if (ret)
		return ret;
	if (p9_name_is_dot(name))
		return -EINVAL;
	if (c->s->ro)
		return -EROFS;
	d = p9_fid_get(c->s, dfid);
	f = p9_fid_get(c->s, fid);
	if (!d || !f)
		ret = -EBADF;
	else if (!S_ISDIR(d->type))
		ret = -ENOTDIR;
	else if (S_ISDIR(f->type))
		ret = -EPERM;
	if (!ret) {
		p9_fd_path(f->fd, path, sizeof(path));
		if (linkat(AT_FDCWD, path, d->fd, name, AT_SYMLINK_FOLLOW))
			ret = -errno;
	}
	p9_fid_put(c->s, d);
	p9_fid_put(c->s, f);
	return ret;
}

/* 0 if (f->parent_fd, f->name) still names f's inode. */
static int check_name(struct p9_fid *f)
{
	struct stat a, b;

	if (!f->name)
		return f->parent_fd < 0 ? -EBUSY : -EOPNOTSUPP;
	if (fstatat(f->fd, "", &a, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) ||
	    fstatat(f->parent_fd, f->name, &b, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return -ESTALE;
	return 0;
}

/* Trename: fid[4] dfid[4] name[s].  The fid keeps its old name: clients
 * walk again after a rename. */
int p9_op_rename(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d);
	char name[P9_NAME_MAX + 1];
	struct p9_fid *d, *f;
	int ret = get_dir_name(c, &d, name);

	if (ret)
		return ret;
	f = p9_fid_get(c->s, fid);
	if (!f)
		ret = -EBADF;
	else if (c->s->ro)
		ret = -EROFS;
	else
		ret = check_name(f);
	if (!ret && renameat(f->parent_fd, f->name, d->fd, name))
		ret = -errno;
	p9_fid_put(c->s, f);
	p9_fid_put(c->s, d);
	return ret;
}

/* Trenameat: olddirfid[4] oldname[s] newdirfid[4] newname[s]. */
int p9_op_renameat(struct p9_ctx *c)
{
	char oname[P9_NAME_MAX + 1], nname[P9_NAME_MAX + 1];
	struct p9_fid *od, *nd;
	int ret = get_dir_name(c, &od, oname);

	if (ret)
		return ret;
	ret = get_dir_name(c, &nd, nname);
	if (ret) {
		p9_fid_put(c->s, od);
		return ret;
	}
	if (c->s->ro)
		ret = -EROFS;
	else if (renameat(od->fd, oname, nd->fd, nname))
		ret = -errno;
	p9_fid_put(c->s, od);
	p9_fid_put(c->s, nd);
	return ret;
}

/* Tunlinkat: dirfid[4] name[s] flags[4]. */
int p9_op_unlinkat(struct p9_ctx *c)
{
	char name[P9_NAME_MAX + 1];
	struct p9_fid *d;
	uint32_t flags;
	int ret = get_dir_name(c, &d, name);

	if (ret)
		return ret;
	flags = p9_get_u32(&c->d);
	if (c->d.err)
		ret = c->d.err;
	else if (c->s->ro)
		ret = -EROFS;
	else if (unlinkat(d->fd, name,
			  flags & P9_DOTL_AT_REMOVEDIR ? AT_REMOVEDIR : 0))
		ret = -errno;
	p9_fid_put(c->s, d);
	return ret;
}

/* Tremove: fid[4].  The fid is clunked whatever happens. */
int p9_op_remove(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d);
	struct p9_fid *f;
	int ret, cret;

	if (c->d.err)
		return c->d.err;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	if (c->s->ro)
		ret = -EROFS;
	else
		ret = check_name(f);
	if (!ret && unlinkat(f->parent_fd, f->name,
			     S_ISDIR(f->type) ? AT_REMOVEDIR : 0))
		ret = -errno;
	p9_fid_put(c->s, f);
	cret = p9_fid_clunk(c->s, fid);
	return ret ? ret : cret;
}
