/* kvmc-agent: the hyperstart agent, PID 1 of every container VM.
 * Internal interfaces between its files; the protocol itself is
 * lib/hyperstart.h and docs/protocol.md. */
#ifndef KVMC_GUEST_AGENT_H
#define KVMC_GUEST_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/json.h"

struct evloop;

/* Where the agent keeps its state inside the VM. */
#define AGENT_RUN_DIR		"/run/kvmc"
#define AGENT_SHARE_DIR		AGENT_RUN_DIR "/share"	/* one dir per 9p tag */
#define AGENT_CTR_DIR		AGENT_RUN_DIR "/c"	/* one dir per container */
#define AGENT_MODULE_LIST	"/lib/modules/load.list"
#define AGENT_RESOLV_CONF	AGENT_RUN_DIR "/resolv.conf"	/* STARTPOD dns */
#define AGENT_DEFAULT_PATH \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define AGENT_ID_MAX		64
#define AGENT_ERR_MAX		200

/* --- spec.c: command payloads, parsed and validated ---------------- */

struct rlimit_spec {
	int resource;
	uint64_t soft, hard;
};

struct proc_spec {
	char *id;
	char **args;		/* NULL-terminated */
	char **env;		/* "K=V", NULL-terminated, PATH ensured */
	char *workdir;
	char *user, *group;	/* NULL: default */
	char **groups;		/* NULL-terminated */
	bool terminal;
	bool stdin_open;
	uint64_t stdio_seq, stderr_seq;
	struct rlimit_spec *rlimits;
	int nrlimits;
	mode_t umask;
	bool no_new_privs;
};

struct fsmap_spec {
	char *source, *path, *share_tag;
	bool readonly;
};

struct sysctl_spec {
	char *key, *value;
};

struct container_spec {
	char *id, *share_tag, *image, *rootfs;
	bool readonly;
	struct fsmap_spec *maps;
	int nmaps;
	struct sysctl_spec *sysctls;
	int nsysctls;
	struct proc_spec proc;
};

struct iface_spec {
	char *device, *new_name, *mac;
	char **addrs;		/* "ADDR/PREFIX", NULL-terminated */
	unsigned int mtu;	/* 0: unchanged */
};

struct route_spec {
	char *dest;		/* "default" or CIDR */
	char *gateway, *device;
};

struct pod_spec {
	char *hostname, *share_tag;
	char **dns;
	struct iface_spec *ifaces;
	int nifaces;
	struct route_spec *routes;
	int nroutes;
};

struct kill_spec {
	char *container, *process;	/* process: SIGNALPROCESS only */
	int signal;
	bool all;
};

struct winsize_spec {
	char *container, *process;	/* or by seq */
	uint64_t seq;
	unsigned short row, col;
};

/*
 * Each parser: 0, or -EINVAL with a one-line reason in err naming the JSON
 * field, or -ENOMEM.  On error nothing is left allocated.  The _free
 * functions accept zeroed structs.
 */
int spec_container(const char *json, size_t len, struct container_spec *c,
		   char *err, size_t errlen);
int spec_exec(const char *json, size_t len, char **container,
	      struct proc_spec *p, char *err, size_t errlen);
int spec_pod(const char *json, size_t len, struct pod_spec *pod,
	     char *err, size_t errlen);
int spec_iface(const char *json, size_t len, struct iface_spec *ifc,
	       char *err, size_t errlen);
int spec_routes(const char *json, size_t len, struct route_spec **routes,
		int *nroutes, char *err, size_t errlen);
int spec_kill(const char *json, size_t len, bool signalprocess,
	      struct kill_spec *k, char *err, size_t errlen);
int spec_winsize(const char *json, size_t len, struct winsize_spec *w,
		 char *err, size_t errlen);
int spec_container_id(const char *json, size_t len, char **id,
		      char *err, size_t errlen);
void spec_proc_free(struct proc_spec *p);
void spec_container_free(struct container_spec *c);
void spec_pod_free(struct pod_spec *pod);
void spec_iface_free(struct iface_spec *ifc);
void spec_routes_free(struct route_spec *routes, int n);
void spec_kill_free(struct kill_spec *k);
void spec_winsize_free(struct winsize_spec *w);
/* Ids: [A-Za-z0-9_.-], 1..AGENT_ID_MAX, not "." or "..". */
bool spec_valid_id(const char *id);
void strv_free(char **v);

/* --- user.c: names through the container's own passwd and group ----- */

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
	char *home;		/* from passwd, or "/" */
};

