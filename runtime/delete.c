/* kvmc delete: end the VM and the shims, remove the state; works whatever
 * died first. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/proxy_proto.h"
#include "runtime/commands.h"
#include "runtime/lifecycle.h"
#include "runtime/network.h"
#include "runtime/state.h"
#include "runtime/vm.h"
#include "runtime/vm_cgroup.h"

#define DESTROY_WAIT_MS	10000

/* Waits up to ms for p to end; true if it did. */
static bool wait_gone(const struct kvmc_proc *p, int ms)
{
	for (; ms > 0; ms -= 20) {
		if (!state_proc_alive(p))
			return true;
		usleep(20000);
	}
	return !state_proc_alive(p);
}

int lc_delete(struct kvmc_ctx *ctx, const char *id, bool force)
{
	struct kvmc_state st = { 0 };
	enum kvmc_status s;
	char dir[PATH_MAX], sock[PATH_MAX + 16];
	int lockfd = -1, fd, ret = 1;
	unsigned int allowed = KVMC_ST(KVMC_STOPPED) | KVMC_ST(KVMC_CREATED);

	if (state_validate_id(ctx, id) || state_lock(ctx, id, &lockfd))
		return 1;
	if (state_load(ctx, id, &st))
		goto out;
	s = state_status(&st);
	if (force)
		allowed |= KVMC_ST(KVMC_RUNNING) | KVMC_ST(KVMC_PAUSED) |
			   KVMC_ST(KVMC_CREATING);
	if (state_expect(ctx, &st, s, allowed, "delete"))
		goto out;
	state_dir(ctx, id, dir, sizeof(dir));
	if (state_proc_alive(&st.vmm)) {
		/* The agent kills everything, syncs and resets the VM. */
		snprintf(sock, sizeof(sock), "%s/%s", dir, VM_PROXY_SOCK);
		fd = px_connect(sock, 1000);
		if (fd >= 0) {
			uint8_t be[4];

			if (st.paused)
				px_send(fd, PX_RESUME, NULL, 0, NULL, 0);
			hyper_put_be32(be, HYPER_DESTROYPOD);
			px_send(fd, PX_HYPER, be, 4, NULL, 0);
		}
		if (!wait_gone(&st.vmm, fd >= 0 ? DESTROY_WAIT_MS : 0))
			state_proc_signal(&st.vmm, SIGKILL);
		if (fd >= 0)
			close(fd);
		wait_gone(&st.vmm, DESTROY_WAIT_MS);
	}
	/* A shim sees its VM go and exits; one that does not is killed. */
	if (!wait_gone(&st.shim, 2000))
		state_proc_signal(&st.shim, SIGKILL);
	if (state_extra_get(&st, "netns")) {
		char err[256];

		/* The namespace may be gone already: that is fine. */
		net_teardown(state_extra_get(&st, "netns"), dir, err, sizeof(err));
	}
	/* Kept when its cgroup cannot go, so that delete can be retried. */
	if (vmcg_remove(ctx, &st))
		goto out;
	ret = state_remove(ctx, id) ? 1 : 0;
out:
	state_free(&st);
	state_unlock(lockfd);
	return ret;
}

int cmd_delete(struct kvmc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, argv[0], "expects exactly one container ID");
	/* runc's --force on a missing container is not an error. */
	if (force && state_validate_id(ctx, argv[optind]) == 0) {
		char dir[PATH_MAX];

		state_dir(ctx, argv[optind], dir, sizeof(dir));
		if (access(dir, F_OK) && errno == ENOENT)
			return 0;
	}
	return lc_delete(ctx, argv[optind], force);
}
