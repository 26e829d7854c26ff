/* config.json: read once, validated into struct oci_config. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/fsutil.h"
#include "runtime/oci_parse.h"

#define CONFIG_MAX_BYTES (16 << 20)

/* Any 1.MINOR.PATCH[-suffix] (Docker writes "1.0.2-dev"): minor versions
 * only add properties, and unknown properties are ignored. */
static bool version_ok(const char *v)
{
	unsigned int minor;
	char rest;

	if (strncmp(v, "1.", 2))
		return false;
	return sscanf(v + 2, "%u%c", &minor, &rest) == 2 && rest == '.';
}

static int parse_mount(struct oci_parser *p, int t, const char *path,
		       void *elem)
{
	struct oci_mount *m = elem;
	int ret, arr, n;
	char sub[OCI_PATH_MAX];

	if ((ret = oci_get_path(p, t, path, "destination", true, &m->destination)) ||
	    (ret = oci_get_string(p, t, path, "type", false, &m->type)) ||
	    (ret = oci_get_string(p, t, path, "source", false, &m->source)) ||
	    (ret = oci_get_strv(p, t, path, "options", &m->options)))
		return ret;
	/* Idmapped mounts need user namespaces, which kvmc does not offer. */
	ret = oci_get_array(p, t, path, "uidMappings", &arr, &n);
	if (!ret && !n)
		ret = oci_get_array(p, t, path, "gidMappings", &arr, &n);
	if (ret)
		return ret;
	if (n) {
		oci_path(sub, path, "uidMappings");
		return oci_fail(p, sub, "id-mapped mounts are not supported");
	}
	return 0;
}

static int parse_hook(struct oci_parser *p, int t, const char *path,
		      void *elem)
{
	struct oci_hook *h = elem;
	char sub[OCI_PATH_MAX];
	bool has;
	int64_t timeout;
	int ret;

	if ((ret = oci_get_path(p, t, path, "path", true, &h->path)) ||
	    (ret = oci_get_strv(p, t, path, "args", &h->args)) ||
	    (ret = oci_get_strv(p, t, path, "env", &h->env)) ||
	    (ret = oci_get_int64(p, t, path, "timeout", &has, &timeout)))
		return ret;
	if (has && (timeout <= 0 || timeout > INT_MAX)) {
		oci_path(sub, path, "timeout");
		return oci_fail(p, sub, "expected a positive number of seconds");
	}
	h->timeout = has ? (int)timeout : 0;
	return 0;
}

static int parse_hook_list(struct oci_parser *p, int obj, const char *key,
			   struct oci_hooks_list *list)
{
	void *items;
	int ret = oci_get_object_array(p, obj, "hooks", key,
				       sizeof(*list->items), &items, &list->n,
				       parse_hook);

	list->items = items;
	return ret;
}

static int parse_mounts(struct oci_parser *p, struct oci_config *c)
{
	void *items;
	int ret = oci_get_object_array(p, 0, "", "mounts", sizeof(*c->mounts),
				       &items, &c->n_mounts, parse_mount);

	c->mounts = items;
	return ret;
}

static int parse_hooks(struct oci_parser *p, int root, struct oci_hooks *h)
{
	int t, ret;

	ret = oci_get_object(p, root, "", "hooks", false, &t);
	if (ret || t < 0)
		return ret;
	if ((ret = parse_hook_list(p, t, "prestart", &h->prestart)) ||
	    (ret = parse_hook_list(p, t, "createRuntime", &h->create_runtime)) ||
	    (ret = parse_hook_list(p, t, "createContainer",
				   &h->create_container)) ||
	    (ret = parse_hook_list(p, t, "startContainer",
				   &h->start_container)) ||
	    (ret = parse_hook_list(p, t, "poststart", &h->poststart)) ||
	    (ret = parse_hook_list(p, t, "poststop", &h->poststop)))
		return ret;
	return 0;
}

static int parse_root(struct oci_parser *p, int root, const char *bundle,
		      struct oci_config *c)
{
	int t, ret;

	ret = oci_get_object(p, root, "", "root", true, &t);
	if (!ret)
		ret = oci_get_string(p, t, "root", "path", true, &c->root_path);
	if (!ret)
		ret = oci_get_bool(p, t, "root", "readonly", &c->root_readonly);
	if (ret)
		return ret;
	if (!c->root_path[0])
		return oci_fail(p, "root.path", "expected a path, got ''");
	if (c->root_path[0] == '/' || !bundle)
		c->rootfs = strdup(c->root_path);
	else if (asprintf(&c->rootfs, "%s/%s", bundle, c->root_path) < 0)
		c->rootfs = NULL;
	return c->rootfs ? 0 : oci_nomem(p);
}

static int parse_config(struct oci_parser *p, const char *bundle,
			struct oci_config *c)
{
	int t, ret;

