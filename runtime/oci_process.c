/* config.json's "process" (also a whole process.json for exec). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/rlimit.h"
#include "runtime/oci_parse.h"

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

#define NCAPS (sizeof(cap_names) / sizeof(cap_names[0]))

const char *oci_capability_name(unsigned int i)
{
	return i < NCAPS ? cap_names[i] : NULL;
}

static int parse_caps(struct oci_parser *p, int obj, const char *path,
		      struct oci_caps *caps)
{
	static const char *const sets[] = {
		"bounding", "effective", "inheritable", "permitted", "ambient",
	};
	struct oci_strv *dst[] = {
		&caps->bounding, &caps->effective, &caps->inheritable,
		&caps->permitted, &caps->ambient,
	};
	char sub[OCI_PATH_MAX];
	int t, ret;

	ret = oci_get_object(p, obj, path, "capabilities", false, &t);
	if (ret || t < 0)
		return ret;
	oci_path(sub, path, "capabilities");
	for (size_t s = 0; s < 5; s++) {
		char set[OCI_PATH_MAX];

		ret = oci_get_strv(p, t, sub, sets[s], dst[s]);
		if (ret)
			return ret;
		oci_path(set, sub, sets[s]);
		for (size_t i = 0; i < dst[s]->n; i++) {
			size_t c;

			for (c = 0; c < NCAPS; c++)
				if (!strcmp(dst[s]->items[i], cap_names[c]))
					break;
			if (c == NCAPS)
				return oci_fail(p, set, "unknown capability '%s'",
						dst[s]->items[i]);
		}
	}
	return 0;
}

static int parse_rlimit(struct oci_parser *p, int t, const char *path,
			void *elem)
{
	struct oci_rlimit *rl = elem;
	bool has_soft, has_hard;
	char sub[OCI_PATH_MAX];
	int ret;

	ret = oci_get_string(p, t, path, "type", true, &rl->type);
	if (ret)
		return ret;
	oci_path(sub, path, "type");
	rl->resource = rlimit_by_name(rl->type);
	if (rl->resource < 0)
		return oci_fail(p, sub, "unknown resource limit '%s'", rl->type);
	ret = oci_get_uint64(p, t, path, "soft", &has_soft, &rl->soft);
	if (!ret)
		ret = oci_get_uint64(p, t, path, "hard", &has_hard, &rl->hard);
	if (ret)
		return ret;
	if (!has_soft || !has_hard) {
		oci_path(sub, path, has_soft ? "hard" : "soft");
		return oci_fail(p, sub, "missing (required)");
	}
	if (rl->soft > rl->hard) {
		oci_path(sub, path, "soft");
		return oci_fail(p, sub, "above the hard limit");
	}
	return 0;
}

static int parse_rlimits(struct oci_parser *p, int obj, const char *path,
			 struct oci_process *proc)
{
	char sub[OCI_PATH_MAX], el[OCI_PATH_MAX];
	void *items;
	int ret;

	ret = oci_get_object_array(p, obj, path, "rlimits",
				   sizeof(*proc->rlimits), &items,
				   &proc->n_rlimits, parse_rlimit);
	proc->rlimits = items;
	if (ret)
		return ret;
	oci_path(sub, path, "rlimits");
	for (size_t i = 1; i < proc->n_rlimits; i++)
		for (size_t k = 0; k < i; k++)
			if (proc->rlimits[k].resource == proc->rlimits[i].resource) {
				oci_path_index(el, sub, i);
				return oci_fail(p, el, "%s set twice",
						proc->rlimits[i].type);
			}
	return 0;
}

static int parse_user(struct oci_parser *p, int obj, const char *path,
		      struct oci_user *u)
{
	char sub[OCI_PATH_MAX], el[OCI_PATH_MAX];
	bool has_umask;
	uint64_t umask;
	int t, n, k, ret;

	u->umask = -1;
	ret = oci_get_object(p, obj, path, "user", false, &t);
	if (ret || t < 0)
		return ret;
	oci_path(sub, path, "user");
	if ((ret = oci_get_u32(p, t, sub, "uid", true, &u->uid)) ||
	    (ret = oci_get_u32(p, t, sub, "gid", true, &u->gid)) ||
	    (ret = oci_get_string(p, t, sub, "username", false, &u->username)) ||
	    (ret = oci_get_uint64(p, t, sub, "umask", &has_umask, &umask)))
		return ret;
	if (has_umask && umask > 0777) {
		oci_path(el, sub, "umask");
		return oci_fail(p, el, "expected a mode from 0 to 0777");
	}
	if (has_umask)
		u->umask = (int64_t)umask;
	ret = oci_get_array(p, t, sub, "additionalGids", &k, &n);
	if (ret || k < 0 || !n)
		return ret;
	u->additional_gids = calloc((size_t)n, sizeof(*u->additional_gids));
	if (!u->additional_gids)
		return oci_nomem(p);
	oci_path(el, sub, "additionalGids");
	for (k = json_first(p->j, k); u->n_additional_gids < (size_t)n;
	     k = json_skip(p->j, k)) {
		uint64_t v;

		if (json_uint64(p->j, k, &v) || v > UINT32_MAX)
			return oci_fail(p, el, "expected an array of group ids");
		u->additional_gids[u->n_additional_gids++] = (uint32_t)v;
	}
	return 0;
}

static int parse_console(struct oci_parser *p, int obj, const char *path,
			 struct oci_process *proc)
{
	char sub[OCI_PATH_MAX];
	int t, ret;

	ret = oci_get_object(p, obj, path, "consoleSize", false, &t);
	if (ret || t < 0)
		return ret;
	oci_path(sub, path, "consoleSize");
	proc->has_console_size = true;
	ret = oci_get_u32(p, t, sub, "height", true, &proc->console_height);
	if (!ret)
		ret = oci_get_u32(p, t, sub, "width", true, &proc->console_width);
	return ret;
}

static int check_env(struct oci_parser *p, const char *path,
		     const struct oci_strv *env)
{
	char sub[OCI_PATH_MAX];

	for (size_t i = 0; i < env->n; i++) {
		const char *eq = strchr(env->items[i], '=');

		if (!eq || eq == env->items[i]) {
			oci_path_index(sub, path, i);
			return oci_fail(p, sub, "expected KEY=VALUE, got '%s'",
					env->items[i]);
		}
	}
	return 0;
}

int oci_parse_process(struct oci_parser *p, int tok, const char *path,
		      struct oci_process *proc)
{
	char sub[OCI_PATH_MAX];
	bool has_oom;
	int64_t oom = 0;
	int ret;

	proc->user.umask = -1;
	if (!json_is_object(p->j, tok))
		return oci_fail(p, path, "expected an object");
	if ((ret = oci_get_bool(p, tok, path, "terminal", &proc->terminal)) ||
	    (ret = parse_console(p, tok, path, proc)) ||
	    (ret = parse_user(p, tok, path, &proc->user)) ||
	    (ret = oci_get_strv(p, tok, path, "args", &proc->args)))
		return ret;
	if (!proc->args.n) {
		oci_path(sub, path, "args");
		return oci_fail(p, sub, "expected a non-empty array of strings");
	}
	if ((ret = oci_get_strv(p, tok, path, "env", &proc->env)))
		return ret;
	oci_path(sub, path, "env");
	if ((ret = check_env(p, sub, &proc->env)) ||
	    (ret = oci_get_path(p, tok, path, "cwd", true, &proc->cwd)) ||
	    (ret = parse_caps(p, tok, path, &proc->caps)) ||
	    (ret = parse_rlimits(p, tok, path, proc)) ||
	    (ret = oci_get_bool(p, tok, path, "noNewPrivileges",
				&proc->no_new_privileges)) ||
	    (ret = oci_get_string(p, tok, path, "apparmorProfile", false,
				  &proc->apparmor_profile)) ||
	    (ret = oci_get_string(p, tok, path, "selinuxLabel", false,
				  &proc->selinux_label)) ||
	    (ret = oci_get_int64(p, tok, path, "oomScoreAdj", &has_oom, &oom)))
		return ret;
	if (has_oom && (oom < -1000 || oom > 1000)) {
		oci_path(sub, path, "oomScoreAdj");
		return oci_fail(p, sub, "expected an integer from -1000 to 1000");
	}
	proc->has_oom_score_adj = has_oom;
	proc->oom_score_adj = (int)oom;
	return 0;
}

void oci_process_clear(struct oci_process *proc)
{
	struct oci_strv *caps[] = {
		&proc->caps.bounding, &proc->caps.effective,
		&proc->caps.inheritable, &proc->caps.permitted,
		&proc->caps.ambient,
	};

	free(proc->user.additional_gids);
	free(proc->user.username);
	oci_strv_free(&proc->args);
	oci_strv_free(&proc->env);
	free(proc->cwd);
	for (size_t i = 0; i < 5; i++)
		oci_strv_free(caps[i]);
	for (size_t i = 0; i < proc->n_rlimits; i++)
		free(proc->rlimits[i].type);
	free(proc->rlimits);
	free(proc->apparmor_profile);
	free(proc->selinux_label);
	memset(proc, 0, sizeof(*proc));
}
