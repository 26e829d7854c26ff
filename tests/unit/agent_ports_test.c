/* unit-deps: guest lib */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/agent.h"
#include "tests/unit/unit.h"

static char top[] = "/tmp/agent-ports-XXXXXX";

static void port(const char *vport, const char *name)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/sys/%s", top, vport);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	strcat(path, "/name");
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(name, fp);
	fclose(fp);
}

START_TEST(test_links)
{
	char sys[256], dev[256], path[PATH_MAX], target[64];
	ssize_t n;

	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(sys, sizeof(sys), "%s/sys", top);
	snprintf(dev, sizeof(dev), "%s/dev", top);
	ck_assert_int_eq(mkdir(sys, 0755), 0);
	port("vport0p0", "");			/* the console: no name */
	port("vport0p1", "sh.hyper.channel.0\n");
	port("vport0p2", "sh.hyper.channel.1");
	port("vport0p3", "../../etc/evil");	/* never a path */
	port("vport0p4", ".hidden");
	port("other", "ignored");

	ck_assert_int_eq(ports_link(sys, dev), 2);
	snprintf(path, sizeof(path), "%s/sh.hyper.channel.0", dev);
	n = readlink(path, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, "../vport0p1");
	snprintf(path, sizeof(path), "%s/sh.hyper.channel.1", dev);
	n = readlink(path, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, "../vport0p2");
	snprintf(path, sizeof(path), "%s/.hidden", dev);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* A second scan (ports appear over time) keeps the links. */
	ck_assert_int_eq(ports_link(sys, dev), 2);
	snprintf(path, sizeof(path), "rm -rf %s", top);
	ck_assert_int_eq(system(path), 0);
	ck_assert_int_eq(ports_link("/nonexistent/sys", dev), -ENOENT);
}
END_TEST

static Suite *agent_ports_suite(void)
{
	Suite *s = suite_create("agent_ports");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_links);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_ports_suite)