	if (!json_is_object(p->j, 0))
		return oci_fail(p, "", "expected a JSON object");
	ret = oci_get_string(p, 0, "", "ociVersion", true, &c->oci_version);
	if (ret)
		return ret;
	if (!version_ok(c->oci_version))
		return oci_fail(p, "ociVersion",
				"unsupported version '%s' (kvmc implements 1.x)",
				c->oci_version);
	if ((ret = parse_root(p, 0, bundle, c)))
		return ret;
	oci_member(p, 0, "", "process", &t);
	if (t < 0)
		return oci_fail(p, "process", "missing (required)");
	c->process = calloc(1, sizeof(*c->process));
	if (!c->process)
		return oci_nomem(p);
	if ((ret = oci_parse_process(p, t, "process", c->process)) ||
	    (ret = oci_get_string(p, 0, "", "hostname", false, &c->hostname)) ||
	    (ret = oci_get_string(p, 0, "", "domainname", false,
				  &c->domainname)) ||
	    (ret = parse_mounts(p, c)) ||
	    (ret = parse_hooks(p, 0, &c->hooks)) ||
	    (ret = oci_get_map(p, 0, "", "annotations", &c->annotations)))
		return ret;
	oci_member(p, 0, "", "linux", &t);
	if (t >= 0)
		return oci_parse_linux(p, t, "linux", &c->linux_cfg);
	return 0;
}

int oci_config_parse(const char *buf, size_t len, const char *name,
		     const char *bundle, struct oci_config **out,
		     char *err, size_t errlen)
{
	struct oci_parser p = { .name = name, .err = err, .errlen = errlen };
	struct oci_config *c;
	struct json j;
	int ret;

	*out = NULL;
	ret = oci_parser_open(&p, &j, buf, len);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	ret = c ? parse_config(&p, bundle, c) : oci_nomem(&p);
	json_free(&j);
	if (ret) {
		oci_config_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int oci_config_load(const char *bundle, struct oci_config **out,
		    char *err, size_t errlen)
{
	char abs[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;
	char *buf;
	size_t len;
	int ret;

	*out = NULL;
	if (!realpath(bundle, abs)) {
		ret = -errno;
		snprintf(err, errlen, "bundle %s: %s", bundle, strerror(errno));
		return ret;
	}
	snprintf(path, sizeof(path), "%s/config.json", abs);
	ret = fs_read_file(path, CONFIG_MAX_BYTES, &buf, &len);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = oci_config_parse(buf, len, "config.json", abs, out, err, errlen);
	free(buf);
	if (ret)
		return ret;
	if (stat((*out)->rootfs, &st))
		ret = -errno;
	else if (!S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	if (ret) {
		snprintf(err, errlen, "config.json: root.path: %s: %s",
			 (*out)->rootfs, strerror(-ret));
		oci_config_free(*out);
		*out = NULL;
		return ret;
	}
	return 0;
}

static void hooks_clear(struct oci_hooks_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].path);
		oci_strv_free(&l->items[i].args);
		oci_strv_free(&l->items[i].env);
	}
	free(l->items);
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	oci_process_free(c->process);
	free(c->root_path);
	free(c->rootfs);
	free(c->hostname);
	free(c->domainname);
	for (size_t i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].destination);
		free(c->mounts[i].type);
		free(c->mounts[i].source);
		oci_strv_free(&c->mounts[i].options);
	}
	free(c->mounts);
	hooks_clear(&c->hooks.prestart);
	hooks_clear(&c->hooks.create_runtime);
	hooks_clear(&c->hooks.create_container);
	hooks_clear(&c->hooks.start_container);
	hooks_clear(&c->hooks.poststart);
	hooks_clear(&c->hooks.poststop);
	oci_map_free(&c->annotations);
	oci_linux_clear(&c->linux_cfg);
	free(c);
}

int oci_process_parse(const char *buf, size_t len, const char *name,
		      struct oci_process **out, char *err, size_t errlen)
{
	struct oci_parser p = { .name = name, .err = err, .errlen = errlen };
	struct oci_process *proc;
	struct json j;
	int ret;

	*out = NULL;
	ret = oci_parser_open(&p, &j, buf, len);
	if (ret)
		return ret;
	proc = calloc(1, sizeof(*proc));
	ret = proc ? oci_parse_process(&p, 0, "", proc) : oci_nomem(&p);
	json_free(&j);
	if (ret) {
		oci_process_free(proc);
		return ret;
	}
	*out = proc;
	return 0;
}

int oci_process_load(const char *path, struct oci_process **out,
		     char *err, size_t errlen)
{
	size_t len;
	char *buf;
	int ret;

	*out = NULL;
	ret = fs_read_file(path, CONFIG_MAX_BYTES, &buf, &len);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = oci_process_parse(buf, len, path, out, err, errlen);
	free(buf);
	return ret;
}

void oci_process_free(struct oci_process *proc)
{
	if (!proc)
		return;
	oci_process_clear(proc);
	free(proc);
}

const char *oci_annotation(const struct oci_config *c, const char *key)
{
	for (size_t i = 0; i < c->annotations.n; i++)
		if (!strcmp(c->annotations.items[i].key, key))
			return c->annotations.items[i].value;
	return NULL;
}

const struct oci_namespace *oci_namespace_find(const struct oci_config *c,
					       enum oci_ns_type type)
{
	for (size_t i = 0; i < c->linux_cfg.n_namespaces; i++)
		if (c->linux_cfg.namespaces[i].type == type)
			return &c->linux_cfg.namespaces[i];
	return NULL;
}
