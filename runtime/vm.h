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
struct volumes;
/* net (may be NULL): the taps net_setup made, one virtio-net each;
 * dns_fd (or -1): the DNS relay's socket (runtime/dns_sock.h), --dns;
 * vols (may be NULL): one more 9p share each; etc_share: STATEDIR/etc
 * (runtime/etcfiles.h) is shared too; *armfd: see vm_recorded. */
pid_t vm_launch(struct kvmc_ctx *ctx, const char *statedir,
		const struct oci_config *cfg, const struct rtconfig *rc,
		const struct vm_size *size, const struct net_setup *net,
		int dns_fd, const struct volumes *vols, bool etc_share,
		int *armfd);
/* After vm_launch's pid is recorded in the state: tells the VMM's watcher
 * so (one byte on *armfd) and closes it.  Closing armfd without this, or
 * dying first, has the watcher kill the VMM. */
void vm_recorded(int *armfd);

/* Connects to the container's proxy.  fd or -errno (ctx says why). */
int vm_proxy(struct kvmc_ctx *ctx, const char *statedir, int timeout_ms);

/* Sends a hyperstart command and waits for the agent's answer; ERROR is
 * recorded in ctx with the agent's reason.  0 or -errno. */
int vm_hyper(struct kvmc_ctx *ctx, int fd, uint32_t code, const char *json,
	     int timeout_ms);

/* The agent's process JSON (docs/protocol.md) for p. */
char *vm_process_json(const struct oci_process *p, const char *id,
		      uint64_t stdio, uint64_t stderr_seq);

/* A shim to start: for process proc_id of container id, with its streams.
 * terminal: with console_socket, a new pty whose master is sent there and
 * whose slave is the shim's stdio (rows x cols when both are non-zero);
 * without, the shim keeps our stdio. */
struct vm_shim_opts {
	const char *id, *proc_id;
	uint64_t stdio, stderr_seq;
	bool terminal;
	const char *console_socket;
	unsigned int rows, cols;
};

/* Starts the shim (our child) and waits until it has attached to its
 * process at the proxy, so that the process's output, once it is started,
 * has somewhere to go.  Its pid, or -errno (the shim is then reaped). */
pid_t vm_shim(struct kvmc_ctx *ctx, const struct rtconfig *rc,
	      const char *statedir, const struct vm_shim_opts *o);

/* Boot timeout in milliseconds (KVMC_BOOT_TIMEOUT overrides). */
int vm_boot_timeout_ms(void);

#endif
