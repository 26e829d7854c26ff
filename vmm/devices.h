/* The VM's devices, made from the configuration. */
#ifndef KVMC_VMM_DEVICES_H
#define KVMC_VMM_DEVICES_H

#include <stddef.h>

#include "lib/outcap.h"
#include "vmm/config.h"

struct vm;
struct serial;
struct vcon;
struct virtio_9p;
struct virtio_net;
struct virtio_balloon;
struct proxy;
struct dns_host;

struct vmm_devices {
	struct serial *serial;
	int console_fd;			/* --console file:PATH, or -1 */
	struct outcap console_cap;	/* bounds what the guest writes there */
	struct vcon *vcon;		/* virtio-console, if any */
	struct proxy *proxy;		/* --proxy */
	struct dns_host *dns;		/* --dns */
	struct virtio_9p *shares[VMM_MAX_SHARES];
	unsigned int nr_shares;
	struct virtio_net *nets[VMM_MAX_NETS];
	unsigned int nr_nets;
	struct virtio_balloon *balloon;	/* --balloon on */
};

/* Legacy devices, the PCI bus and every virtio device.  0, or -1 with one
 * line in err naming the option or device at fault. */
int vmm_devices_setup(struct vm *vm, const struct vmm_config *cfg,
		      struct vmm_devices *d, char *err, size_t errlen);
void vmm_devices_teardown(struct vm *vm, struct vmm_devices *d);

#endif
