/* Virtio-serial ports by name.  udev would make /dev/virtio-ports/NAME;
 * the agent is the only userspace, so it reads the names from sysfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/log.h"

#define SYS_PORTS	"/sys/class/virtio-ports"
#define DEV_PORTS	"/dev/virtio-ports"

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int ports_link(const char *sysdir, const char *devdir)
{
	DIR *d = opendir(sysdir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	if (mkdir(devdir, 0755) < 0 && errno != EEXIST) {
		closedir(d);
		return -errno;
	}
	while ((e = readdir(d))) {
		char path[PATH_MAX], name[256], link[PATH_MAX], target[300];

		if (strncmp(e->d_name, "vport", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s/name", sysdir, e->d_name);
		/* Ports without a name (the console) have an empty file. */
		if (read_small(path, name, sizeof(name)) || !name[0] ||
		    strchr(name, '/') || name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", devdir, name);
		snprintf(target, sizeof(target), "../%s", e->d_name);
		if (symlink(target, link) < 0 && errno != EEXIST)
			log_warn("%s: %s", link, strerror(errno));
		else
			n++;
	}
	closedir(d);
	return n;
}

int ports_scan(void)
{
	return ports_link(SYS_PORTS, DEV_PORTS);
}

int ports_open(const char *name, int timeout_ms)
{
	char path[300];
	int waited = 0, fd;

	snprintf(path, sizeof(path), DEV_PORTS "/%s", name);
	/* Ports show up asynchronously after virtio_console probes; devtmpfs
	 * creates the vport node, sysfs the name. */
	for (;;) {
		ports_scan();
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 || errno != ENOENT || waited >= timeout_ms)
			return fd >= 0 ? fd : -errno;
		poll(NULL, 0, 20);
		waited += 20;
	}
}
