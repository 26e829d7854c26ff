/*
 * The OCI runtime configuration (config.json), parsed and validated once
 * into one typed structure that every command reads.  Unknown properties
 * are ignored, as the runtime spec requires; a known property of the
 * wrong type or value fails with its JSON path:
 *     config.json: process.args: expected a non-empty array of strings
 */
#ifndef KVMC_RUNTIME_OCI_H
#define KVMC_RUNTIME_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_VERSION "1.0.2"	/* the runtime-spec version kvmc implements */

/* A string list; items[n] is NULL so it can go to execve-like calls
 * (items itself is NULL when the list was absent). */
struct oci_strv {
	char **items;
	size_t n;
};

struct oci_kv {
	char *key;
	char *value;
};

struct oci_map {
	struct oci_kv *items;
	size_t n;
};

struct oci_user {
	uint32_t uid;
	uint32_t gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;		/* NULL when absent */
	int64_t umask;		/* -1 when absent */
};

struct oci_rlimit {
	char *type;		/* "RLIMIT_NOFILE" ... */
	int resource;		/* RLIMIT_NOFILE ... */
	uint64_t hard;
	uint64_t soft;
};

/* Capability sets are validated (CAP_ names) and kept for the guest. */
struct oci_caps {
	struct oci_strv bounding, effective, inheritable, permitted, ambient;
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	struct oci_user user;
	struct oci_strv args;	/* non-empty */
	struct oci_strv env;	/* each "KEY=VALUE" */
	char *cwd;		/* absolute */
	struct oci_caps caps;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile;	/* accepted, not applied: NULL when absent */
	char *selinux_label;	/* accepted, not applied */
};

struct oci_mount {
	char *destination;	/* absolute */
	char *type;		/* NULL when absent */
	char *source;		/* NULL when absent */
	struct oci_strv options;
};

struct oci_hook {
	char *path;		/* absolute */
	struct oci_strv args;
	struct oci_strv env;
	int timeout;		/* seconds, 0 = none */
};

struct oci_hooks_list {
	struct oci_hook *items;
	size_t n;
};

/* Parsed and validated; which of them kvmc runs is documented in
 * docs/cli.md (running them is create's and start's business). */
struct oci_hooks {
	struct oci_hooks_list prestart, create_runtime, create_container,
			      start_container, poststart, poststop;
};

enum oci_ns_type {
	OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_MOUNT, OCI_NS_IPC, OCI_NS_UTS,
	OCI_NS_USER, OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_COUNT
};

struct oci_namespace {
	enum oci_ns_type type;
	char *path;		/* join this one (absolute), or NULL: new */
};

struct oci_resources {
	bool has_memory_limit;
	int64_t memory_limit;	/* bytes; > 0 when has_memory_limit */
	bool has_cpu_quota;
	int64_t cpu_quota;	/* microseconds per period; > 0 when set */
	uint64_t cpu_period;	/* microseconds; 0 when absent */
	uint64_t cpu_shares;	/* 0 when absent */
	char *cpu_cpus;		/* cpuset list "0-3,6", NULL when absent */
	int64_t pids_limit;	/* tasks; 0 when absent, < 0 unlimited */
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_resources resources;
	struct oci_map sysctl;
	struct oci_strv masked_paths;	/* accepted */
	struct oci_strv readonly_paths;	/* accepted */
	char *cgroups_path;	/* accepted, NULL when absent */
	char *mount_label;	/* accepted */
	char *rootfs_propagation; /* accepted */
};

struct oci_config {
	char *oci_version;
	struct oci_process *process;	/* never NULL after oci_config_load */
	char *root_path;	/* as written in config.json */
	char *rootfs;		/* absolute: root_path resolved in the bundle */
	bool root_readonly;
	char *hostname;		/* NULL when absent */
	char *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hooks hooks;
	struct oci_map annotations;
	struct oci_linux linux_cfg;
};

/*
 * Reads BUNDLE/config.json.  0 and *out on success; otherwise a negative
 * errno and one line in err ("config.json: FIELD: what is wrong").
 */
int oci_config_load(const char *bundle, struct oci_config **out,
		    char *err, size_t errlen);
/* Same from a buffer; name prefixes errors ("config.json"). bundle resolves
 * a relative root.path and may be NULL (rootfs is then root.path). */
int oci_config_parse(const char *buf, size_t len, const char *name,
		     const char *bundle, struct oci_config **out,
		     char *err, size_t errlen);
void oci_config_free(struct oci_config *cfg);

/* A process.json of `exec --process FILE` (a bare process object); error
 * paths are relative to it ("process.json: args: ..."). */
int oci_process_load(const char *path, struct oci_process **out,
		     char *err, size_t errlen);
int oci_process_parse(const char *buf, size_t len, const char *name,
		      struct oci_process **out, char *err, size_t errlen);
void oci_process_free(struct oci_process *p);

void oci_strv_free(struct oci_strv *v);
void oci_map_free(struct oci_map *m);

/* Lookups; NULL when absent. */
const char *oci_annotation(const struct oci_config *cfg, const char *key);
const struct oci_namespace *oci_namespace_find(const struct oci_config *cfg,
					       enum oci_ns_type type);
const char *oci_ns_name(enum oci_ns_type type);
/* The capability names kvmc accepts: i = 0, 1, ... until NULL. */
const char *oci_capability_name(unsigned int i);
/* The versions `features` reports; ociVersion may be any 1.x.y. */
#define OCI_VERSION_MIN "1.0.0"
#define OCI_VERSION_MAX "1.1.0"

#endif
