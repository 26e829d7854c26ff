/* tool-deps: lib */
/*
 * recvtty: the other end of `--console-socket` (as runc's recvtty): listens
 * on SOCK, receives one pty master with SCM_RIGHTS, and copies what the
 * master reads to stdout until the pty hangs up.  Once TRIGGER exists (a
 * file the test creates), it resizes the pty to ROWS x COLS, once, as
 * containerd does on `docker exec -t`'s resize.
 *
 * Usage: recvtty SOCK TRIGGER ROWS COLS
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static int receive_fd(int s)
{
	char data[64], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(s, &msg, 0) < 0)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct winsize ws = { 0 };
	bool resized = false;
	int lfd, c, master;

	if (argc != 5 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: recvtty SOCK TRIGGER ROWS COLS\n");
		return 2;
	}
	ws.ws_row = (unsigned short)atoi(argv[3]);
	ws.ws_col = (unsigned short)atoi(argv[4]);
	strcpy(sa.sun_path, argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 1) || (c = accept(lfd, NULL, NULL)) < 0 ||
	    (master = receive_fd(c)) < 0) {
		perror("recvtty");
		return 1;
	}
	close(c);
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (!resized && !access(argv[2], F_OK)) {
			ioctl(master, TIOCSWINSZ, &ws);
			resized = true;
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(master, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return 0;	/* EIO: the last slave closed */
		}
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			return 1;
	}
}
