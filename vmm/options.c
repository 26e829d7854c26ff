/* kvmc-vmm's command line. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config.h"

/*
 * console=ttyS0       the 8250 at 0x3f8 is the boot console
 * reboot=k            the guest's reboot goes through the i8042 reset line,
 *                     which ends kvmc-vmm with status 0
 * panic=-1            a panic reboots at once (the VMM reports it)
 * pci=conf1           no firmware, no ACPI: configuration mechanism #1
 * acpi=off            there are no ACPI tables; SMP comes from the MP table
 * i8042.*             the i8042 has only a reset line: skip probing
 * 8250.nr_uarts=1     one UART: skip probing COM2-4
 * io_delay=none       port 0x80 delays would each exit to userspace
 * tsc=reliable        the TSC is stable under KVM: no watchdog clocksource
 * no_timer_check      the IOAPIC timer check is for broken hardware
 * rcupdate.rcu_expedited=1  faster boot on few vCPUs
 * noreplace-smp       a one-vCPU guest would rewrite its ~5000 lock
 *                     prefixes one text_poke (two page-table switches and
 *                     a TLB flush) each: 9-10% of the minimal kernel's
 *                     boot (docs/benchmarks.md); a locked instruction
 *                     costs a one-CPU guest a few cycles more
 * quiet               the console is slow, keep it short
 */
const char vmm_default_cmdline[] =
	"console=ttyS0 reboot=k panic=-1 pci=conf1 acpi=off "
	"i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd "
	"8250.nr_uarts=1 io_delay=none tsc=reliable no_timer_check "
	"rcupdate.rcu_expedited=1 noreplace-smp quiet";

static const char usage[] =
"usage: kvmc-vmm --kernel PATH [--initrd PATH] [--cmdline STRING]\n"
"                [--memory SIZE] [--cpus N]\n"
"                [--console stdio|none|hvc|file:PATH] [--boot-timing]\n"
"                [--append STRING] [--proxy PATH]\n"
"                [--port NAME[=unix:PATH]]... [--share TAG=PATH[,ro]]...\n"
"                [--net tap=NAME|fd=N[,mac=MAC]]... [--dns fd=N]\n"
"                [--balloon on|off] [--sandbox on|off|debug]\n"
"                [--help] [--version]\n"
"\n"
"Boots a bzImage (64-bit boot protocol) or an uncompressed vmlinux ELF\n"
"(PVH) in a KVM virtual machine.  SIZE takes K, M or G (default 256M);\n"
"--cpus 1 to 64 (default 1).  Exit status: 0 the guest reset or powered\n"
"off, 1 the guest faulted (triple fault, panic), 2 a VMM or KVM error,\n"
"3 a setup error (options, kernel, initrd, /dev/kvm).\n"
"--append adds to the command line (default or --cmdline); --proxy serves\n"
"the hyperstart channels to kvmc and its shims on a unix socket.\n"
"--dns fd=N relays the guest's DNS queries (port sh.kvmc.dns.0) to the\n"
"datagram socket N, connected to the server (docs/network.md).\n"
"--balloon (default on): a virtio-balloon for free page reporting; the\n"
"guest's freed pages are dropped from the host (docs/vmm.md).\n"
"--sandbox (default on): after setup, an empty mount namespace, capabilities\n"
"dropped and a seccomp allowlist (a violation kills with SIGSYS); debug\n"
"prints the denied syscall and exits 159; off is for debugging only.\n";

