/* The command table and the per-command help. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/commands.h"

const struct kvmc_command kvmc_commands[] = {
	{ "create", cmd_create,
	  "--bundle DIR --pid-file FILE [--console-socket SOCK] ID",
	  "create a container: boot its VM and wait for `start`",
	  "  -b, --bundle DIR          bundle holding config.json (default .)\n"
	  "      --pid-file FILE       write the container's pid (the shim's) here\n"
	  "      --console-socket SOCK send the pty master to this unix socket\n"
	  "      --no-pivot            accepted, no effect\n"
	  "      --no-new-keyring      accepted, no effect\n" },
	{ "start", cmd_start, "ID",
	  "start the process of a created container", NULL },
	{ "run", cmd_run, "[--bundle DIR] ID",
	  "create and start a container, wait for it, exit with its status",
	  "  -b, --bundle DIR          bundle holding config.json (default .)\n"
	  "      --pid-file FILE       write the container's pid here\n"
	  "  -d, --detach              return once the container is started\n" },
	{ "state", cmd_state, "ID",
	  "print a container's state as runc's JSON", NULL },
	{ "kill", cmd_kill, "[--all] ID [SIGNAL]",
	  "send a signal (number or name, default SIGTERM) to the container",
	  "  -a, --all                 to every process of the container\n" },
	{ "delete", cmd_delete, "[--force] ID",
	  "delete a stopped container (any container with --force)",
	  "  -f, --force               kill the container first if it runs\n" },
	{ "exec", cmd_exec,
	  "[--process FILE | --tty --cwd DIR --env K=V --user U[:G]] ID [ARGS...]",
	  "run a further process in a running container",
	  "  -p, --process FILE        the process as an OCI process.json\n"
	  "  -d, --detach              return once it is started\n"
	  "      --pid-file FILE       write its pid (its shim's) here\n"
	  "      --console-socket SOCK send the pty master to this unix socket\n"
	  "  -t, --tty                 allocate a pty\n"
	  "      --cwd DIR             working directory\n"
	  "  -e, --env K=V             environment variable (repeatable)\n"
	  "  -u, --user UID[:GID]      user to run as\n" },
	{ "ps", cmd_ps, "[--format table|json] ID",
	  "list the host pids of a container's processes",
	  "  -f, --format FMT          table (default) or json\n" },
	{ "list", cmd_list, "[--format table|json] [--quiet]",
	  "list the containers under --root",
	  "  -f, --format FMT          table (default) or json\n"
	  "  -q, --quiet               print the ids only\n" },
	{ "pause", cmd_pause, "ID", "pause every vCPU of the container's VM", NULL },
	{ "resume", cmd_resume, "ID", "resume a paused container", NULL },
	{ "events", cmd_events, "[--stats] [--interval DURATION] ID",
	  "print the container's statistics and OOM events as JSON lines",
	  "      --stats               print one statistics sample and exit\n"
	  "      --interval DURATION   sampling interval (default 5s; 500ms, 1m30s)\n" },
	{ "update", cmd_update, "[--resources FILE|- | LIMIT FLAGS] ID",
	  "change a container's host-side limits (its cgroup)",
	  "  -r, --resources FILE      linux.resources JSON ('-': stdin)\n"
	  "      --pids-limit N        host tasks (VMM threads and shims), -1: none\n"
	  "      --cpu-quota US        CPU time per period, -1: none\n"
	  "      --cpu-period US       CFS period\n"
	  "      --cpu-share N         relative weight (cpu.weight)\n"
	  "      --cpuset-cpus LIST    host CPUs for the VM (at most its vCPUs)\n"
	  "      --cpuset-mems LIST    host memory nodes for the VM\n"
	  "      --memory SIZE         refused unless unchanged: guest RAM is fixed\n"
	  "      --memory-swap SIZE, --memory-reservation SIZE, --kernel-memory SIZE,\n"
	  "      --kernel-memory-tcp SIZE  accepted, not applied\n"
	  "      --blkio-weight N, --cpu-rt-runtime US, --cpu-rt-period US  refused\n" },
	{ "features", cmd_features, "", "print the features kvmc supports as JSON",
	  NULL },
	{ "spec", cmd_spec, "[--bundle DIR] [--rootless]",
	  "write a default config.json",
	  "  -b, --bundle DIR          write DIR/config.json (default .)\n"
	  "      --rootless            refused: kvmc needs root for /dev/kvm\n" },
	{ "version", cmd_version, "", "print kvmc's version", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct kvmc_command *command_find(const char *name)
{
	const struct kvmc_command *c;

	for (c = kvmc_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cmd_help(const char *name, FILE *out)
{
	const struct kvmc_command *c = command_find(name);

	if (!c)
		return;
	fprintf(out, "Usage: kvmc [global options] %s%s%s\n\n%s\n",
		c->name, c->args[0] ? " " : "", c->args, c->summary);
	fprintf(out, "\nOptions:\n%s  -h, --help                this text\n",
		c->options ? c->options : "");
}

int cmd_usage_error(struct kvmc_ctx *ctx, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kvmc_err(ctx, 0, "%s: %s (see 'kvmc %s --help')", name, msg, name);
	return 2;
}

int cmd_bad_option(struct kvmc_ctx *ctx, char **argv, int c)
{
	if (c == ':')
		return cmd_usage_error(ctx, argv[0], "%s: missing argument",
				       argv[optind - 1]);
	if (optopt)
		return cmd_usage_error(ctx, argv[0], "unknown option '-%c'", optopt);
	return cmd_usage_error(ctx, argv[0], "unknown option '%s'",
			       argv[optind - 1]);
}

int cmd_noopts(struct kvmc_ctx *ctx, int argc, char **argv, int min, int max)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, n;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c != 'h')
			return cmd_bad_option(ctx, argv, c);
		cmd_help(argv[0], stdout);
		return 0;
	}
	n = argc - optind;
	if (n < min)
		return cmd_usage_error(ctx, argv[0], min == 1 && max == 1 ?
				       "expected a container id" :
				       "missing arguments");
	if (n > max)
		return cmd_usage_error(ctx, argv[0], "unexpected argument '%s'",
				       argv[optind + max]);
	return -1;
}