/*
 * Resolves user/group/additional groups (names or numbers; NULL user is
 * uid 0, NULL group is the user's passwd group or 0) against
 * root/etc/passwd and root/etc/group.  0 or -ENOENT/-EINVAL/-ENOMEM
 * with err set.
 */
int user_resolve(const char *root, const char *user, const char *group,
		 char *const *groups, struct user_ids *ids, char *err,
		 size_t errlen);
void user_ids_free(struct user_ids *ids);

/* --- modules.c -------------------------------------------------------- */

/* Parameters for module `name` from a kernel command line ("a.b=c ..."):
 * malloc'd "b=c ..." (possibly empty), or NULL on OOM. */
char *modules_params(const char *cmdline, const char *name);
/* Loads every module in list, in order; a missing list loads nothing.
 * Returns the number that failed (each logged). */
int modules_load(const char *list, const char *cmdline);

/* --- boot.c: PID-1 duties ---------------------------------------------- */

/* Port 0x03f0 (kvmc-vmm's --boot-timing): 123 when init starts; 124 from a
 * container process just before its exec, which then gives the port up. */
void boot_timer_mark(void);
void boot_timer_exec_mark(void);
/* Mounts /proc, /sys, /dev, /dev/pts, /dev/shm, /run; console on 0-2. */
int boot_mounts(void);
/* Reads /proc/cmdline (malloc'd, "" on failure). */
char *boot_cmdline(void);
/* Prints the message on the console and powers the VM off. */
void boot_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* Kills everything, syncs, unmounts AGENT_RUN_DIR's mounts. */
void boot_teardown(void);
void boot_reset(void) __attribute__((noreturn));

/* --- ports.c ------------------------------------------------------------ */

/* Creates /dev/virtio-ports/NAME for every port in sysfs; the number of
 * named ports, or -errno. */
int ports_scan(void);
/* The same from sysdir (vport*\/name files) into devdir, as links to
 * ../vportNpM. */
int ports_link(const char *sysdir, const char *devdir);
/* Opens /dev/virtio-ports/name (O_RDWR|O_NONBLOCK|O_CLOEXEC), waiting up
 * to timeout_ms for the port to appear; fd or -errno. */
int ports_open(const char *name, int timeout_ms);

/* --- channel.c: the two hyperstart channels ---------------------------- */

int channel_init(struct evloop *loop, int ctl_fd, int stream_fd);
/* Queue a frame; never blocks.  0 or -ENOMEM/-EMSGSIZE. */
int channel_send_ctl(uint32_t code, const void *payload, size_t len);
int channel_send_stream(uint64_t seq, const void *data, size_t len);
/* Bytes queued on the stream channel, and whether that is so much that
 * process output should stop being read. */
size_t channel_stream_backlog(void);
bool channel_stream_full(void);
/* Stops or resumes reading the stream channel (stdin back-pressure). */
void channel_stream_input(bool on);
/* Writes everything queued on the control channel into the port,
 * blocking until the port has taken it all. */
void channel_flush_ctl(void);

/* --- commands.c -------------------------------------------------------- */

/* Handles one control frame; the reply is queued on the channel. */
void commands_dispatch(uint32_t code, const char *payload, size_t len);

/* --- container.c ------------------------------------------------------- */

struct container;

/* Mounts the container's tree; the container is registered on success.
 * pod_share: the STARTPOD 9p tag or NULL; resolv: a resolv.conf to bind
 * on /etc/resolv.conf (unless fsmap has one), or NULL. */
int container_create(const struct container_spec *spec,
		     const char *pod_share, const char *resolv,
		     struct container **out, char *err, size_t errlen);
struct container *container_find(const char *id);
const char *container_root(const struct container *c);
const char *container_id(const struct container *c);
/* Unmounts and forgets the container (its processes must have ended). */
void container_destroy(struct container *c);
/* The pid namespace of the container's init (fd), or -1 before it. */
int container_pidns(const struct container *c);
void container_set_pidns(struct container *c, int fd);
int share_mount(const char *tag, char *path, size_t pathlen);

/* --- spawn.c ------------------------------------------------------------ */

struct spawn_io {
	int in, out, err;	/* child's stdio; -1: /dev/null */
	int pty_slave;		/* terminal: the slave, used for all three */
};

/* --- stdio.c ----------------------------------------------------------- */

/* The agent's ends of a process's stdio, -1 when absent: in (pipe or pty
 * master), out (also stderr unless err), pty (the master, for resizing). */
struct stdio_ends {
	int in, out, err, pty;
};

