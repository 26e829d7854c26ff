/* `kvmc features`: the runtime-spec "features structure", as runc prints
 * it.  It states what kvmc parses and honours; hooks and mount options
 * are omitted, which the spec defines as "unknown". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/json.h"
#include "runtime/commands.h"
#include "runtime/oci.h"

static void put_bool_obj(struct jbuf *b, const char *key, const char *member,
			 bool v)
{
	jb_key(b, key);
	jb_obj_begin(b);
	jb_key(b, member);
	jb_bool(b, v);
	jb_obj_end(b);
}

static void put_linux(struct jbuf *b)
{
	const char *name;

	jb_key(b, "linux");
	jb_obj_begin(b);
	jb_key(b, "namespaces");
	jb_arr_begin(b);
	for (int t = 0; t < OCI_NS_COUNT; t++)
		if (t != OCI_NS_USER)	/* without id mappings: see oci_linux.c */
			jb_str(b, oci_ns_name((enum oci_ns_type)t));
	jb_arr_end(b);
	jb_key(b, "capabilities");
	jb_arr_begin(b);
	for (unsigned int i = 0; (name = oci_capability_name(i)); i++)
		jb_str(b, name);
	jb_arr_end(b);
	/* The VM (VMM and shims) is placed in a cgroup v2 cgroup
	 * (runtime/cgroup.h); systemd's path form is honoured but systemd
	 * is not asked for the scope.  No host-side LSMs or seccomp apply
	 * to the container's processes. */
	jb_key(b, "cgroup");
	jb_obj_begin(b);
	jb_key(b, "v1");
	jb_bool(b, false);
	jb_key(b, "v2");
	jb_bool(b, true);
	jb_key(b, "systemd");
	jb_bool(b, false);
	jb_key(b, "systemdUser");
	jb_bool(b, false);
	jb_obj_end(b);
	put_bool_obj(b, "seccomp", "enabled", false);
	put_bool_obj(b, "apparmor", "enabled", false);
	put_bool_obj(b, "selinux", "enabled", false);
	jb_obj_end(b);
}

int cmd_features(struct kvmc_ctx *ctx, int argc, char **argv)
{
	struct jbuf b;
	char *text;
	int rc = cmd_noopts(ctx, argc, argv, 0, 0);

	if (rc >= 0)
		return rc;
	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "ociVersionMin");
	jb_str(&b, OCI_VERSION_MIN);
	jb_key(&b, "ociVersionMax");
	jb_str(&b, OCI_VERSION_MAX);
	put_linux(&b);
	jb_key(&b, "annotations");
	jb_obj_begin(&b);
	jb_key(&b, "org.kvmc.commit");
	jb_str(&b, KVMC_GITREV);
	jb_key(&b, "org.kvmc.version");
	jb_str(&b, KVMC_VERSION);
	jb_obj_end(&b);
	jb_obj_end(&b);
	text = jb_finish(&b, NULL);
	if (!text)
		return kvmc_err(ctx, ENOMEM, "out of memory"), 1;
	printf("%s\n", text);
	free(text);
	return 0;
}
