/* kvmc create: boot the container's VM and start the init's shim. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/json.h"
#include "runtime/commands.h"
#include "runtime/dns_sock.h"
#include "runtime/etcfiles.h"
#include "runtime/fsutil.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/netns.h"
#include "runtime/network.h"
#include "runtime/state.h"
#include "runtime/vm.h"
#include "runtime/vm_cgroup.h"
#include "runtime/vm_watch.h"
#include "runtime/volumes.h"

static char *startpod_json(const struct oci_config *cfg, const char *id,
			   const struct net_setup *net)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "hostname");
	jb_str(&b, cfg->hostname && *cfg->hostname ? cfg->hostname : id);
	jb_key(&b, "shareDir");
	jb_str(&b, VM_ROOTFS_TAG);
	net_startpod_json(net, &b);
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}

/* config.json's network namespace, or NULL (the container shares ours). */
static const struct oci_namespace *netns_entry(const struct oci_config *cfg)
{
	for (size_t i = 0; i < cfg->linux_cfg.n_namespaces; i++)
		if (cfg->linux_cfg.namespaces[i].type == OCI_NS_NETWORK)
			return &cfg->linux_cfg.namespaces[i];
	return NULL;
}

/*
 * The prestart and createRuntime hooks, with the state's pid a holder in
 * the container's network namespace: join (a namespace config.json names),
 * pin (a new one, made here), or ours (both NULL).
 */
static int run_create_hooks(struct kvmc_ctx *ctx, const struct oci_config *cfg,
			    struct kvmc_state *st, const char *join,
			    const char *pin)
{
	struct netns_holder h;
	struct kvmc_proc shim = st->shim;
	char err[1024], *json;
	int ret;

	if (netns_holder_start(join, pin, &h, err, sizeof(err)))
		return kvmc_err(ctx, EIO, "hooks: %s", err);
	st->shim.pid = h.pid;
	json = state_to_runc_json(st, KVMC_CREATING);
	st->shim = shim;
	if (!json) {
		netns_holder_stop(&h);
		return kvmc_err(ctx, ENOMEM, "hooks: out of memory");
	}
	ret = hooks_run(&cfg->hooks.prestart, "prestart", json, err, sizeof(err));
	if (!ret)
		ret = hooks_run(&cfg->hooks.create_runtime, "createRuntime", json,
				err, sizeof(err));
	netns_holder_stop(&h);
	free(json);
	return ret ? kvmc_err(ctx, -ret, "%s", err) : 0;
}

/*
 * NEWCONTAINER's binds, for start: the volumes' shares and the copies of
 * the bundle's /etc files (etc_share tells whether there are any).
 */
static int write_fsmap(struct kvmc_ctx *ctx, const struct oci_config *cfg,
		       const char *dir, const struct volumes *vols,
		       bool *etc_share)
{
	char path[PATH_MAX + 32], err[1024], *json;
	struct jbuf b;
	size_t len;
	int ret;

	jb_init(&b);
	jb_arr_begin(&b);
	volumes_fsmap_json(vols, &b);
	ret = etc_files_prepare(cfg, dir, &b, etc_share, err, sizeof(err));
	jb_arr_end(&b);
	json = jb_finish(&b, &len);
	if (ret) {
		free(json);
		return kvmc_err(ctx, -ret, "%s", err);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LC_FSMAP_JSON);
	ret = json ? fs_write_atomic(path, json, len, 0600) : -ENOMEM;
	free(json);
	if (ret)
		return kvmc_err(ctx, -ret, "%s: %s", path, strerror(-ret));
	return 0;
}

/* A VMM that ended during create: its watcher's line in vmm.log says how
 * (a seccomp kill above all), and the state directory is about to go. */
static void note_vmm_end(struct kvmc_ctx *ctx, const char *dir,
			 const struct kvmc_proc *vmm)
{
	char path[PATH_MAX + 32], why[512], prev[KVMC_ERR_MAX];
	int i;

	if (!vmm->pid || state_proc_alive(vmm))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, VM_LOG);
	for (i = 0; vm_watch_find(path, why, sizeof(why)); i++) {
		if (i == 20)
			return;
		usleep(50000);	/* the watcher writes as it reaps */
	}
	snprintf(prev, sizeof(prev), "%s", ctx->err);
	kvmc_err_set(ctx, EIO, "%s: %s", prev, why);
}

