/* config.json's "linux": namespaces, the resources kvmc sizes the VM by,
 * sysctls; what is only meaningful for a host container is accepted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/oci_parse.h"
#include "runtime/sizing.h"

static const char *const ns_names[OCI_NS_COUNT] = {
	[OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "network",
	[OCI_NS_MOUNT] = "mount", [OCI_NS_IPC] = "ipc", [OCI_NS_UTS] = "uts",
	[OCI_NS_USER] = "user", [OCI_NS_CGROUP] = "cgroup",
	[OCI_NS_TIME] = "time",
};

const char *oci_ns_name(enum oci_ns_type type)
{
	return (unsigned int)type < OCI_NS_COUNT ? ns_names[type] : NULL;
}

static int parse_namespace(struct oci_parser *p, int t, const char *path,
			   void *elem)
{
	struct oci_namespace *ns = elem;
	char sub[OCI_PATH_MAX];
	char *type = NULL;
	int i, ret;

	ret = oci_get_string(p, t, path, "type", true, &type);
	if (ret)
		return ret;
	for (i = 0; i < OCI_NS_COUNT; i++)
		if (!strcmp(type, ns_names[i]))
			break;
	oci_path(sub, path, "type");
	if (i == OCI_NS_COUNT)
		ret = oci_fail(p, sub, "unknown namespace type '%s'", type);
	else if (i == OCI_NS_USER)
		/* Ids are mapped nowhere: the VM, not a user namespace, is
		 * what separates the container from the host. */
		ret = oci_fail(p, sub, "user namespaces are not supported");
	free(type);
	if (ret)
		return ret;
	ns->type = (enum oci_ns_type)i;
	return oci_get_path(p, t, path, "path", false, &ns->path);
}

static int parse_namespaces(struct oci_parser *p, int obj, const char *path,
			    struct oci_linux *lx)
{
	char sub[OCI_PATH_MAX], el[OCI_PATH_MAX];
	void *items;
	int ret;

	ret = oci_get_object_array(p, obj, path, "namespaces",
				   sizeof(*lx->namespaces), &items,
				   &lx->n_namespaces, parse_namespace);
	lx->namespaces = items;
	if (ret)
		return ret;
	oci_path(sub, path, "namespaces");
	for (size_t i = 1; i < lx->n_namespaces; i++)
		for (size_t k = 0; k < i; k++)
			if (lx->namespaces[k].type == lx->namespaces[i].type) {
				oci_path_index(el, sub, i);
				return oci_fail(p, el, "%s namespace listed twice",
						ns_names[lx->namespaces[i].type]);
			}
	return 0;
}

static int refuse_mappings(struct oci_parser *p, int obj, const char *path,
			   const char *key)
{
	char sub[OCI_PATH_MAX];
	int t, n, ret;

	ret = oci_get_array(p, obj, path, key, &t, &n);
	if (ret || !n)
		return ret;
	oci_path(sub, path, key);
	return oci_fail(p, sub, "id mappings are not supported");
}

static int parse_memory(struct oci_parser *p, int obj, const char *path,
			struct oci_resources *r)
{
	char sub[OCI_PATH_MAX], lim[OCI_PATH_MAX];
	bool has;
	int64_t v;
	int t, ret;

	ret = oci_get_object(p, obj, path, "memory", false, &t);
	if (ret || t < 0)
		return ret;
	oci_path(sub, path, "memory");
	ret = oci_get_int64(p, t, sub, "limit", &has, &v);
	if (ret || !has)
		return ret;
	/* -1 is runc's "unlimited"; 0 is what an unset Go field encodes. */
	if (v == -1 || v == 0)
		return 0;
	if (v < 0) {
		oci_path(lim, sub, "limit");
		return oci_fail(p, lim, "expected a positive number of bytes or -1");
	}
	r->has_memory_limit = true;
	r->memory_limit = v;
	return 0;
}

static int parse_cpu(struct oci_parser *p, int obj, const char *path,
		     struct oci_resources *r)
{
	char sub[OCI_PATH_MAX], el[OCI_PATH_MAX];
	bool has_quota, has;
	int64_t quota;
	int t, ret;

