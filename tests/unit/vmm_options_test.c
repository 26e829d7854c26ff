/* unit-deps: vmm lib */
#include <string.h>

#include "tests/unit/unit.h"
#include "vmm/config.h"

static int parse(struct vmm_config *cfg, char *err, const char *a1,
		 const char *a2, const char *a3)
{
	char *argv[6] = { "kvmc-vmm", "--kernel", "/k", (char *)a1, (char *)a2,
			  (char *)a3 };
	int argc = 3 + !!a1 + !!a2 + !!a3;

	return vmm_parse_options(argc, argv, cfg, err, 256);
}

START_TEST(test_defaults)
{
	struct vmm_config cfg;
	char err[256];

	ck_assert_int_eq(parse(&cfg, err, NULL, NULL, NULL), 0);
	ck_assert(cfg.memory == 256ULL << 20);
	ck_assert_uint_eq(cfg.cpus, 1);
	ck_assert_int_eq(cfg.console, CONSOLE_STDIO);
	ck_assert_ptr_null(cfg.cmdline);
	ck_assert_str_eq(cfg.kernel, "/k");
	ck_assert_int_eq(cfg.sandbox, SANDBOX_ON);
	ck_assert_int_eq(cfg.dns_fd, -1);
	ck_assert(cfg.balloon);
}
END_TEST

START_TEST(test_values)
{
	struct vmm_config cfg;
	char err[256], port[] = "sh.hyper.channel.0=unix:/run/x";

	ck_assert_int_eq(parse(&cfg, err, "--memory=5G", "--cpus=64", "--console=file:/tmp/c"), 0);
	ck_assert(cfg.memory == 5ULL << 30);
	ck_assert_uint_eq(cfg.cpus, 64);
	ck_assert_int_eq(cfg.console, CONSOLE_FILE);
	ck_assert_str_eq(cfg.console_path, "/tmp/c");
	ck_assert_int_eq(parse(&cfg, err, "--port", port, NULL), 0);
	ck_assert_uint_eq(cfg.nr_ports, 1);
	ck_assert_str_eq(cfg.ports[0].name, "sh.hyper.channel.0");
	ck_assert_str_eq(cfg.ports[0].unix_path, "/run/x");
	ck_assert_int_eq(parse(&cfg, err, "--sandbox", "off", NULL), 0);
	ck_assert_int_eq(cfg.sandbox, SANDBOX_OFF);
	ck_assert_int_eq(parse(&cfg, err, "--sandbox=debug", NULL, NULL), 0);
	ck_assert_int_eq(cfg.sandbox, SANDBOX_DEBUG);
	ck_assert_int_eq(parse(&cfg, err, "--sandbox", "on", NULL), 0);
	ck_assert_int_eq(cfg.sandbox, SANDBOX_ON);
	ck_assert_int_eq(parse(&cfg, err, "--dns", "fd=7", NULL), 0);
	ck_assert_int_eq(cfg.dns_fd, 7);
	ck_assert_int_eq(parse(&cfg, err, "--balloon", "off", NULL), 0);
	ck_assert(!cfg.balloon);
	ck_assert_int_eq(parse(&cfg, err, "--balloon=on", NULL, NULL), 0);
	ck_assert(cfg.balloon);
}
END_TEST

START_TEST(test_errors_name_the_option)
{
	static const struct { const char *a1, *a2, *want; } bad[] = {
		{ "--memory", "0", "--memory" },
		{ "--memory", "63M", "--memory" },
		{ "--memory", "12Q", "--memory" },
		{ "--memory", "99999999999999G", "--memory" },
		{ "--cpus", "0", "--cpus" },
		{ "--cpus", "65", "--cpus" },
		{ "--cpus", "-1", "--cpus" },
		{ "--cpus", "2x", "--cpus" },
		{ "--console", "tty", "--console" },
		{ "--sandbox", "yes", "--sandbox" },
		{ "--balloon", "1", "--balloon" },
		{ "--port", "=unix:/x", "--port" },
		{ "--port", "a=tcp:1", "--port" },
		{ "--dns", "7", "--dns" },
		{ "--dns", "fd=", "--dns" },
		{ "--dns", "fd=-1", "--dns" },
		{ "--dns", "fd=3x", "--dns" },
		{ "--dns", "fd=99999999999", "--dns" },
		{ "--bogus", NULL, "--bogus" },
		{ "stray", NULL, "stray" },
	};
	struct vmm_config cfg;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(&cfg, err, bad[i].a1, bad[i].a2, NULL), -1);
		ck_assert_msg(strstr(err, bad[i].want), "%s: %s", bad[i].want, err);
	}
	{
		char *argv[] = { "kvmc-vmm", "--cpus", "2" };

		ck_assert_int_eq(vmm_parse_options(3, argv, &cfg, err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "--kernel"));
	}
}
END_TEST

START_TEST(test_sizes)
{
	uint64_t v;

	ck_assert_int_eq(vmm_parse_size("64M", &v), 0);
	ck_assert(v == 64ULL << 20);
	ck_assert_int_eq(vmm_parse_size("65536k", &v), 0);
	ck_assert(v == 64ULL << 20);
	ck_assert_int_eq(vmm_parse_size("2GiB", &v), 0);
	ck_assert(v == 2ULL << 30);
	ck_assert_int_eq(vmm_parse_size("1024", &v), 0);
	ck_assert(v == 1024);
	ck_assert_int_lt(vmm_parse_size("", &v), 0);
	ck_assert_int_lt(vmm_parse_size("M", &v), 0);
	ck_assert_int_lt(vmm_parse_size("-1M", &v), 0);
	ck_assert_int_lt(vmm_parse_size("18446744073709551615K", &v), 0);
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("vmm_options");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_errors_name_the_option);
	tcase_add_test(tc, test_sizes);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(options_suite)
