/*
 * A byte budget for an output the guest writes to at will: kvmc-vmm's
 * console file (the serial port and hvc0 both), which lives in the
 * container's state directory, a tmpfs.  Once the budget is spent one
 * note is written and the rest is dropped, so a guest that floods its
 * console cannot fill the host's file system.  Safe to share between
 * threads (the vCPUs write the serial port, the event loop hvc0).
 */
#ifndef KVMC_LIB_OUTCAP_H
#define KVMC_LIB_OUTCAP_H

#include <stddef.h>
#include <stdint.h>

/* kvmc-vmm's --console file: the guest's boot log and the agent's lines
 * fit many times over. */
#define OUTCAP_CONSOLE_MAX	(4u << 20)

struct outcap {
	int fd;
	uint64_t max;
	uint64_t used;		/* bytes claimed, may pass max */
};

void outcap_init(struct outcap *o, int fd, uint64_t max);
/* Writes what fits of buf (EINTR retried); the write that crosses the
 * budget adds the note.  Returns 0, or -errno of a failed write (the
 * bytes count as spent either way). */
int outcap_write(struct outcap *o, const void *buf, size_t n);

#endif
