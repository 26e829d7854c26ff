/* unit-deps: guest lib */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/agent.h"
#include "tests/unit/unit.h"

static void check(const char *cmdline, const char *mod, const char *want)
{
	char *got = modules_params(cmdline, mod);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(!strcmp(got, want), "%s in \"%s\": got \"%s\", want \"%s\"",
		      mod, cmdline, got, want);
	free(got);
}

START_TEST(test_params)
{
	check("", "virtio_net", "");
	check("console=ttyS0 reboot=k", "virtio_net", "");
	check("virtio_net.napi_tx=1 console=ttyS0 virtio_net.csum=0",
	      "virtio_net", "napi_tx=1 csum=0");
	/* - and _ are the same in module names, both ways. */
	check("virtio-net.napi_tx=1", "virtio_net", "napi_tx=1");
	check("virtio_rng.x=1", "virtio-rng", "x=1");
	/* Another module, a prefix, or a dot in a value are not ours. */
	check("virtio_netx.a=1 virtio.b=2 foo=virtio_net.c", "virtio_net", "");
	check("  9p.debug=1\t9pnet.x=2\n", "9p", "debug=1");
	/* Quoted values keep their spaces. */
	check("m.opt=\"a b\" m.z=1", "m", "opt=\"a b\" z=1");
	check(".x=1 m.", "m", "");
}
END_TEST

START_TEST(test_missing_list)
{
	/* No list: nothing loaded, nothing failed. */
	ck_assert_int_eq(modules_load("/nonexistent/load.list", ""), 0);
}
END_TEST

START_TEST(test_unloadable)
{
	char list[] = "/tmp/agent-mod-XXXXXX";
	int fd = mkstemp(list);
	FILE *fp;

	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	/* Comments and blank lines are skipped; a missing file fails. */
	fputs("# comment\n\n/nonexistent/a.ko\n/nonexistent/b.ko\n", fp);
	fclose(fp);
	ck_assert_int_eq(modules_load(list, ""), 2);
	unlink(list);
}
END_TEST

static Suite *agent_modules_suite(void)
{
	Suite *s = suite_create("agent_modules");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_missing_list);
	tcase_add_test(tc, test_unloadable);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(agent_modules_suite)
