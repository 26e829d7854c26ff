/* unit-deps: runtime lib */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/etcfiles.h"
#include "runtime/fsutil.h"
#include "tests/unit/unit.h"

static char tmp[64], state[96];

static void setup(void)
{
	strcpy(tmp, "/tmp/etcfiles-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(state, sizeof(state), "%s/state", tmp);
	ck_assert_int_eq(mkdir(state, 0700), 0);
}

static void teardown(void)
{
	fs_remove_tree(tmp);
}

static void put(const char *name, const char *text)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	ck_assert_int_eq(fs_write_atomic(p, text, strlen(text), 0644), 0);
}

static char *get(const char *rel)
{
	char p[160], *buf = NULL;
	size_t len;

	snprintf(p, sizeof(p), "%s/%s", state, rel);
	if (fs_read_file(p, 1 << 20, &buf, &len))
		return NULL;
	return buf;
}

/* A mount as Docker writes it: {destination, type bind, source, options}. */
static struct oci_mount mnt(const char *dest, const char *type,
			    const char *src_name, char **opts, size_t nopts)
{
	struct oci_mount m = { 0 };
	static char srcs[8][160];
	static int next;

	m.destination = (char *)dest;
	m.type = (char *)type;
	if (src_name) {
		char *s = srcs[next++ % 8];

		if (src_name[0] == '/')
			snprintf(s, 160, "%s", src_name);
		else
			snprintf(s, 160, "%s/%s", tmp, src_name);
		m.source = s;
	}
	m.options.items = opts;
	m.options.n = nopts;
	return m;
}

/* etc_files_prepare into an array of its own; *json gets the array. */
static int prep(const struct oci_config *cfg, bool *shared, char *err,
		size_t errlen, char **json)
{
	struct jbuf b;
	int ret;

	jb_init(&b);
	jb_arr_begin(&b);
	ret = etc_files_prepare(cfg, state, &b, shared, err, errlen);
	jb_arr_end(&b);
	*json = jb_finish(&b, NULL);
	ck_assert_ptr_nonnull(*json);
	return ret;
}

START_TEST(test_docker_mounts)
{
	static char *rbind[] = { "rbind", "rprivate", NULL };
	static char *ro[] = { "rbind", "ro", NULL };
	struct oci_mount m[5];
	struct oci_config cfg = { 0 };
	char err[256] = "", *s, *json;
	bool shared = false;

	put("resolv.conf", "nameserver 127.0.0.11\noptions ndots:0\n");
	put("hosts", "127.0.0.1 localhost\n10.0.0.2 c1\n");
	put("hostname", "c1\n");
	m[0] = mnt("/proc", "proc", NULL, NULL, 0);
	m[1] = mnt("/etc/resolv.conf", "bind", "resolv.conf", rbind, 2);
	m[2] = mnt("/etc/hostname", NULL, "hostname", rbind, 2);
	m[3] = mnt("/etc/hosts", "bind", "hosts", ro, 2);
	m[4] = mnt("/data", "bind", "hosts", rbind, 2);	/* not ours */
	cfg.mounts = m;
	cfg.n_mounts = 5;
	ck_assert_int_eq(prep(&cfg, &shared, err, sizeof(err), &json), 0);
	ck_assert(shared);
	s = get("etc/resolv.conf");
	ck_assert_str_eq(s, "nameserver 127.0.0.11\noptions ndots:0\n");
	free(s);
	s = get("etc/hostname");
	ck_assert_str_eq(s, "c1\n");
	free(s);
	s = get("etc/hosts");
	ck_assert_str_eq(s, "127.0.0.1 localhost\n10.0.0.2 c1\n");
	free(s);
	ck_assert_ptr_null(get("etc/data"));
	ck_assert_str_eq(json,
		"[{\"source\":\"resolv.conf\",\"path\":\"/etc/resolv.conf\","
		"\"shareTag\":\"etc\",\"readOnly\":false},"
		"{\"source\":\"hostname\",\"path\":\"/etc/hostname\","
		"\"shareTag\":\"etc\",\"readOnly\":false},"
		"{\"source\":\"hosts\",\"path\":\"/etc/hosts\","
		"\"shareTag\":\"etc\",\"readOnly\":true}]");
	free(json);
}
END_TEST

