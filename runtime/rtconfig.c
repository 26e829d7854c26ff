/* kvmc.conf: `key = value` lines, searched in a fixed order. */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/fsutil.h"
#include "runtime/rtconfig.h"

#define RTCONFIG_MAX_BYTES (64 << 10)
#define SHARE_DIR KVMC_PREFIX "/share/kvmc"
#define MAX_GUESTS 8		/* paths in a kernel or initrd list */

/* The kvmc-vmm and kvmc-shim built or installed beside this kvmc. */
static char *beside_self(const char *name)
{
	char self[PATH_MAX], *out;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if (asprintf(&out, "%s/%s", dirname(self), name) < 0)
		return NULL;
	return out;
}

void rtconfig_defaults(struct rtconfig *rc)
{
	memset(rc, 0, sizeof(*rc));
	/* The minimal kernel when it is installed, Debian's otherwise. */
	rc->kernel = strdup(SHARE_DIR "/kvmc-vmlinux " SHARE_DIR "/vmlinux");
	rc->initrd = strdup(SHARE_DIR "/kvmc-initrd.img " SHARE_DIR "/initrd.img");
	rc->kernel_params = strdup("");
	rc->default_memory_mib = 256;
	rc->memory_overhead_mib = 64;
	rc->min_memory_mib = 128;
	rc->default_vcpus = 1;
	rc->vmm_sandbox = "on";
}

