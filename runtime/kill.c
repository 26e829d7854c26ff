/* kvmc kill: signal a container's init, or all its processes. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/json.h"
#include "runtime/commands.h"
#include "runtime/state.h"
#include "runtime/vm.h"

#define KILL_TIMEOUT_MS	30000

/* "9", "KILL", "SIGKILL", "sigkill": the signal number, or -1. */
static int parse_signal(const char *s)
{
	char *end;
	long n;
	int i;

	if (*s >= '0' && *s <= '9') {
		n = strtol(s, &end, 10);
		return *end || n < 1 || n >= NSIG ? -1 : (int)n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (i = 1; i < NSIG; i++) {
		const char *name = sigabbrev_np(i);

		if (name && !strcasecmp(s, name))
			return i;
	}
	return -1;
}

static char *kill_json(const char *id, int sig, bool all)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "container");
	jb_str(&b, id);
	jb_key(&b, "signal");
	jb_int(&b, sig);
	jb_key(&b, "allProcesses");
	jb_bool(&b, all);
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}

int cmd_kill(struct kvmc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kvmc_state st = { 0 };
	char dir[PATH_MAX], *json = NULL;
	bool all = false;
	int c, sig = SIGTERM, fd = -1, ret = 1;
	const char *id;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cmd_usage_error(ctx, argv[0], "expects ID [SIGNAL]");
	id = argv[optind];
	if (argc - optind == 2 && (sig = parse_signal(argv[optind + 1])) < 0)
		return cmd_usage_error(ctx, argv[0], "'%s' is not a signal",
				       argv[optind + 1]);
	if (state_validate_id(ctx, id) || state_load(ctx, id, &st))
		return 1;
	if (state_expect(ctx, &st, state_status(&st),
			 KVMC_ST(KVMC_CREATED) | KVMC_ST(KVMC_RUNNING) |
			 KVMC_ST(KVMC_PAUSED), "kill"))
		goto out;
	if (!st.started) {
		/* No process in the guest yet: ending the shim ends it. */
		if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT) {
			state_proc_signal(&st.shim, SIGKILL);
			state_proc_signal(&st.vmm, SIGKILL);
		}
		ret = 0;
		goto out;
	}
	state_dir(ctx, id, dir, sizeof(dir));
	json = kill_json(id, sig, all);
	fd = vm_proxy(ctx, dir, 5000);
	if (!json || fd < 0 || vm_hyper(ctx, fd, HYPER_KILLCONTAINER, json,
					 KILL_TIMEOUT_MS))
		goto out;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(json);
	state_free(&st);
	return ret;
}
