/* tool-deps: lib */
/*
 * fake-proxy: plays kvmc-vmm's proxy (lib/proxy_proto.h) on a unix socket
 * without a VM, so the functional tests can drive `kvmc exec` and its shim
 * end to end on the host.  It accepts any number of clients, ACKs every
 * ATTACH, logs every HYPER command to LOG as `NAME JSON` (one a line) and
 * answers it ACK, except EXECCMD, which MODE decides:
 *
 *   refuse     ERROR "container not found"
 *   exit:N     ACK, then "out-from-fake\n" on the attached process's stdout,
 *              "err-from-fake\n" on its stderr, and EXIT N
 *   signal     ACK, "out-from-fake\n" on its stdout, then EXIT 128+N
 *              once a SIGNALPROCESS with signal N came
 *   hangup     (any EXECCMD) and every ATTACH is answered by closing
 *
 * Usage: fake-proxy SOCK LOG MODE   (runs until killed)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/json.h"
#include "lib/proxy_proto.h"

#define MAX_CLIENTS	16

struct client {
	int fd;
	struct px_decoder dec;
	uint64_t stdio, stderr_seq;	/* from its ATTACH, 0 if none */
};

static struct client clients[MAX_CLIENTS];
static const char *mode;
static FILE *logfp;

static void respond(int fd, uint32_t code, const char *text)
{
	uint8_t be[4];

	hyper_put_be32(be, code);
	px_send(fd, PX_RESPONSE, be, 4, text, text ? strlen(text) : 0);
}

static struct client *attached(void)
{
	for (int i = MAX_CLIENTS - 1; i >= 0; i--)
		if (clients[i].fd >= 0 && clients[i].stdio)
			return &clients[i];
	return NULL;
}

static void out(struct client *a, uint64_t seq, const char *text)
{
	uint8_t be[8];

	px_put_be64(be, seq);
	px_send(a->fd, PX_STREAM, be, 8, text, strlen(text));
}

static void finish(int status)
{
	struct client *a = attached();
	uint8_t be[4];

	if (!a)
		return;
	hyper_put_be32(be, (uint32_t)status);
	px_send(a->fd, PX_EXIT, be, 4, NULL, 0);
}

static void on_hyper(struct client *c, const uint8_t *data, size_t len)
{
	uint32_t code = hyper_get_be32(data);
	struct client *a = attached();
	struct json j;
	int64_t sig;

	fprintf(logfp, "%s %.*s\n", hyper_cmd_name(code), (int)(len - 4),
		(const char *)data + 4);
	fflush(logfp);
	if (code == HYPER_EXECCMD && !strcmp(mode, "refuse")) {
		respond(c->fd, HYPER_ERROR, "container not found");
		return;
	}
	respond(c->fd, HYPER_ACK, NULL);
	if (code == HYPER_EXECCMD && !strncmp(mode, "exit:", 5) && a) {
		out(a, a->stdio, "out-from-fake\n");
		if (a->stderr_seq)
			out(a, a->stderr_seq, "err-from-fake\n");
		finish(atoi(mode + 5));
	}
	if (code == HYPER_EXECCMD && !strcmp(mode, "signal") && a)
		out(a, a->stdio, "out-from-fake\n");
	if (code == HYPER_SIGNALPROCESS && !strcmp(mode, "signal") &&
	    !json_parse(&j, (const char *)data + 4, len - 4, NULL)) {
		if (!json_int64(&j, json_get(&j, 0, "signal"), &sig))
			finish(128 + (int)sig);
		json_free(&j);
	}
}

static void drop(struct client *c)
{
	close(c->fd);
	px_decoder_free(&c->dec);
	c->fd = -1;
	c->stdio = c->stderr_seq = 0;
}

static void on_attach(struct client *c, const uint8_t *data, size_t len)
{
	struct json j;

	if (!strcmp(mode, "hangup")) {
		drop(c);
		return;
	}

	if (!json_parse(&j, (const char *)data, len, NULL)) {
		json_uint64(&j, json_get(&j, 0, "stdio"), &c->stdio);
		json_uint64(&j, json_get(&j, 0, "stderr"), &c->stderr_seq);
		json_free(&j);
	}
	fprintf(logfp, "ATTACH %.*s\n", (int)len, (const char *)data);
	fflush(logfp);
	respond(c->fd, HYPER_ACK, NULL);
}

static void on_client(struct client *c)
{
	uint8_t buf[65536];
	struct px_frame f;
	ssize_t n = read(c->fd, buf, sizeof(buf));

	if (n <= 0 || px_feed(&c->dec, buf, (size_t)n)) {
		drop(c);
		return;
	}
	while (c->fd >= 0 && px_next(&c->dec, &f)) {
		if (f.type == PX_HYPER && f.len >= 4)
			on_hyper(c, f.data, f.len);
		else if (f.type == PX_ATTACH)
			on_attach(c, f.data, f.len);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	int lfd, dirfd, i;

	if (argc != 4) {
		fprintf(stderr, "usage: fake-proxy SOCK LOG MODE\n");
		return 2;
	}
	mode = argv[3];
	logfp = fopen(argv[2], "a");
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!logfp || lfd < 0 || px_sockaddr(argv[1], &sa, &dirfd) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 8)) {
		perror("fake-proxy");
		return 1;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	for (;;) {
		struct pollfd p[MAX_CLIENTS + 1];

		p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < MAX_CLIENTS; i++)
			p[i + 1] = (struct pollfd){ .fd = clients[i].fd,
						    .events = POLLIN };
		if (poll(p, MAX_CLIENTS + 1, -1) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 && p[i + 1].revents)
				on_client(&clients[i]);
		if (p[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			for (i = 0; fd >= 0 && i < MAX_CLIENTS; i++)
				if (clients[i].fd < 0) {
					clients[i].fd = fd;
					px_decoder_init(&clients[i].dec);
					break;
				}
			if (fd >= 0 && i == MAX_CLIENTS)
				close(fd);
		}
	}
}
