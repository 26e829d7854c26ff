/* unit-deps: runtime lib */
#include <errno.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "runtime/netlink.h"
#include "tests/unit/unit.h"

START_TEST(test_build_and_parse)
{
	const struct nlattr *tb[IFLA_MAX + 1], *in[IFLA_INFO_MAX + 1];
	struct nl_msg m;
	struct ifinfomsg *ifi;

	ifi = nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE, sizeof(*ifi));
	ifi->ifi_index = 7;
	nl_put_str(&m, IFLA_IFNAME, "eth0");
	nl_put_u32(&m, IFLA_MTU, 1400);
	nl_nest_begin(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth");
	nl_nest_end(&m);
	ck_assert(nl_msg_ok(&m));
	ck_assert_uint_eq(m.hdr.nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE);
	/* 16 header + 16 ifinfomsg + 12 name + 8 mtu + 4 nest + 12 kind */
	ck_assert_uint_eq(m.hdr.nlmsg_len, 68);

	ck_assert_int_eq(nl_parse_msg(tb, IFLA_MAX, &m.hdr, sizeof(*ifi)), 0);
	ck_assert_str_eq(nl_data(tb[IFLA_IFNAME]), "eth0");
	ck_assert_uint_eq(nl_get_u32(tb[IFLA_MTU], 0), 1400);
	ck_assert_uint_eq(nl_get_u32(tb[IFLA_ADDRESS], 99), 99);
	ck_assert(tb[IFLA_LINKINFO]->nla_type & NLA_F_NESTED);
	ck_assert_uint_eq(tb[IFLA_LINKINFO]->nla_len, 4 + 12);
	ck_assert_int_eq(nl_parse_attrs(in, IFLA_INFO_MAX,
					nl_data(tb[IFLA_LINKINFO]),
					nl_len(tb[IFLA_LINKINFO])), 0);
	ck_assert_str_eq(nl_data(in[IFLA_INFO_KIND]), "veth");
}
END_TEST

START_TEST(test_bad_attrs_refused)
{
	const struct nlattr *tb[8];
	uint8_t buf[16] = { 0 };
	struct nlattr *a = (struct nlattr *)buf;

	a->nla_len = 20;		/* runs past the buffer */
	a->nla_type = 1;
	ck_assert_int_eq(nl_parse_attrs(tb, 7, buf, sizeof(buf)), -EINVAL);
	a->nla_len = 2;			/* shorter than its header */
	ck_assert_int_eq(nl_parse_attrs(tb, 7, buf, sizeof(buf)), -EINVAL);
	a->nla_len = 8;
	a->nla_type = 200;		/* above max: ignored */
	ck_assert_int_eq(nl_parse_attrs(tb, 7, buf, 8), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_ptr_null(tb[i]);
}
END_TEST

START_TEST(test_short_message_refused)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	struct nlmsghdr h = { .nlmsg_len = NLMSG_HDRLEN + 4 };

	ck_assert_int_eq(nl_parse_msg(tb, IFLA_MAX, &h,
				      sizeof(struct ifinfomsg)), -EINVAL);
}
END_TEST

START_TEST(test_overflow_and_open_nest)
{
	static char big[NL_MSG_MAX];
	struct nl_msg m;

	nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	nl_put(&m, 1, big, sizeof(big));
	ck_assert(!nl_msg_ok(&m));
	nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	nl_nest_begin(&m, 1);
	ck_assert(!nl_msg_ok(&m));
	nl_nest_end(&m);
	ck_assert(nl_msg_ok(&m));
	nl_nest_end(&m);
	ck_assert(!nl_msg_ok(&m));
}
END_TEST

static Suite *netlink_suite(void)
{
	Suite *s = suite_create("netlink");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_build_and_parse);
	tcase_add_test(tc, test_bad_attrs_refused);
	tcase_add_test(tc, test_short_message_refused);
	tcase_add_test(tc, test_overflow_and_open_nest);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(netlink_suite)
