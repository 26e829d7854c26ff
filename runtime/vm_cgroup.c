/* The container's host cgroup for create, delete, events and update. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/vm_cgroup.h"

#define REMOVE_WAIT_MS	5000

void vmcg_limits(const struct oci_resources *r, struct cg_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->pids_max = r->pids_limit > 0 ? r->pids_limit : 0;
	l->set_cpu_max = r->has_cpu_quota;
	l->cpu_quota = r->cpu_quota;
	l->cpu_period = r->cpu_period;
	l->cpu_weight = cg_shares_to_weight(r->cpu_shares);
	l->cpuset_cpus = r->cpu_cpus;
}

static int set_num(struct kvmc_state *st, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return state_extra_set(st, key, num);
}

int vmcg_record_size(struct kvmc_state *st, const struct oci_resources *r,
		     const struct vm_size *size)
{
	if (set_num(st, VMCG_MEM_MIB, size->memory_mib) ||
	    set_num(st, VMCG_VCPUS, size->vcpus) ||
	    set_num(st, VMCG_MEM_LIMIT,
		    r->has_memory_limit ? (uint64_t)r->memory_limit : 0))
		return -ENOMEM;
	return 0;
}

static uint64_t get_num(const struct kvmc_state *st, const char *key)
{
	const char *s = state_extra_get(st, key);

	return s ? strtoull(s, NULL, 10) : 0;
}

const char *vmcg_dir(const struct kvmc_state *st)
{
	const char *d = state_extra_get(st, VMCG_DIR);

	return d && *d ? d : NULL;
}

void vmcg_vm(const struct kvmc_state *st, struct res_vm *vm)
{
	uint64_t lim = get_num(st, VMCG_MEM_LIMIT);
	const char *dir = vmcg_dir(st);

	memset(vm, 0, sizeof(*vm));
	vm->memory_limit = lim > INT64_MAX ? INT64_MAX : (int64_t)lim;
	vm->memory_mib = get_num(st, VMCG_MEM_MIB);
	vm->vcpus = (unsigned int)get_num(st, VMCG_VCPUS);
	vm->cur_quota = -1;
	if (dir && cg_cpu_max(dir, &vm->cur_quota, &vm->cur_period)) {
		vm->cur_quota = -1;
		vm->cur_period = 0;
	}
}

/* The caller's own cgroup directory below root, into cg->home. */
static int set_home(const char *root, struct vmcg *cg)
{
	char own[PATH_MAX];
	int ret = cg_self(own, sizeof(own));

	if (!ret && snprintf(cg->home, sizeof(cg->home), "%s%s", root,
			     strcmp(own, "/") ? own : "") >= (int)sizeof(cg->home))
		ret = -ENAMETOOLONG;
	return ret;
}

int vmcg_enter(struct kvmc_ctx *ctx, const char *root,
	       const struct oci_config *cfg, const struct vm_size *size,
	       struct kvmc_state *st, struct vmcg *cg)
{
	char own[PATH_MAX], err[PATH_MAX + 256];
	struct cg_limits l;
	bool made = false;
	int ret;

	memset(cg, 0, sizeof(*cg));
	if (vmcg_record_size(st, &cfg->linux_cfg.resources, size)) {
		kvmc_err(ctx, ENOMEM, "out of memory");
		return 1;
	}
	/* The real mount must be cgroup2; a test directory stands in as is. */
	if (!strcmp(root, CG_MOUNT) && !cg_is_unified(root)) {
		log_warn("%s is not cgroup v2: the VM of %s is left in kvmc's cgroup, linux.cgroupsPath and the host-side limits are not applied",
			 root, st->id);
		return state_save(ctx, st) ? 1 : 0;
	}
	if (cg_self(own, sizeof(own))) {
		log_warn("no cgroup v2 membership in /proc/self/cgroup: the VM of %s is left in kvmc's cgroup",
			 st->id);
		return state_save(ctx, st) ? 1 : 0;
	}
	if (cg_resolve(root, own, cfg->linux_cfg.cgroups_path,
		       ctx->systemd_cgroup, st->id, cg->dir, sizeof(cg->dir),
		       err, sizeof(err))) {
		kvmc_err(ctx, EINVAL, "config.json: %s", err);
		goto fail;
	}
	if (set_home(root, cg)) {
		kvmc_err(ctx, ENAMETOOLONG, "cgroup %s%s: path too long", root, own);
		goto fail;
	}
	if (cg_make(root, cg->dir, &made, err, sizeof(err))) {
		kvmc_err(ctx, EIO, "%s", err);
		goto fail;
	}
	/* Recorded before anything runs in it, so that delete finds it. */
	if (state_extra_set(st, VMCG_DIR, cg->dir) ||
	    state_extra_set(st, VMCG_OWNED, made ? "1" : "0") ||
	    state_save(ctx, st))
		goto fail;
	vmcg_limits(&cfg->linux_cfg.resources, &l);
	if (cg_apply(cg->dir, &l, err, sizeof(err))) {
		kvmc_err(ctx, EIO, "config.json: linux.resources: %s", err);
		goto fail;
	}
	ret = cg_attach(cg->dir, 0);
	if (ret) {
		kvmc_err(ctx, -ret, "cgroup %s: cannot move into it: %s", cg->dir,
			 strerror(-ret));
		goto fail;
	}
	cg->entered = true;
	return 0;
fail:
	if (made)
		rmdir(cg->dir);
	cg->dir[0] = '\0';
	return 1;
}

int vmcg_join(struct kvmc_ctx *ctx, const char *root,
	      const struct kvmc_state *st, struct vmcg *cg)
{
	const char *dir = vmcg_dir(st);
	int ret;

	memset(cg, 0, sizeof(*cg));
	if (!dir)
		return 0;
	snprintf(cg->dir, sizeof(cg->dir), "%s", dir);
	ret = set_home(root, cg);
	if (!ret)
		ret = cg_attach(cg->dir, 0);
	if (ret) {
		kvmc_err(ctx, -ret, "cgroup %s: cannot move into it: %s", cg->dir,
			 strerror(-ret));
		return 1;
	}
	cg->entered = true;
	return 0;
}

void vmcg_leave(struct vmcg *cg)
{
	int ret;

	if (!cg->entered)
		return;
	ret = cg_attach(cg->home, 0);
	if (ret)
		log_warn("cgroup %s: cannot move back into it: %s", cg->home,
			 strerror(-ret));
	cg->entered = false;
}

int vmcg_remove(struct kvmc_ctx *ctx, const struct kvmc_state *st)
{
	const char *dir = vmcg_dir(st), *owned = state_extra_get(st, VMCG_OWNED);
	int ret;

	if (!dir || !owned || strcmp(owned, "1"))
		return 0;
	ret = cg_remove(dir, REMOVE_WAIT_MS, true);
	if (ret) {
		kvmc_err(ctx, -ret, "cgroup %s: cannot remove it: %s", dir,
			 strerror(-ret));
		return 1;
	}
	return 0;
}
