/* The DNS relay's socket in the container's network namespace (see
 * dns_sock.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/dnsrelay.h"
#include "runtime/dns_sock.h"
#include "runtime/etcfiles.h"
#include "runtime/fsutil.h"
#include "runtime/netns.h"

bool dns_names_relay(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *q = p;
		size_t n;

		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(e - q) > 10 && !memcmp(q, "nameserver", 10) &&
		    (q[10] == ' ' || q[10] == '\t')) {
			q += 10;
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			n = strlen(DNS_RELAY_ADDR);
			if ((size_t)(e - q) >= n && !memcmp(q, DNS_RELAY_ADDR, n) &&
			    (q + n == e || q[n] == ' ' || q[n] == '\t' ||
			     q[n] == '\r' || q[n] == '#'))
				return true;
		}
		p = e + 1;
	}
	return false;
}

bool dns_relay_wanted(const char *statedir)
{
	char path[4200];
	char *text = NULL;
	size_t len = 0;
	bool yes;

	snprintf(path, sizeof(path), "%s/%s/resolv.conf", statedir, ETC_DIR);
	if (fs_read_file(path, ETC_FILE_MAX, &text, &len))
		return false;
	yes = dns_names_relay(text, len);
	free(text);
	return yes;
}

int dns_socket(const char *netns_path, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	int saved, fd, r;

	inet_pton(AF_INET, DNS_RELAY_ADDR, &sa.sin_addr);
	r = netns_enter(netns_path, &saved);
	if (r) {
		snprintf(err, errlen, "DNS relay: entering %s: %s", netns_path,
			 strerror(-r));
		return r;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		snprintf(err, errlen, "DNS relay: a socket to %s:53 in %s: %s",
			 DNS_RELAY_ADDR, netns_path, strerror(-r));
		if (fd >= 0)
			close(fd);
		fd = r;
	}
	r = netns_leave(saved);
	if (r && fd >= 0) {
		/* Stuck in the container's namespace: nothing else may run. */
		snprintf(err, errlen, "DNS relay: leaving %s: %s", netns_path,
			 strerror(-r));
		close(fd);
		fd = r;
	}
	return fd;
}
