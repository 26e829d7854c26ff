/* A holder process in the container's network namespace, and the pin of
 * one create made (see netns.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/netns.h"

/* The holder: enters or makes the namespace, reports 0 or errno, then
 * waits for EOF on hold. */
static void holder(const char *join, const char *pin, int ready, int hold)
{
	int e = 0, fd;
	char c;

	if (join) {
		fd = open(join, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			e = errno;
	} else if (pin) {
		if (unshare(CLONE_NEWNET) < 0 ||
		    mount("/proc/self/ns/net", pin, NULL, MS_BIND, NULL) < 0)
			e = errno;
	}
	if (write(ready, &e, sizeof(e)) != sizeof(e) || e)
		_exit(1);
	close(ready);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

int netns_holder_start(const char *join, const char *pin,
		       struct netns_holder *h, char *err, size_t errlen)
{
	int ready[2] = { -1, -1 }, hold[2] = { -1, -1 }, e = 0, fd, ret;
	const char *what = join ? join : pin;
	ssize_t n;

	h->pid = -1;
	h->release_fd = -1;
	if (pin) {
		fd = open(pin, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "network namespace pin %s: %s", pin,
				 strerror(errno));
			return ret;
		}
		close(fd);
	}
	if (pipe2(ready, O_CLOEXEC) || pipe2(hold, O_CLOEXEC)) {
		ret = -errno;
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	h->pid = fork();
	if (h->pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (h->pid == 0) {
		close(ready[0]);
		close(hold[1]);
		holder(join, pin, ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	ready[1] = hold[0] = -1;
	h->release_fd = hold[1];
	hold[1] = -1;
	n = read(ready[0], &e, sizeof(e));
	close(ready[0]);
	ready[0] = -1;
	if (n != sizeof(e) || e) {
		ret = n == sizeof(e) ? -e : -ECHILD;
		snprintf(err, errlen, "%s network namespace%s%s: %s",
			 join ? "entering the" : pin ? "making a" : "our",
			 what ? " " : "", what ? what : "",
			 n == sizeof(e) ? strerror(e) : "the holder died");
		goto fail;
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (hold[i] >= 0)
			close(hold[i]);
	}
	netns_holder_stop(h);
	if (pin)
		netns_unpin(pin);
	return ret;
}

void netns_holder_stop(struct netns_holder *h)
{
	if (h->release_fd >= 0)
		close(h->release_fd);
	h->release_fd = -1;
	if (h->pid > 0)
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
	h->pid = -1;
}

int netns_unpin(const char *pin)
{
	if (umount2(pin, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(pin) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Switches this thread to the namespace at path; *saved gets the fd of
 * the one to come back to.  0 or -errno. */
int netns_enter(const char *path, int *saved)
{
	int self, fd, r = 0;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r) {
		close(self);
		return r;
	}
	*saved = self;
	return 0;
}

int netns_leave(int saved)
{
	int r = setns(saved, CLONE_NEWNET) < 0 ? -errno : 0;

	close(saved);
	return r;
}
