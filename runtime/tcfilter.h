/* tc for the veth <-> tap redirect: an ingress qdisc on a link and one
 * u32 "match everything" filter whose action is mirred egress redirect to
 * another link (what `tc filter add dev A parent ffff: protocol all u32
 * match u8 0 0 action mirred egress redirect dev B` sends). */
#ifndef KVMC_RUNTIME_TCFILTER_H
#define KVMC_RUNTIME_TCFILTER_H

#include "runtime/netlink.h"

/* The requests, exposed for the unit tests. */
void tc_ingress_msg(struct nl_msg *m, int ifindex, bool add);
void tc_redirect_msg(struct nl_msg *m, int from_ifindex, int to_ifindex);

/* 0 or -errno (-EEXIST: an ingress qdisc is already there). */
int tc_ingress_add(struct nl_sock *s, int ifindex);
/* Deleting the qdisc drops its filters.  0, also when there was none. */
int tc_ingress_del(struct nl_sock *s, int ifindex);
/* Every frame received on from is sent out of to.  0 or -errno. */
int tc_redirect_add(struct nl_sock *s, int from_ifindex, int to_ifindex);

#endif
