/* virtio-9p-pci: one device per share, exporting a host directory with
 * the p9/ server under a mount tag (`--share TAG=PATH[,ro]`). */
#ifndef KVMC_DEVICES_VIRTIO_9P_H
#define KVMC_DEVICES_VIRTIO_9P_H

#include <stdbool.h>
#include <stddef.h>

struct vm;
struct virtio_9p;

#define VIRTIO_9P_TAG_MAX	64	/* mount tag bytes, as QEMU allows */

struct virtio_9p_share {
	char tag[VIRTIO_9P_TAG_MAX + 1];
	char *path;			/* malloc'd */
	bool ro;
};

/* Parses "TAG=PATH[,ro]".  0, or -EINVAL with the reason in err (the
 * caller names the option). */
int virtio_9p_parse_share(const char *arg, struct virtio_9p_share *out,
			  char *err, size_t errlen);

/* The device for share: its server (the export opened) and its virtio
 * function, not yet on a bus.  0 or -errno (ENOENT, ENOTDIR: the path). */
int virtio_9p_new(struct vm *vm, const struct virtio_9p_share *share,
		  struct virtio_9p **out);
/* Puts it on vm's PCI bus, with its ioeventfd and irqfds.  0 or -errno. */
int virtio_9p_realize(struct virtio_9p *d);
/* Waits for requests in flight, then frees everything. */
void virtio_9p_free(struct virtio_9p *d);

#endif
