/* Raw rtnetlink: building requests, walking replies, one request/answer
 * exchange.  Enough for links, addresses, routes and tc (no libnl). */
#ifndef KVMC_RUNTIME_NETLINK_H
#define KVMC_RUNTIME_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#define NL_MSG_MAX	4096	/* every request we build fits */
#define NL_NEST_MAX	8

/* A request being built: header, family header, then attributes. */
struct nl_msg {
	union {
		struct nlmsghdr hdr;
		uint8_t buf[NL_MSG_MAX];
	};
	size_t nest[NL_NEST_MAX];	/* offsets of open nests */
	int depth;
	bool overflow;			/* sticky: reported by nl_msg_ok */
};

/* Starts a request of `type` with `flags` (NLM_F_REQUEST is added) and a
 * zeroed family header of `hdrlen` bytes; returns that header. */
void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags,
		  size_t hdrlen);
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s);
void nl_nest_begin(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m);
/* false if the message overflowed or a nest is left open. */
bool nl_msg_ok(const struct nl_msg *m);

/*
 * Splits the attributes in [attrs, attrs + len) into tb[0..max] (the last
 * of a repeated type wins; unknown types above max are ignored).  -EINVAL
 * if an attribute's length runs past the buffer or is shorter than its
 * header: replies are checked as carefully as anything read from outside.
 */
int nl_parse_attrs(const struct nlattr **tb, unsigned int max,
		   const void *attrs, size_t len);
/* Attributes of a message after its `hdrlen`-byte family header; -EINVAL
 * if the message is too short for that header. */
int nl_parse_msg(const struct nlattr **tb, unsigned int max,
		 const struct nlmsghdr *h, size_t hdrlen);
static inline const void *nl_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}
static inline size_t nl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}
/* Value of a u32 attribute, or dflt if absent or too short. */
uint32_t nl_get_u32(const struct nlattr *a, uint32_t dflt);

struct nl_sock {
	int fd;
	uint32_t seq;
};

/* A NETLINK_ROUTE socket in the caller's current network namespace (it
 * stays bound to that namespace afterwards).  0 or -errno. */
int nl_open(struct nl_sock *s);
void nl_close(struct nl_sock *s);

/* Called for each message of the answer; a non-zero return stops the walk
 * and is returned by nl_talk. */
typedef int (*nl_msg_fn)(const struct nlmsghdr *h, void *arg);

/*
 * Sends m (NLM_F_ACK is added unless it is a dump) and reads the answer
 * to the end: for a dump, fn sees every message until NLMSG_DONE; for
 * other requests the kernel's error code is returned (0 or -errno).
 */
int nl_talk(struct nl_sock *s, struct nl_msg *m, nl_msg_fn fn, void *arg);

#endif
