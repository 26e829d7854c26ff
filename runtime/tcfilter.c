/* tc ingress qdisc and mirred redirect filter (see tcfilter.h). */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "runtime/tcfilter.h"

#define TC_INGRESS_HANDLE	TC_H_MAKE(TC_H_INGRESS, 0)	/* ffff: */
#define TC_REDIRECT_PRIO	49152	/* tc's default preference */

void tc_ingress_msg(struct nl_msg *m, int ifindex, bool add)
{
	struct tcmsg *t;

	t = nl_msg_init(m, add ? RTM_NEWQDISC : RTM_DELQDISC,
			add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_handle = TC_INGRESS_HANDLE;
	t->tcm_parent = TC_H_INGRESS;
	nl_put_str(m, TCA_KIND, "ingress");
}

void tc_redirect_msg(struct nl_msg *m, int from_ifindex, int to_ifindex)
{
	/* One key that masks nothing: matches every frame. */
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel;
	struct tc_mirred mirred;
	struct tcmsg *t;

	t = nl_msg_init(m, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL,
			sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = from_ifindex;
	t->tcm_parent = TC_INGRESS_HANDLE;
	t->tcm_info = TC_H_MAKE((uint32_t)TC_REDIRECT_PRIO << 16,
				htons(ETH_P_ALL));
	nl_put_str(m, TCA_KIND, "u32");

	nl_nest_begin(m, TCA_OPTIONS);
	memset(&sel, 0, sizeof(sel));
	sel.sel.flags = TC_U32_TERMINAL;
	sel.sel.nkeys = 1;
	nl_put(m, TCA_U32_SEL, &sel, sizeof(sel));

	nl_nest_begin(m, TCA_U32_ACT);
	nl_nest_begin(m, 1);			/* the first action */
	nl_put_str(m, TCA_ACT_KIND, "mirred");
	nl_nest_begin(m, TCA_ACT_OPTIONS);
	memset(&mirred, 0, sizeof(mirred));
	mirred.action = TC_ACT_STOLEN;
	mirred.eaction = TCA_EGRESS_REDIR;
	mirred.ifindex = to_ifindex;
	nl_put(m, TCA_MIRRED_PARMS, &mirred, sizeof(mirred));
	nl_nest_end(m);
	nl_nest_end(m);
	nl_nest_end(m);
	nl_nest_end(m);
}

int tc_ingress_add(struct nl_sock *s, int ifindex)
{
	struct nl_msg m;

	tc_ingress_msg(&m, ifindex, true);
	return nl_talk(s, &m, NULL, NULL);
}

int tc_ingress_del(struct nl_sock *s, int ifindex)
{
	struct nl_msg m;
	int r;

	tc_ingress_msg(&m, ifindex, false);
	r = nl_talk(s, &m, NULL, NULL);
	/* no qdisc (EINVAL/ENOENT) or no link (ENODEV): nothing to undo */
	if (r == -EINVAL || r == -ENOENT || r == -ENODEV)
		return 0;
	return r;
}

int tc_redirect_add(struct nl_sock *s, int from_ifindex, int to_ifindex)
{
	struct nl_msg m;

	tc_redirect_msg(&m, from_ifindex, to_ifindex);
	return nl_talk(s, &m, NULL, NULL);
}
