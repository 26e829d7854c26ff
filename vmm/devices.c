/* Device creation from kvmc-vmm's options. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio/9p.h"
#include "devices/virtio/balloon.h"
#include "devices/virtio/net.h"
#include "devices/virtio/console.h"
#include "lib/dnsrelay.h"
#include "lib/hyperstart.h"
#include "proxy/proxy.h"
#include "vmm/dns_host.h"
#include "vmm/kvm.h"
#include "vmm/devices.h"
#include "vmm/legacy.h"
#include "vmm/pci.h"
#include "vmm/vm.h"

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int setup_serial(struct vm *vm, const struct vmm_config *cfg,
			struct vmm_devices *d, char *err, size_t errlen)
{
	int out = -1, in = -1;

	switch (cfg->console) {
	case CONSOLE_STDIO:
	case CONSOLE_HVC:
		out = STDOUT_FILENO;
		if (cfg->console == CONSOLE_STDIO && isatty(STDIN_FILENO))
			in = STDIN_FILENO;
		break;
	case CONSOLE_FILE:
		d->console_fd = open(cfg->console_path,
				     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				     0640);
		if (d->console_fd < 0)
			fail("--console file:%s: %s", cfg->console_path,
			     strerror(errno));
		out = d->console_fd;
		break;
	case CONSOLE_NONE:
		break;
	}
	d->serial = serial_new(vm, out, in);
	if (!d->serial)
		fail("serial port: cannot create COM1");
	/* A file in the state directory (a tmpfs): bounded. */
	if (cfg->console == CONSOLE_FILE) {
		outcap_init(&d->console_cap, d->console_fd, OUTCAP_CONSOLE_MAX);
		serial_set_cap(d->serial, &d->console_cap);
	}
	return 0;
}

static int setup_console(struct vm *vm, const struct vmm_config *cfg,
			 struct vmm_devices *d, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	if (cfg->console != CONSOLE_HVC && !cfg->nr_ports && !cfg->proxy &&
	    cfg->dns_fd < 0)
		return 0;
	d->vcon = vcon_new(vm, cfg->console == CONSOLE_HVC ? STDOUT_FILENO :
			   d->console_fd);
	if (!d->vcon)
		fail("virtio-console: out of memory");
	if (cfg->console == CONSOLE_FILE)
		vcon_set_console_cap(d->vcon, &d->console_cap);
	for (i = 0; i < cfg->nr_ports; i++) {
		ret = vcon_add_port(d->vcon, cfg->ports[i].name);
		if (ret)
			fail("--port %s: %s", cfg->ports[i].name,
			     ret == -ENOSPC ? "too many ports" :
			     "bad or duplicate port name");
	}
	/* Before the hyperstart channels: the agent finds it by the time
	 * they are there (the guest adds the ports in order). */
	if (cfg->dns_fd >= 0 && vcon_add_port(d->vcon, DNS_PORT_NAME))
		fail("--dns: the port %s is already taken by --port", DNS_PORT_NAME);
	/* The proxy owns the hyperstart channels. */
	if (cfg->proxy && (vcon_add_port(d->vcon, HYPER_CTL_PORT) ||
			   vcon_add_port(d->vcon, HYPER_STREAM_PORT)))
		fail("--proxy: the hyperstart ports are already taken by --port");
	ret = vcon_realize(d->vcon);
	if (ret)
		fail("virtio-console: %s", strerror(-ret));
	for (i = 0; i < cfg->nr_ports; i++) {
		const struct vmm_port *p = &cfg->ports[i];

		if (!p->unix_path)
			continue;
		ret = vcon_port_serve_unix(vcon_port_find(d->vcon, p->name),
					   p->unix_path);
		if (ret)
			fail("--port %s=unix:%s: %s", p->name, p->unix_path,
			     strerror(-ret));
	}
	return 0;
}

static void proxy_pause(void *opaque)
{
	vcpus_pause(opaque);
}

static void proxy_resume(void *opaque)
{
	vcpus_resume(opaque);
}

static int setup_proxy(struct vm *vm, const struct vmm_config *cfg,
		       struct vmm_devices *d, char *err, size_t errlen)
{
	const struct proxy_ops ops = { proxy_pause, proxy_resume, vm };

	if (!cfg->proxy)
		return 0;
	d->proxy = proxy_new(vm->loop, vcon_port_find(d->vcon, HYPER_CTL_PORT),
			     vcon_port_find(d->vcon, HYPER_STREAM_PORT),
			     cfg->proxy, &ops);
	if (!d->proxy)
		fail("--proxy %s: %s", cfg->proxy, strerror(errno));
	return 0;
}

static size_t dns_port_read(void *port, void *buf, size_t len)
{
	return vcon_port_read(port, buf, len);
}

static size_t dns_port_write(void *port, const void *buf, size_t len)
{
	return vcon_port_write(port, buf, len);
}

static size_t dns_port_writable(void *port)
{
	return vcon_port_writable(port);
}

static const struct dns_host_port dns_port_ops = {
	dns_port_read, dns_port_write, dns_port_writable,
};

