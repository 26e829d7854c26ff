/* `kvmc update`'s request: parsed from JSON or flags, checked against the
 * VM, turned into host cgroup writes. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/oci_parse.h"
#include "runtime/resources.h"
#include "runtime/sizing.h"
#include "runtime/units.h"

#define MIB (1ULL << 20)
#define DEFAULT_PERIOD 100000

/* An int64 that must be >= -1 (runc's "unlimited"). */
static int get_limit(struct oci_parser *p, int obj, const char *parent,
		     const char *key, int64_t *out)
{
	char path[OCI_PATH_MAX];
	bool has;
	int ret = oci_get_int64(p, obj, parent, key, &has, out);

	if (ret || !has || *out >= -1)
		return ret;
	oci_path(path, parent, key);
	return oci_fail(p, path, "%lld: expected a positive number, 0 (unchanged) or -1 (unlimited)",
			(long long)*out);
}

static int parse_memory(struct oci_parser *p, int obj, struct res_update *u)
{
	int t, ret = oci_get_object(p, obj, "", "memory", false, &t);

	if (ret || t < 0)
		return ret;
	if ((ret = get_limit(p, t, "memory", "limit", &u->mem_limit)) ||
	    (ret = get_limit(p, t, "memory", "reservation", &u->mem_reservation)) ||
	    (ret = get_limit(p, t, "memory", "swap", &u->mem_swap)) ||
	    (ret = get_limit(p, t, "memory", "kernel", &u->mem_kernel)))
		return ret;
	return get_limit(p, t, "memory", "kernelTCP", &u->mem_kernel_tcp);
}

static int check_cpuset(struct oci_parser *p, const char *path, char **list)
{
	if (*list && !**list) {
		free(*list);
		*list = NULL;
	}
	if (*list && sizing_cpuset_count(*list) <= 0)
		return oci_fail(p, path, "invalid list '%s'", *list);
	return 0;
}

static int parse_cpu(struct oci_parser *p, int obj, struct res_update *u)
{
	bool has;
	int t, ret = oci_get_object(p, obj, "", "cpu", false, &t);

	if (ret || t < 0)
		return ret;
	if ((ret = get_limit(p, t, "cpu", "quota", &u->cpu_quota)) ||
	    (ret = oci_get_uint64(p, t, "cpu", "period", &has, &u->cpu_period)) ||
	    (ret = oci_get_uint64(p, t, "cpu", "shares", &has, &u->cpu_shares)) ||
	    (ret = oci_get_int64(p, t, "cpu", "realtimeRuntime", &has,
				 &u->rt_runtime)) ||
	    (ret = oci_get_uint64(p, t, "cpu", "realtimePeriod", &has,
				  &u->rt_period)) ||
	    (ret = oci_get_string(p, t, "cpu", "cpus", false, &u->cpus)) ||
	    (ret = oci_get_string(p, t, "cpu", "mems", false, &u->mems)) ||
	    (ret = check_cpuset(p, "cpu.cpus", &u->cpus)))
		return ret;
	return check_cpuset(p, "cpu.mems", &u->mems);
}

int res_parse_json(const char *buf, size_t len, const char *name,
		   struct res_update *u, char *err, size_t errlen)
{
	struct oci_parser p = { .name = name, .err = err, .errlen = errlen };
	struct json j = { 0 };
	bool has;
	int t, n, ret;

	memset(u, 0, sizeof(*u));
	ret = oci_parser_open(&p, &j, buf, len);
	if (ret)
		return ret;
	if (!json_is_object(&j, 0)) {
		ret = oci_fail(&p, "", "expected a linux.resources object");
		goto out;
	}
	if ((ret = parse_memory(&p, 0, u)) || (ret = parse_cpu(&p, 0, u)) ||
	    (ret = oci_get_object(&p, 0, "", "pids", false, &t)) ||
	    (t >= 0 && (ret = get_limit(&p, t, "pids", "limit", &u->pids_limit))) ||
	    (ret = oci_get_object(&p, 0, "", "blockIO", false, &t)) ||
	    (t >= 0 && (ret = oci_get_uint64(&p, t, "blockIO", "weight", &has,
					     &u->blkio_weight))) ||
	    (ret = oci_get_object(&p, 0, "", "unified", false, &t)))
		goto out;
	u->has_unified = t >= 0 && json_size(&j, t) > 0;
	ret = oci_get_array(&p, 0, "", "hugepageLimits", &t, &n);
	u->has_hugepages = n > 0;
out:
	if (ret)
		res_free(u);
	json_free(&j);
	return ret;
}

