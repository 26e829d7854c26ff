/* Treaddir: entries from getdents64 with the file system's own d_off as
 * each entry's offset, so offsets stay valid across calls (and across
 * entries added or removed between them, as far as the host fs allows). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "p9/internal.h"

#define DENTS_BUF	(64 * 1024)

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static mode_t dtype_mode(unsigned char t)
{
	switch (t) {
	case DT_DIR:	return S_IFDIR;
	case DT_LNK:	return S_IFLNK;
	default:	return S_IFREG;
	}
}

/* Encodes the entries of buf[0, len) while they fit; returns how many
 * bytes of buf were used, and stops early when the reply is full. */
static size_t put_entries(struct p9_ctx *c, dev_t dev, const char *buf,
			  size_t len, bool *full)
{
	size_t pos = 0;

	while (pos < len) {
		const struct linux_dirent64 *de = (const void *)(buf + pos);
		size_t nlen = strnlen(de->d_name, de->d_reclen);
		struct stat st = { .st_dev = dev, .st_ino = de->d_ino,
				   .st_mode = dtype_mode(de->d_type) };
		struct p9_qid q;

		if (c->e.cap - c->e.off < P9_QID_SIZE + 8 + 1 + 2 + nlen) {
			*full = true;
			break;
		}
		p9_qid_from_stat(c->s, &st, &q);
		p9_put_qid(&c->e, &q);
		p9_put_u64(&c->e, de->d_off);
		p9_put_u8(&c->e, de->d_type);
		p9_put_str(&c->e, de->d_name, nlen);
		pos += de->d_reclen;
	}
	return pos;
}

/* Treaddir: fid[4] offset[8] count[4] -> count[4] data[count]. */
int p9_op_readdir(struct p9_ctx *c)
{
	uint32_t fid = p9_get_u32(&c->d), count;
	uint64_t off = p9_get_u64(&c->d);
	struct p9_fid *f;
	bool full = false;
	struct stat st;
	char *buf;
	int ret;

	count = p9_get_u32(&c->d);
	if (c->d.err)
		return c->d.err;
	if (off > INT64_MAX)
		return -EINVAL;
	f = p9_fid_get(c->s, fid);
	if (!f)
		return -EBADF;
	buf = malloc(DENTS_BUF);
	ret = buf ? p9_ctx_reply_buf(c, (size_t)count + 4) : -ENOMEM;
	if (ret)
		goto out;
	p9_put_u32(&c->e, 0);
	/* The seek and the reads that follow it belong together. */
	pthread_mutex_lock(&f->lock);
	ret = -EBADF;
	if (f->open_fd < 0 || !S_ISDIR(f->type))
		goto unlock;
	ret = -errno;
	if (fstat(f->open_fd, &st) || lseek(f->open_fd, off, SEEK_SET) < 0)
		goto unlock;
	ret = 0;
	while (!full) {
		/* Entries not sent are read again next time, from the
		 * last d_off sent; EINVAL means room for no more. */
		size_t room = c->e.cap - c->e.off;
		long n = syscall(SYS_getdents64, f->open_fd, buf,
				 room < DENTS_BUF ? room : DENTS_BUF);

		if (n < 0 && !(errno == EINVAL && c->e.off > 4))
			ret = -errno;
		if (n <= 0 || put_entries(c, st.st_dev, buf, n, &full) == 0)
			break;
	}
unlock:
	pthread_mutex_unlock(&f->lock);
	if (!ret) {
		uint32_t n = c->e.off - 4;

		c->e.p[0] = n;
		c->e.p[1] = n >> 8;
		c->e.p[2] = n >> 16;
		c->e.p[3] = n >> 24;
	}
out:
	free(buf);
	p9_fid_put(c->s, f);
	return ret;
}
