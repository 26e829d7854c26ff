/* Starting one container process: fork, enter the container's root, apply
 * the process spec, exec.  Everything after fork runs in the child; a
 * failure prints one line on the process's own stderr and exits 126, or
 * 127 when the command does not exist (as shells and runc report). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/agent.h"

static void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("kvmc-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(code);
}

static void setup_stdio(const struct spawn_io *io)
{
	int fds[3] = { io->in, io->out, io->err };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (io->pty_slave >= 0) {
		if (ioctl(io->pty_slave, TIOCSCTTY, 0) < 0)
			_exit(126);
		fds[0] = fds[1] = fds[2] = io->pty_slave;
	}
	for (int i = 0; i < 3; i++) {
		int fd = fds[i] >= 0 ? fds[i] : null;

		/* dup2 onto itself would keep O_CLOEXEC: use dup3's copy. */
		if (fd == i) {
			if (fcntl(i, F_SETFD, 0) < 0)
				_exit(126);
		} else if (fd < 0 || dup2(fd, i) < 0) {
			_exit(126);
		}
	}
	close_range(3, ~0U, 0);
}

/* Moves the container root over / of a private mount namespace, then
 * chroots into it: the agent's initramfs cannot be pivoted away, and
 * with the root moved the old tree is not reachable from the new one. */
static void enter_root(const char *root)
{
	if (unshare(CLONE_NEWNS) < 0)
		die(126, "unshare: %s", strerror(errno));
	if (chdir(root) < 0)
		die(126, "container root %s: %s", root, strerror(errno));
	if (mount(root, "/", NULL, MS_MOVE, NULL) < 0)
		die(126, "moving the container root: %s", strerror(errno));
	if (chroot(".") < 0 || chdir("/") < 0)
		die(126, "chroot: %s", strerror(errno));
	/* The agent mounted /proc from its own pid namespace; this process
	 * is in the container's, whose view /proc must show (PID 1 is the
	 * container's init, not the agent). */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die(126, "mounting /proc: %s", strerror(errno));
}

/* mkdir -p, as root before the user switch (as runc creates the cwd). */
static void make_dirs(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		die(126, "workdir %s: too long", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				die(126, "workdir %s: %s", buf, strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
}

/* The environment plus HOME from passwd when the spec has none (runc
 * does the same). */
static char **final_env(char **env, const char *home)
{
	size_t n = 0;
	char **out;

	for (; env[n]; n++)
		if (!strncmp(env[n], "HOME=", 5))
			return env;
	out = calloc(n + 2, sizeof(*out));
	if (!out || asprintf(&out[n], "HOME=%s", home) < 0)
		die(126, "out of memory");
	memcpy(out, env, n * sizeof(*out));
	return out;
}

/* execvpe with the PATH of the new environment, not the agent's. */
static void exec_cmd(char **args, char **env)
{
	const char *path = &AGENT_DEFAULT_PATH[sizeof("PATH=") - 1];
	bool denied = false;
	char buf[PATH_MAX];

	if (strchr(args[0], '/')) {
		execve(args[0], args, env);
		die(errno == ENOENT ? 127 : 126, "exec %s: %s", args[0],
		    strerror(errno));
	}
	for (char **e = env; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n + strlen(args[0]) + 2 <= sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, path,
				 n ? "/" : "", args[0]);
			execve(buf, args, env);
			if (errno != ENOENT && errno != ENOTDIR)
				denied = true;
		}
		path += n;
		path += *path == ':';
	}
	if (denied)
		die(126, "exec %s: permission denied", args[0]);
	die(127, "exec %s: command not found", args[0]);
}

static void child(const char *root, const struct proc_spec *p,
		  const struct spawn_io *io)
{
	struct user_ids ids;
	char err[AGENT_ERR_MAX];
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (setsid() < 0)
		_exit(126);
	setup_stdio(io);
	enter_root(root);
	if (user_resolve("", p->user, p->group, p->groups, &ids, err,
			 sizeof(err)))
		die(126, "%s", err);
	for (int i = 0; i < p->nrlimits; i++) {
		struct rlimit rl = { .rlim_cur = p->rlimits[i].soft,
				     .rlim_max = p->rlimits[i].hard };

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			die(126, "setrlimit: %s", strerror(errno));
	}
	umask(p->umask);
	make_dirs(p->workdir);
	if (chdir(p->workdir) < 0)
		die(126, "workdir %s: %s", p->workdir, strerror(errno));
	if (setgroups((size_t)ids.ngroups, ids.groups) < 0 ||
	    setgid(ids.gid) < 0 || setuid(ids.uid) < 0)
		die(126, "switching to uid %u gid %u: %s", ids.uid, ids.gid,
		    strerror(errno));
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die(126, "no_new_privs: %s", strerror(errno));
	boot_timer_exec_mark();
	exec_cmd(p->args, final_env(p->env, ids.home));
}

/* The agent's own pid namespace, to return to after joining a
 * container's. */
static int agent_pidns = -1;

pid_t spawn_process(const char *root, const struct proc_spec *p,
		    const struct spawn_io *io, int pidns)
{
	pid_t pid;

	if (pidns < 0) {
		/* A container's init: PID 1 of a new pid namespace, so that
		 * its end takes every process of the container with it. */
		pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	} else {
		if (agent_pidns < 0)
			agent_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (agent_pidns < 0 || setns(pidns, CLONE_NEWPID) < 0)
			return -errno;
		pid = fork();
		/* Only children are affected: back for the next spawn. */
		if (pid != 0 && setns(agent_pidns, CLONE_NEWPID) < 0)
			boot_fatal("leaving a container's pid namespace: %s",
				   strerror(errno));
	}
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child(root, p, io);
	return pid;
}
