/* virtio-console control queues: the multiport handshake.
 *
 * Driver: DEVICE_READY -> device: PORT_ADD for every port.
 * Driver: PORT_READY(id) -> device: CONSOLE_PORT (port 0) or PORT_NAME,
 * then PORT_OPEN (the host side is always open: it is a ring).
 * Driver: PORT_OPEN(id, 0/1) when a guest process opens or closes it.
 */
#include <string.h>

#include <linux/virtio_console.h>

#include "devices/virtio/console_int.h"
#include "lib/log.h"

void vcon_ctrl_send(struct vcon *c, uint32_t id, uint16_t event,
		    uint16_t value)
{
	if (c->ctrl_head - c->ctrl_tail == VCON_CTRL_PENDING) {
		/* Only a driver repeating READY messages gets here. */
		log_guest("virtio-console: control queue full, event %u for port %u dropped",
			  event, id);
		return;
	}
	c->ctrl[c->ctrl_head++ % VCON_CTRL_PENDING] =
		(struct vcon_ctrl_msg){ id, event, value };
	vcon_ctrl_flush(c);
}

/* Sends pending messages into the driver's control receive buffers. */
void vcon_ctrl_flush(struct vcon *c)
{
	struct virtq *vq = &c->vp.vq[VCON_CTRL_RXQ];
	struct virtio_console_control hdr;
	const struct vcon_ctrl_msg *m;
	const char *name;
	size_t n;
	int r;

	if (!virtio_pci_running(&c->vp))
		return;
	while (c->ctrl_tail != c->ctrl_head) {
		r = virtq_pop(vq, &c->req);
		if (r < 0)
			virtio_pci_needs_reset(&c->vp);
		if (r <= 0)
			break;
		m = &c->ctrl[c->ctrl_tail % VCON_CTRL_PENDING];
		hdr.id = m->id;
		hdr.event = m->event;
		hdr.value = m->value;
		if (c->req.wr_len < sizeof(hdr)) {
			log_guest("virtio-console: control buffer of %zu bytes",
				  c->req.wr_len);
			virtq_push(vq, c->req.head, 0);
			continue;
		}
		n = virtq_write(&c->req, 0, &hdr, sizeof(hdr));
		/* Linux takes the name's length from the used length. */
		if (m->event == VIRTIO_CONSOLE_PORT_NAME) {
			name = c->port[m->id].name;
			n += virtq_write(&c->req, n, name, strlen(name));
		}
		virtq_push(vq, c->req.head, n);
		c->ctrl_tail++;
	}
	virtq_notify(vq);
}

static void handle(struct vcon *c, const struct virtio_console_control *m)
{
	struct vcon_port *p = m->id < c->nr_ports ? &c->port[m->id] : NULL;
	unsigned int i;

	if (m->event == VIRTIO_CONSOLE_DEVICE_READY) {
		if (!m->value) {
			log_guest("virtio-console: the driver failed to set up the device");
			return;
		}
		for (i = 0; i < c->nr_ports; i++)
			vcon_ctrl_send(c, i, VIRTIO_CONSOLE_PORT_ADD, 1);
		return;
	}
	if (!p) {
		log_guest("virtio-console: control event %u for port %u of %u",
			  m->event, m->id, c->nr_ports);
		return;
	}
	switch (m->event) {
	case VIRTIO_CONSOLE_PORT_READY:
		if (!m->value) {
			log_guest("virtio-console: the driver failed to add port %u",
				  m->id);
			return;
		}
		if (m->id == 0)
			vcon_ctrl_send(c, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
		else
			vcon_ctrl_send(c, m->id, VIRTIO_CONSOLE_PORT_NAME, 1);
		vcon_ctrl_send(c, m->id, VIRTIO_CONSOLE_PORT_OPEN, 1);
		break;
	case VIRTIO_CONSOLE_PORT_OPEN:
		vcon_port_opened(p, m->value != 0);
		break;
	default:
		log_guest("virtio-console: unexpected control event %u", m->event);
	}
}

/* Messages from the driver; each buffer is returned at once (Linux spins
 * until it is). */
void vcon_ctrl_receive(struct vcon *c)
{
	struct virtq *vq = &c->vp.vq[VCON_CTRL_TXQ];
	struct virtio_console_control m;
	int r;

	while ((r = virtq_pop(vq, &c->req)) > 0) {
		if (virtq_read(&c->req, 0, &m, sizeof(m)) < sizeof(m))
			log_guest("virtio-console: short control message (%zu bytes)",
				  c->req.rd_len);
		virtq_push(vq, c->req.head, 0);
		if (c->req.rd_len >= sizeof(m))
			handle(c, &m);
	}
	if (r < 0)
		virtio_pci_needs_reset(&c->vp);
	virtq_notify(vq);
}
