/*
 * kvmc exec: run a further process in a running container.  Like the
 * init, it gets its own kvmc-shim, whose pid goes in --pid-file and whose
 * exit status is the process's; the shim attaches to the process at the
 * proxy before EXECCMD starts it in the guest.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/json.h"
#include "lib/proxy_proto.h"
#include "runtime/commands.h"
#include "runtime/exec.h"
#include "runtime/lifecycle.h"
#include "runtime/rtconfig.h"
#include "runtime/state.h"
#include "runtime/vm.h"
#include "runtime/vm_cgroup.h"

#define EXEC_TIMEOUT_MS	60000
#define EXEC_ENV_MAX	1024

struct exec_args {
	const char *process_file, *pid_file, *console_socket;
	bool detach;
	struct exec_opts plain;
	bool plain_given;	/* any of --tty --cwd --env --user */
};

static char *execcmd_json(const char *id, const char *process)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "container");
	jb_str(&b, id);
	jb_key(&b, "process");
	jb_raw(&b, process, strlen(process));
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}

/* Kills a process that started but will have no caller (best effort). */
static void signal_process(int fd, const char *id, const char *proc_id)
{
	struct jbuf b;
	char *json;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "container");
	jb_str(&b, id);
	jb_key(&b, "process");
	jb_str(&b, proc_id);
	jb_key(&b, "signal");
	jb_int(&b, SIGKILL);
	jb_obj_end(&b);
	json = jb_finish(&b, NULL);
	if (json)
		px_hyper(fd, HYPER_SIGNALPROCESS, json, NULL, EXEC_TIMEOUT_MS);
	free(json);
}

/* The process to run: --process FILE, or the container's own with the
 * plain form's changes.  0 and *out (*cfg owns it in the plain form). */
static int load_process(struct kvmc_ctx *ctx, const struct exec_args *a,
			const struct kvmc_state *st, struct oci_config **cfg,
			struct oci_process **out)
{
	char err[1024];

	if (a->process_file) {
		if (oci_process_load(a->process_file, out, err, sizeof(err)))
			return kvmc_err(ctx, EINVAL, "%s", err);
		return 0;
	}
	if (oci_config_load(st->bundle, cfg, err, sizeof(err)) ||
	    exec_spec_apply((*cfg)->process, &a->plain, err, sizeof(err)))
		return kvmc_err(ctx, EINVAL, "%s", err);
	*out = (*cfg)->process;
	return 0;
}

/* runc's refusals, in its words. */
static int check_terminal(struct kvmc_ctx *ctx, const struct exec_args *a,
			  const struct oci_process *p)
{
	if (p->terminal && a->detach && !a->console_socket)
		return kvmc_err(ctx, EINVAL, "cannot allocate tty if kvmc will detach without setting console socket");
	if (!p->terminal && a->console_socket)
		return kvmc_err(ctx, EINVAL, "cannot use console socket if kvmc will not allocate tty");
	return 0;
}

/* An attached exec's process has ended: its entry goes (best effort; a
 * deleted container has none left). */
static void forget(const struct kvmc_ctx *ctx, const char *id, unsigned int n)
{
	struct kvmc_ctx scratch = *ctx;
	struct kvmc_state st = { 0 };
	int lockfd;

	if (state_lock(&scratch, id, &lockfd))
		return;
	if (!state_load(&scratch, id, &st) && !execs_set(&st, n, NULL))
		state_save(&scratch, &st);
	state_free(&st);
	state_unlock(lockfd);
}

