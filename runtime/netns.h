/*
 * The container's network namespace seen from the host, for the OCI hooks
 * that configure it: Docker's bridge and user-defined networks leave
 * config.json's network namespace without a path and add a prestart hook
 * (libnetwork-setkey) that moves the veth into the namespace of the pid
 * in the state it reads on stdin.  kvmc's container pid is a shim on the
 * host, so create makes the namespace itself (pinned by a bind mount in
 * the state directory, as `ip netns` does) and gives the hooks the pid of
 * a holder process that waits inside it.
 */
#ifndef KVMC_RUNTIME_NETNS_H
#define KVMC_RUNTIME_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#define NETNS_PIN	"netns"	/* the pin of a namespace create made */

struct netns_holder {
	pid_t pid;		/* waits in the namespace until stopped */
	int release_fd;		/* closing it lets the holder exit */
};

/*
 * Starts a holder: in a new network namespace pinned at pin (an empty
 * file made here; then join is NULL), in the namespace at join (pin
 * NULL), or in ours (both NULL).  0, or -errno with one line in err.
 */
int netns_holder_start(const char *join, const char *pin,
		       struct netns_holder *h, char *err, size_t errlen);
/* Lets the holder exit and reaps it; safe on a holder never started. */
void netns_holder_stop(struct netns_holder *h);
/* Unmounts and removes a pin; a missing one is fine.  0 or -errno. */
int netns_unpin(const char *pin);

/* Switches the calling thread (only) to the namespace at path; *saved
 * gets an fd of the one to come back to with netns_leave.  0 or -errno. */
int netns_enter(const char *path, int *saved);
int netns_leave(int saved);

#endif
