/* kvmc start: run the init process of a created container. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/json.h"
#include "runtime/commands.h"
#include "runtime/fsutil.h"
#include "runtime/lifecycle.h"
#include "runtime/state.h"
#include "runtime/vm.h"

#define START_TIMEOUT_MS	60000

/* process and fsmap: the JSON create wrote (fsmap may be NULL: none). */
static char *newcontainer_json(const char *id, const char *process,
			       size_t len, const char *fsmap, size_t fsmap_len)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "id");
	jb_str(&b, id);
	jb_key(&b, "image");
	jb_str(&b, "");
	jb_key(&b, "rootfs");
	jb_str(&b, "");
	jb_key(&b, "process");
	jb_raw(&b, process, len);
	if (fsmap) {
		jb_key(&b, "fsmap");
		jb_raw(&b, fsmap, fsmap_len);
	}
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}

int lc_start(struct kvmc_ctx *ctx, const char *id)
{
	struct kvmc_state st = { 0 };
	char dir[PATH_MAX], path[PATH_MAX + 32], *proc = NULL, *json = NULL;
	char *fsmap = NULL;
	int lockfd = -1, fd = -1, ret = 1, r;
	size_t len, fsmap_len = 0;

	if (state_validate_id(ctx, id) || state_lock(ctx, id, &lockfd))
		return 1;
	if (state_load(ctx, id, &st) ||
	    state_expect(ctx, &st, state_status(&st), KVMC_ST(KVMC_CREATED),
			 "start"))
		goto out;
	state_dir(ctx, id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, LC_PROCESS_JSON);
	r = fs_read_file(path, 1 << 20, &proc, &len);
	if (r) {
		kvmc_err(ctx, -r, "%s: %s", path, strerror(-r));
		goto out;
	}
	/* Absent in the state of a kvmc that predates volumes: no binds. */
	snprintf(path, sizeof(path), "%s/%s", dir, LC_FSMAP_JSON);
	r = fs_read_file(path, 1 << 20, &fsmap, &fsmap_len);
	if (r && r != -ENOENT) {
		kvmc_err(ctx, -r, "%s: %s", path, strerror(-r));
		goto out;
	}
	json = newcontainer_json(id, proc, len, fsmap, fsmap_len);
	fd = vm_proxy(ctx, dir, 5000);
	if (!json || fd < 0 ||
	    vm_hyper(ctx, fd, HYPER_NEWCONTAINER, json, START_TIMEOUT_MS))
		goto out;
	st.started = true;
	if (state_save(ctx, &st))
		goto out;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(proc);
	free(fsmap);
	free(json);
	state_free(&st);
	state_unlock(lockfd);
	return ret;
}

int cmd_start(struct kvmc_ctx *ctx, int argc, char **argv)
{
	int r = cmd_noopts(ctx, argc, argv, 1, 1);

	if (r >= 0)
		return r;
	return lc_start(ctx, argv[optind]);
}