enum flag_kind { F_BYTES, F_INT, F_UINT, F_LIST };

/* runc's update flags: the member each sets, and how it is read. */
static const struct {
	const char *name;
	enum flag_kind kind;
	size_t off;
	const char *want;
} flags[] = {
#define FLAG(n, k, m, w) { n, k, offsetof(struct res_update, m), w }
	FLAG("memory", F_BYTES, mem_limit, "a size (512m, 1g) or -1"),
	FLAG("memory-swap", F_BYTES, mem_swap, "a size (512m, 1g) or -1"),
	FLAG("memory-reservation", F_BYTES, mem_reservation, "a size (512m, 1g) or -1"),
	FLAG("kernel-memory", F_BYTES, mem_kernel, "a size (512m, 1g) or -1"),
	FLAG("kernel-memory-tcp", F_BYTES, mem_kernel_tcp, "a size (512m, 1g) or -1"),
	FLAG("cpu-quota", F_INT, cpu_quota, "microseconds or -1"),
	FLAG("cpu-period", F_UINT, cpu_period, "microseconds"),
	FLAG("cpu-share", F_UINT, cpu_shares, "a relative weight"),
	FLAG("cpu-rt-runtime", F_INT, rt_runtime, "microseconds or -1"),
	FLAG("cpu-rt-period", F_UINT, rt_period, "microseconds"),
	FLAG("cpuset-cpus", F_LIST, cpus, "a CPU list (0-3,6)"),
	FLAG("cpuset-mems", F_LIST, mems, "a node list (0-1)"),
	FLAG("pids-limit", F_INT, pids_limit, "a number of tasks or -1"),
	FLAG("blkio-weight", F_UINT, blkio_weight, "a weight"),
#undef FLAG
};

const char *res_flag_name(size_t i)
{
	return i < sizeof(flags) / sizeof(*flags) ? flags[i].name : NULL;
}