void rtconfig_free(struct rtconfig *rc)
{
	free(rc->source);
	free(rc->kernel);
	free(rc->initrd);
	free(rc->kernel_params);
	free(rc->vmm);
	free(rc->shim);
	memset(rc, 0, sizeof(*rc));
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A relative path is relative to the directory of the file naming it. */
static int set_path(char **dst, const char *file, const char *v)
{
	char copy[PATH_MAX];
	char *p;

	if (v[0] == '/' || !v[0]) {
		p = strdup(v);
	} else {
		snprintf(copy, sizeof(copy), "%s", file);
		if (asprintf(&p, "%s/%s", dirname(copy), v) < 0)
			p = NULL;
	}
	if (!p)
		return -ENOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

static int set_u64(uint64_t *dst, const char *v, uint64_t min, uint64_t max)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*dst = n;
	return 0;
}

static int set_uint(unsigned int *dst, const char *v, unsigned int min,
		    unsigned int max)
{
	uint64_t n;
	int ret = set_u64(&n, v, min, max);

	if (!ret)
		*dst = (unsigned int)n;
	return ret;
}

#define MAX_MIB (1ULL << 22)	/* 4 TiB */
#define MAX_VCPUS 255		/* the MP table's APIC ids */

static int apply(struct rtconfig *rc, const char *file, const char *key,
		 const char *v, const char **want)
{
	*want = NULL;
	/* Lists of paths: resolved by pick_guest() once the file is read. */
	if (!strcmp(key, "kernel") || !strcmp(key, "initrd")) {
		char **dst = key[0] == 'k' ? &rc->kernel : &rc->initrd;
		char *p = strdup(v);

		if (!p)
			return -ENOMEM;
		free(*dst);
		*dst = p;
		*want = "one or more paths";
		return v[0] ? 0 : -EINVAL;
	}
	if (!strcmp(key, "vmm"))
		return set_path(&rc->vmm, file, v);
	if (!strcmp(key, "shim"))
		return set_path(&rc->shim, file, v);
	if (!strcmp(key, "kernel_params")) {
		char *p = strdup(v);

		if (!p)
			return -ENOMEM;
		free(rc->kernel_params);
		rc->kernel_params = p;
		return 0;
	}
	if (!strcmp(key, "vmm_sandbox")) {
		static const char *const modes[] = { "on", "off", "debug" };

		*want = "on, off or debug";
		for (unsigned int i = 0; i < 3; i++)
			if (!strcmp(v, modes[i])) {
				rc->vmm_sandbox = modes[i];
				return 0;
			}
		return -EINVAL;
	}
	*want = "a number of MiB from 1 to 4194304";
	if (!strcmp(key, "default_memory_mib"))
		return set_u64(&rc->default_memory_mib, v, 1, MAX_MIB);
	if (!strcmp(key, "min_memory_mib"))
		return set_u64(&rc->min_memory_mib, v, 1, MAX_MIB);
	if (!strcmp(key, "max_memory_mib")) {
		*want = "a number of MiB from 0 (no limit) to 4194304";
		return set_u64(&rc->max_memory_mib, v, 0, MAX_MIB);
	}
	if (!strcmp(key, "memory_overhead_mib")) {
		*want = "a number of MiB from 0 to 4194304";
		return set_u64(&rc->memory_overhead_mib, v, 0, MAX_MIB);
	}
	*want = "a number of vCPUs from 1 to 255";
	if (!strcmp(key, "default_vcpus"))
		return set_uint(&rc->default_vcpus, v, 1, MAX_VCPUS);
	if (!strcmp(key, "max_vcpus")) {
		*want = "a number of vCPUs from 0 (the host's CPUs) to 255";
		return set_uint(&rc->max_vcpus, v, 0, MAX_VCPUS);
	}
	*want = NULL;
	return -ENOENT;
}

static int parse(struct rtconfig *rc, const char *file, char *text,
		 char *err, size_t errlen)
{
	unsigned int lineno = 0;
	bool kernel_set = false, initrd_set = false;
	char *line, *next;

	for (line = text; line; line = next) {
		const char *want;
		char *eq, *key, *val;
		size_t vl;
		int ret;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (!line[0] || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value'",
				 file, lineno);
			return -EINVAL;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		vl = strlen(val);
		/* Optional double quotes keep leading/trailing spaces. */
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		kernel_set |= !strcmp(key, "kernel");
		initrd_set |= !strcmp(key, "initrd");
		ret = apply(rc, file, key, val, &want);
		if (ret == -ENOMEM) {
			snprintf(err, errlen, "%s: out of memory", file);
			return ret;
		}
		if (ret == -ENOENT) {
			snprintf(err, errlen, "%s:%u: unknown key '%s'", file,
				 lineno, key);
			return -EINVAL;
		}
		if (ret) {
			snprintf(err, errlen, "%s:%u: %s: expected %s, got '%s'",
				 file, lineno, key, want, val);
			return ret;
		}
	}
	/* The built-in pairs of kernel and initrd only go together: naming
	 * one alone pairs it with the Debian kernel's default. */
	if (kernel_set != initrd_set) {
		char **other = kernel_set ? &rc->initrd : &rc->kernel;

		free(*other);
		*other = strdup(kernel_set ? SHARE_DIR "/initrd.img" :
				SHARE_DIR "/vmlinux");
		if (!*other) {
			snprintf(err, errlen, "%s: out of memory", file);
			return -ENOMEM;
		}
	}
	if (rc->max_memory_mib && rc->max_memory_mib < rc->min_memory_mib) {
		snprintf(err, errlen, "%s: max_memory_mib is below min_memory_mib",
			 file);
		return -EINVAL;
	}
	return 0;
}

/* Splits a white-space separated list in place; at most max words. */
static int split(char *s, char **w, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *t = strtok_r(s, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -E2BIG;
		w[n++] = t;
	}
	return n;
}

/*
 * `kernel` and `initrd` may each list paths in order of preference: the
 * first kernel that exists is used, with the initrd at the same position
 * (or the only one); with none there, the last (the fallback), so that
 * the error names it.  file resolves relative paths (NULL: the built-in defaults).
 */
static int pick_guest(struct rtconfig *rc, const char *file, char *err,
		      size_t errlen)
{
	char *kw[MAX_GUESTS], *iw[MAX_GUESTS], *kernel = NULL, *initrd = NULL;
	char *kl = rc->kernel, *il = rc->initrd;
	const char *where = file ? file : "built-in defaults";
	int nk, ni, i, ret = -EINVAL;

	rc->kernel = rc->initrd = NULL;
	nk = split(kl, kw, MAX_GUESTS);
	ni = split(il, iw, MAX_GUESTS);
	if (nk <= 0 || ni <= 0) {
		if ((nk <= 0 ? nk : ni) < 0)
			snprintf(err, errlen, "%s: %s: more than %d paths",
				 where, nk <= 0 ? "kernel" : "initrd",
				 MAX_GUESTS);
		else
			snprintf(err, errlen, "%s: %s: no path", where,
				 nk <= 0 ? "kernel" : "initrd");
		goto out;
	}
	if (ni != 1 && ni != nk) {
		snprintf(err, errlen,
			 "%s: initrd: %d paths for %d kernels (one, or one per kernel)",
			 where, ni, nk);
		goto out;
	}
	for (i = 0; i < nk; i++) {
		ret = set_path(&kernel, file ? file : "/", kw[i]);
		if (ret)
			goto nomem;
		if (!access(kernel, F_OK))
			break;
	}
	if (i == nk) {
		i = nk - 1;
		ret = set_path(&kernel, file ? file : "/", kw[i]);
		if (ret)
			goto nomem;
	}
	ret = set_path(&initrd, file ? file : "/", iw[ni == 1 ? 0 : i]);
	if (ret)
		goto nomem;
	rc->kernel = kernel;
	rc->initrd = initrd;
	kernel = initrd = NULL;
	goto out;
nomem:
	snprintf(err, errlen, "runtime configuration: out of memory");
out:
	free(kernel);
	free(initrd);
	free(kl);
	free(il);
	return ret;
}

static int fill_binaries(struct rtconfig *rc, const char *file, char *err,
			 size_t errlen)
{
	int ret;

	if (rc->kernel && rc->initrd) {
		ret = pick_guest(rc, file, err, errlen);
		if (ret)
			return ret;
	}
	if (!rc->vmm)
		rc->vmm = beside_self("kvmc-vmm");
	if (!rc->shim)
		rc->shim = beside_self("kvmc-shim");
	if (!rc->kernel || !rc->initrd || !rc->kernel_params || !rc->vmm ||
	    !rc->shim) {
		snprintf(err, errlen, "runtime configuration: out of memory");
		return -ENOMEM;
	}
	return 0;
}

int rtconfig_load_file(const char *path, struct rtconfig *rc,
		       char *err, size_t errlen)
{
	char *text;
	int ret;

	rtconfig_defaults(rc);
	ret = fs_read_file(path, RTCONFIG_MAX_BYTES, &text, NULL);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		rtconfig_free(rc);
		return ret;
	}
	rc->source = strdup(path);
	ret = parse(rc, path, text, err, errlen);
	free(text);
	if (!ret)
		ret = fill_binaries(rc, path, err, errlen);
	if (ret)
		rtconfig_free(rc);
	return ret;
}

int rtconfig_load(const char *bundle, struct rtconfig *rc,
		  char *err, size_t errlen)
{
	const char *env = getenv("KVMC_CONFIG");
	char in_bundle[PATH_MAX];
	const char *candidates[3];
	int ret;

	if (env && env[0])
		return rtconfig_load_file(env, rc, err, errlen);
	candidates[0] = NULL;
	if (bundle && snprintf(in_bundle, sizeof(in_bundle), "%s/" RTCONFIG_NAME,
			       bundle) < (int)sizeof(in_bundle))
		candidates[0] = in_bundle;
	candidates[1] = RTCONFIG_ETC;
	candidates[2] = SHARE_DIR "/" RTCONFIG_NAME;
	for (int i = 0; i < 3; i++) {
		if (!candidates[i] || access(candidates[i], F_OK))
			continue;
		return rtconfig_load_file(candidates[i], rc, err, errlen);
	}
	rtconfig_defaults(rc);
	ret = fill_binaries(rc, NULL, err, errlen);
	if (ret)
		rtconfig_free(rc);
	return ret;
}
