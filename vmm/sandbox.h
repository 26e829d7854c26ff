/*
 * kvmc-vmm's confinement after setup (docs/sandbox.md): its own mount
 * namespace with an empty root, capabilities dropped on every thread, no
 * new privileges, and the seccomp allowlist of vmm/seccomp.h.
 */
#ifndef KVMC_VMM_SANDBOX_H
#define KVMC_VMM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/config.h"

/*
 * Capabilities the 9p server needs to act for the guest's root on the
 * exports; every other one is dropped.
 */
extern const uint64_t sandbox_keep_caps;

/*
 * Before any thread exists: a mount namespace of our own, a slave of the
 * host's (so nothing we mount shows on the host).  Without CAP_SYS_ADMIN
 * it is skipped with a warning (*have_ns false).  0, or -1 with err.
 */
int sandbox_prepare(bool *have_ns, char *err, size_t errlen);

/*
 * After every device, memory, vCPU and the proxy are set up and before
 * the guest runs: pivot into an empty read-only tmpfs holding only /proc
 * (pids only; the 9p server reopens its descriptors through
 * /proc/self/fd), drop the capabilities outside sandbox_keep_caps on every
 * thread, then the seccomp filter on every thread.  0, or -1 with err.
 */
int sandbox_enter(enum vmm_sandbox mode, bool have_ns, char *err,
		  size_t errlen);

/* The calling thread only: bounding, ambient, inheritable, effective and
 * permitted sets reduced to keep.  Async-signal-safe.  0 or -errno. */
int sandbox_drop_caps(uint64_t keep);

#endif
