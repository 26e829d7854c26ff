/* The host end of the guest's DNS relay (docs/network.md, "Docker's
 * embedded DNS"): on Docker's user-defined networks resolv.conf names
 * 127.0.0.11, a server reachable only from inside the container's network
 * namespace.  create makes a datagram socket there, connected to
 * 127.0.0.11:53, and gives it to kvmc-vmm (--dns fd=N), which relays the
 * agent's queries through it. */
#ifndef KVMC_RUNTIME_DNS_SOCK_H
#define KVMC_RUNTIME_DNS_SOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the resolv.conf text (len bytes, not NUL-terminated) has a
 * "nameserver 127.0.0.11" line. */
bool dns_names_relay(const char *text, size_t len);
/* The same for the copy of the bundle's resolv.conf in
 * STATEDIR/etc/resolv.conf (runtime/etcfiles.h); false without one. */
bool dns_relay_wanted(const char *statedir);
/* A datagram socket made in the namespace at netns_path (entered on this
 * thread only, and back), connected to 127.0.0.11:53, close-on-exec.
 * fd, or -errno with one line in err. */
int dns_socket(const char *netns_path, char *err, size_t errlen);

#endif
