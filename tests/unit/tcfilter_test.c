/* unit-deps: runtime lib */
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "runtime/tcfilter.h"
#include "tests/unit/unit.h"

START_TEST(test_ingress_qdisc)
{
	const struct nlattr *tb[TCA_MAX + 1];
	struct nl_msg m;
	const struct tcmsg *t;

	tc_ingress_msg(&m, 4, true);
	ck_assert(nl_msg_ok(&m));
	ck_assert_uint_eq(m.hdr.nlmsg_type, RTM_NEWQDISC);
	ck_assert(m.hdr.nlmsg_flags & NLM_F_EXCL);
	t = NLMSG_DATA(&m.hdr);
	ck_assert_int_eq(t->tcm_ifindex, 4);
	ck_assert_uint_eq(t->tcm_parent, TC_H_INGRESS);
	ck_assert_uint_eq(t->tcm_handle, 0xffff0000);
	ck_assert_int_eq(nl_parse_msg(tb, TCA_MAX, &m.hdr, sizeof(*t)), 0);
	ck_assert_str_eq(nl_data(tb[TCA_KIND]), "ingress");
	tc_ingress_msg(&m, 4, false);
	ck_assert_uint_eq(m.hdr.nlmsg_type, RTM_DELQDISC);
}
END_TEST

START_TEST(test_redirect_filter)
{
	const struct nlattr *tb[TCA_MAX + 1], *u32[TCA_U32_MAX + 1];
	const struct nlattr *acts[2], *act[TCA_ACT_MAX + 1];
	const struct nlattr *mir[TCA_MIRRED_MAX + 1];
	const struct tc_u32_sel *sel;
	struct tc_mirred parms;
	struct nl_msg m;
	const struct tcmsg *t;

	tc_redirect_msg(&m, 4, 9);
	ck_assert(nl_msg_ok(&m));
	ck_assert_uint_eq(m.hdr.nlmsg_type, RTM_NEWTFILTER);
	t = NLMSG_DATA(&m.hdr);
	ck_assert_int_eq(t->tcm_ifindex, 4);
	ck_assert_uint_eq(t->tcm_parent, 0xffff0000);
	ck_assert_uint_eq(TC_H_MIN(t->tcm_info), htons(ETH_P_ALL));
	ck_assert_uint_eq(TC_H_MAJ(t->tcm_info) >> 16, 49152);

	ck_assert_int_eq(nl_parse_msg(tb, TCA_MAX, &m.hdr, sizeof(*t)), 0);
	ck_assert_str_eq(nl_data(tb[TCA_KIND]), "u32");
	ck_assert_int_eq(nl_parse_attrs(u32, TCA_U32_MAX, nl_data(tb[TCA_OPTIONS]),
					nl_len(tb[TCA_OPTIONS])), 0);
	ck_assert_uint_eq(nl_len(u32[TCA_U32_SEL]),
			  sizeof(*sel) + sizeof(struct tc_u32_key));
	sel = nl_data(u32[TCA_U32_SEL]);
	ck_assert_uint_eq(sel->nkeys, 1);
	ck_assert(sel->flags & TC_U32_TERMINAL);
	ck_assert_uint_eq(sel->keys[0].mask, 0);

	ck_assert_int_eq(nl_parse_attrs(acts, 1, nl_data(u32[TCA_U32_ACT]),
					nl_len(u32[TCA_U32_ACT])), 0);
	ck_assert_ptr_nonnull(acts[1]);
	ck_assert_int_eq(nl_parse_attrs(act, TCA_ACT_MAX, nl_data(acts[1]),
					nl_len(acts[1])), 0);
	ck_assert_str_eq(nl_data(act[TCA_ACT_KIND]), "mirred");
	ck_assert_int_eq(nl_parse_attrs(mir, TCA_MIRRED_MAX,
					nl_data(act[TCA_ACT_OPTIONS]),
					nl_len(act[TCA_ACT_OPTIONS])), 0);
	ck_assert_uint_eq(nl_len(mir[TCA_MIRRED_PARMS]), sizeof(parms));
	memcpy(&parms, nl_data(mir[TCA_MIRRED_PARMS]), sizeof(parms));
	ck_assert_int_eq(parms.eaction, TCA_EGRESS_REDIR);
	ck_assert_int_eq(parms.action, TC_ACT_STOLEN);
	ck_assert_uint_eq(parms.ifindex, 9);
}
END_TEST

static Suite *tcfilter_suite(void)
{
	Suite *s = suite_create("tcfilter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ingress_qdisc);
	tcase_add_test(tc, test_redirect_filter);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(tcfilter_suite)