/* An integer of at least min. */
static int flag_int(const char *val, int64_t min, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(val, &end, 10);
	if (errno || end == val || *end || v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

static int flag_value(enum flag_kind kind, const char *val, void *dst)
{
	int64_t v;
	int ret;

	switch (kind) {
	case F_BYTES:
		if (!strcmp(val, "-1")) {
			*(int64_t *)dst = -1;
			return 0;
		}
		return units_bytes(val, dst);
	case F_INT:
		return flag_int(val, -1, dst);
	case F_UINT:
		ret = flag_int(val, 0, &v);
		if (!ret)
			*(uint64_t *)dst = (uint64_t)v;
		return ret;
	case F_LIST:
		if (*val && sizing_cpuset_count(val) <= 0)
			return -EINVAL;
		free(*(char **)dst);
		*(char **)dst = strdup(val);
		return *(char **)dst ? 0 : -ENOMEM;
	}
	return -EINVAL;
}

int res_set_flag(struct res_update *u, const char *flag, const char *val,
		 char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
		int ret;

		if (strcmp(flag, flags[i].name))
			continue;
		ret = flag_value(flags[i].kind, val, (char *)u + flags[i].off);
		if (ret == -EINVAL)
			snprintf(err, errlen, "--%s: '%s' is not %s", flag, val,
				 flags[i].want);
		return ret;
	}
	return -ENOENT;
}

static uint64_t limit_mib(int64_t bytes)
{
	return ((uint64_t)bytes + MIB - 1) / MIB;
}

static int check_memory(const struct res_update *u, const struct res_vm *vm,
			char *err, size_t errlen)
{
	int64_t now = vm->memory_limit > 0 ? vm->memory_limit : -1;

	if (!u->mem_limit || u->mem_limit == now)
		return 0;
	if (u->mem_limit > 0 && limit_mib(u->mem_limit) > vm->memory_mib)
		snprintf(err, errlen,
			 "memory.limit: %lld bytes is more than the VM's %llu MiB of RAM, which is fixed when it boots: kvmc cannot grow a VM's memory",
			 (long long)u->mem_limit,
			 (unsigned long long)vm->memory_mib);
	else if (now < 0)
		snprintf(err, errlen,
			 "memory.limit: the VM was made without a limit and its %llu MiB of RAM is fixed when it boots: kvmc cannot set a running VM's memory limit",
			 (unsigned long long)vm->memory_mib);
	else
		snprintf(err, errlen,
			 "memory.limit: the VM was made for a limit of %lld bytes and its %llu MiB of RAM is fixed when it boots: kvmc cannot %s a running VM's memory limit",
			 (long long)now, (unsigned long long)vm->memory_mib,
			 u->mem_limit < 0 ? "remove" : "lower");
	return -EINVAL;
}

static int check_cpu(const struct res_update *u, const struct res_vm *vm,
		     char *err, size_t errlen)
{
	int64_t quota = u->cpu_quota ? u->cpu_quota : vm->cur_quota;
	uint64_t period = u->cpu_period ? u->cpu_period :
			  vm->cur_period ? vm->cur_period : DEFAULT_PERIOD;
	int n;

	if ((u->cpu_quota || u->cpu_period) && quota > 0 &&
	    ((uint64_t)quota + period - 1) / period > vm->vcpus) {
		snprintf(err, errlen,
			 "cpu.quota: %lld per %llu µs is %llu CPUs, more than the VM's %u vCPUs, which are fixed when it boots: kvmc cannot add vCPUs",
			 (long long)quota, (unsigned long long)period,
			 (unsigned long long)(((uint64_t)quota + period - 1) / period),
			 vm->vcpus);
		return -EINVAL;
	}
	if (u->cpus && *u->cpus &&
	    (n = sizing_cpuset_count(u->cpus)) > (int)vm->vcpus) {
		snprintf(err, errlen,
			 "cpu.cpus: '%s' is %d CPUs, more than the VM's %u vCPUs, which are fixed when it boots: kvmc cannot add vCPUs",
			 u->cpus, n, vm->vcpus);
		return -EINVAL;
	}
	return 0;
}

int res_check(const struct res_update *u, const struct res_vm *vm,
	      char *err, size_t errlen)
{
	const char *no = NULL;

	if (u->blkio_weight)
		no = "blockIO.weight";
	else if (u->rt_runtime || u->rt_period)
		no = u->rt_runtime ? "cpu.realtimeRuntime" : "cpu.realtimePeriod";
	else if (u->has_unified)
		no = "unified";
	else if (u->has_hugepages)
		no = "hugepageLimits";
	if (no) {
		snprintf(err, errlen, "%s: not supported by kvmc (see 'update' in docs/cli.md)",
			 no);
		return -EINVAL;
	}
	if (check_memory(u, vm, err, errlen) || check_cpu(u, vm, err, errlen))
		return -EINVAL;
	return 0;
}

void res_limits(const struct res_update *u, const struct res_vm *vm,
		struct cg_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->pids_max = u->pids_limit;
	l->set_cpu_max = u->cpu_quota || u->cpu_period;
	/* A new period alone keeps the quota. */
	l->cpu_quota = u->cpu_quota ? u->cpu_quota : vm->cur_quota;
	l->cpu_period = u->cpu_period;
	l->cpu_weight = cg_shares_to_weight(u->cpu_shares);
	l->cpuset_cpus = u->cpus;
	l->cpuset_mems = u->mems;
}

bool res_applies(const struct res_update *u)
{
	return u->pids_limit || u->cpu_quota || u->cpu_period ||
	       u->cpu_shares || (u->cpus && *u->cpus) || (u->mems && *u->mems);
}

void res_free(struct res_update *u)
{
	free(u->cpus);
	free(u->mems);
	u->cpus = u->mems = NULL;
}
