/* Container status, derived from the liveness of its processes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/fsutil.h"
#include "runtime/oci.h"
#include "runtime/state.h"

/* Field 3 (state) and field 22 (starttime) of /proc/PID/stat.  The comm
 * field may hold spaces and ')', so fields are counted after the last ')'. */
static int read_stat(pid_t pid, char *state, uint64_t *start)
{
	char path[64], *text, *p;
	unsigned long long v;
	int ret;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	ret = fs_read_file(path, 4096, &text, NULL);
	if (ret)
		return ret == -ENOENT ? -ESRCH : ret;
	p = strrchr(text, ')');
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %*s %*s %*s %*s %llu", state, &v) != 2) {
		free(text);
		return -EIO;
	}
	free(text);
	*start = v;
	return 0;
}

int state_proc_get(pid_t pid, struct kvmc_proc *out)
{
	char st;
	int ret;

	if (pid <= 0)
		return -ESRCH;
	ret = read_stat(pid, &st, &out->start);
	if (ret)
		return ret;
	if (st == 'Z' || st == 'X')
		return -ESRCH;
	out->pid = pid;
	return 0;
}

bool state_proc_alive(const struct kvmc_proc *p)
{
	struct kvmc_proc now;

	/* A zombie has finished (only its parent has not reaped it); a
	 * different start time means the pid now names another process. */
	return p->pid > 0 && !state_proc_get(p->pid, &now) &&
	       now.start == p->start;
}

enum kvmc_status state_status(const struct kvmc_state *st)
{
	if (!st->shim.pid)
		return state_proc_alive(&st->creator) ? KVMC_CREATING
						      : KVMC_STOPPED;
	if (!state_proc_alive(&st->shim))
		return KVMC_STOPPED;
	if (st->vmm.pid && !state_proc_alive(&st->vmm))
		return KVMC_STOPPED;
	if (st->paused)
		return KVMC_PAUSED;
	return st->started ? KVMC_RUNNING : KVMC_CREATED;
}

const char *state_status_name(enum kvmc_status s)
{
	static const char *const names[] = {
		[KVMC_CREATING] = "creating", [KVMC_CREATED] = "created",
		[KVMC_RUNNING] = "running", [KVMC_PAUSED] = "paused",
		[KVMC_STOPPED] = "stopped",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s]
								   : "unknown";
}

char *state_to_runc_json(const struct kvmc_state *st, enum kvmc_status s)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "ociVersion");
	jb_str(&b, OCI_VERSION);
	jb_key(&b, "id");
	jb_str(&b, st->id);
	jb_key(&b, "pid");
	/* As runc: no pid once stopped (it may already name another process). */
	jb_int(&b, s == KVMC_STOPPED ? 0 : st->shim.pid);
	jb_key(&b, "status");
	jb_str(&b, state_status_name(s));
	jb_key(&b, "bundle");
	jb_str(&b, st->bundle ? st->bundle : "");
	jb_key(&b, "rootfs");
	jb_str(&b, st->rootfs ? st->rootfs : "");
	jb_key(&b, "created");
	jb_str(&b, st->created);
	if (st->annotations.n) {
		jb_key(&b, "annotations");
		jb_obj_begin(&b);
		for (size_t i = 0; i < st->annotations.n; i++) {
			jb_key(&b, st->annotations.items[i].key);
			jb_str(&b, st->annotations.items[i].value);
		}
		jb_obj_end(&b);
	}
	jb_key(&b, "owner");
	jb_str(&b, st->owner ? st->owner : "");
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}
