/* virtio-pci (modern, virtio 1.x) transport with MSI-X.
 *
 * One 64-bit MMIO BAR (BAR0) holds the common config, ISR, device config
 * and notify structures and the MSI-X table and PBA.  Queue kicks arrive
 * through one ioeventfd per queue and run ops->queue_notify on vm->loop;
 * interrupts leave through one irqfd per MSI-X vector.
 *
 * Threads: guest register accesses run on vCPU threads, device work on
 * the vm->loop thread (and whatever threads a device adds).  Everything a
 * device does with its queues or ops is under the device lock, which is
 * recursive: ops are called with it held, and a device's own public API
 * takes it with virtio_pci_lock.
 *
 * Without KVM (vm->vm_fd < 0, unit tests) no ioeventfd or irqfd is bound:
 * kicks come from MMIO writes to the notify area, and an interrupt is a
 * write to the vector's eventfd (virtio_pci_vector_fd).
 */
#ifndef KVMC_DEVICES_VIRTIO_PCI_H
#define KVMC_DEVICES_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtqueue.h"
#include "vmm/pci.h"

struct vm;
struct virtio_pci;

#define VIRTIO_PCI_MAX_QUEUES	64
#define VIRTIO_PCI_CFG_MAX	0x1000	/* device config space bytes */

/* What a device plugs into the transport (compare kvmtool's virtio_ops).
 * All are called with the device lock held. */
struct virtio_ops {
	/* Device-specific feature bits; the transport adds VERSION_1,
	 * EVENT_IDX and INDIRECT_DESC. */
	uint64_t features;
	/* Device config space: off + len <= config_size, checked. */
	uint32_t config_size;
	void (*config_read)(struct virtio_pci *vp, uint32_t off, void *data,
			    uint32_t len);
	void (*config_write)(struct virtio_pci *vp, uint32_t off,
			     const void *data, uint32_t len);
	/* DRIVER_OK: every queue the driver enabled is ready.  Non-zero
	 * puts the device in DEVICE_NEEDS_RESET. */
	int (*start)(struct virtio_pci *vp);
	/* The driver kicked queue q (q < nr_queues, checked), or the device
	 * asked for a look with virtio_pci_kick.  Only after DRIVER_OK. */
	void (*queue_notify)(struct virtio_pci *vp, unsigned int q);
	/* The driver reset the device: forget all queue state.  The
	 * transport then resets the queues. */
	void (*reset)(struct virtio_pci *vp);
};

struct virtio_pci_qfd {
	struct virtio_pci *vp;
	unsigned int q;
	int fd;				/* notify eventfd */
};

struct virtio_pci_vector {
	uint32_t addr_lo, addr_hi, data, ctrl;	/* guest's MSI-X table entry */
	int fd;				/* irqfd eventfd */
	int gsi;			/* KVM GSI, -1 without KVM */
	bool pending;			/* PBA bit */
};

struct virtio_pci {
	struct pci_dev pci;
	struct vm *vm;
	const struct virtio_ops *ops;
	void *priv;			/* the device's state */
	pthread_mutex_t lock;		/* recursive: the device lock */
	uint16_t device_id;		/* virtio device type */

	/* Common config. */
	uint64_t driver_features;
	uint32_t dfselect, gfselect;
	uint16_t msix_config;
	uint16_t queue_select;
	uint8_t status;
	uint8_t config_generation;
	uint8_t isr;
	uint64_t mapped_bar;		/* BAR0 address of the coalesced zone */
	uint64_t mapped_notify;		/* port the notify ioeventfds use */
	int cap_pci_cfg;		/* offset of VIRTIO_PCI_CAP_PCI_CFG */
	int cap_msix;			/* offset of the MSI-X capability */
	uint8_t cfg_init[PCI_CFG_SIZE];	/* config space as built: the
					 * read-only bytes come back from it */

	unsigned int nr_queues;
	struct virtq vq[VIRTIO_PCI_MAX_QUEUES];
	struct virtio_pci_qfd qfd[VIRTIO_PCI_MAX_QUEUES];
	unsigned int nr_vectors;	/* nr_queues + 1 */
	struct virtio_pci_vector vec[VIRTIO_PCI_MAX_QUEUES + 1];