	ret = oci_get_object(p, obj, path, "cpu", false, &t);
	if (ret || t < 0)
		return ret;
	oci_path(sub, path, "cpu");
	if ((ret = oci_get_int64(p, t, sub, "quota", &has_quota, &quota)) ||
	    (ret = oci_get_uint64(p, t, sub, "period", &has, &r->cpu_period)) ||
	    (ret = oci_get_uint64(p, t, sub, "shares", &has, &r->cpu_shares)) ||
	    (ret = oci_get_string(p, t, sub, "cpus", false, &r->cpu_cpus)))
		return ret;
	if (has_quota && quota > 0) {
		r->has_cpu_quota = true;
		r->cpu_quota = quota;
	} else if (has_quota && quota < -1) {
		oci_path(el, sub, "quota");
		return oci_fail(p, el, "expected a positive number of microseconds or -1");
	}
	if (r->cpu_cpus && !r->cpu_cpus[0]) {
		free(r->cpu_cpus);
		r->cpu_cpus = NULL;
	}
	if (r->cpu_cpus && sizing_cpuset_count(r->cpu_cpus) <= 0) {
		oci_path(el, sub, "cpus");
		return oci_fail(p, el, "invalid CPU list '%s'", r->cpu_cpus);
	}
	return 0;
}

static int parse_pids(struct oci_parser *p, int obj, const char *path,
		      struct oci_resources *r)
{
	char sub[OCI_PATH_MAX];
	bool has;
	int t, ret;

	ret = oci_get_object(p, obj, path, "pids", false, &t);
	if (ret || t < 0)
		return ret;
	oci_path(sub, path, "pids");
	return oci_get_int64(p, t, sub, "limit", &has, &r->pids_limit);
}

static int parse_resources(struct oci_parser *p, int obj, const char *path,
			   struct oci_resources *r)
{
	char sub[OCI_PATH_MAX];
	int t, ret;

	ret = oci_get_object(p, obj, path, "resources", false, &t);
	if (ret || t < 0)
		return ret;
	oci_path(sub, path, "resources");
	ret = parse_memory(p, t, sub, r);
	if (!ret)
		ret = parse_cpu(p, t, sub, r);
	if (!ret)
		ret = parse_pids(p, t, sub, r);
	return ret;
}

int oci_parse_linux(struct oci_parser *p, int tok, const char *path,
		    struct oci_linux *lx)
{
	int ret;

	if (!json_is_object(p->j, tok))
		return oci_fail(p, path, "expected an object");
	if ((ret = parse_namespaces(p, tok, path, lx)) ||
	    (ret = refuse_mappings(p, tok, path, "uidMappings")) ||
	    (ret = refuse_mappings(p, tok, path, "gidMappings")) ||
	    (ret = parse_resources(p, tok, path, &lx->resources)) ||
	    (ret = oci_get_map(p, tok, path, "sysctl", &lx->sysctl)) ||
	    (ret = oci_get_strv(p, tok, path, "maskedPaths", &lx->masked_paths)) ||
	    (ret = oci_get_strv(p, tok, path, "readonlyPaths",
				&lx->readonly_paths)) ||
	    (ret = oci_get_string(p, tok, path, "cgroupsPath", false,
				  &lx->cgroups_path)) ||
	    (ret = oci_get_string(p, tok, path, "mountLabel", false,
				  &lx->mount_label)) ||
	    (ret = oci_get_string(p, tok, path, "rootfsPropagation", false,
				  &lx->rootfs_propagation)))
		return ret;
	return 0;
}

void oci_linux_clear(struct oci_linux *lx)
{
	for (size_t i = 0; i < lx->n_namespaces; i++)
		free(lx->namespaces[i].path);
	free(lx->namespaces);
	free(lx->resources.cpu_cpus);
	oci_map_free(&lx->sysctl);
	oci_strv_free(&lx->masked_paths);
	oci_strv_free(&lx->readonly_paths);
	free(lx->cgroups_path);
	free(lx->mount_label);
	free(lx->rootfs_propagation);
	memset(lx, 0, sizeof(*lx));
}
