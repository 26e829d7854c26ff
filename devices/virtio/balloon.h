/* virtio-balloon-pci for free page reporting (`--balloon on`, the
 * default): the guest hands back pages it has freed and the VMM drops
 * them from the host (MADV_DONTNEED), so an idle VM stops holding memory
 * it touched once.  No inflation target (num_pages stays 0), no stats, no
 * free page hinting (docs/vmm.md). */
#ifndef KVMC_DEVICES_VIRTIO_BALLOON_H
#define KVMC_DEVICES_VIRTIO_BALLOON_H

#include <stdint.h>

struct vm;
struct virtio_balloon;

/* Queues, in the order the Linux driver finds them when only
 * VIRTIO_BALLOON_F_REPORTING is offered (absent queues take no index). */
#define BALLOON_INFLATEQ	0
#define BALLOON_DEFLATEQ	1
#define BALLOON_REPORTQ		2
#define BALLOON_NR_QUEUES	3

/* Builds the device, not yet on a bus.  0 or -errno. */
int virtio_balloon_new(struct vm *vm, struct virtio_balloon **out);
/* Puts it on vm's PCI bus, with its ioeventfds and irqfds.  0 or -errno. */
int virtio_balloon_realize(struct virtio_balloon *b);
void virtio_balloon_free(struct virtio_balloon *b);

/* Bytes of guest RAM dropped from the host so far, and reports refused
 * (a range not page-aligned or a readable buffer). */
void virtio_balloon_counts(struct virtio_balloon *b, uint64_t *discarded,
			   uint64_t *refused);

#endif
