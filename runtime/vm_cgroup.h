/*
 * The container's host cgroup across the lifecycle commands.  create
 * makes it (runtime/cgroup.h says where), writes config.json's host-side
 * limits, records it in state.json's kvmc settings and moves itself in
 * while it starts the VMM and the init's shim, which are therefore born
 * in it (nothing they allocate is charged elsewhere); then it moves back.
 * delete removes it once the VM is gone; events and update read it.
 */
#ifndef KVMC_RUNTIME_VM_CGROUP_H
#define KVMC_RUNTIME_VM_CGROUP_H

#include <limits.h>
#include <stdbool.h>

#include "runtime/cgroup.h"
#include "runtime/ctx.h"
#include "runtime/oci.h"
#include "runtime/resources.h"
#include "runtime/sizing.h"
#include "runtime/state.h"

/* state.json "kvmc" keys */
#define VMCG_DIR	"cgroup"	/* the cgroup's directory */
#define VMCG_OWNED	"cgroup.owned"	/* "1": made by create, delete removes it */
#define VMCG_MEM_MIB	"vm.memoryMiB"	/* guest RAM */
#define VMCG_VCPUS	"vm.vcpus"
#define VMCG_MEM_LIMIT	"vm.memoryLimit"	/* config.json's, bytes, 0: none */

struct vmcg {
	char dir[PATH_MAX];	/* "" when the container has no cgroup */
	char home[PATH_MAX];	/* the caller's own cgroup directory */
	bool entered;
};

/*
 * create, after state_create: records the VM's size in st; on a cgroup v2
 * host, makes the container's
 * cgroup below root, applies cfg's limits, records it in st and saves st,
 * then moves the caller in.  When root is CG_MOUNT and not cgroup v2 (v1
 * or hybrid hosts): a warning in the log, cg->dir "" and 0; any other
 * root (the unit tests' directory) is used as it is.  1 with ctx's error otherwise (the cgroup, if
 * made, is removed again).
 */
int vmcg_enter(struct kvmc_ctx *ctx, const char *root,
	       const struct oci_config *cfg, const struct vm_size *size,
	       struct kvmc_state *st, struct vmcg *cg);
/* For a command that starts further host processes of a container (an
 * exec's shim): moves the caller into the cgroup recorded in st (no-op
 * without one) until vmcg_leave.  0, or 1 with ctx's error. */
int vmcg_join(struct kvmc_ctx *ctx, const char *root,
	      const struct kvmc_state *st, struct vmcg *cg);
/* Moves the caller back to its own cgroup (no-op if it never entered). */
void vmcg_leave(struct vmcg *cg);
/* Removes the recorded cgroup if create made it, killing what is left in
 * it; 0, or 1 with ctx's error. */
int vmcg_remove(struct kvmc_ctx *ctx, const struct kvmc_state *st);

/* config.json's limits as cgroup writes. */
void vmcg_limits(const struct oci_resources *r, struct cg_limits *l);
/* Records the VM's size in st (for update and events). */
int vmcg_record_size(struct kvmc_state *st, const struct oci_resources *r,
		     const struct vm_size *size);
/* The VM's size as recorded, and its cgroup's cpu.max. */
void vmcg_vm(const struct kvmc_state *st, struct res_vm *vm);
/* The recorded directory, or NULL. */
const char *vmcg_dir(const struct kvmc_state *st);

#endif