static int exec_run(struct kvmc_ctx *ctx, const char *id,
		    const struct exec_args *a)
{
	struct kvmc_state st = { 0 };
	struct oci_config *cfg = NULL;
	struct oci_process *proc = NULL;
	struct rtconfig rc = { 0 };
	struct kvmc_proc kp;
	struct vmcg cg = { .entered = false };
	char dir[PATH_MAX], err[1024], proc_id[32];
	char *pjson = NULL, *json = NULL;
	int lockfd = -1, fd = -1, ret = 1;
	bool recorded = false, started = false;
	uint64_t stdio, stderr_seq;
	unsigned int n;
	pid_t shim = -1;

	if (a->process_file && load_process(ctx, a, NULL, NULL, &proc))
		return 1;
	if (state_validate_id(ctx, id) || state_lock(ctx, id, &lockfd))
		goto out;
	if (state_load(ctx, id, &st) ||
	    state_expect(ctx, &st, state_status(&st), KVMC_ST(KVMC_RUNNING),
			 "exec"))
		goto out;
	if ((!proc && load_process(ctx, a, &st, &cfg, &proc)) ||
	    check_terminal(ctx, a, proc))
		goto out;
	if (rtconfig_load(st.bundle, &rc, err, sizeof(err))) {
		kvmc_err(ctx, EINVAL, "%s", err);
		goto out;
	}
	state_dir(ctx, id, dir, sizeof(dir));
	if (execs_prune(&st) || execs_next(&st, &n)) {
		kvmc_err(ctx, ENOMEM, "exec: cannot number the process");
		goto out;
	}
	if (state_save(ctx, &st))
		goto out;
	execs_id(n, proc_id, sizeof(proc_id));
	execs_streams(n, &stdio, &stderr_seq);
	pjson = vm_process_json(proc, proc_id, stdio,
				proc->terminal ? 0 : stderr_seq);
	json = pjson ? execcmd_json(id, pjson) : NULL;
	if (!json) {
		kvmc_err(ctx, ENOMEM, "exec: out of memory");
		goto out;
	}
	/* The exec's shim is accounted with the rest of the container. */
	if (vmcg_join(ctx, CG_MOUNT, &st, &cg))
		goto out;
	shim = vm_shim(ctx, &rc, dir, &(struct vm_shim_opts){
		.id = id, .proc_id = proc_id, .stdio = stdio,
		.stderr_seq = proc->terminal ? 0 : stderr_seq,
		.terminal = proc->terminal,
		.console_socket = a->console_socket,
		.rows = proc->console_height, .cols = proc->console_width });
	vmcg_leave(&cg);
	if (shim < 0)
		goto out;
	if (state_proc_get(shim, &kp)) {
		kvmc_err(ctx, ESRCH, "exec: the shim exited at once");
		goto out;
	}
	recorded = true;
	if (execs_set(&st, n, &kp) || state_save(ctx, &st))
		goto out;
	fd = vm_proxy(ctx, dir, 5000);
	if (fd < 0 || vm_hyper(ctx, fd, HYPER_EXECCMD, json, EXEC_TIMEOUT_MS))
		goto out;
	started = true;
	if (a->pid_file && lc_write_pid_file(ctx, a->pid_file, shim))
		goto out;
	ret = 0;
out:
	if (ret && started)
		signal_process(fd, id, proc_id);
	if (ret && shim > 0) {
		kill(shim, SIGKILL);
		while (waitpid(shim, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (ret && recorded && !execs_set(&st, n, NULL))
		state_save(ctx, &st);
	if (fd >= 0)
		close(fd);
	if (lockfd >= 0)
		state_unlock(lockfd);
	if (!ret && !a->detach) {
		ret = lc_wait(shim);
		forget(ctx, id, n);
	}
	free(json);
	free(pjson);
	rtconfig_free(&rc);
	state_free(&st);
	if (cfg)
		oci_config_free(cfg);
	else
		oci_process_free(proc);
	return ret;
}

static int parse_args(struct kvmc_ctx *ctx, int argc, char **argv,
		      struct exec_args *a, const char **id)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "tty", no_argument, NULL, 't' },
		{ "cwd", required_argument, NULL, 'C' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:dte:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->process_file = optarg; break;
		case 'd': a->detach = true; break;
		case 'P': a->pid_file = optarg; break;
		case 'c': a->console_socket = optarg; break;
		case 't': a->plain.tty = a->plain_given = true; break;
		case 'C': a->plain.cwd = optarg; a->plain_given = true; break;
		case 'u': a->plain.user = optarg; a->plain_given = true; break;
		case 'e':
			if (a->plain.n_env == EXEC_ENV_MAX)
				return cmd_usage_error(ctx, argv[0],
					"more than %d --env", EXEC_ENV_MAX);
			a->plain.env[a->plain.n_env++] = optarg;
			a->plain_given = true;
			break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, argv[0], "expects a container ID");
	*id = argv[optind];
	a->plain.args = argv + optind + 1;
	a->plain.n_args = (size_t)(argc - optind - 1);
	if (a->process_file && (a->plain_given || a->plain.n_args))
		return cmd_usage_error(ctx, argv[0],
			"--process FILE excludes --tty, --cwd, --env, --user and ARGS");
	if (!a->process_file && !a->plain.n_args)
		return cmd_usage_error(ctx, argv[0],
			"expects --process FILE or ID ARGS...");
	return -1;
}

int cmd_exec(struct kvmc_ctx *ctx, int argc, char **argv)
{
	struct exec_args a = { 0 };
	const char *id = NULL;
	int r;

	a.plain.env = calloc(EXEC_ENV_MAX, sizeof(*a.plain.env));
	if (!a.plain.env) {
		kvmc_err(ctx, ENOMEM, "exec: out of memory");
		return 1;
	}
	r = parse_args(ctx, argc, argv, &a, &id);
	if (r < 0)
		r = exec_run(ctx, id, &a);
	free(a.plain.env);
	return r;
}