/* The guest's kernel and initrd, before anything is made: a missing one
 * is named with the configuration that chose it (the VMM would only fail
 * later, its reason in a log the failed create removes). */
static int check_guest_files(struct kvmc_ctx *ctx, const struct rtconfig *rc)
{
	const char *what[2] = { "kernel", "initrd" };
	const char *path[2] = { rc->kernel, rc->initrd };
	int i;

	for (i = 0; i < 2; i++)
		if (access(path[i], R_OK))
			return kvmc_err(ctx, errno, "%s: %s %s: %s",
					rc->source ? rc->source :
						     "runtime configuration (built-in defaults)",
					what[i], path[i], strerror(errno));
	return 0;
}

/* KVMC_FAULT=NAME makes the named point of create fail on purpose, for
 * the tests of what a crash there leaves (docs/faults.md). */
static bool fault_point(const char *name)
{
	const char *f = getenv("KVMC_FAULT");

	return f && !strcmp(f, name);
}

int lc_create(struct kvmc_ctx *ctx, const char *id, const char *bundle,
	      const char *pid_file, const char *console_socket, pid_t *shim)
{
	struct oci_config *cfg = NULL;
	struct rtconfig rc = { 0 };
	struct kvmc_state st = { 0 };
	struct vm_size size;
	struct volumes vols;
	struct net_setup net = { .nr_ifaces = 0 };
	const struct oci_namespace *nsent;
	struct vmcg cg = { .entered = false };
	const char *netns = NULL;
	bool net_made = false, etc_share, hooks, new_netns;
	char err[1024], dir[PATH_MAX], abs[PATH_MAX], path[PATH_MAX + 32];
	char pin[PATH_MAX + 32];
	char *json = NULL, *proc = NULL;
	int lockfd = -1, fd = -1, dns_fd = -1, ret = 1, r;
	bool made = false;
	pid_t vmm, sh = -1;
	int armfd = -1;

	if (state_validate_id(ctx, id))
		return 1;
	if (!realpath(bundle, abs)) {
		kvmc_err(ctx, errno, "--bundle %s: %s", bundle, strerror(errno));
		return 1;
	}
	if (oci_config_load(abs, &cfg, err, sizeof(err)) ||
	    rtconfig_load(abs, &rc, err, sizeof(err)) ||
	    sizing_compute(cfg, &rc, &size, err, sizeof(err)) ||
	    volumes_plan(cfg, &vols, err, sizeof(err))) {
		kvmc_err(ctx, EINVAL, "%s", err);
		goto out;
	}
	if (!cfg->process->args.n) {
		kvmc_err(ctx, EINVAL, "config.json: process.args: empty");
		goto out;
	}
	if (check_guest_files(ctx, &rc))
		goto out;
	if (state_create(ctx, id, abs, cfg->rootfs, &cfg->annotations, &st,
			 &lockfd))
		goto out;
	made = true;
	state_dir(ctx, id, dir, sizeof(dir));
	snprintf(pin, sizeof(pin), "%s/%s", dir, NETNS_PIN);
	proc = vm_process_json(cfg->process, "init", LC_INIT_STDIO,
			       cfg->process->terminal ? 0 : LC_INIT_STDERR);
	snprintf(path, sizeof(path), "%s/%s", dir, LC_PROCESS_JSON);
	if (!proc) {
		kvmc_err(ctx, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	/* A full state directory must say so, not just "failed". */
	r = fs_write_atomic(path, proc, strlen(proc), 0600);
	if (r) {
		kvmc_err(ctx, -r, "writing %s: %s", path, strerror(-r));
		goto out;
	}
	/* A new network namespace for hooks to fill (Docker's libnetwork
	 * hook); without hooks nobody would, and the guest gets loopback. */
	nsent = netns_entry(cfg);
	hooks = cfg->hooks.prestart.n || cfg->hooks.create_runtime.n;
	new_netns = nsent && !nsent->path && hooks;
	netns = new_netns ? pin : nsent ? nsent->path : NULL;
	if (netns && (state_extra_set(&st, "netns", netns) || state_save(ctx, &st)))
		goto out;
	if (hooks && run_create_hooks(ctx, cfg, &st, new_netns ? NULL : netns,
				      new_netns ? pin : NULL))
		goto out;
	/* After the hooks: dockerd's rewrites resolv.conf for its embedded
	 * DNS while it runs. */
	if (write_fsmap(ctx, cfg, dir, &vols, &etc_share))
		goto out;
	if (netns) {
		if (net_setup(netns, dir, &net, err, sizeof(err))) {
			kvmc_err(ctx, EIO, "network: %s", err);
			goto out;
		}
		net_made = true;
		/* Docker's embedded DNS answers only inside the namespace:
		 * the VMM relays the guest's queries there. */
		if (dns_relay_wanted(dir) &&
		    (dns_fd = dns_socket(netns, err, sizeof(err))) < 0) {
			kvmc_err(ctx, -dns_fd, "network: %s", err);
			goto out;
		}
	}
	/* The VMM and the shim are born in the container's cgroup. */
	if (vmcg_enter(ctx, CG_MOUNT, cfg, &size, &st, &cg))
		goto out;
	vmm = vm_launch(ctx, dir, cfg, &rc, &size, &net, dns_fd, &vols, etc_share,
			&armfd);
	net_close_fds(&net);
	if (dns_fd >= 0)
		close(dns_fd);
	dns_fd = -1;
	if (vmm < 0)
		goto out;
	/* Recorded at once, so that delete can clean up after a crash;
	 * until then the VMM's watcher kills it if we die.  The tests die
	 * here on purpose (docs/faults.md). */
	if (fault_point("create-before-record"))
		raise(SIGKILL);
	state_proc_get(vmm, &st.vmm);
	if (state_save(ctx, &st))
		goto out;
	vm_recorded(&armfd);
	fd = vm_proxy(ctx, dir, vm_boot_timeout_ms());
	if (fd < 0)
		goto out;
	json = startpod_json(cfg, id, &net);
	if (!json || vm_hyper(ctx, fd, HYPER_STARTPOD, json, vm_boot_timeout_ms()))
		goto out;
	sh = vm_shim(ctx, &rc, dir, &(struct vm_shim_opts){
		.id = id, .proc_id = "init", .stdio = LC_INIT_STDIO,
		.stderr_seq = cfg->process->terminal ? 0 : LC_INIT_STDERR,
		.terminal = cfg->process->terminal,
		.console_socket = console_socket,
		.rows = cfg->process->console_height,
		.cols = cfg->process->console_width });
	if (sh < 0)
		goto out;
	if (state_proc_get(sh, &st.shim)) {
		kvmc_err(ctx, ESRCH, "the shim exited at once (see %s/%s)", dir,
			 VM_LOG);
		goto out;
	}
	if (state_save(ctx, &st) || (pid_file && lc_write_pid_file(ctx, pid_file, sh)))
		goto out;
	if (shim)
		*shim = sh;
	ret = 0;
out:
	vmcg_leave(&cg);
	if (ret && made) {
		note_vmm_end(ctx, dir, &st.vmm);
		state_proc_signal(&st.vmm, SIGKILL);
		if (sh > 0)
			kill(sh, SIGKILL);
		if (net_made)
			net_teardown(netns, dir, err, sizeof(err));
		netns_unpin(pin);
		vmcg_remove(ctx, &st);
		state_remove(ctx, id);
	}
	if (armfd >= 0)		/* not recorded: the watcher kills the VMM */
		close(armfd);
	if (fd >= 0)
		close(fd);
	if (dns_fd >= 0)
		close(dns_fd);
	if (lockfd >= 0)
		state_unlock(lockfd);
	free(json);
	free(proc);
	state_free(&st);
	rtconfig_free(&rc);
	oci_config_free(cfg);
	return ret;
}

int cmd_create(struct kvmc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'n' },
		{ "no-new-keyring", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".", *pid_file = NULL, *console = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bundle = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'c': console = optarg; break;
		case 'n': case 'k': break;
		case 'h':
			cmd_help(argv[0], stdout);
			return 0;
		default:
			return cmd_bad_option(ctx, argv, c);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, argv[0], "expects exactly one container ID");
	return lc_create(ctx, argv[optind], bundle, pid_file, console, NULL);
}
