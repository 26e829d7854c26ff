/* virtio-net-pci over a tap (`--net tap=NAME[,mac=MAC]` or
 * `--net fd=N[,mac=MAC]`): tx writes the guest's header and frame with
 * one writev, rx reads the tap straight into the guest's buffers. */
#ifndef KVMC_DEVICES_VIRTIO_NET_H
#define KVMC_DEVICES_VIRTIO_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct virtio_net;

struct virtio_net_opts {
	char tap[IFNAMSIZ];	/* "" when fd is given */
	int fd;			/* an open tap (IFF_VNET_HDR), or -1 */
	uint8_t mac[6];
	bool has_mac;		/* else a random locally administered one */
};

/* Parses "tap=NAME[,mac=MAC]" or "fd=N[,mac=MAC]".  0, or -EINVAL with
 * the reason in err (the caller names the option). */
int virtio_net_parse(const char *arg, struct virtio_net_opts *out,
		     char *err, size_t errlen);

/* Opens the tap (or takes over fd, which it then closes) and builds the
 * device, not yet on a bus.  0 or -errno (-EINVAL: fd is not a tap
 * opened with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR). */
int virtio_net_new(struct vm *vm, const struct virtio_net_opts *o,
		   struct virtio_net **out);
/* Puts it on vm's PCI bus and starts watching the tap.  0 or -errno. */
int virtio_net_realize(struct virtio_net *n);
void virtio_net_free(struct virtio_net *n);

#endif
