/* The server: request framing, dispatch, Tversion, Tflush and the
 * in-flight list that lets a flushed request answer exactly once. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "p9/internal.h"

#define SMALL_IN	8192	/* requests up to this are copied on stack */
#define SMALL_OUT	512	/* fixed-size replies are built on stack */
#define WRITE_HEAD	(P9_HDR_SIZE + 4 + 8 + 4)	/* Twrite before data */

static int op_version(struct p9_ctx *c);

typedef int (*p9_op)(struct p9_ctx *c);

static const p9_op ops[256] = {
	[P9_TSTATFS] = p9_op_statfs,
	[P9_TLOPEN] = p9_op_lopen,
	[P9_TLCREATE] = p9_op_lcreate,
	[P9_TSYMLINK] = p9_op_symlink,
	[P9_TMKNOD] = p9_op_mknod,
	[P9_TRENAME] = p9_op_rename,
	[P9_TREADLINK] = p9_op_readlink,
	[P9_TGETATTR] = p9_op_getattr,
	[P9_TSETATTR] = p9_op_setattr,
	[P9_TXATTRWALK] = p9_op_xattrwalk,
	[P9_TXATTRCREATE] = p9_op_xattrcreate,
	[P9_TREADDIR] = p9_op_readdir,
	[P9_TFSYNC] = p9_op_fsync,
	[P9_TLOCK] = p9_op_lock,
	[P9_TGETLOCK] = p9_op_getlock,
	[P9_TLINK] = p9_op_link,
	[P9_TMKDIR] = p9_op_mkdir,
	[P9_TRENAMEAT] = p9_op_renameat,
	[P9_TUNLINKAT] = p9_op_unlinkat,
	[P9_TVERSION] = op_version,
	[P9_TATTACH] = p9_op_attach,
	[P9_TWALK] = p9_op_walk,
	[P9_TREAD] = p9_op_read,
	[P9_TWRITE] = p9_op_write,
	[P9_TCLUNK] = p9_op_clunk,
	[P9_TREMOVE] = p9_op_remove,
};

int p9_server_new(const struct p9_server_opts *o, struct p9_server **out)
{
	struct p9_server *s = calloc(1, sizeof(*s));
	struct stat st;
	int ret;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->done_lock, NULL);
	s->ro = o->ro;
	s->max_fids = o->max_fids ? o->max_fids : 65536;
	s->root_fd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0 || fstat(s->root_fd, &st)) {
		ret = -errno;
		goto fail;
	}
	s->root_dev = st.st_dev;
	s->root_ino = st.st_ino;
	if (o->workers && !(s->workers = p9_workers_new(o->workers))) {
		ret = -errno;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->root_fd >= 0)
		close(s->root_fd);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->done_lock);
	free(s);
	return ret;
}

void p9_server_free(struct p9_server *s)
{
	if (!s)
		return;
	p9_workers_free(s->workers);
	p9_fid_clunk_all(s);
	close(s->root_fd);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->done_lock);
	free(s);
}

uint32_t p9_server_msize(struct p9_server *s)
{
	return __atomic_load_n(&s->msize, __ATOMIC_ACQUIRE);
}

int p9_ctx_reply_buf(struct p9_ctx *c, size_t n)
{
	if (n > c->max_reply - P9_HDR_SIZE)
		n = c->max_reply - P9_HDR_SIZE;
	c->big = malloc(n ? n : 1);
	if (!c->big)
		return -ENOMEM;
	p9_enc_init(&c->e, c->big, n);
	return 0;
}

/* Tversion: msize[4] version[s].  Resets the session: every fid goes. */
static int op_version(struct p9_ctx *c)
{
	uint32_t msize = p9_get_u32(&c->d);
	const char *v;
	uint16_t n;

	p9_get_str(&c->d, &v, &n);
	if (c->d.err)
		return c->d.err;
	if (msize < P9_MIN_MSIZE)
		return -EINVAL;
	if (msize > P9_MAX_MSIZE)
		msize = P9_MAX_MSIZE;
	p9_fid_clunk_all(c->s);
	if (n < 8 || memcmp(v, "9P2000.L", 8)) {
		__atomic_store_n(&c->s->msize, 0, __ATOMIC_RELEASE);
		p9_put_u32(&c->e, msize);
		p9_put_str(&c->e, "unknown", 7);
		return 0;
	}
	__atomic_store_n(&c->s->msize, msize, __ATOMIC_RELEASE);
	p9_put_u32(&c->e, msize);
	p9_put_str(&c->e, "9P2000.L", 8);
	return 0;
}

