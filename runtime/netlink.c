/* Raw rtnetlink requests and replies (see netlink.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/netlink.h"

/* Large enough for a dump batch of the kernel (it sends up to ~32 KiB). */
#define NL_RECV_BUF	65536

void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags,
		  size_t hdrlen)
{
	memset(m, 0, sizeof(*m));
	m->hdr.nlmsg_type = type;
	m->hdr.nlmsg_flags = NLM_F_REQUEST | flags;
	m->hdr.nlmsg_len = NLMSG_LENGTH(hdrlen);
	if (NLMSG_ALIGN(m->hdr.nlmsg_len) > NL_MSG_MAX) {
		m->overflow = true;
		m->hdr.nlmsg_len = NLMSG_HDRLEN;
		return NULL;
	}
	m->hdr.nlmsg_len = NLMSG_ALIGN(m->hdr.nlmsg_len);
	return m->buf + NLMSG_HDRLEN;
}

static struct nlattr *nl_reserve(struct nl_msg *m, uint16_t type,
				 size_t len)
{
	size_t off = NLMSG_ALIGN(m->hdr.nlmsg_len);
	struct nlattr *a;

	if (m->overflow || len > 0xffff - NLA_HDRLEN ||
	    off + NLA_ALIGN(NLA_HDRLEN + len) > NL_MSG_MAX) {
		m->overflow = true;
		return NULL;
	}
	a = (struct nlattr *)(m->buf + off);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memset((uint8_t *)a + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(NLA_HDRLEN + len) - (NLA_HDRLEN + len));
	m->hdr.nlmsg_len = off + NLA_ALIGN(NLA_HDRLEN + len);
	return a;
}

void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = nl_reserve(m, type, len);

	if (a && len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_put(m, type, s, strlen(s) + 1);
}

void nl_nest_begin(struct nl_msg *m, uint16_t type)
{
	size_t off = m->hdr.nlmsg_len;

	if (m->depth >= NL_NEST_MAX) {
		m->overflow = true;
		return;
	}
	if (!nl_reserve(m, type | NLA_F_NESTED, 0))
		return;
	m->nest[m->depth++] = off;
}

void nl_nest_end(struct nl_msg *m)
{
	struct nlattr *a;

	if (m->overflow || m->depth == 0) {
		m->overflow = true;
		return;
	}
	a = (struct nlattr *)(m->buf + m->nest[--m->depth]);
	a->nla_len = m->hdr.nlmsg_len - m->nest[m->depth];
}

bool nl_msg_ok(const struct nl_msg *m)
{
	return !m->overflow && m->depth == 0;
}

int nl_parse_attrs(const struct nlattr **tb, unsigned int max,
		   const void *attrs, size_t len)
{
	const uint8_t *p = attrs;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t step;
		unsigned int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -EINVAL;
		if (type <= max)
			tb[type] = a;
		step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

int nl_parse_msg(const struct nlattr **tb, unsigned int max,
		 const struct nlmsghdr *h, size_t hdrlen)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	if (h->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return -EINVAL;
	if (h->nlmsg_len <= off) {
		memset(tb, 0, (max + 1) * sizeof(*tb));
		return 0;
	}
	return nl_parse_attrs(tb, max, (const uint8_t *)h + off,
			      h->nlmsg_len - off);
}

uint32_t nl_get_u32(const struct nlattr *a, uint32_t dflt)
{
	uint32_t v;

	if (!a || nl_len(a) < sizeof(v))
		return dflt;
	memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

int nl_open(struct nl_sock *s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	s->seq = 0;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s->fd < 0)
		return -errno;
	/* Error replies then carry only the header of the failed request. */
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* One datagram of the answer: 1 when the answer is complete, 0 to read
 * more, or a negative errno / fn's non-zero result. */
static int nl_walk(const uint8_t *buf, size_t len, uint32_t seq,
		   nl_msg_fn fn, void *arg)
{
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		size_t step;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
			return -EPROTO;
		if (h->nlmsg_seq == seq) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 1;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				/* error 0 is the ACK of a non-dump request */
				return e->error ? e->error : 1;
			}
			if (fn) {
				int r = fn(h, arg);

				if (r)
					return r;
			}
		}
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (step >= len)
			break;
		buf += step;
		len -= step;
	}
	return 0;
}

int nl_talk(struct nl_sock *s, struct nl_msg *m, nl_msg_fn fn, void *arg)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	uint8_t *buf;
	int r;

	if (!nl_msg_ok(m))
		return -EMSGSIZE;
	/* NLM_F_DUMP shares bits with NLM_F_EXCL/REPLACE: compare all. */
	if ((m->hdr.nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		m->hdr.nlmsg_flags |= NLM_F_ACK;
	m->hdr.nlmsg_seq = ++s->seq;
	if (sendto(s->fd, m->buf, m->hdr.nlmsg_len, 0,
		   (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	buf = malloc(NL_RECV_BUF);
	if (!buf)
		return -ENOMEM;
	do {
		ssize_t n = recv(s->fd, buf, NL_RECV_BUF, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0) {
			r = -EPROTO;
			break;
		}
		r = nl_walk(buf, n, m->hdr.nlmsg_seq, fn, arg);
	} while (r == 0);
	free(buf);
	return r == 1 ? 0 : r;
}
