/* Device creation from kvmc-vmm's options. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/9p.h"
#include "devices/virtio/console.h"
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
	return 0;
}

static int setup_console(struct vm *vm, const struct vmm_config *cfg,
			 struct vmm_devices *d, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	if (cfg->console != CONSOLE_HVC && !cfg->nr_ports)
		return 0;
	d->vcon = vcon_new(vm, cfg->console == CONSOLE_HVC ? STDOUT_FILENO :
			   d->console_fd);
	if (!d->vcon)
		fail("virtio-console: out of memory");
	for (i = 0; i < cfg->nr_ports; i++) {
		ret = vcon_add_port(d->vcon, cfg->ports[i].name);
		if (ret)
			fail("--port %s: %s", cfg->ports[i].name,
			     ret == -ENOSPC ? "too many ports" :
			     "bad or duplicate port name");
	}
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
	    setup_shares(vm, cfg, d, err, errlen))
		return -1;
	return 0;
}

void vmm_devices_teardown(struct vm *vm, struct vmm_devices *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_shares; i++)
		virtio_9p_free(d->shares[i]);
	d->nr_shares = 0;
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
