/* Tap devices as virtio-net backends: opened with IFF_TAP|IFF_NO_PI|
 * IFF_VNET_HDR so every frame carries the 12-byte virtio-net header
 * (struct virtio_net_hdr_v1) the guest and the kernel both understand.
 * Shared by the runtime (which creates taps in the container's namespace)
 * and kvmc-vmm (which drives them). */
#ifndef KVMC_LIB_TAP_H
#define KVMC_LIB_TAP_H

#include <net/if.h>

#define TAP_VNET_HDR_LEN 12

/*
 * Opens (creating if needed) the tap `name` in the caller's network
 * namespace; "" lets the kernel pick (tapN).  The chosen name goes to
 * name_out (IFNAMSIZ bytes) if not NULL.  The fd is close-on-exec and
 * already set up by tap_prepare.  fd or -errno (-ENAMETOOLONG for a name
 * of IFNAMSIZ bytes or more).
 */
int tap_open(const char *name, char *name_out);

/* Checks that fd is a tap with IFF_VNET_HDR and no packet info, sets the
 * header size to TAP_VNET_HDR_LEN and O_NONBLOCK: for an fd handed over
 * by another process.  0, -EINVAL (not such a tap) or -errno. */
int tap_prepare(int fd);

/* TUNSETOFFLOAD with TUN_F_* flags: what the kernel may hand us
 * unsegmented or without checksum.  0 or -errno. */
int tap_set_offload(int fd, unsigned int tun_flags);

#endif
