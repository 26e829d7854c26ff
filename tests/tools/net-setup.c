/* tool-deps: runtime lib */
/*
 * Drives runtime/network.h from tests:
 *   net-setup up NETNS STATE_DIR [SHELL_CMD]
 *     prints the STARTPOD "interfaces"/"routes" members as one JSON object;
 *     with SHELL_CMD, runs it under sh -c holding the taps: interface i's
 *     fd is NET_FD<i> (3, 4, ...), its MAC NET_MAC<i>, its tap NET_TAP<i>.
 *   net-setup down NETNS STATE_DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/network.h"

static int run_with_taps(struct net_setup *s, const char *cmd)
{
	char key[32], val[32];

	/* Park the fds above the targets first so dup2 never clobbers one. */
	for (unsigned int i = 0; i < s->nr_ifaces; i++) {
		int fd = fcntl(s->ifaces[i].tap_fd, F_DUPFD_CLOEXEC, 100);

		if (fd < 0)
			return 1;
		close(s->ifaces[i].tap_fd);
		s->ifaces[i].tap_fd = fd;
	}
	for (unsigned int i = 0; i < s->nr_ifaces; i++) {
		int fd = 3 + i;

		if (dup2(s->ifaces[i].tap_fd, fd) < 0)
			return 1;
		snprintf(key, sizeof(key), "NET_FD%u", i);
		snprintf(val, sizeof(val), "%d", fd);
		setenv(key, val, 1);
		snprintf(key, sizeof(key), "NET_MAC%u", i);
		net_mac_str(s->ifaces[i].mac, val);
		setenv(key, val, 1);
		snprintf(key, sizeof(key), "NET_TAP%u", i);
		setenv(key, s->ifaces[i].tap, 1);
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	perror("net-setup: /bin/sh");
	return 1;
}

int main(int argc, char **argv)
{
	char err[NET_ERR_MAX];
	struct net_setup s;
	struct jbuf b;
	char *json;

	if (argc >= 4 && strcmp(argv[1], "down") == 0) {
		if (net_teardown(argv[2], argv[3], err, sizeof(err))) {
			fprintf(stderr, "net-setup: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "up") != 0) {
		fprintf(stderr, "usage: net-setup up|down NETNS STATE_DIR "
			"[SHELL_CMD]\n");
		return 2;
	}
	if (net_setup(argv[2], argv[3], &s, err, sizeof(err))) {
		fprintf(stderr, "net-setup: %s\n", err);
		return 1;
	}
	jb_init(&b);
	jb_obj_begin(&b);
	net_startpod_json(&s, &b);
	jb_obj_end(&b);
	json = jb_finish(&b, NULL);
	if (!json)
		return 1;
	printf("%s\n", json);
	fflush(stdout);
	free(json);
	if (argc > 4)
		return run_with_taps(&s, argv[4]);
	net_close_fds(&s);
	return 0;
}