enum {
	OPT_KERNEL = 256, OPT_INITRD, OPT_CMDLINE, OPT_MEMORY, OPT_CPUS,
	OPT_CONSOLE, OPT_BOOT_TIMING, OPT_PORT, OPT_SHARE, OPT_NET, OPT_HELP,
	OPT_VERSION, OPT_APPEND, OPT_PROXY, OPT_SANDBOX, OPT_DNS, OPT_BALLOON,
};

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "boot-timing", no_argument, NULL, OPT_BOOT_TIMING },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "share", required_argument, NULL, OPT_SHARE },
	{ "net", required_argument, NULL, OPT_NET },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "proxy", required_argument, NULL, OPT_PROXY },
	{ "sandbox", required_argument, NULL, OPT_SANDBOX },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "balloon", required_argument, NULL, OPT_BALLOON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int vmm_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b')	/* "MiB", "MB" */
		end += (*end == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_port(const char *arg, struct vmm_port *p)
{
	const char *eq = strchr(arg, '=');

	p->name = arg;
	p->unix_path = NULL;
	if (!eq)
		return *arg ? 0 : -EINVAL;
	if (eq == arg || strncmp(eq + 1, "unix:", 5) || !eq[6])
		return -EINVAL;
	/* The name is NUL-terminated in place: argv is ours to edit. */
	*(char *)eq = '\0';
	p->unix_path = eq + 6;
	return 0;
}

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int vmm_parse_options(int argc, char **argv, struct vmm_config *cfg,
		      char *err, size_t errlen)
{
	unsigned long n;
	char *end;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->memory = VMM_DEFAULT_MEMORY;
	cfg->cpus = 1;
	cfg->console = CONSOLE_STDIO;
	cfg->dns_fd = -1;
	cfg->balloon = true;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL: cfg->kernel = optarg; break;
		case OPT_INITRD: cfg->initrd = optarg; break;
		case OPT_CMDLINE: cfg->cmdline = optarg; break;
		case OPT_APPEND: cfg->append = optarg; break;
		case OPT_PROXY:
			if (!*optarg)
				fail("--proxy: needs a socket path");
			cfg->proxy = optarg;
			break;
		case OPT_MEMORY:
			if (vmm_parse_size(optarg, &cfg->memory))
				fail("--memory: '%s' is not a size (e.g. 256M, 2G)", optarg);
			if (cfg->memory < VMM_MIN_MEMORY || cfg->memory > VMM_MAX_MEMORY)
				fail("--memory: %s is out of range (64M to 1024G)", optarg);
			break;
		case OPT_CPUS:
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-' ||
			    n < 1 || n > VMM_MAX_CPUS)
				fail("--cpus: '%s' is not a number from 1 to %d",
				     optarg, VMM_MAX_CPUS);
			cfg->cpus = (unsigned int)n;
			break;
		case OPT_CONSOLE:
			if (!strcmp(optarg, "stdio"))
				cfg->console = CONSOLE_STDIO;
			else if (!strcmp(optarg, "none"))
				cfg->console = CONSOLE_NONE;
			else if (!strcmp(optarg, "hvc"))
				cfg->console = CONSOLE_HVC;
			else if (!strncmp(optarg, "file:", 5) && optarg[5]) {
				cfg->console = CONSOLE_FILE;
				cfg->console_path = optarg + 5;
			} else
				fail("--console: '%s' is not stdio, none, hvc or file:PATH", optarg);
			break;
		case OPT_BOOT_TIMING: cfg->boot_timing = true; break;
		case OPT_SANDBOX:
			if (!strcmp(optarg, "on"))
				cfg->sandbox = SANDBOX_ON;
			else if (!strcmp(optarg, "off"))
				cfg->sandbox = SANDBOX_OFF;
			else if (!strcmp(optarg, "debug"))
				cfg->sandbox = SANDBOX_DEBUG;
			else
				fail("--sandbox: '%s' is not on, off or debug", optarg);
			break;
		case OPT_BALLOON:
			if (!strcmp(optarg, "on"))
				cfg->balloon = true;
			else if (!strcmp(optarg, "off"))
				cfg->balloon = false;
			else
				fail("--balloon: '%s' is not on or off", optarg);
			break;
		case OPT_PORT:
			if (cfg->nr_ports == VMM_MAX_PORTS)
				fail("--port: at most %d ports", VMM_MAX_PORTS);
			if (parse_port(optarg, &cfg->ports[cfg->nr_ports]))
				fail("--port: '%s' is not NAME or NAME=unix:PATH", optarg);
			cfg->nr_ports++;
			break;
		case OPT_SHARE:
			if (cfg->nr_shares == VMM_MAX_SHARES)
				fail("--share: at most %d shares", VMM_MAX_SHARES);
			cfg->shares[cfg->nr_shares++] = optarg;
			break;
		case OPT_NET:
			if (cfg->nr_nets == VMM_MAX_NETS)
				fail("--net: at most %d interfaces", VMM_MAX_NETS);
			cfg->nets[cfg->nr_nets++] = optarg;
			break;
		case OPT_DNS:
			if (strncmp(optarg, "fd=", 3) || optarg[3] < '0' ||
			    optarg[3] > '9')
				fail("--dns: '%s' is not fd=N", optarg);
			errno = 0;
			n = strtoul(optarg + 3, &end, 10);
			if (errno || *end || n > INT_MAX)
				fail("--dns: '%s' is not fd=N", optarg);
			cfg->dns_fd = (int)n;
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			return 1;
		case OPT_VERSION:
			printf("kvmc-vmm %s (%s)\n", KVMC_VERSION, KVMC_GITREV);
			return 1;
		case ':':
			fail("%s: needs a value", argv[optind - 1]);
		default:
			fail("%s: unknown option (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		fail("'%s': unexpected argument (see --help)", argv[optind]);
	if (!cfg->kernel)
		fail("--kernel: missing (the guest kernel to boot)");
	return 0;
}
