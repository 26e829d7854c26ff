/* virtio-console internals shared by console*.c (not an interface). */
#ifndef KVMC_DEVICES_VIRTIO_CONSOLE_INT_H
#define KVMC_DEVICES_VIRTIO_CONSOLE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/bytering.h"
#include "devices/virtio/console.h"
#include "devices/virtio/pci.h"

#define VCON_RING_SIZE		(256 * 1024)	/* each direction, per port */
#define VCON_QUEUE_SIZE		128
#define VCON_CTRL_PENDING	128		/* control messages to send */
#define VCON_CTRL_RXQ		2		/* device -> driver */
#define VCON_CTRL_TXQ		3		/* driver -> device */

struct vcon_port {
	struct vcon *c;
	unsigned int id;
	char name[VCON_NAME_MAX + 1];
	struct bytering to_guest, from_guest;
	bool guest_open;
	bool want_writable;	/* a write came back short */
	/* The most receive buffers the guest has had out at once: about
	 * how many it holds when the device has filled them all. */
	uint16_t rx_pool;
	/* A transmit buffer taken from the guest but not all copied out
	 * yet (the ring from the guest filled up). */
	struct virtq_req *tx;
	bool tx_held;
	size_t tx_off;
	const struct vcon_port_ops *ops;
	void *opaque;
	struct vcon_unix *unix_srv;
};

struct vcon_ctrl_msg {
	uint32_t id;
	uint16_t event, value;
};

struct vcon {
	struct virtio_pci vp;
	struct vm *vm;
	int console_out;
	struct outcap *console_cap;	/* or NULL: straight to console_out */
	unsigned int nr_ports;		/* port 0 + named ports */
	struct vcon_port port[VCON_MAX_PORTS + 1];
	struct vcon_ctrl_msg ctrl[VCON_CTRL_PENDING];
	unsigned int ctrl_head, ctrl_tail;
	struct virtq_req req;		/* scratch for rx and control */
};

static inline unsigned int vcon_rxq(unsigned int id)
{
	return id == 0 ? 0 : 2 + 2 * id;
}

static inline unsigned int vcon_txq(unsigned int id)
{
	return vcon_rxq(id) + 1;
}

/* console_ctrl.c: the control queues. */
void vcon_ctrl_send(struct vcon *c, uint32_t id, uint16_t event,
		    uint16_t value);
void vcon_ctrl_flush(struct vcon *c);
void vcon_ctrl_receive(struct vcon *c);

/* console_unix.c */
void vcon_unix_free(struct vcon_unix *u);

/* console.c: data movement, called by the control code. */
void vcon_port_opened(struct vcon_port *p, bool open);
/* The virtio-pci function without putting it on a bus (vcon_realize does
 * both; unit tests only this). */
int vcon_init_transport(struct vcon *c);

#endif