static void put_header(uint8_t *h, uint32_t size, uint8_t type, uint16_t tag)
{
	struct p9_enc e;

	p9_enc_init(&e, h, P9_HDR_SIZE);
	p9_put_u32(&e, size);
	p9_put_u8(&e, type);
	p9_put_u16(&e, tag);
}

static size_t reply_error(const struct iovec *out, unsigned int out_cnt,
			  uint16_t tag, int err)
{
	uint8_t buf[P9_HDR_SIZE + 4];
	struct p9_enc e;

	put_header(buf, sizeof(buf), P9_RLERROR, tag);
	p9_enc_init(&e, buf + P9_HDR_SIZE, 4);
	p9_put_u32(&e, -err);
	if (p9_iov_from_buf(out, out_cnt, 0, buf, sizeof(buf)) != sizeof(buf))
		return 0;
	return sizeof(buf);
}

/* Reads a request's header: its size, type and tag; -EPROTO if it cannot
 * be a message of this session. */
static int read_header(struct p9_server *s, const struct iovec *in,
		       unsigned int in_cnt, uint32_t *size, uint8_t *type,
		       uint16_t *tag)
{
	uint8_t h[P9_HDR_SIZE];
	size_t total = p9_iov_len(in, in_cnt);
	uint32_t msize = p9_server_msize(s);
	struct p9_dec d;

	if (p9_iov_to_buf(in, in_cnt, 0, h, sizeof(h)) != sizeof(h))
		return -ENODATA;
	p9_dec_init(&d, h, sizeof(h));
	*size = p9_get_u32(&d);
	*type = p9_get_u8(&d);
	*tag = p9_get_u16(&d);
	if (*size < P9_HDR_SIZE || *size > total ||
	    *size > (msize ? msize : P9_MAX_MSIZE))
		return -EPROTO;
	return 0;
}

static size_t handle(struct p9_server *s, const struct iovec *in,
		     unsigned int in_cnt, const struct iovec *out,
		     unsigned int out_cnt)
{
	uint8_t small_in[SMALL_IN], small_out[SMALL_OUT], h[P9_HDR_SIZE];
	uint8_t *req = small_in;
	struct p9_ctx c = { .s = s, .in = in, .in_cnt = in_cnt,
			    .out = out, .out_cnt = out_cnt };
	uint32_t size, msize = p9_server_msize(s);
	size_t head, total;
	uint16_t tag;
	int ret;

	ret = read_header(s, in, in_cnt, &size, &c.type, &tag);
	if (ret == -ENODATA)
		return 0;
	c.max_reply = p9_iov_len(out, out_cnt);
	if (msize && c.max_reply > msize)
		c.max_reply = msize;
	if (c.max_reply < P9_HDR_SIZE + 4)
		return 0;
	if (ret)
		return reply_error(out, out_cnt, tag, ret);
	c.in_size = size;

	head = c.type == P9_TWRITE && size > WRITE_HEAD ? WRITE_HEAD : size;
	if (head > sizeof(small_in) && !(req = malloc(head)))
		return reply_error(out, out_cnt, tag, -ENOMEM);
	p9_iov_to_buf(in, in_cnt, 0, req, head);
	p9_dec_init(&c.d, req + P9_HDR_SIZE, head - P9_HDR_SIZE);
	p9_enc_init(&c.e, small_out, c.max_reply - P9_HDR_SIZE < SMALL_OUT ?
		    c.max_reply - P9_HDR_SIZE : SMALL_OUT);

	if (!ops[c.type]) {
		log_guest("9p: unknown message type %u", c.type);
		ret = -EOPNOTSUPP;
	} else if (!msize && c.type != P9_TVERSION) {
		ret = -EPROTO;
	} else {
		ret = ops[c.type](&c);
		if (!ret && c.e.err)
			ret = -ERANGE;
	}
	if (req != small_in)
		free(req);
	if (ret) {
		free(c.big);
		return reply_error(out, out_cnt, tag, ret);
	}
	total = P9_HDR_SIZE + c.e.off + c.direct;
	put_header(h, total, c.type + 1, tag);
	p9_iov_from_buf(out, out_cnt, 0, h, sizeof(h));
	p9_iov_from_buf(out, out_cnt, P9_HDR_SIZE, c.e.p, c.e.off);
	free(c.big);
	return total;
}