/* Pipes, or with p->terminal a pty (24x80 until resized).  The child's
 * ends go to *child, the agent's (non-blocking, close-on-exec) to *ends.
 * separate_err: stderr gets its own pipe.  0, or -errno with nothing
 * left open. */
int stdio_open(const struct proc_spec *p, bool separate_err,
	       struct spawn_io *child, struct stdio_ends *ends);
void stdio_close_child(struct spawn_io *child);
void stdio_close_ends(struct stdio_ends *ends);

/* Forks the process into the container root; returns the pid or -errno.
 * pidns: the container's pid namespace to join, or -1 to start a new one
 * (the container's init).  Setup failures in the child end it with 126
 * (127: command not found). */
pid_t spawn_process(const char *root, const struct proc_spec *p,
		    const struct spawn_io *io, int pidns);

/* --- proc.c: running processes, their streams and exit ---------------- */

struct proc;

int procs_init(struct evloop *loop);
/* Starts p in container c, wiring its stdio to the stream channel. */
int proc_start(struct container *c, const struct proc_spec *p, bool init,
	       char *err, size_t errlen);
struct proc *proc_find(const struct container *c, const char *id);
struct proc *proc_by_seq(uint64_t seq);
int proc_signal(struct proc *pr, int sig);
/* Signals the container's init (all: every process); -ESRCH if none. */
int procs_signal_container(const struct container *c, int sig, bool all);
bool procs_container_busy(const struct container *c);
int proc_winsize(struct proc *pr, unsigned short row, unsigned short col);
/* Stream data from the host for seq: stdin bytes, or EOF when len is 0. */
void procs_stdin(uint64_t seq, const uint8_t *data, size_t len);
/* The stream channel drained below its limit: resume reading outputs. */
void procs_output_resume(void);

/* --- net.c -------------------------------------------------------------- */

int net_setup_iface(const struct iface_spec *ifc, char *err, size_t errlen);
int net_setup_route(const struct route_spec *rt, char *err, size_t errlen);
/* Sets lo up (its 127.0.0.1/8 comes with it).  0 or -errno. */
int net_loopback_up(void);

/* --- dns.c: the DNS relay to the host (lib/dnsrelay.h) ---------------- */

struct dns_relay;

struct dns_relay_stats {
	unsigned long queries, answers;
	unsigned long refused;	/* frames from the host out of range */
	unsigned long dropped;	/* no slot, no room, unknown id, send failed */
};

/* If the VMM gave the dns port: lo up and the relay on 127.0.0.11:53
 * (udp and tcp) in loop.  0 (also when there is no port) or -errno. */
int dns_relay_start(struct evloop *loop);
/* A non-blocking socket of type SOCK_DGRAM, or SOCK_STREAM (listening),
 * bound to addr:port (IP_FREEBIND); fd or -errno. */
int dns_relay_bind(const char *addr, unsigned int port, int type);
/* Relays between udp_fd and tcp_fd (a listening socket, or -1) of the
 * clients and port_fd (the host), all non-blocking, registered in loop;
 * the fds stay the caller's.  NULL with errno set. */
struct dns_relay *dns_relay_new(struct evloop *loop, int port_fd, int udp_fd,
			       int tcp_fd);
/* What the loop calls when the client socket or the port is readable. */
void dns_relay_from_clients(struct dns_relay *r);
void dns_relay_from_port(struct dns_relay *r);
void dns_relay_stats(const struct dns_relay *r, struct dns_relay_stats *st);
void dns_relay_free(struct dns_relay *r);
/* For dns_tcp.c: a TCP client's query (conn: its connection's number)
 * to the host; false when it was dropped. */
bool dns_relay_submit_tcp(struct dns_relay *r, uint8_t *msg, size_t len,
			  uint64_t conn);

/* --- dns_tcp.c: DNS over TCP on the relay's address ------------------ */

#define DNS_TCP_CONNS	8	/* connections at a time */

struct dns_tcp;

/* Accepts on listen_fd (the caller's) and submits to relay.  NULL with
 * errno set. */
struct dns_tcp *dns_tcp_new(struct evloop *loop, int listen_fd,
			    struct dns_relay *relay);
/* The answer to a query from connection conn: 0, or -ENOENT (it went
 * away), -ENOBUFS (its answers pile up), -EPIPE (it broke: closed). */
int dns_tcp_answer(struct dns_tcp *t, uint64_t conn, const uint8_t *msg,
		   size_t len);
void dns_tcp_free(struct dns_tcp *t);

#endif
