/* Command payloads: hyperstart's JSON, parsed into typed structures and
 * validated once, so the handlers never look at JSON. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "guest/spec_json.h"
#include "lib/rlimit.h"

static int parse_rlimits(struct spec_doc *x, int obj, struct proc_spec *p)
{
	int t = json_get(&x->j, obj, "rlimits");
	int n, i, e;
	char *type = NULL;

	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	if (!json_is_array(&x->j, t))
		return spec_fail(x, "process.rlimits: not an array");
	n = json_size(&x->j, t);
	if (n > 64)
		return spec_fail(x, "process.rlimits: too many entries");
	p->rlimits = calloc((size_t)n + 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return -ENOMEM;
	for (i = 0, e = json_first(&x->j, t); i < n;
	     i++, e = json_skip(&x->j, e)) {
		struct rlimit_spec *r = &p->rlimits[i];
		int ret;

		if (!json_is_object(&x->j, e))
			return spec_fail(x, "process.rlimits[%d]: not an object", i);
		ret = spec_req_str(x, e, "type", "process.rlimits[].", &type);
		if (ret)
			return ret;
		r->resource = rlimit_by_name(type);
		if (r->resource < 0) {
			ret = spec_fail(x, "process.rlimits[%d].type: unknown %s", i,
					type);
			free(type);
			return ret;
		}
		free(type);
		if (json_uint64(&x->j, json_get(&x->j, e, "hard"), &r->hard) ||
		    json_uint64(&x->j, json_get(&x->j, e, "soft"), &r->soft))
			return spec_fail(x, "process.rlimits[%d]: hard and soft must "
					 "be unsigned integers", i);
		if (r->soft > r->hard)
			return spec_fail(x, "process.rlimits[%d]: soft above hard", i);
		p->nrlimits++;
	}
	return 0;
}

/* envs [{env, value}] into "K=V", then PATH when absent. */
static int parse_envs(struct spec_doc *x, int obj, struct proc_spec *p)
{
	int t = json_get(&x->j, obj, "envs");
	int n = 0, i, e;
	bool have_path = false;

	if (t >= 0 && !json_is_null(&x->j, t)) {
		if (!json_is_array(&x->j, t))
			return spec_fail(x, "process.envs: not an array");
		n = json_size(&x->j, t);
	}
	if (n > SPEC_MAX_ITEMS)
		return spec_fail(x, "process.envs: more than %d elements",
				 SPEC_MAX_ITEMS);
	p->env = calloc((size_t)n + 2, sizeof(*p->env));
	if (!p->env)
		return -ENOMEM;
	for (i = 0, e = n ? json_first(&x->j, t) : 0; i < n;
	     i++, e = json_skip(&x->j, e)) {
		char *name = NULL, *value = NULL;
		int ret;

		if (!json_is_object(&x->j, e))
			return spec_fail(x, "process.envs[%d]: not an object", i);
		ret = spec_req_str(x, e, "env", "process.envs[].", &name);
		if (!ret)
			ret = spec_opt_str(x, e, "value", "process.envs[].", &value);
		if (!ret && (!*name || strchr(name, '=')))
			ret = spec_fail(x, "process.envs[%d].env: bad name \"%s\"",
					i, name);
		if (!ret && asprintf(&p->env[i], "%s=%s", name,
				     value ? value : "") < 0) {
			p->env[i] = NULL;
			ret = -ENOMEM;
		}
		if (!ret && !strcmp(name, "PATH"))
			have_path = true;
		free(name);
		free(value);
		if (ret)
			return ret;
	}
	if (!have_path && !(p->env[n] = strdup(AGENT_DEFAULT_PATH)))
		return -ENOMEM;
	return 0;
}

static int parse_process(struct spec_doc *x, int t, struct proc_spec *p)
{
	const char *w = "process.";
	uint64_t umask = 022;
	int ret;

	memset(p, 0, sizeof(*p));
	p->stdin_open = true;
	p->umask = 022;
	if (t < 0)
		return spec_fail(x, "process: missing");
	if (!json_is_object(&x->j, t))
		return spec_fail(x, "process: not an object");
	if ((ret = spec_opt_str(x, t, "id", w, &p->id)) ||
	    (ret = spec_opt_strv(x, t, "args", w, &p->args)) ||
	    (ret = spec_opt_str(x, t, "workdir", w, &p->workdir)) ||
	    (ret = spec_opt_str(x, t, "user", w, &p->user)) ||
	    (ret = spec_opt_str(x, t, "group", w, &p->group)) ||
	    (ret = spec_opt_strv(x, t, "additionalGroups", w, &p->groups)) ||
	    (ret = spec_opt_bool(x, t, "terminal", w, &p->terminal)) ||
	    (ret = spec_opt_bool(x, t, "stdin", w, &p->stdin_open)) ||
	    (ret = spec_opt_bool(x, t, "noNewPrivileges", w, &p->no_new_privs)) ||
	    (ret = spec_opt_u64(x, t, "stdio", w, &p->stdio_seq)) ||
	    (ret = spec_opt_u64(x, t, "stderr", w, &p->stderr_seq)) ||
	    (ret = spec_opt_u64(x, t, "umask", w, &umask)) ||
	    (ret = parse_envs(x, t, p)) ||
	    (ret = parse_rlimits(x, t, p)))
		return ret;
	if (p->id && !spec_valid_id(p->id))
		return spec_fail(x, "process.id: \"%s\" is not a valid id", p->id);
	if (!p->args[0])
		return spec_fail(x, "process.args: missing or empty");
	if (!p->stdio_seq)
		return spec_fail(x, "process.stdio: missing or 0");
	if (p->stderr_seq == p->stdio_seq)
		p->stderr_seq = 0;
	if (umask > 0777)
		return spec_fail(x, "process.umask: above 0777");
	p->umask = (mode_t)umask;
	if (p->workdir && p->workdir[0] != '/')
		return spec_fail(x, "process.workdir: \"%s\" is not absolute",
				 p->workdir);
	if (!p->workdir && !(p->workdir = strdup("/")))
		return -ENOMEM;
	return 0;
}