START_TEST(test_none)
{
	static char *rbind[] = { "rbind", NULL };
	struct oci_mount m[2];
	struct oci_config cfg = { 0 };
	char err[256] = "", *json;
	bool shared = true;
	struct stat st;
	char p[160];

	put("hosts", "x\n");
	/* Not a bind mount, or no source: not taken. */
	m[0] = mnt("/etc/hosts", "tmpfs", NULL, NULL, 0);
	m[1] = mnt("/etc/resolv.conf", "proc", "hosts", rbind, 0);
	cfg.mounts = m;
	cfg.n_mounts = 2;
	ck_assert_int_eq(prep(&cfg, &shared, err, sizeof(err), &json), 0);
	ck_assert(!shared);
	snprintf(p, sizeof(p), "%s/%s", state, ETC_DIR);
	ck_assert_int_ne(stat(p, &st), 0);
	ck_assert_str_eq(json, "[]");
	free(json);
}
END_TEST

START_TEST(test_bad_sources)
{
	static char *rbind[] = { "rbind", NULL };
	struct oci_mount m[2];
	struct oci_config cfg = { 0 };
	char err[256] = "", p[160], *json;
	bool shared = true;
	struct stat st;

	put("hosts", "x\n");
	m[0] = mnt("/etc/hosts", "bind", "hosts", rbind, 1);
	cfg.mounts = m;
	cfg.n_mounts = 2;

	/* Missing: the mount is named, and what was copied is gone. */
	m[1] = mnt("/etc/resolv.conf", "bind", "missing", rbind, 1);
	ck_assert_int_eq(prep(&cfg, &shared, err, sizeof(err), &json),
			 -ENOENT);
	free(json);
	ck_assert(!shared);
	ck_assert_ptr_nonnull(strstr(err, "mounts: /etc/resolv.conf from "));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	snprintf(p, sizeof(p), "%s/%s", state, ETC_DIR);
	ck_assert_int_ne(stat(p, &st), 0);

	/* A directory, a device, a relative path: refused. */
	m[1] = mnt("/etc/resolv.conf", "bind", "state", rbind, 1);
	ck_assert_int_eq(prep(&cfg, &shared, err, sizeof(err), &json), -EINVAL);
	free(json);
	ck_assert_ptr_nonnull(strstr(err, "not an absolute path to a regular file"));
	m[1] = mnt("/etc/resolv.conf", "bind", "/dev/zero", rbind, 1);
	ck_assert_int_eq(prep(&cfg, &shared, err, sizeof(err), &json), -EINVAL);
	free(json);
	m[1] = mnt("/etc/resolv.conf", "bind", NULL, rbind, 1);
	m[1].source = "resolv.conf";
	ck_assert_int_eq(prep(&cfg, &shared, err, sizeof(err), &json), -EINVAL);
	free(json);
	ck_assert_int_ne(stat(p, &st), 0);
}
END_TEST

START_TEST(test_too_large)
{
	static char *rbind[] = { "rbind", NULL };
	struct oci_mount m[1];
	struct oci_config cfg = { 0 };
	char err[256] = "", p[160], *json;
	bool shared = true;
	FILE *f;

	snprintf(p, sizeof(p), "%s/big", tmp);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, ETC_FILE_MAX + 1, SEEK_SET), 0);
	fputc('x', f);
	fclose(f);
	m[0] = mnt("/etc/hosts", "bind", "big", rbind, 1);
	cfg.mounts = m;
	cfg.n_mounts = 1;
	ck_assert_int_eq(prep(&cfg, &shared, err, sizeof(err), &json), -EFBIG);
	free(json);
	ck_assert_ptr_nonnull(strstr(err, "/etc/hosts"));
}
END_TEST

static Suite *etcfiles_suite(void)
{
	Suite *s = suite_create("etcfiles");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_docker_mounts);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_bad_sources);
	tcase_add_test(tc, test_too_large);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(etcfiles_suite)
