/* kvmc pause / resume: stop and restart every vCPU of the container's VM
 * (through its proxy); the processes inside do not notice. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/proxy_proto.h"
#include "runtime/commands.h"
#include "runtime/state.h"
#include "runtime/vm.h"

#define PAUSE_TIMEOUT_MS	30000

static int pause_resume(struct kvmc_ctx *ctx, int argc, char **argv,
			bool pause)
{
	struct kvmc_state st = { 0 };
	struct px_decoder d;
	struct px_frame f;
	char dir[PATH_MAX];
	int r = cmd_noopts(ctx, argc, argv, 1, 1), lockfd = -1, fd = -1, ret = 1;
	const char *id;

	if (r >= 0)
		return r;
	id = argv[optind];
	if (state_validate_id(ctx, id) || state_lock(ctx, id, &lockfd))
		return 1;
	px_decoder_init(&d);
	if (state_load(ctx, id, &st) ||
	    state_expect(ctx, &st, state_status(&st),
			 KVMC_ST(pause ? KVMC_RUNNING : KVMC_PAUSED),
			 pause ? "pause" : "resume"))
		goto out;
	state_dir(ctx, id, dir, sizeof(dir));
	fd = vm_proxy(ctx, dir, 5000);
	if (fd < 0)
		goto out;
	r = px_send(fd, pause ? PX_PAUSE : PX_RESUME, NULL, 0, NULL, 0);
	if (!r)
		r = px_recv(fd, &d, &f, PAUSE_TIMEOUT_MS);
	if (!r && (f.type != PX_RESPONSE || f.len < 4 ||
		   hyper_get_be32(f.data) != HYPER_ACK))
		r = -EPROTO;
	if (r) {
		kvmc_err(ctx, -r, "%s: the VM did not answer: %s",
			 pause ? "pause" : "resume", strerror(-r));
		goto out;
	}
	st.paused = pause;
	ret = state_save(ctx, &st) ? 1 : 0;
out:
	if (fd >= 0)
		close(fd);
	px_decoder_free(&d);
	state_free(&st);
	state_unlock(lockfd);
	return ret;
}

int cmd_pause(struct kvmc_ctx *ctx, int argc, char **argv)
{
	return pause_resume(ctx, argc, argv, true);
}

int cmd_resume(struct kvmc_ctx *ctx, int argc, char **argv)
{
	return pause_resume(ctx, argc, argv, false);
}