	/* virtio_pci_look_later: a timerfd and the queues it is for. */
	int later_fd;
	uint64_t later_queues;
};

/*
 * Builds the PCI function for virtio device type device_id (e.g.
 * VIRTIO_ID_CONSOLE) with nr_queues queues of up to queue_size entries
 * (power of two <= VIRTQ_MAX_SIZE) and its eventfds.  0 or -errno.
 */
int virtio_pci_init(struct virtio_pci *vp, struct vm *vm, uint16_t device_id,
		    uint32_t class_code, unsigned int nr_queues,
		    uint16_t queue_size, const struct virtio_ops *ops,
		    void *priv);
/* Puts it on vm's PCI bus, binds the ioeventfds and irqfds, and adds the
 * notify handlers to vm->loop.  0 or -errno. */
int virtio_pci_register(struct virtio_pci *vp);
/* Unbinds and closes everything (the PCI slot stays taken). */
void virtio_pci_free(struct virtio_pci *vp);

void virtio_pci_lock(struct virtio_pci *vp);
void virtio_pci_unlock(struct virtio_pci *vp);

/* DRIVER_OK set and not needing a reset: the device may use its queues. */
bool virtio_pci_running(const struct virtio_pci *vp);
/* Queue q (q < nr_queues) or NULL. */
struct virtq *virtio_pci_vq(struct virtio_pci *vp, unsigned int q);
/* Pushes done, interrupts the driver if it wants it (virtq_notify). */
void virtio_pci_notify(struct virtio_pci *vp, unsigned int q);
/* Runs ops->queue_notify(q) on vm->loop soon (e.g. host data arrived). */
void virtio_pci_kick(struct virtio_pci *vp, unsigned int q);
/* Runs ops->queue_notify(q) on vm->loop within usec (at most a second)
 * even if the driver does not kick: the net under a queue whose kicks
 * the device put off (virtq_kick_after).  An earlier look stands. */
void virtio_pci_look_later(struct virtio_pci *vp, unsigned int q,
			   unsigned int usec);
/* The look virtio_pci_look_later asked for, now (the timer's handler;
 * exposed for tests, which have no loop). */
void virtio_pci_look_now(struct virtio_pci *vp);
/* Device config changed: bump config_generation, config interrupt. */
void virtio_pci_config_changed(struct virtio_pci *vp);
/* The device cannot go on (a queue broke): DEVICE_NEEDS_RESET. */
void virtio_pci_needs_reset(struct virtio_pci *vp);

/* BAR0 register access, as the MMIO bus calls it (exposed for tests). */
void virtio_pci_bar_access(void *opaque, uint64_t off, void *data,
			   uint32_t len, bool is_write);
/* The notify BAR's access, as the port I/O bus calls it. */
void virtio_pci_notify_access(void *opaque, uint64_t off, void *data,
			      uint32_t len, bool is_write);
/* The eventfd a vector's interrupts go to (tests read it). */
int virtio_pci_vector_fd(const struct virtio_pci *vp, unsigned int vector);

/* BAR0 layout. */
#define VIRTIO_PCI_COMMON_OFF	0x0000
#define VIRTIO_PCI_COMMON_LEN	0x0100
#define VIRTIO_PCI_ISR_OFF	0x1000
#define VIRTIO_PCI_ISR_LEN	0x0100
#define VIRTIO_PCI_DEVCFG_OFF	0x2000
#define VIRTIO_PCI_MSIX_OFF	0x4000
#define VIRTIO_PCI_PBA_OFF	0x5000
#define VIRTIO_PCI_BAR_SIZE	0x8000

/*
 * The notify registers: an I/O BAR, queue q's at port 2q.  A kick is then
 * a port write, which KVM hands to the queue's ioeventfd straight from the
 * exit's own information; a write to memory (MMIO) has KVM fetch and
 * decode the instruction first on AMD and under nesting, where it has no
 * fast path for MMIO.  (QEMU's virtio-pci offers the same as
 * modern-pio-notify.)
 */
#define VIRTIO_PCI_NOTIFY_BAR	2
#define VIRTIO_PCI_NOTIFY_MULT	2

#endif
