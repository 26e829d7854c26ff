/* kvmc-vmm's configuration, from its command line (vmm/options.c). */
#ifndef KVMC_VMM_CONFIG_H
#define KVMC_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMM_MAX_PORTS		16
#define VMM_MAX_SHARES		16
#define VMM_MAX_NETS		8
#define VMM_MAX_CPUS		64
#define VMM_MIN_MEMORY		(64ULL << 20)
#define VMM_MAX_MEMORY		(1ULL << 40)	/* 1 TiB */
#define VMM_DEFAULT_MEMORY	(256ULL << 20)

enum vmm_console { CONSOLE_STDIO, CONSOLE_NONE, CONSOLE_FILE, CONSOLE_HVC };

/* --sandbox (vmm/sandbox.h, docs/sandbox.md) */
enum vmm_sandbox {
	SANDBOX_ON,	/* a violation kills the process (SIGSYS) */
	SANDBOX_DEBUG,	/* a violation prints the syscall, then exits 159 */
	SANDBOX_OFF,
};

/* Exit statuses of kvmc-vmm (docs/vmm.md). */
enum vmm_exit {
	VMM_EXIT_OK = 0,	/* the guest reset or powered off */
	VMM_EXIT_GUEST = 1,	/* triple fault, shutdown, kernel panic */
	VMM_EXIT_INTERNAL = 2,	/* unexpected exit reason, KVM error */
	VMM_EXIT_SETUP = 3,	/* bad option, kernel or initrd; no KVM */
};

struct vmm_port {
	const char *name;
	const char *unix_path;	/* NULL: in-process users only */
};

struct vmm_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;	/* NULL: the default command line */
	const char *append;	/* added to the command line, or NULL */
	uint64_t memory;
	unsigned int cpus;
	enum vmm_console console;
	const char *console_path;	/* CONSOLE_FILE */
	bool boot_timing;
	struct vmm_port ports[VMM_MAX_PORTS];
	unsigned int nr_ports;
	const char *shares[VMM_MAX_SHARES];	/* "TAG=PATH[,ro]" */
	unsigned int nr_shares;
	const char *nets[VMM_MAX_NETS];	/* "tap=NAME|fd=N[,mac=MAC]" */
	unsigned int nr_nets;
	const char *proxy;	/* unix socket the proxy serves, or NULL */
	int dns_fd;		/* --dns fd=N: the DNS relay's socket, or -1 */
	enum vmm_sandbox sandbox;
	bool balloon;		/* --balloon: free page reporting (default on) */
};

/* The kernel command line without --cmdline (vmm/options.c says why each
 * parameter is there). */
extern const char vmm_default_cmdline[];

/*
 * 0: cfg is ready.  1: --help or --version was printed, exit 0.
 * -1: err holds one line naming the option at fault.
 */
int vmm_parse_options(int argc, char **argv, struct vmm_config *cfg,
		      char *err, size_t errlen);
/* "256M", "5G", "65536K", "1073741824": bytes, or -EINVAL. */
int vmm_parse_size(const char *s, uint64_t *out);

#endif