size_t p9_handle_buf(struct p9_server *s, const void *in, size_t in_len,
		     void *out, size_t out_cap)
{
	struct iovec i = { (void *)in, in_len }, o = { out, out_cap };

	return handle(s, &i, 1, &o, 1);
}

/* done_lock orders completions against Tflush: a flush either finds its
 * request still in flight (and answers after it) or finds it gone with its
 * reply already handed to the transport. */
static void finish(struct p9_req *r, size_t len)
{
	struct p9_server *s = r->srv;
	struct p9_req *fl;

	pthread_mutex_lock(&s->done_lock);
	pthread_mutex_lock(&s->lock);
	if (r->prev)
		r->prev->next = r->next;
	else
		s->inflight = r->next;
	if (r->next)
		r->next->prev = r->prev;
	fl = r->flush;
	pthread_mutex_unlock(&s->lock);
	/* done may free r: the Tflush, if any, answers after it. */
	r->done(r, len);
	if (fl)
		fl->done(fl, fl->flush_len);
	pthread_mutex_unlock(&s->done_lock);
}

static void run_work(struct p9_work *w)
{
	struct p9_req *r = (struct p9_req *)((char *)w -
					     offsetof(struct p9_req, work));

	finish(r, handle(r->srv, r->in, r->in_cnt, r->out, r->out_cnt));
}

/* Tflush: oldtag[2].  If oldtag is in flight, Rflush waits for its reply
 * (the protocol's order); otherwise it answers now. */
static void submit_flush(struct p9_server *s, struct p9_req *r, uint16_t tag)
{
	uint8_t buf[P9_HDR_SIZE + 2], h[P9_HDR_SIZE];
	struct p9_req *old;
	struct p9_dec d;
	size_t len = 0;
	uint16_t oldtag;

	if (p9_iov_to_buf(r->in, r->in_cnt, 0, buf, sizeof(buf)) !=
	    sizeof(buf)) {
		r->done(r, reply_error(r->out, r->out_cnt, tag, -EPROTO));
		return;
	}
	p9_dec_init(&d, buf + P9_HDR_SIZE, 2);
	oldtag = p9_get_u16(&d);
	put_header(h, P9_HDR_SIZE, P9_RFLUSH, tag);
	if (p9_iov_from_buf(r->out, r->out_cnt, 0, h, sizeof(h)) == sizeof(h))
		len = sizeof(h);
	r->flush_len = len;

	pthread_mutex_lock(&s->done_lock);
	pthread_mutex_lock(&s->lock);
	for (old = s->inflight; old; old = old->next)
		if (old->tag == oldtag && !old->flush)
			break;
	if (old)
		old->flush = r;
	pthread_mutex_unlock(&s->lock);
	if (!old)
		r->done(r, len);
	pthread_mutex_unlock(&s->done_lock);
}

void p9_submit(struct p9_server *s, struct p9_req *r)
{
	uint32_t size;
	uint8_t type;
	int ret;

	r->srv = s;
	r->flush = NULL;
	ret = read_header(s, r->in, r->in_cnt, &size, &type, &r->tag);
	if (!ret && type == P9_TFLUSH) {
		submit_flush(s, r, r->tag);
		return;
	}
	if (ret || type == P9_TVERSION || !s->workers) {
		r->done(r, handle(s, r->in, r->in_cnt, r->out, r->out_cnt));
		return;
	}
	pthread_mutex_lock(&s->lock);
	r->prev = NULL;
	r->next = s->inflight;
	if (r->next)
		r->next->prev = r;
	s->inflight = r;
	pthread_mutex_unlock(&s->lock);
	r->work.fn = run_work;
	p9_workers_submit(s->workers, &r->work);
}
