/* kvmc update: change a container's host-side limits (its cgroup), and
 * refuse plainly what a booted VM cannot change (docs/cli.md, "update"). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/commands.h"
#include "runtime/fsutil.h"
#include "runtime/resources.h"
#include "runtime/vm_cgroup.h"

#define RESOURCES_MAX	(1 << 20)
#define OPT_FLAG	1000	/* + index of res_flag_name() */

static int read_stdin(char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap), *nb;
	ssize_t r;

	if (!b)
		return -ENOMEM;
	while ((r = read(STDIN_FILENO, b + n, cap - n - 1)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(b);
			return -errno;
		}
		n += (size_t)r;
		if (n + 1 == cap) {
			if (cap >= RESOURCES_MAX || !(nb = realloc(b, cap * 2))) {
				free(b);
				return cap >= RESOURCES_MAX ? -EFBIG : -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int load_resources(struct kvmc_ctx *ctx, const char *file,
			  struct res_update *u)
{
	char name[PATH_MAX + 16], err[1024], *buf = NULL;
	size_t len;
	int ret;

	snprintf(name, sizeof(name), "--resources %s", file);
	ret = strcmp(file, "-") ? fs_read_file(file, RESOURCES_MAX, &buf, &len) :
	      read_stdin(&buf, &len);
	if (ret)
		return kvmc_err(ctx, -ret, "update: %s: %s", name, strerror(-ret));
	ret = res_parse_json(buf, len, name, u, err, sizeof(err));
	free(buf);
	if (ret)
		return kvmc_err(ctx, -ret, "update: %s", err);
	return 0;
}

static int apply(struct kvmc_ctx *ctx, const char *id, struct res_update *u)
{
	struct kvmc_state st = { 0 };
	struct cg_limits l;
	struct res_vm vm;
	char err[PATH_MAX + 256];
	const char *dir;
	int lockfd = -1, ret = 1;

	if (state_validate_id(ctx, id) || state_lock(ctx, id, &lockfd))
		return 1;
	if (state_load(ctx, id, &st) ||
	    state_expect(ctx, &st, state_status(&st),
			 KVMC_ST(KVMC_CREATED) | KVMC_ST(KVMC_RUNNING) |
			 KVMC_ST(KVMC_PAUSED), "update"))
		goto out;
	vmcg_vm(&st, &vm);
	if (res_check(u, &vm, err, sizeof(err))) {
		kvmc_err(ctx, EINVAL, "update \"%s\": %s", id, err);
		goto out;
	}
	dir = vmcg_dir(&st);
	if (res_applies(u) && !dir) {
		kvmc_err(ctx, ENOENT,
			 "update \"%s\": the container has no cgroup (create found no cgroup v2 at %s): nothing to apply the limits to",
			 id, CG_MOUNT);
		goto out;
	}
	res_limits(u, &vm, &l);
	if (dir && cg_apply(dir, &l, err, sizeof(err))) {
		kvmc_err(ctx, EIO, "update \"%s\": %s", id, err);
		goto out;
	}
	ret = 0;
out:
	state_free(&st);
	state_unlock(lockfd);
	return ret;
}

int cmd_update(struct kvmc_ctx *ctx, int argc, char **argv)
{
	struct option opts[32] = {
		{ "resources", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct res_update u = { 0 };
	const char *file = NULL, *flag = NULL;
	char err[512];
	int c, n = 2, ret;

	for (int i = 0; res_flag_name((size_t)i) && n < 31; i++)
		opts[n++] = (struct option){ res_flag_name((size_t)i),
					     required_argument, NULL, OPT_FLAG + i };
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': file = optarg; break;
		case 'h':
			res_free(&u);
			cmd_help(argv[0], stdout);
			return 0;
		default:
			if (c < OPT_FLAG) {
				res_free(&u);
				return cmd_bad_option(ctx, argv, c);
			}
			flag = res_flag_name((size_t)(c - OPT_FLAG));
			if (res_set_flag(&u, flag, optarg, err, sizeof(err))) {
				res_free(&u);
				return cmd_usage_error(ctx, argv[0], "%s", err);
			}
		}
	}
	ret = 2;
	if (optind + 1 != argc)
		cmd_usage_error(ctx, argv[0], "expects exactly one container ID");
	else if (file && flag)
		cmd_usage_error(ctx, argv[0], "--resources and --%s: give one or the other",
				flag);
	else if (!file && !flag)
		cmd_usage_error(ctx, argv[0], "nothing to update: give --resources FILE|- or a limit flag");
	else
		ret = (file && load_resources(ctx, file, &u)) ? 1 :
		      apply(ctx, argv[optind], &u);
	res_free(&u);
	return ret;
}
