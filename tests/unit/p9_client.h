/* A minimal 9P2000.L client over p9_handle_buf for the p9 unit tests:
 * builds T-messages with the library's encoder and checks R-messages. */
#ifndef KVMC_TESTS_P9_CLIENT_H
#define KVMC_TESTS_P9_CLIENT_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p9/p9.h"
#include "p9/proto.h"
#include "p9/wire.h"
#include "tests/unit/unit.h"

#define T_BUF	(P9_MAX_MSIZE + 64)

struct tcl {
	struct p9_server *s;
	char dir[64];
	uint8_t *req, *rep;
	struct p9_enc e;
	struct p9_dec d;	/* the last reply's body */
	size_t rlen;
	uint8_t rtype;
	uint16_t tag;
};

static inline void t_begin(struct tcl *c, uint8_t type)
{
	p9_enc_init(&c->e, c->req, T_BUF);
	p9_put_u32(&c->e, 0);
	p9_put_u8(&c->e, type);
	p9_put_u16(&c->e, ++c->tag);
}

/* Sends what t_begin started; 0, or -errno from an Rlerror. */
static inline int t_rpc_cap(struct tcl *c, size_t cap)
{
	uint8_t type = c->req[4];
	uint32_t size;

	c->req[0] = c->e.off;
	c->req[1] = c->e.off >> 8;
	c->req[2] = c->e.off >> 16;
	c->req[3] = c->e.off >> 24;
	c->rlen = p9_handle_buf(c->s, c->req, c->e.off, c->rep, cap);
	ck_assert_uint_ge(c->rlen, P9_HDR_SIZE);
	p9_dec_init(&c->d, c->rep, c->rlen);
	size = p9_get_u32(&c->d);
	c->rtype = p9_get_u8(&c->d);
	ck_assert_uint_eq(size, c->rlen);
	ck_assert_uint_eq(p9_get_u16(&c->d), c->tag);
	if (c->rtype == P9_RLERROR)
		return -(int)p9_get_u32(&c->d);
	ck_assert_uint_eq(c->rtype, type + 1);
	return 0;
}

static inline int t_rpc(struct tcl *c)
{
	return t_rpc_cap(c, T_BUF);
}

static inline int t_rm(const char *path, const struct stat *st, int flag,
		struct FTW *ftw)
{
	return remove(path);
}

static inline void t_open_server(struct tcl *c, bool ro, unsigned int workers)
{
	struct p9_server_opts o = { .root = c->dir, .ro = ro,
				    .workers = workers };

	ck_assert_int_eq(p9_server_new(&o, &c->s), 0);
}

/* Tversion with msize 512000, then Tattach as fid 0. */
static inline void t_version_attach(struct tcl *c)
{
	t_begin(c, P9_TVERSION);
	p9_put_u32(&c->e, 512000);
	p9_put_str(&c->e, "9P2000.L", 8);
	ck_assert_int_eq(t_rpc(c), 0);
	t_begin(c, P9_TATTACH);
	p9_put_u32(&c->e, 0);
	p9_put_u32(&c->e, P9_NOFID);
	p9_put_str(&c->e, "root", 4);
	p9_put_str(&c->e, "", 0);
	p9_put_u32(&c->e, 0);
	ck_assert_int_eq(t_rpc(c), 0);
}

/* A fresh export directory and a server on it, versioned and attached as
 * fid 0. */
static inline void t_setup(struct tcl *c, bool ro)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->dir, "/tmp/p9test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(c->dir));
	c->req = malloc(T_BUF);
	c->rep = malloc(T_BUF);
	t_open_server(c, ro, 0);
	t_version_attach(c);
}

