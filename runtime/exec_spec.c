/* The process of `exec`'s plain form: the container's own, with the
 * command line's args, cwd, env, user and terminal (exec.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec.h"

static int strv_dup(char *const *src, size_t n, struct oci_strv *out)
{
	char **v = calloc(n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(src[i]))) {
			struct oci_strv part = { v, i };

			oci_strv_free(&part);
			return -ENOMEM;
		}
	out->items = v;
	out->n = n;
	return 0;
}

/* Adds KEY=VALUE to env, replacing an entry with the same KEY. */
static int env_put(struct oci_strv *env, const char *kv)
{
	size_t klen = (size_t)(strchr(kv, '=') - kv) + 1;
	char *s = strdup(kv), **v;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < env->n; i++)
		if (!strncmp(env->items[i], kv, klen)) {
			free(env->items[i]);
			env->items[i] = s;
			return 0;
		}
	v = realloc(env->items, (env->n + 2) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	v[env->n++] = s;
	v[env->n] = NULL;
	env->items = v;
	return 0;
}

static int parse_id(const char *s, const char *end, uint32_t *out)
{
	unsigned long long v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* "UID" or "UID:GID", numeric (the guest resolves no names for exec). */
static int parse_user(const char *s, struct oci_user *u)
{
	const char *colon = strchr(s, ':');
	uint32_t uid, gid = 0;

	if (parse_id(s, colon ? colon : s + strlen(s), &uid) ||
	    (colon && parse_id(colon + 1, colon + 1 + strlen(colon + 1), &gid)))
		return -EINVAL;
	u->uid = uid;
	u->gid = gid;
	/* The container's user's groups are not the new user's. */
	free(u->additional_gids);
	u->additional_gids = NULL;
	u->n_additional_gids = 0;
	free(u->username);
	u->username = NULL;
	return 0;
}

int exec_spec_apply(struct oci_process *p, const struct exec_opts *o,
		    char *err, size_t errlen)
{
	struct oci_strv args = { 0 };
	char *cwd = NULL;
	size_t i;

	if (!o->n_args) {
		snprintf(err, errlen, "exec: no command given (ARGS...)");
		return -EINVAL;
	}
	if (o->cwd && o->cwd[0] != '/') {
		snprintf(err, errlen, "exec: --cwd %s: not an absolute path", o->cwd);
		return -EINVAL;
	}
	for (i = 0; i < o->n_env; i++) {
		const char *eq = strchr(o->env[i], '=');

		if (!eq || eq == o->env[i]) {
			snprintf(err, errlen, "exec: --env %s: expected KEY=VALUE",
				 o->env[i]);
			return -EINVAL;
		}
	}
	if (o->user && parse_user(o->user, &p->user)) {
		snprintf(err, errlen, "exec: --user %s: expected UID[:GID] (numbers)",
			 o->user);
		return -EINVAL;
	}
	if (strv_dup(o->args, o->n_args, &args) ||
	    (o->cwd && !(cwd = strdup(o->cwd))))
		goto nomem;
	for (i = 0; i < o->n_env; i++)
		if (env_put(&p->env, o->env[i]))
			goto nomem;
	oci_strv_free(&p->args);
	p->args = args;
	if (cwd) {
		free(p->cwd);
		p->cwd = cwd;
	}
	p->terminal = o->tty;
	return 0;
nomem:
	oci_strv_free(&args);
	free(cwd);
	snprintf(err, errlen, "exec: out of memory");
	return -ENOMEM;
}
