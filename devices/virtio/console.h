/* virtio-console with VIRTIO_CONSOLE_F_MULTIPORT.
 *
 * Port 0 is the guest's console (hvc0): what the guest writes there goes
 * to the VMM's stdout.  Ports 1.. are named ports (/dev/vportNpM in the
 * guest, named through /sys/class/virtio-ports/vport*\/name); the host
 * side of each is a pair of byte rings that in-process users (the proxy)
 * read and write with the calls below, or that vcon_port_serve_unix puts
 * on a unix socket.
 *
 * Data is never dropped: bytes for the guest wait in the port's ring
 * until the guest has the port open and has posted receive buffers;
 * when the ring from the guest is full the device stops taking the
 * guest's transmit buffers until the host reads.
 *
 * Every call is thread-safe (it takes the device lock).  Callbacks run
 * with the device lock held, on the vm->loop thread or on the thread of
 * the call that caused them; they may call the port API again.
 */
#ifndef KVMC_DEVICES_VIRTIO_CONSOLE_H
#define KVMC_DEVICES_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

struct vm;
struct vcon;
struct vcon_port;
struct outcap;

#define VCON_MAX_PORTS		16	/* named ports, besides port 0 */
#define VCON_NAME_MAX		127

struct vcon_port_ops {
	/* Bytes from the guest are waiting (vcon_port_read). */
	void (*readable)(struct vcon_port *p, void *opaque);
	/* Room freed in the ring toward the guest, once after a
	 * vcon_port_write left it full (short or not). */
	void (*writable)(struct vcon_port *p, void *opaque);
	/* The guest opened or closed the port (or the driver went away). */
	void (*state)(struct vcon_port *p, void *opaque, bool guest_open);
	/* Optional: offered the guest's transmit buffer itself (iov, n
	 * segments) while the ring from the guest is empty, so that bytes
	 * can leave without a copy into the ring and order still holds;
	 * returns how many of its bytes it took, from the front (the rest
	 * goes to the ring as usual).  Called on the loop with the device
	 * locked: it must not block or call the port's functions. */
	size_t (*sink)(struct vcon_port *p, void *opaque,
		       const struct iovec *iov, unsigned int n);
};

/* A device with no named ports yet.  out: where port 0's output goes
 * (an fd, usually 1).  NULL on allocation failure. */
struct vcon *vcon_new(struct vm *vm, int console_out);
/* Adds a named port before vcon_realize.  0, -EINVAL (bad or duplicate
 * name), -ENOSPC (VCON_MAX_PORTS). */
int vcon_add_port(struct vcon *c, const char *name);
/* Port 0's output goes through cap (lib/outcap.h) from now on. */
void vcon_set_console_cap(struct vcon *c, struct outcap *cap);
/* Builds the virtio-pci function and puts it on vm's PCI bus. */
int vcon_realize(struct vcon *c);
void vcon_free(struct vcon *c);

struct vcon_port *vcon_port_find(struct vcon *c, const char *name);
const char *vcon_port_name(const struct vcon_port *p);
void vcon_port_set_ops(struct vcon_port *p, const struct vcon_port_ops *ops,
		       void *opaque);

/* Bytes from the guest: up to len, 0 if none are waiting. */
size_t vcon_port_read(struct vcon_port *p, void *buf, size_t len);
/* Bytes toward the guest: how many were taken (short when the ring is
 * full; the writable callback says when there is room again). */
size_t vcon_port_write(struct vcon_port *p, const void *buf, size_t len);
/* The same through a non-blocking socket, without a copy of one's own:
 * send moves waiting bytes from the guest to fd (bytes sent, 0 if none
 * wait, -errno: -EAGAIN when fd is full); recv moves what fd has toward
 * the guest, as much as the ring has room for (bytes taken, 0 at EOF or
 * when there is no room: see vcon_port_writable, -errno).  fd must be
 * non-blocking (recv reads it with readv). */
ssize_t vcon_port_send(struct vcon_port *p, int fd);
ssize_t vcon_port_recv(struct vcon_port *p, int fd);
size_t vcon_port_readable(struct vcon_port *p);	/* bytes waiting */
size_t vcon_port_writable(struct vcon_port *p);	/* room toward the guest */
bool vcon_port_guest_open(struct vcon_port *p);

/* Serves the port on a unix socket at path (listening, one client at a
 * time; later clients wait in the backlog).  Uses the port's ops. */
int vcon_port_serve_unix(struct vcon_port *p, const char *path);

#endif