static inline void t_teardown(struct tcl *c)
{
	p9_server_free(c->s);
	nftw(c->dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(c->req);
	free(c->rep);
}

/* Host-side path of a name in the export, for checks. */
static const char *t_host(struct tcl *c, const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", c->dir, name);
	return buf;
}

/* Twalk from fid to newfid through n names; returns nwqid or -errno. */
static inline int t_walk(struct tcl *c, uint32_t fid, uint32_t newfid, int n, ...)
{
	va_list ap;
	int ret;

	t_begin(c, P9_TWALK);
	p9_put_u32(&c->e, fid);
	p9_put_u32(&c->e, newfid);
	p9_put_u16(&c->e, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *s = va_arg(ap, const char *);

		p9_put_str(&c->e, s, strlen(s));
	}
	va_end(ap);
	ret = t_rpc(c);
	return ret ? ret : p9_get_u16(&c->d);
}

static inline int t_lopen(struct tcl *c, uint32_t fid, uint32_t flags)
{
	t_begin(c, P9_TLOPEN);
	p9_put_u32(&c->e, fid);
	p9_put_u32(&c->e, flags);
	return t_rpc(c);
}

static inline int t_lcreate(struct tcl *c, uint32_t fid, const char *name,
		     uint32_t flags, uint32_t mode)
{
	t_begin(c, P9_TLCREATE);
	p9_put_u32(&c->e, fid);
	p9_put_str(&c->e, name, strlen(name));
	p9_put_u32(&c->e, flags);
	p9_put_u32(&c->e, mode);
	p9_put_u32(&c->e, getgid());
	return t_rpc(c);
}

static inline int t_write(struct tcl *c, uint32_t fid, uint64_t off,
		   const void *data, uint32_t n)
{
	int ret;

	t_begin(c, P9_TWRITE);
	p9_put_u32(&c->e, fid);
	p9_put_u64(&c->e, off);
	p9_put_u32(&c->e, n);
	memcpy(p9_put_space(&c->e, n), data, n);
	ret = t_rpc(c);
	return ret ? ret : (int)p9_get_u32(&c->d);
}

/* Tread into buf; returns the count or -errno. */
static inline int t_read(struct tcl *c, uint32_t fid, uint64_t off, void *buf,
		  uint32_t n)
{
	uint32_t got;
	int ret;

	t_begin(c, P9_TREAD);
	p9_put_u32(&c->e, fid);
	p9_put_u64(&c->e, off);
	p9_put_u32(&c->e, n);
	ret = t_rpc(c);
	if (ret)
		return ret;
	got = p9_get_u32(&c->d);
	ck_assert_uint_le(got, n);
	ck_assert_uint_eq(c->rlen, P9_HDR_SIZE + 4 + got);
	memcpy(buf, c->rep + P9_HDR_SIZE + 4, got);
	return got;
}

static inline int t_clunk(struct tcl *c, uint32_t fid)
{
	t_begin(c, P9_TCLUNK);
	p9_put_u32(&c->e, fid);
	return t_rpc(c);
}

static inline int t_mkdir(struct tcl *c, uint32_t dfid, const char *name)
{
	t_begin(c, P9_TMKDIR);
	p9_put_u32(&c->e, dfid);
	p9_put_str(&c->e, name, strlen(name));
	p9_put_u32(&c->e, 0755);
	p9_put_u32(&c->e, getgid());
	return t_rpc(c);
}

static inline int t_symlink(struct tcl *c, uint32_t dfid, const char *name,
		     const char *target)
{
	t_begin(c, P9_TSYMLINK);
	p9_put_u32(&c->e, dfid);
	p9_put_str(&c->e, name, strlen(name));
	p9_put_str(&c->e, target, strlen(target));
	p9_put_u32(&c->e, getgid());
	return t_rpc(c);
}

static inline int t_mknod(struct tcl *c, uint32_t dfid, const char *name,
		   uint32_t mode, uint32_t major, uint32_t minor)
{
	t_begin(c, P9_TMKNOD);
	p9_put_u32(&c->e, dfid);
	p9_put_str(&c->e, name, strlen(name));
	p9_put_u32(&c->e, mode);
	p9_put_u32(&c->e, major);
	p9_put_u32(&c->e, minor);
	p9_put_u32(&c->e, getgid());
	return t_rpc(c);
}

static inline int t_unlinkat(struct tcl *c, uint32_t dfid, const char *name,
		      uint32_t flags)
{
	t_begin(c, P9_TUNLINKAT);
	p9_put_u32(&c->e, dfid);
	p9_put_str(&c->e, name, strlen(name));
	p9_put_u32(&c->e, flags);
	return t_rpc(c);
}

static inline int t_renameat(struct tcl *c, uint32_t od, const char *on,
		      uint32_t nd, const char *nn)
{
	t_begin(c, P9_TRENAMEAT);
	p9_put_u32(&c->e, od);
	p9_put_str(&c->e, on, strlen(on));
	p9_put_u32(&c->e, nd);
	p9_put_str(&c->e, nn, strlen(nn));
	return t_rpc(c);
}

/* Tgetattr: fills size and mode; returns 0 or -errno. */
static inline int t_getattr(struct tcl *c, uint32_t fid, uint64_t *size,
		     uint32_t *mode, uint64_t *qpath)
{
	int ret;

	t_begin(c, P9_TGETATTR);
	p9_put_u32(&c->e, fid);
	p9_put_u64(&c->e, P9_GETATTR_BASIC);
	ret = t_rpc(c);
	if (ret)
		return ret;
	p9_get_u64(&c->d);
	p9_get_u8(&c->d);
	p9_get_u32(&c->d);
	if (qpath)
		*qpath = p9_get_u64(&c->d);
	else
		p9_get_u64(&c->d);
	if (mode)
		*mode = p9_get_u32(&c->d);
	else
		p9_get_u32(&c->d);
	p9_get_u32(&c->d);
	p9_get_u32(&c->d);
	p9_get_u64(&c->d);
	p9_get_u64(&c->d);
	if (size)
		*size = p9_get_u64(&c->d);
	ck_assert_int_eq(c->d.err, 0);
	return 0;
}

#endif
