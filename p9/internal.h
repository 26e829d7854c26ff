/* Shared between the files of p9/ only: the server, its fids and the
 * per-message handlers. */
#ifndef KVMC_P9_INTERNAL_H
#define KVMC_P9_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "p9/iov.h"
#include "p9/p9.h"
#include "p9/proto.h"
#include "p9/wire.h"

#define P9_FID_BUCKETS	1024
#define P9_MAX_DEVS	255
#define P9_XATTR_MAX	65536	/* the kernel's XATTR_SIZE_MAX */

/* An xattr fid (from Txattrwalk or Txattrcreate). */
struct p9_xattr {
	bool create;
	uint8_t *buf;		/* the value (or the name list) */
	size_t size;		/* walk: bytes in buf; create: expected */
	size_t filled;		/* create: bytes written so far */
	int flags;		/* create: XATTR_CREATE/XATTR_REPLACE */
	char name[P9_NAME_MAX + 1];
};

struct p9_fid {
	uint32_t num;
	unsigned int refs;		/* under the server lock */
	int fd;				/* O_PATH, below the root */
	int parent_fd;			/* O_PATH of its directory; -1: root */
	char *name;			/* its name there; NULL: root */
	mode_t type;			/* S_IFMT bits */
	uint32_t uid;			/* from Tattach, for created files */
	struct p9_fid *next;		/* hash chain */

	pthread_mutex_t lock;		/* everything below */
	int open_fd;			/* -1 until Tlopen/Tlcreate */
	int open_flags;			/* O_ACCMODE etc. of open_fd */
	struct p9_xattr *xattr;
};

struct p9_server {
	int root_fd;
	dev_t root_dev;
	ino_t root_ino;
	bool ro;
	uint32_t msize;
	unsigned int max_fids;
	struct p9_workers *workers;

	pthread_mutex_t done_lock;	/* completions vs Tflush */
	pthread_mutex_t lock;		/* fids, in-flight list, devs */
	struct p9_fid *fids[P9_FID_BUCKETS];
	unsigned int nfids;
	struct p9_req *inflight;
	dev_t devs[P9_MAX_DEVS];
	unsigned int ndevs;
};

/* One request being handled. */
struct p9_ctx {
	struct p9_server *s;
	uint8_t type;
	struct p9_dec d;		/* the body, after the header */
	struct p9_enc e;		/* the reply body, after the header */
	size_t max_reply;		/* min(msize, reply buffer) */
	const struct iovec *in;		/* the whole request */
	unsigned int in_cnt;
	size_t in_size;			/* its size field */
	const struct iovec *out;	/* the whole reply buffer */
	unsigned int out_cnt;
	size_t direct;			/* payload placed after e (Rread) */
	uint8_t *big;			/* from p9_ctx_reply_buf */
};

/* Replaces c->e with a malloc'd buffer of n bytes: for replies larger
 * than the usual few hundred bytes.  0 or -ENOMEM. */
int p9_ctx_reply_buf(struct p9_ctx *c, size_t n);

/* fid.c */
struct p9_fid *p9_fid_get(struct p9_server *s, uint32_t num);
void p9_fid_put(struct p9_server *s, struct p9_fid *f);
/* A fid on fd (taken over, closed on error), or NULL with errno set. */
struct p9_fid *p9_fid_new(int fd, int parent_fd, const char *name,
			  uint32_t uid);
/* Binds f to num, replacing what was there if replace, else -EEXIST;
 * -EMFILE over the fid limit.  Takes over f's reference either way. */
int p9_fid_bind(struct p9_server *s, uint32_t num, struct p9_fid *f,
		bool replace);
int p9_fid_clunk(struct p9_server *s, uint32_t num);
void p9_fid_clunk_all(struct p9_server *s);
void p9_qid_from_stat(struct p9_server *s, const struct stat *st,
		      struct p9_qid *q);
int p9_fid_stat(const struct p9_fid *f, struct stat *st);
/* "/proc/self/fd/N" for an O_PATH fd: the fd's own inode, never a lookup
 * by name (safe: see docs/9p.md). */
void p9_fd_path(int fd, char *buf, size_t len);
/* Opens the inode of an O_PATH fd for I/O: regular files and directories
 * only.  fd or -errno. */
int p9_reopen(int fd, int flags);

/* Gives a file the guest just made to the user it attached as. */
int p9_chown_new(int dirfd, const char *name, uint32_t uid, uint32_t gid);

/* Handlers: 0 with the reply body in c->e, or -errno for an Rlerror. */
int p9_op_attach(struct p9_ctx *c);
int p9_op_walk(struct p9_ctx *c);
int p9_op_clunk(struct p9_ctx *c);
int p9_op_lopen(struct p9_ctx *c);
int p9_op_lcreate(struct p9_ctx *c);
int p9_op_read(struct p9_ctx *c);
int p9_op_write(struct p9_ctx *c);
int p9_op_fsync(struct p9_ctx *c);
int p9_op_readdir(struct p9_ctx *c);
int p9_op_lock(struct p9_ctx *c);
int p9_op_getlock(struct p9_ctx *c);
int p9_op_getattr(struct p9_ctx *c);
int p9_op_setattr(struct p9_ctx *c);
int p9_op_statfs(struct p9_ctx *c);
int p9_op_readlink(struct p9_ctx *c);
int p9_op_mkdir(struct p9_ctx *c);
int p9_op_mknod(struct p9_ctx *c);
int p9_op_symlink(struct p9_ctx *c);
int p9_op_link(struct p9_ctx *c);
int p9_op_rename(struct p9_ctx *c);
int p9_op_renameat(struct p9_ctx *c);
int p9_op_unlinkat(struct p9_ctx *c);
int p9_op_remove(struct p9_ctx *c);
int p9_op_xattrwalk(struct p9_ctx *c);
int p9_op_xattrcreate(struct p9_ctx *c);
/* xattr.c: Tread on an xattr fid; the value set when it is clunked. */
int p9_xattr_read(struct p9_ctx *c, struct p9_fid *f, uint64_t off,
		  uint32_t count);
int p9_xattr_write(struct p9_ctx *c, struct p9_fid *f, uint64_t off,
		   uint32_t count, const struct iovec *iov, unsigned int cnt);
int p9_xattr_commit(struct p9_fid *f);
void p9_xattr_free(struct p9_xattr *x);

#endif