void spec_proc_free(struct proc_spec *p)
{
	free(p->id);
	strv_free(p->args);
	strv_free(p->env);
	free(p->workdir);
	free(p->user);
	free(p->group);
	strv_free(p->groups);
	free(p->rlimits);
	memset(p, 0, sizeof(*p));
}

static int parse_fsmap(struct spec_doc *x, int obj, struct container_spec *c)
{
	int t = json_get(&x->j, obj, "fsmap");
	int n, i, e, ret;

	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	if (!json_is_array(&x->j, t))
		return spec_fail(x, "fsmap: not an array");
	n = json_size(&x->j, t);
	if (n > 256)
		return spec_fail(x, "fsmap: more than 256 entries");
	c->maps = calloc((size_t)n + 1, sizeof(*c->maps));
	if (!c->maps)
		return -ENOMEM;
	for (i = 0, e = json_first(&x->j, t); i < n;
	     i++, e = json_skip(&x->j, e)) {
		struct fsmap_spec *m = &c->maps[i];

		if (!json_is_object(&x->j, e))
			return spec_fail(x, "fsmap[%d]: not an object", i);
		c->nmaps++;
		if ((ret = spec_req_str(x, e, "source", "fsmap[].", &m->source)) ||
		    (ret = spec_req_str(x, e, "path", "fsmap[].", &m->path)) ||
		    (ret = spec_opt_str(x, e, "shareTag", "fsmap[].", &m->share_tag)) ||
		    (ret = spec_opt_bool(x, e, "readOnly", "fsmap[].", &m->readonly)))
			return ret;
		if (!spec_safe_relpath(m->source))
			return spec_fail(x, "fsmap[%d].source: \"%s\" must be relative "
					 "and without ..", i, m->source);
		if (m->path[0] != '/')
			return spec_fail(x, "fsmap[%d].path: \"%s\" is not absolute",
					 i, m->path);
		if (m->share_tag && !spec_valid_id(m->share_tag))
			return spec_fail(x, "fsmap[%d].shareTag: bad tag", i);
	}
	return 0;
}

