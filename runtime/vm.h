/* What the lifecycle commands do with a container's VM: start kvmc-vmm
 * and the shims, talk to the proxy, build the agent's process JSON. */
#ifndef KVMC_RUNTIME_VM_H
#define KVMC_RUNTIME_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/ctx.h"
#include "runtime/oci.h"
#include "runtime/rtconfig.h"
#include "runtime/sizing.h"

#define VM_PROXY_SOCK	"proxy.sock"
#define VM_CONSOLE_LOG	"console.log"
#define VM_LOG		"vmm.log"
#define VM_ROOTFS_TAG	"rootfs"
/* How long create waits for the guest's agent (KVMC_BOOT_TIMEOUT, s). */
#define VM_BOOT_TIMEOUT_S	120

/* Starts kvmc-vmm in its own session, not our child (a subreaper such as
 * containerd's shim adopts it).  Its pid, or a negative errno with the
 * reason in ctx. */
struct net_setup;
/* net (may be NULL): the taps net_setup made, one virtio-net each.
 * etc_share: STATEDIR/etc (runtime/etcfiles.h) is shared too. */
pid_t vm_launch(struct kvmc_ctx *ctx, const char *statedir,
		const struct oci_config *cfg, const struct rtconfig *rc,
		const struct vm_size *size, const struct net_setup *net,
		bool etc_share);

/* Connects to the container's proxy.  fd or -errno (ctx says why). */
int vm_proxy(struct kvmc_ctx *ctx, const char *statedir, int timeout_ms);

/* Sends a hyperstart command and waits for the agent's answer; ERROR is
 * recorded in ctx with the agent's reason.  0 or -errno. */
int vm_hyper(struct kvmc_ctx *ctx, int fd, uint32_t code, const char *json,
	     int timeout_ms);

/* The agent's process JSON (docs/protocol.md) for p. */
char *vm_process_json(const struct oci_process *p, const char *id,
		      uint64_t stdio, uint64_t stderr_seq);

/* Starts a shim for process (container id, process pid_id) with the given
 * streams; terminal: with console_socket, a new pty whose master is sent
 * there and whose slave is the shim's stdio; without, the shim keeps our
 * stdio.  The shim is our child.  Its pid or -errno. */
pid_t vm_shim(struct kvmc_ctx *ctx, const struct rtconfig *rc,
	      const char *statedir, const char *id, const char *proc_id,
	      uint64_t stdio, uint64_t stderr_seq, bool terminal,
	      const char *console_socket);

/* Boot timeout in milliseconds (KVMC_BOOT_TIMEOUT overrides). */
int vm_boot_timeout_ms(void);

#endif