static void dns_port_readable(struct vcon_port *p, void *opaque)
{
	(void)p;
	dns_host_from_guest(opaque);
}

static const struct vcon_port_ops dns_vcon_ops = {
	.readable = dns_port_readable,
};

static int setup_dns(struct vm *vm, const struct vmm_config *cfg,
		     struct vmm_devices *d, char *err, size_t errlen)
{
	struct vcon_port *p;
	int type = 0;
	socklen_t len = sizeof(type);

	if (cfg->dns_fd < 0)
		return 0;
	if (getsockopt(cfg->dns_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_DGRAM)
		fail("--dns fd=%d: %s", cfg->dns_fd,
		     type ? "not a datagram socket" : strerror(errno));
	fcntl(cfg->dns_fd, F_SETFD, FD_CLOEXEC);
	p = vcon_port_find(d->vcon, DNS_PORT_NAME);
	d->dns = dns_host_new(vm->loop, cfg->dns_fd, &dns_port_ops, p);
	if (!d->dns)
		fail("--dns fd=%d: %s", cfg->dns_fd, strerror(errno));
	vcon_port_set_ops(p, &dns_vcon_ops, d->dns);
	return 0;
}

static int setup_shares(struct vm *vm, const struct vmm_config *cfg,
			struct vmm_devices *d, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	for (i = 0; i < cfg->nr_shares; i++) {
		struct virtio_9p_share share;
		char why[256];

		if (virtio_9p_parse_share(cfg->shares[i], &share, why, sizeof(why)))
			fail("--share %s: %s", cfg->shares[i], why);
		ret = virtio_9p_new(vm, &share, &d->shares[d->nr_shares]);
		free(share.path);
		if (ret)
			fail("--share %s: %s", cfg->shares[i], strerror(-ret));
		d->nr_shares++;
		ret = virtio_9p_realize(d->shares[d->nr_shares - 1]);
		if (ret)
			fail("--share %s: %s", cfg->shares[i], strerror(-ret));
	}
	return 0;
}

static int setup_nets(struct vm *vm, const struct vmm_config *cfg,
		      struct vmm_devices *d, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	for (i = 0; i < cfg->nr_nets; i++) {
		struct virtio_net_opts o;
		char why[256];

		if (virtio_net_parse(cfg->nets[i], &o, why, sizeof(why)))
			fail("--net %s: %s", cfg->nets[i], why);
		ret = virtio_net_new(vm, &o, &d->nets[d->nr_nets]);
		if (ret)
			fail("--net %s: %s", cfg->nets[i], strerror(-ret));
		d->nr_nets++;
		ret = virtio_net_realize(d->nets[d->nr_nets - 1]);
		if (ret)
			fail("--net %s: %s", cfg->nets[i], strerror(-ret));
	}
	return 0;
}

static int setup_balloon(struct vm *vm, const struct vmm_config *cfg,
			 struct vmm_devices *d, char *err, size_t errlen)
{
	int ret;

	if (!cfg->balloon)
		return 0;
	ret = virtio_balloon_new(vm, &d->balloon);
	if (ret)
		fail("virtio-balloon: %s", strerror(-ret));
	ret = virtio_balloon_realize(d->balloon);
	if (ret)
		fail("virtio-balloon: %s", strerror(-ret));
	return 0;
}

int vmm_devices_setup(struct vm *vm, const struct vmm_config *cfg,
		      struct vmm_devices *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->console_fd = -1;
	if (setup_serial(vm, cfg, d, err, errlen))
		return -1;
	if (i8042_init(vm) || rtc_init(vm) || boot_timer_init(vm))
		fail("legacy devices: port conflict");
	if (pci_init(vm))
		fail("PCI host bridge: cannot create");
	if (setup_console(vm, cfg, d, err, errlen) ||
	    setup_proxy(vm, cfg, d, err, errlen) ||
	    setup_dns(vm, cfg, d, err, errlen) ||
	    setup_shares(vm, cfg, d, err, errlen) ||
	    setup_nets(vm, cfg, d, err, errlen) ||
	    setup_balloon(vm, cfg, d, err, errlen))
		return -1;
	return 0;
}

void vmm_devices_teardown(struct vm *vm, struct vmm_devices *d)
{
	unsigned int i;

	proxy_free(d->proxy);
	d->proxy = NULL;
	dns_host_free(d->dns);
	d->dns = NULL;
	for (i = 0; i < d->nr_shares; i++)
		virtio_9p_free(d->shares[i]);
	d->nr_shares = 0;
	for (i = 0; i < d->nr_nets; i++)
		virtio_net_free(d->nets[i]);
	d->nr_nets = 0;
	virtio_balloon_free(d->balloon);
	d->balloon = NULL;
	if (d->vcon)
		vcon_free(d->vcon);
	d->vcon = NULL;
	pci_free(vm);
	serial_free(d->serial);
	d->serial = NULL;
	if (d->console_fd >= 0)
		close(d->console_fd);
	d->console_fd = -1;
}