static int parse_sysctl(struct spec_doc *x, int obj, struct container_spec *c)
{
	int t = json_get(&x->j, obj, "sysctl");
	int n, i, k;

	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	if (!json_is_object(&x->j, t))
		return spec_fail(x, "sysctl: not an object");
	n = json_size(&x->j, t);
	if (n > 256)
		return spec_fail(x, "sysctl: more than 256 entries");
	c->sysctls = calloc((size_t)n + 1, sizeof(*c->sysctls));
	if (!c->sysctls)
		return -ENOMEM;
	for (i = 0, k = json_first(&x->j, t); i < n;
	     i++, k = json_skip(&x->j, k + 1)) {
		struct sysctl_spec *s = &c->sysctls[i];
		size_t len;

		c->nsysctls++;
		if (json_string(&x->j, k, &s->key) ||
		    json_string(&x->j, k + 1, &s->value))
			return spec_fail(x, "sysctl: values must be strings");
		len = strlen(s->key);
		if (!len || strspn(s->key, "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != len ||
		    s->key[0] == '.' || strstr(s->key, ".."))
			return spec_fail(x, "sysctl: bad key \"%s\"", s->key);
		for (char *p = s->key; *p; p++)
			if (*p == '.')
				*p = '/';
	}
	return 0;
}

int spec_container(const char *json, size_t len, struct container_spec *c,
		   char *err, size_t errlen)
{
	struct spec_doc x;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	if ((ret = spec_req_str(&x, 0, "id", "", &c->id)) ||
	    (ret = spec_opt_str(&x, 0, "shareDir", "", &c->share_tag)) ||
	    (ret = spec_opt_str(&x, 0, "image", "", &c->image)) ||
	    (ret = spec_opt_str(&x, 0, "rootfs", "", &c->rootfs)) ||
	    (ret = spec_opt_bool(&x, 0, "readOnly", "", &c->readonly)) ||
	    (ret = parse_fsmap(&x, 0, c)) ||
	    (ret = parse_sysctl(&x, 0, c)) ||
	    (ret = parse_process(&x, json_get(&x.j, 0, "process"), &c->proc)))
		goto out;
	if (!spec_valid_id(c->id)) {
		ret = spec_fail(&x, "id: \"%s\" is not a valid container id", c->id);
		goto out;
	}
	if (c->share_tag && !spec_valid_id(c->share_tag)) {
		ret = spec_fail(&x, "shareDir: bad 9p tag");
		goto out;
	}
	if ((c->image && !spec_safe_relpath(c->image)) ||
	    (c->rootfs && !spec_safe_relpath(c->rootfs))) {
		ret = spec_fail(&x, "image/rootfs: must be relative and without ..");
		goto out;
	}
	if (!c->proc.id && !(c->proc.id = strdup("init")))
		ret = -ENOMEM;
out:
	json_free(&x.j);
	if (ret)
		spec_container_free(c);
	return ret;
}

void spec_container_free(struct container_spec *c)
{
	int i;

	free(c->id);
	free(c->share_tag);
	free(c->image);
	free(c->rootfs);
	for (i = 0; i < c->nmaps; i++) {
		free(c->maps[i].source);
		free(c->maps[i].path);
		free(c->maps[i].share_tag);
	}
	free(c->maps);
	for (i = 0; i < c->nsysctls; i++) {
		free(c->sysctls[i].key);
		free(c->sysctls[i].value);
	}
	free(c->sysctls);
	spec_proc_free(&c->proc);
	memset(c, 0, sizeof(*c));
}

int spec_exec(const char *json, size_t len, char **container,
	      struct proc_spec *p, char *err, size_t errlen)
{
	struct spec_doc x;
	int ret;

	*container = NULL;
	memset(p, 0, sizeof(*p));
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	ret = spec_req_str(&x, 0, "container", "", container);
	if (!ret)
		ret = parse_process(&x, json_get(&x.j, 0, "process"), p);
	if (!ret && !p->id)
		ret = spec_fail(&x, "process.id: missing");
	json_free(&x.j);
	if (ret) {
		free(*container);
		*container = NULL;
		spec_proc_free(p);
	}
	return ret;
}

int spec_container_id(const char *json, size_t len, char **id, char *err,
		      size_t errlen)
{
	struct spec_doc x;
	int ret;

	*id = NULL;
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	ret = spec_req_str(&x, 0, "container", "", id);
	json_free(&x.j);
	return ret;
}

int spec_kill(const char *json, size_t len, bool signalprocess,
	      struct kill_spec *k, char *err, size_t errlen)
{
	struct spec_doc x;
	int64_t sig;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	if ((ret = spec_req_str(&x, 0, "container", "", &k->container)) ||
	    (signalprocess &&
	     (ret = spec_req_str(&x, 0, "process", "", &k->process))) ||
	    (ret = spec_opt_bool(&x, 0, "allProcesses", "", &k->all)))
		goto out;
	if (json_int64(&x.j, json_get(&x.j, 0, "signal"), &sig) ||
	    sig < 0 || sig > 64) {
		ret = spec_fail(&x, "signal: missing or not a signal number");
		goto out;
	}
	k->signal = (int)sig;
out:
	json_free(&x.j);
	if (ret)
		spec_kill_free(k);
	return ret;
}

void spec_kill_free(struct kill_spec *k)
{
	free(k->container);
	free(k->process);
	memset(k, 0, sizeof(*k));
}

int spec_winsize(const char *json, size_t len, struct winsize_spec *w,
		 char *err, size_t errlen)
{
	struct spec_doc x;
	int64_t row, col;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	if ((ret = spec_opt_str(&x, 0, "container", "", &w->container)) ||
	    (ret = spec_opt_str(&x, 0, "process", "", &w->process)) ||
	    (ret = spec_opt_u64(&x, 0, "seq", "", &w->seq)))
		goto out;
	if (!w->seq && (!w->container || !w->process)) {
		ret = spec_fail(&x, "seq, or container and process: missing");
		goto out;
	}
	if (json_int64(&x.j, json_get(&x.j, 0, "row"), &row) ||
	    json_int64(&x.j, json_get(&x.j, 0, "column"), &col) ||
	    row < 0 || row > 65535 || col < 0 || col > 65535) {
		ret = spec_fail(&x, "row/column: missing or outside 0-65535");
		goto out;
	}
	w->row = (unsigned short)row;
	w->col = (unsigned short)col;
out:
	json_free(&x.j);
	if (ret)
		spec_winsize_free(w);
	return ret;
}

void spec_winsize_free(struct winsize_spec *w)
{
	free(w->container);
	free(w->process);
	memset(w, 0, sizeof(*w));
}
