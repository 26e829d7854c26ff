/* kvmc-agent: /init of the container VM.  Boots the guest userspace,
 * opens the hyperstart channels, says READY and serves the host until
 * DESTROYPOD resets the VM.  PID 1 never exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/evloop.h"
#include "lib/hyperstart.h"
#include "lib/log.h"

#define PORT_WAIT_MS	30000

int main(int argc, char **argv)
{
	struct evloop *loop;
	char *cmdline;
	int ctl, stream, ret;

	boot_timer_mark();
	if (getpid() != 1)
		fprintf(stderr, "kvmc-agent: warning: not PID 1\n");
	signal(SIGPIPE, SIG_IGN);
	ret = boot_mounts();
	log_init("kvmc-agent", stderr, false, LOG_INFO);
	if (ret)
		boot_fatal("base mounts: %s", strerror(-ret));
	cmdline = boot_cmdline();
	if (!cmdline)
		boot_fatal("out of memory");
	if (strstr(cmdline, "kvmc.debug"))
		log_init("kvmc-agent", stderr, false, LOG_DEBUG);
	if (modules_load(AGENT_MODULE_LIST, cmdline))
		log_warn("some modules failed to load");
	free(cmdline);

	ctl = ports_open(HYPER_CTL_PORT, PORT_WAIT_MS);
	if (ctl < 0)
		boot_fatal("port %s: %s", HYPER_CTL_PORT, strerror(-ctl));
	stream = ports_open(HYPER_STREAM_PORT, PORT_WAIT_MS);
	if (stream < 0)
		boot_fatal("port %s: %s", HYPER_STREAM_PORT, strerror(-stream));

	loop = evloop_new();
	if (!loop)
		boot_fatal("event loop: %s", strerror(errno));
	ret = procs_init(loop);
	if (!ret)
		ret = channel_init(loop, ctl, stream);
	if (ret)
		boot_fatal("channels: %s", strerror(-ret));
	ret = dns_relay_start(loop);
	if (ret)
		log_warn("dns relay: %s (names through 127.0.0.11 will not resolve)",
			 strerror(-ret));
	channel_send_ctl(HYPER_READY, NULL, 0);
	log_info("ready");

	ret = evloop_run(loop);
	boot_fatal("event loop ended: %s", strerror(-ret));
}
