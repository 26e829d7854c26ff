/* PID-1 duties: the boot-timing mark, the base mounts, the console, and
 * the two ways out of the VM (power off on a fatal error, reset after
 * DESTROYPOD). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/log.h"

#define BOOT_TIMER_PORT	0x3f0
#define BOOT_TIMER_MAGIC 123
#define BOOT_TIMER_EXEC	124

static bool have_port;

void boot_timer_mark(void)
{
	/* The VMM records the time of this write; without the port (other
	 * VMMs) the write goes nowhere. */
	have_port = ioperm(BOOT_TIMER_PORT, 1, 1) == 0;
	if (have_port)
		outb(BOOT_TIMER_MAGIC, BOOT_TIMER_PORT);
}

void boot_timer_exec_mark(void)
{
	/* fork passed the agent's port access on, and exec would keep it:
	 * the container's process writes its mark, then gives it up. */
	if (!have_port)
		return;
	outb(BOOT_TIMER_EXEC, BOOT_TIMER_PORT);
	ioperm(BOOT_TIMER_PORT, 1, 0);
	have_port = false;
}

static int mnt(const char *src, const char *dst, const char *type,
	       unsigned long flags, const char *data)
{
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount(src, dst, type, flags, data) < 0 && errno != EBUSY)
		return -errno;
	return 0;
}

/* The kernel gives init no stdio when the initramfs has no /dev/console:
 * open it once devtmpfs is there. */
static void console_stdio(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

int boot_mounts(void)
{
	static const struct {
		const char *src, *dst, *type;
		unsigned long flags;
		const char *data;
	} m[] = {
		{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
		{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
		{ "dev", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
		{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "gid=5,mode=0620,ptmxmode=0666" },
		{ "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
		{ "run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		ret = mnt(m[i].src, m[i].dst, m[i].type, m[i].flags, m[i].data);
		if (ret) {
			log_error("mount %s: %s", m[i].dst, strerror(-ret));
			return ret;
		}
		if (!strcmp(m[i].dst, "/dev"))
			console_stdio();
	}
	/* Container mounts must not propagate back into the agent's tree. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		log_warn("making / private: %s", strerror(errno));
	if (mkdir(AGENT_RUN_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(AGENT_SHARE_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(AGENT_CTR_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

char *boot_cmdline(void)
{
	char buf[4096];
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strdup(buf);
}

void boot_fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("kvmc-agent: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	sync();
	reboot(RB_POWER_OFF);
	/* PID 1 must not return; if even power-off failed, halt here. */
	for (;;)
		pause();
}

/* Unmounts every mount under AGENT_RUN_DIR, deepest first. */
static void unmount_all(void)
{
	char *mounts[1024];
	int n = 0;
	char line[4096];
	FILE *fp = fopen("/proc/self/mounts", "re");

	if (!fp)
		return;
	while (n < 1024 && fgets(line, sizeof(line), fp)) {
		char dst[4096];

		if (sscanf(line, "%*s %4095s", dst) == 1 &&
		    !strncmp(dst, AGENT_RUN_DIR "/", sizeof(AGENT_RUN_DIR)))
			mounts[n++] = strdup(dst);
	}
	fclose(fp);
	while (n-- > 0) {
		if (mounts[n] && umount2(mounts[n], MNT_DETACH) < 0)
			log_warn("umount %s: %s", mounts[n], strerror(errno));
		free(mounts[n]);
	}
}

void boot_teardown(void)
{
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	sync();
	unmount_all();
	sync();
}

void boot_reset(void)
{
	reboot(RB_AUTOBOOT);
	boot_fatal("reboot: %s", strerror(errno));
}
