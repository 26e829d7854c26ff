/* kvmc: the runc-compatible command line.  Global options, then one
 * command from the table; the command's error is printed here, once. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/commands.h"

static void usage(FILE *out)
{
	const struct kvmc_command *c;

	fprintf(out,
		"Usage: kvmc [global options] COMMAND [options] [ARGS...]\n\n"
		"kvmc runs each OCI container in its own KVM virtual machine.\n\n"
		"Commands:\n");
	for (c = kvmc_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out,
		"\nGlobal options:\n"
		"      --root DIR            state directory (default "
		KVMC_DEFAULT_ROOT ")\n"
		"      --log FILE            write log lines to FILE (default stderr)\n"
		"      --log-format FMT      text (default) or json\n"
		"      --debug               log debug messages too\n"
		"      --systemd-cgroup      linux.cgroupsPath is SLICE:PREFIX:NAME\n"
		"  -h, --help                this text ('kvmc COMMAND --help' for one)\n"
		"  -v, --version             print the version\n");
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD };

static const struct option global_opts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or main's exit status. */
static int parse_globals(struct kvmc_ctx *ctx, int argc, char **argv,
			 bool *version)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", global_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			if (!optarg[0])
				return kvmc_err(ctx, 0, "--root: empty path"), 2;
			ctx->root = optarg;
			break;
		case OPT_LOG:
			ctx->log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (!strcmp(optarg, "json"))
				ctx->log_json = true;
			else if (strcmp(optarg, "text"))
				return kvmc_err(ctx, 0, "--log-format: expected text or json, got '%s'",
						optarg), 2;
			break;
		case OPT_DEBUG:
			ctx->debug = true;
			break;
		case OPT_SYSTEMD:
			ctx->systemd_cgroup = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			*version = true;
			break;
		case ':':
			return kvmc_err(ctx, 0, "%s: missing argument (see 'kvmc --help')",
					argv[optind - 1]), 2;
		default:
			if (optopt)
				return kvmc_err(ctx, 0, "unknown global option '-%c' (see 'kvmc --help')",
						optopt), 2;
			return kvmc_err(ctx, 0, "unknown global option '%s' (see 'kvmc --help')",
					argv[optind - 1]), 2;
		}
	}
	return -1;
}

/* State paths are handed to the VMM and the shims, which do not share our
 * working directory: a relative --root is made absolute once, here. */
static int absolute_root(struct kvmc_ctx *ctx, char *buf, size_t len)
{
	char cwd[4096];

	if (ctx->root[0] == '/')
		return 0;
	if (!getcwd(cwd, sizeof(cwd)) ||
	    snprintf(buf, len, "%s/%s", cwd, ctx->root) >= (int)len)
		return kvmc_err(ctx, ENAMETOOLONG, "--root: %s: cannot make it absolute",
				ctx->root);
	ctx->root = buf;
	return 0;
}

/* The error goes to the log (json for containerd, which shows the last
 * error line) and, when the log is a file, to stderr as well for people. */
static void report(struct kvmc_ctx *ctx, FILE *logf)
{
	/* One line, whatever an argument or a file quoted in it held. */
	for (char *c = ctx->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	log_error("%s", ctx->err);
	if (logf)
		fprintf(stderr, "kvmc: %s\n", ctx->err);
}

int main(int argc, char **argv)
{
	struct kvmc_ctx ctx = { .root = KVMC_DEFAULT_ROOT };
	const struct kvmc_command *cmd;
	char root[8192];
	bool version = false;
	FILE *logf = NULL;
	int rc;

	log_init("kvmc", stderr, false, LOG_INFO);
	rc = parse_globals(&ctx, argc, argv, &version);
	if (rc >= 0)
		goto out;
	rc = 1;
	if (absolute_root(&ctx, root, sizeof(root)))
		goto out;
	if (ctx.log_path) {
		logf = fopen(ctx.log_path, "ae");
		if (!logf) {
			kvmc_err(&ctx, errno, "--log: %s: %s", ctx.log_path,
				 strerror(errno));
			goto out;
		}
	}
	log_init("kvmc", logf ? logf : stderr, ctx.log_json,
		 ctx.debug ? LOG_DEBUG : LOG_INFO);

	if (version) {
		char *vargv[] = { "version", NULL };

		rc = cmd_version(&ctx, 1, vargv);
		goto out;
	}
	if (optind >= argc) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		kvmc_err(&ctx, 0, "unknown command '%s' (see 'kvmc --help')",
			 argv[optind]);
		rc = 2;
		goto out;
	}
	/* Every command's help, whatever its own option parsing. */
	if (optind + 1 < argc && (!strcmp(argv[optind + 1], "--help") ||
				  !strcmp(argv[optind + 1], "-h"))) {
		cmd_help(cmd->name, stdout);
		rc = 0;
		goto out;
	}
	log_debug("%s: root %s", cmd->name, ctx.root);
	rc = cmd->fn(&ctx, argc - optind, argv + optind);
	/* run and an attached exec return the process's status. */
	if (rc && !ctx.err[0] && strcmp(cmd->name, "run") &&
	    strcmp(cmd->name, "exec"))
		kvmc_err(&ctx, 0, "%s: failed", cmd->name);
out:
	if (fflush(stdout) && !rc) {
		kvmc_err(&ctx, errno, "writing the output: %s", strerror(errno));
		rc = 1;
	}
	if (rc && ctx.err[0])
		report(&ctx, logf);
	if (logf)
		fclose(logf);
	return rc;
}
