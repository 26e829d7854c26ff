/* kvmc events: runc's statistics and OOM events of a container, read from
 * its host cgroup (docs/cli.md, "events", says where each number comes
 * from).  --stats prints one sample; otherwise a sample every --interval
 * and an OOM event whenever memory.events counts a new OOM kill, until
 * the container stops. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup_stats.h"
#include "runtime/commands.h"
#include "runtime/units.h"
#include "runtime/vm_cgroup.h"

#define DEFAULT_INTERVAL_NS	5000000000ULL
#define MIB (1ULL << 20)

struct watch {
	const char *id, *dir;
	uint64_t guest_ram, ooms;
	int fds[3];		/* inotify on memory.events, the shim's and the VMM's pidfds */
	int nfds;
};

static int print_line(struct kvmc_ctx *ctx, char *line)
{
	int ret = line && printf("%s\n", line) > 0 && !fflush(stdout) ? 0 : -EIO;

	free(line);
	if (ret)
		kvmc_err(ctx, EIO, "events: cannot write to stdout");
	return ret;
}

static int print_stats(struct kvmc_ctx *ctx, struct watch *w)
{
	struct cg_stats s;
	int ret = cg_stats_read(w->dir, &s);

	if (ret)
		return kvmc_err(ctx, -ret, "events: cgroup %s: %s", w->dir,
				strerror(-ret));
	return print_line(ctx, cg_stats_json(w->id, &s, w->guest_ram));
}

/* One OOM event per wake-up that saw memory.events' oom_kill grow. */
static int check_oom(struct kvmc_ctx *ctx, struct watch *w)
{
	struct cg_stats s;

	if (cg_stats_read(w->dir, &s) || s.oom_kill <= w->ooms)
		return 0;
	w->ooms = s.oom_kill;
	return print_line(ctx, cg_oom_json(w->id));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void watch_open(struct watch *w, const struct kvmc_state *st)
{
	char path[PATH_MAX + 16];
	const struct kvmc_proc *procs[] = { &st->shim, &st->vmm };
	int fd;

	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	snprintf(path, sizeof(path), "%s/memory.events", w->dir);
	if (fd >= 0 && inotify_add_watch(fd, path, IN_MODIFY) >= 0)
		w->fds[w->nfds++] = fd;
	else if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < 2; i++) {
		/* A pidfd polls readable when its process ends. */
		fd = (int)syscall(SYS_pidfd_open, procs[i]->pid, 0);
		if (fd >= 0)
			w->fds[w->nfds++] = fd;
	}
}

static int follow(struct kvmc_ctx *ctx, struct watch *w,
		  const struct kvmc_state *st, uint64_t interval)
{
	uint64_t next = now_ns() + interval;
	struct pollfd pfd[3];
	char buf[4096];
	int ret = 0;

	watch_open(w, st);
	/* pidfd_open itself may have raced with the end: look once more. */
	while (!ret && state_proc_alive(&st->shim) && state_proc_alive(&st->vmm)) {
		uint64_t now = now_ns();
		/* At least once a second, for when a pidfd was not available. */
		uint64_t wait = next > now ? next - now : 0;
		int i;

		if (wait > 1000000000ULL)
			wait = 1000000000ULL;
		for (i = 0; i < w->nfds; i++)
			pfd[i] = (struct pollfd){ .fd = w->fds[i], .events = POLLIN };
		if (poll(pfd, (nfds_t)w->nfds, (int)((wait + 999999) / 1000000)) > 0 &&
		    (pfd[0].revents & POLLIN))
			while (read(w->fds[0], buf, sizeof(buf)) > 0)
				;
		ret = check_oom(ctx, w);
		if (!ret && now_ns() >= next) {
			ret = print_stats(ctx, w);
			next += interval;
			if (next < now_ns())
				next = now_ns() + interval;
		}
	}
	/* An OOM kill may be what ended it. */
	if (!ret)
		ret = check_oom(ctx, w);
	for (int i = 0; i < w->nfds; i++)
		close(w->fds[i]);
	return ret;
}

int cmd_events(struct kvmc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kvmc_state st = { 0 };
	struct watch w = { .nfds = 0 };
	uint64_t interval = DEFAULT_INTERVAL_NS;
	bool once = false;
	struct cg_stats s;
	struct res_vm vm;
	int c, ret = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': once = true; break;
		case 'i':
			if (units_duration_ns(optarg, &interval) || !interval)
				return cmd_usage_error(ctx, argv[0],
					"--interval: '%s' is not a duration above 0 (5s, 500ms, 1m30s)",
					optarg);
			break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, argv[0], "expects exactly one container ID");
	w.id = argv[optind];
	if (state_validate_id(ctx, w.id) || state_load(ctx, w.id, &st) ||
	    state_expect(ctx, &st, state_status(&st),
			 KVMC_ST(KVMC_CREATED) | KVMC_ST(KVMC_RUNNING) |
			 KVMC_ST(KVMC_PAUSED), "events"))
		goto out;
	w.dir = vmcg_dir(&st);
	if (!w.dir) {
		kvmc_err(ctx, ENOENT,
			 "events: container \"%s\" has no cgroup: create found no cgroup v2 at %s",
			 w.id, CG_MOUNT);
		goto out;
	}
	vmcg_vm(&st, &vm);
	w.guest_ram = vm.memory_mib * MIB;
	if (once) {
		ret = print_stats(ctx, &w) ? 1 : 0;
		goto out;
	}
	/* OOM kills from before we started are not news. */
	if (!cg_stats_read(w.dir, &s))
		w.ooms = s.oom_kill;
	ret = follow(ctx, &w, &st, interval) ? 1 : 0;
out:
	state_free(&st);
	return ret;
}
