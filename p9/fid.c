/* The fid table, qids, and the two ways a fid's inode is reached again:
 * /proc/self/fd paths and reopening for I/O. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p9/internal.h"

static unsigned int bucket(uint32_t num)
{
	return (num * 2654435761u) % P9_FID_BUCKETS;
}

struct p9_fid *p9_fid_new(int fd, int parent_fd, const char *name,
			  uint32_t uid)
{
	struct p9_fid *f = calloc(1, sizeof(*f));
	struct stat st;

	if (!f || fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		goto fail;
	if (name && !(f->name = strdup(name)))
		goto fail;
	f->fd = fd;
	f->parent_fd = parent_fd;
	f->type = st.st_mode & S_IFMT;
	f->uid = uid;
	f->open_fd = -1;
	f->refs = 1;
	pthread_mutex_init(&f->lock, NULL);
	return f;
fail:
	free(f);
	close(fd);
	if (parent_fd >= 0)
		close(parent_fd);
	return NULL;
}

static void fid_free(struct p9_fid *f)
{
	close(f->fd);
	if (f->parent_fd >= 0)
		close(f->parent_fd);
	if (f->open_fd >= 0)
		close(f->open_fd);
	p9_xattr_free(f->xattr);
	pthread_mutex_destroy(&f->lock);
	free(f->name);
	free(f);
}

struct p9_fid *p9_fid_get(struct p9_server *s, uint32_t num)
{
	struct p9_fid *f;

	pthread_mutex_lock(&s->lock);
	for (f = s->fids[bucket(num)]; f; f = f->next)
		if (f->num == num)
			break;
	if (f)
		f->refs++;
	pthread_mutex_unlock(&s->lock);
	return f;
}

void p9_fid_put(struct p9_server *s, struct p9_fid *f)
{
	unsigned int refs;

	if (!f)
		return;
	pthread_mutex_lock(&s->lock);
	refs = --f->refs;
	pthread_mutex_unlock(&s->lock);
	if (!refs)
		fid_free(f);
}

/* Unlinks fid num from its chain; the caller holds the lock. */
static struct p9_fid *unhash(struct p9_server *s, uint32_t num)
{
	struct p9_fid **pp = &s->fids[bucket(num)];

	for (; *pp; pp = &(*pp)->next) {
		struct p9_fid *f = *pp;

		if (f->num == num) {
			*pp = f->next;
			s->nfids--;
			return f;
		}
	}
	return NULL;
}

int p9_fid_bind(struct p9_server *s, uint32_t num, struct p9_fid *f,
		bool replace)
{
	struct p9_fid *old = NULL;
	int ret = 0;

	if (num == P9_NOFID) {
		p9_fid_put(s, f);
		return -EINVAL;
	}
	pthread_mutex_lock(&s->lock);
	old = unhash(s, num);
	if (old && !replace) {
		old->next = s->fids[bucket(num)];
		s->fids[bucket(num)] = old;
		s->nfids++;
		old = NULL;
		ret = -EEXIST;
	} else if (!old && s->nfids >= s->max_fids) {
		ret = -EMFILE;
	} else {
		f->num = num;
		f->next = s->fids[bucket(num)];
		s->fids[bucket(num)] = f;
		s->nfids++;
		f = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	p9_fid_put(s, old);
	p9_fid_put(s, f);
	return ret;
}

int p9_fid_clunk(struct p9_server *s, uint32_t num)
{
	struct p9_fid *f;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	f = unhash(s, num);
	pthread_mutex_unlock(&s->lock);
	if (!f)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	if (f->xattr && f->xattr->create)
		ret = p9_xattr_commit(f);
	pthread_mutex_unlock(&f->lock);
	p9_fid_put(s, f);
	return ret;
}

void p9_fid_clunk_all(struct p9_server *s)
{
	for (unsigned int i = 0; i < P9_FID_BUCKETS; i++) {
		struct p9_fid *f;

		pthread_mutex_lock(&s->lock);
		f = s->fids[i];
		s->fids[i] = NULL;
		pthread_mutex_unlock(&s->lock);
		while (f) {
			struct p9_fid *next = f->next;

			pthread_mutex_lock(&s->lock);
			s->nfids--;
			pthread_mutex_unlock(&s->lock);
			p9_fid_put(s, f);
			f = next;
		}
	}
}

/* Small device numbers go in the top byte of qid.path, so files on the
 * mounts an export spans never share a qid. */
void p9_qid_from_stat(struct p9_server *s, const struct stat *st,
		      struct p9_qid *q)
{
	uint64_t ino = st->st_ino;
	unsigned int i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->ndevs && s->devs[i] != st->st_dev; i++)
		;
	if (i == s->ndevs && i < P9_MAX_DEVS)
		s->devs[s->ndevs++] = st->st_dev;
	pthread_mutex_unlock(&s->lock);

	if (i < P9_MAX_DEVS && !(ino >> 56))
		q->path = (uint64_t)i << 56 | ino;
	else	/* a 256th device or a huge inode: mix, mark as such */
		q->path = (ino * 0x9E3779B97F4A7C15ull) ^
			  ((uint64_t)st->st_dev << 32) ^ 0xFF00000000000000ull;
	q->version = 0;
	if (S_ISDIR(st->st_mode))
		q->type = P9_QTDIR;
	else if (S_ISLNK(st->st_mode))
		q->type = P9_QTSYMLINK;
	else
		q->type = P9_QTFILE;
}

int p9_fid_stat(const struct p9_fid *f, struct stat *st)
{
	if (fstatat(f->fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

void p9_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

int p9_reopen(int fd, int flags)
{
	char path[32];
	struct stat st;
	int nfd;

	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -EPERM;
	/* The magic link resolves to the inode fd holds, whatever has
	 * happened to its name since; an inode never changes type. */
	p9_fd_path(fd, path, sizeof(path));
	nfd = open(path, flags | O_CLOEXEC | O_NOCTTY);
	if (nfd < 0)
		return -errno;
	return nfd;
}
