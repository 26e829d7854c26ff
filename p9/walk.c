/* Tattach, Twalk and Tclunk: how fids come and go.
 *
 * A walk goes one component at a time with openat(O_PATH | O_NOFOLLOW)
 * from the previous component's descriptor: a symlink is reached as
 * itself and never followed, so nothing below can lead out of the export.
 * ".." is the only way up, and at the root it stays at the root. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "p9/internal.h"

static bool is_root(struct p9_server *s, const struct stat *st)
{
	return st->st_dev == s->root_dev && st->st_ino == s->root_ino;
}

/* Tattach: fid[4] afid[4] uname[s] aname[s] n_uname[4].  Every attach
 * gets the export root, whatever aname says. */
int p9_op_attach(struct p9_ctx *c)
{
	struct p9_server *s = c->s;
	const char *str;
	struct p9_fid *f;
	struct p9_qid q;
	struct stat st;
	uint32_t fid, uid;
	uint16_t n;
	int fd, ret;

	fid = p9_get_u32(&c->d);
	p9_get_u32(&c->d);
	p9_get_str(&c->d, &str, &n);
	p9_get_str(&c->d, &str, &n);
	uid = p9_get_u32(&c->d);
	if (c->d.err)
		return c->d.err;
	if (uid == P9_NOFID)
		uid = 0;
	fd = fcntl(s->root_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	f = p9_fid_new(fd, -1, NULL, uid);
	if (!f)
		return -errno;
	ret = p9_fid_stat(f, &st);
	if (ret) {
		p9_fid_put(s, f);
		return ret;
	}
	ret = p9_fid_bind(s, fid, f, false);
	if (ret)
		return ret;
	p9_qid_from_stat(s, &st, &q);
	p9_put_qid(&c->e, &q);
	return 0;
}

static int dup_fd(int fd)
{
	if (fd < 0)
		return -1;
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

struct walk_pos {
	int fd, parent_fd;
	const char *name;
};

static void pos_close(struct walk_pos *p)
{
	if (p->fd >= 0)
		close(p->fd);
	if (p->parent_fd >= 0)
		close(p->parent_fd);
	p->fd = p->parent_fd = -1;
}

/* One step from p by name; 0 with p moved and st its new inode. */
static int step(struct p9_server *s, struct walk_pos *p, const char *name,
		struct stat *st)
{
	int nfd;

	if (!strcmp(name, ".")) {
		nfd = dup_fd(p->fd);
	} else if (!strcmp(name, "..")) {
		if (fstatat(p->fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			return -errno;
		if (is_root(s, st))
			return 0;
		nfd = openat(p->fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		nfd = openat(p->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (nfd < 0)
		return -errno;
	if (fstatat(nfd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		close(nfd);
		return -errno;
	}
	if (!strcmp(name, ".."))  {
		/* Its name in its own parent is not known: such a fid is
		 * walkable but cannot be removed or renamed by itself. */
		pos_close(p);
		p->fd = nfd;
		p->name = NULL;
	} else if (strcmp(name, ".")) {
		if (p->parent_fd >= 0)
			close(p->parent_fd);
		p->parent_fd = p->fd;
		p->fd = nfd;
		p->name = name;
	} else {
		close(nfd);
	}
	return 0;
}

/* Twalk: fid[4] newfid[4] nwname[2] nwname*(wname[s]).  A walk that fails
 * at the first name is an error; later, it returns the qids it got and
 * newfid is left alone. */
int p9_op_walk(struct p9_ctx *c)
{
	char names[P9_MAXWELEM][P9_NAME_MAX + 1];
	struct walk_pos p = { -1, -1, NULL };
	struct p9_server *s = c->s;
	struct p9_fid *f, *nf;
	uint32_t fid, newfid;
	uint16_t nwname, i;
	struct p9_qid q;
	struct stat st;
	int ret = 0;

	fid = p9_get_u32(&c->d);
	newfid = p9_get_u32(&c->d);
	nwname = p9_get_u16(&c->d);
	if (c->d.err)
		return c->d.err;
	if (nwname > P9_MAXWELEM)
		return -EINVAL;
	for (i = 0; i < nwname; i++) {
		ret = p9_get_name(&c->d, names[i]);
		if (ret)
			return ret;
	}
	f = p9_fid_get(s, fid);
	if (!f)
		return -EBADF;
	if (newfid != fid) {
		nf = p9_fid_get(s, newfid);
		if (nf) {
			p9_fid_put(s, nf);
			ret = -EEXIST;
			goto out;
		}
	}
	p.fd = dup_fd(f->fd);
	p.parent_fd = dup_fd(f->parent_fd);
	p.name = f->name;
	if (p.fd < 0 || (f->parent_fd >= 0 && p.parent_fd < 0)) {
		ret = -errno;
		goto out;
	}
	p9_put_u16(&c->e, 0);
	for (i = 0; i < nwname; i++) {
		ret = step(s, &p, names[i], &st);
		if (ret)
			break;
		p9_qid_from_stat(s, &st, &q);
		p9_put_qid(&c->e, &q);
	}
	if (ret && i == 0)
		goto out;
	/* Patch nwqid now that it is known. */
	c->e.p[0] = i;
	c->e.p[1] = 0;
	if (i < nwname) {
		ret = 0;
		goto out;
	}
	nf = p9_fid_new(p.fd, p.parent_fd, p.name, f->uid);
	p.fd = p.parent_fd = -1;
	if (!nf) {
		ret = -errno;
		goto out;
	}
	ret = p9_fid_bind(s, newfid, nf, newfid == fid);
out:
	pos_close(&p);
	p9_fid_put(s, f);
	return ret;
}

/* Tclunk: fid[4]. */
int p9_op_clunk(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d);

	if (c->d.err)
		return c->d.err;
	return p9_fid_clunk(c->s, fid);
}
