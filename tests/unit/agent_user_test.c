/* unit-deps: guest lib */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/agent.h"
#include "tests/unit/unit.h"

static char root[] = "/tmp/agent-user-XXXXXX";
static char err[AGENT_ERR_MAX];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/etc/%s", root, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static void setup(void)
{
	char etc[256];

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(etc, sizeof(etc), "%s/etc", root);
	ck_assert_int_eq(mkdir(etc, 0755), 0);
	put("passwd", "root:x:0:0:root:/root:/bin/sh\n"
		      "# a comment line\n"
		      "broken-line\n"
		      "alice:x:1000:1001:Alice:/home/alice:/bin/sh\n"
		      "nohome:x:1002:1002::\n"
		      "badid:x:12x:0::/:/bin/sh\n");
	put("group", "root:x:0:\nalice:x:1001:\nstaff:x:50:alice\n"
		     "audio:x:29:\nbadgid:x:-4:\n");
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(root, "/tmp/agent-user-XXXXXX");
}

START_TEST(test_names)
{
	struct user_ids ids;
	char *groups[] = { "staff", "29", "7", NULL };

	ck_assert_int_eq(user_resolve(root, "alice", NULL, groups, &ids, err,
				      sizeof(err)), 0);
	ck_assert_uint_eq(ids.uid, 1000);
	ck_assert_uint_eq(ids.gid, 1001);	/* passwd's group */
	ck_assert_str_eq(ids.home, "/home/alice");
	ck_assert_int_eq(ids.ngroups, 3);
	ck_assert_uint_eq(ids.groups[0], 50);
	ck_assert_uint_eq(ids.groups[1], 29);
	ck_assert_uint_eq(ids.groups[2], 7);
	user_ids_free(&ids);

	ck_assert_int_eq(user_resolve(root, "alice", "audio", NULL, &ids, err,
				      sizeof(err)), 0);
	ck_assert_uint_eq(ids.gid, 29);
	ck_assert_int_eq(ids.ngroups, 0);
	user_ids_free(&ids);
}
END_TEST

START_TEST(test_numbers_and_defaults)
{
	struct user_ids ids;

	/* No user: root. */
	ck_assert_int_eq(user_resolve(root, NULL, NULL, NULL, &ids, err,
				      sizeof(err)), 0);
	ck_assert_uint_eq(ids.uid, 0);
	ck_assert_uint_eq(ids.gid, 0);
	ck_assert_str_eq(ids.home, "/root");
	user_ids_free(&ids);
	/* A number in passwd takes its gid and home. */
	ck_assert_int_eq(user_resolve(root, "1000", NULL, NULL, &ids, err,
				      sizeof(err)), 0);
	ck_assert_uint_eq(ids.gid, 1001);
	ck_assert_str_eq(ids.home, "/home/alice");
	user_ids_free(&ids);
	/* A number not in passwd: gid 0, home /. */
	ck_assert_int_eq(user_resolve(root, "4321", "12", NULL, &ids, err,
				      sizeof(err)), 0);
	ck_assert_uint_eq(ids.uid, 4321);
	ck_assert_uint_eq(ids.gid, 12);
	ck_assert_str_eq(ids.home, "/");
	user_ids_free(&ids);
	/* An empty home field means /. */
	ck_assert_int_eq(user_resolve(root, "nohome", NULL, NULL, &ids, err,
				      sizeof(err)), 0);
	ck_assert_str_eq(ids.home, "/");
	user_ids_free(&ids);
}
END_TEST

START_TEST(test_unknown)
{
	struct user_ids ids;
	char *bad_groups[] = { "staff", "nosuch", NULL };

	ck_assert_int_eq(user_resolve(root, "bob", NULL, NULL, &ids, err,
				      sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "\"bob\""));
	ck_assert_ptr_null(ids.home);
	ck_assert_int_eq(user_resolve(root, "alice", "wheel", NULL, &ids, err,
				      sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "\"wheel\""));
	ck_assert_int_eq(user_resolve(root, "alice", NULL, bad_groups, &ids,
				      err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "\"nosuch\""));
	ck_assert_int_eq(user_resolve(root, "badid", NULL, NULL, &ids, err,
				      sizeof(err)), -EINVAL);
	ck_assert_int_eq(user_resolve(root, "root", "badgid", NULL, &ids, err,
				      sizeof(err)), -ENOENT);
	/* Negative or overflowing numbers are names, and unknown. */
	ck_assert_int_eq(user_resolve(root, "-1", NULL, NULL, &ids, err,
				      sizeof(err)), -ENOENT);
	ck_assert_int_eq(user_resolve(root, "99999999999", NULL, NULL, &ids,
				      err, sizeof(err)), -ENOENT);
}
END_TEST

START_TEST(test_no_files)
{
	struct user_ids ids;

	ck_assert_int_eq(unlink(strcat(strcpy(err, root), "/etc/passwd")), 0);
	ck_assert_int_eq(user_resolve(root, "0", NULL, NULL, &ids, err,
				      sizeof(err)), 0);
	ck_assert_uint_eq(ids.uid, 0);
	user_ids_free(&ids);
	ck_assert_int_eq(user_resolve(root, "alice", NULL, NULL, &ids, err,
				      sizeof(err)), -ENOENT);
}
END_TEST

static Suite *agent_user_suite(void)
{
	Suite *s = suite_create("agent_user");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_numbers_and_defaults);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_no_files);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_user_suite)
