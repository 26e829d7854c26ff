/* Launching a container's VM and shims, and talking to its proxy. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/hyperstart.h"
#include "lib/json.h"
#include "lib/proxy_proto.h"
#include "runtime/etcfiles.h"
#include "runtime/network.h"
#include "runtime/vm.h"
#include "runtime/vm_watch.h"
#include "runtime/volumes.h"

/* How long a new shim may take to attach to the proxy. */
#define VM_SHIM_READY_MS	60000

int vm_boot_timeout_ms(void)
{
	const char *s = getenv("KVMC_BOOT_TIMEOUT");
	long v = s ? strtol(s, NULL, 10) : 0;

	return (v > 0 && v < 86400 ? (int)v : VM_BOOT_TIMEOUT_S) * 1000;
}

static int null_stdio(int out_fd)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(out_fd >= 0 ? out_fd : fd, STDOUT_FILENO);
	dup2(out_fd >= 0 ? out_fd : fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

pid_t vm_launch(struct kvmc_ctx *ctx, const char *statedir,
		const struct oci_config *cfg, const struct rtconfig *rc,
		const struct vm_size *size, const struct net_setup *net,
		int dns_fd, const struct volumes *vols, bool etc_share,
		int *armfd)
{
	char dns[24], mem[32], cpus[16], console[4200], share[4200], etc[4200], sock[4200],
	     logp[4200], nets[NET_MAX_IFACES][64], mac[18];
	char *vshares[VOL_MAX] = { NULL };
	int pipefd[2], log_fd;
	pid_t child, pid, vmm = -1;
	const char *argv[30 + 2 * NET_MAX_IFACES + 2 * VOL_MAX];
	unsigned int i, nr_nets = net ? net->nr_ifaces : 0;
	unsigned int nr_vols = vols ? vols->n : 0;
	int n = 0, status;

	snprintf(mem, sizeof(mem), "%lluM", (unsigned long long)size->memory_mib);
	snprintf(cpus, sizeof(cpus), "%u", size->vcpus);
	snprintf(console, sizeof(console), "file:%s/%s", statedir, VM_CONSOLE_LOG);
	snprintf(share, sizeof(share), "%s=%s%s", VM_ROOTFS_TAG, cfg->rootfs,
		 cfg->root_readonly ? ",ro" : "");
	snprintf(sock, sizeof(sock), "%s/%s", statedir, VM_PROXY_SOCK);
	snprintf(logp, sizeof(logp), "%s/%s", statedir, VM_LOG);
	argv[n++] = rc->vmm;
	argv[n++] = "--kernel";
	argv[n++] = rc->kernel;
	if (rc->initrd) {
		argv[n++] = "--initrd";
		argv[n++] = rc->initrd;
	}
	argv[n++] = "--memory";
	argv[n++] = mem;
	argv[n++] = "--cpus";
	argv[n++] = cpus;
	argv[n++] = "--console";
	argv[n++] = console;
	argv[n++] = "--share";
	argv[n++] = share;
	argv[n++] = "--proxy";
	argv[n++] = sock;
	if (etc_share) {
		snprintf(etc, sizeof(etc), "%s=%s/%s", ETC_SHARE_TAG, statedir,
			 ETC_DIR);
		argv[n++] = "--share";
		argv[n++] = etc;
	}
	argv[n++] = "--sandbox";
	argv[n++] = rc->vmm_sandbox;
	for (i = 0; i < nr_vols; i++) {
		const struct volume *v = &vols->v[i];

		if (asprintf(&vshares[i], "%s=%s%s", v->tag, v->source,
			     v->readonly ? ",ro" : "") < 0) {
			vshares[i] = NULL;
			vmm = kvmc_err(ctx, ENOMEM, "out of memory");
			goto out;
		}
		argv[n++] = "--share";
		argv[n++] = vshares[i];
	}
	for (i = 0; i < nr_nets; i++) {
		net_mac_str(net->ifaces[i].mac, mac);
		snprintf(nets[i], sizeof(nets[i]), "fd=%d,mac=%s",
			 net->ifaces[i].tap_fd, mac);
		argv[n++] = "--net";
		argv[n++] = nets[i];
	}
	if (dns_fd >= 0) {
		snprintf(dns, sizeof(dns), "fd=%d", dns_fd);
		argv[n++] = "--dns";
		argv[n++] = dns;
	}
	if (rc->kernel_params && *rc->kernel_params) {
		argv[n++] = "--append";
		argv[n++] = rc->kernel_params;
	}
	argv[n] = NULL;

	log_fd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	*armfd = -1;
	if (log_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pipefd)) {
		vmm = kvmc_err(ctx, errno, "%s: %s", logp, strerror(errno));
		if (log_fd >= 0)
			close(log_fd);
		goto out;
	}
	/* The VMM must not be our child, nor hold our stdio: a first child
	 * makes a session and leaves; its child, the watcher, starts the VMM
	 * and stays its parent only to log how it ends (vm_watch.h). */
	child = fork();
	if (child < 0) {
		vmm = kvmc_err(ctx, errno, "fork: %s", strerror(errno));
		close(log_fd);
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	if (child == 0) {
		pid_t watcher;

		setsid();
		watcher = fork();
		if (watcher)
			_exit(watcher < 0);
		pid = fork();
		if (pid == 0) {
			null_stdio(log_fd);
			/* The taps and the DNS socket cross into the VMM
			 * by number. */
			for (i = 0; i < nr_nets; i++)
				fcntl(net->ifaces[i].tap_fd, F_SETFD, 0);
			if (dns_fd >= 0)
				fcntl(dns_fd, F_SETFD, 0);
			execv(argv[0], (char **)argv);
			dprintf(log_fd, "kvmc: exec %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
		if (write(pipefd[1], &pid, sizeof(pid)) != sizeof(pid) || pid < 0)
			_exit(1);
		/* Nothing of create's stays open here: not its stdio, lock,
		 * taps or sockets; only our end of the socket, as fd 3. */
		close(pipefd[0]);
		null_stdio(log_fd);
		if (pipefd[1] != 3 && dup2(pipefd[1], 3) != 3)
			kill(pid, SIGKILL);
		close_range(4, ~0U, 0);
		prctl(PR_SET_NAME, "kvmc-vm-watch", 0, 0, 0);
		/* Armed until create has recorded the VMM: a create killed
		 * (or failed) before that closes its end without the byte,
		 * and a VMM no state names must not outlive it. */
		if (!vm_watch_armed(3))
			kill(pid, SIGKILL);
		close(3);
		_exit(vm_watch(pid, STDERR_FILENO) < 0);
	}
	close(pipefd[1]);
	close(log_fd);
	if (read(pipefd[0], &vmm, sizeof(vmm)) != sizeof(vmm))
		vmm = -1;
	if (vmm > 0)
		*armfd = pipefd[0];
	else
		close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (vmm <= 0)
		vmm = kvmc_err(ctx, EIO, "cannot start %s", rc->vmm);
out:
	for (i = 0; i < nr_vols; i++)
		free(vshares[i]);
	return vmm;
}

void vm_recorded(int *armfd)
{
	if (*armfd < 0)
		return;
	/* A watcher already gone (it failed to start watching) is no
	 * error here: no SIGPIPE, no check. */
	(void)!send(*armfd, "", 1, MSG_NOSIGNAL);
	close(*armfd);
	*armfd = -1;
}

int vm_proxy(struct kvmc_ctx *ctx, const char *statedir, int timeout_ms)
{
	char sock[4200];
	int fd;

	snprintf(sock, sizeof(sock), "%s/%s", statedir, VM_PROXY_SOCK);
	fd = px_connect(sock, timeout_ms);
	if (fd < 0)
		return kvmc_err(ctx, -fd, "the VM's proxy at %s: %s", sock,
				strerror(-fd));
	return fd;
}

int vm_hyper(struct kvmc_ctx *ctx, int fd, uint32_t code, const char *json,
	     int timeout_ms)
{
	char *reply = NULL;
	int ret = px_hyper(fd, code, json, &reply, timeout_ms);

	if (ret == -EIO)
		kvmc_err(ctx, EIO, "the VM's agent refused %s: %s",
			 hyper_cmd_name(code), reply && *reply ? reply : "no reason given");
	else if (ret == -ETIMEDOUT)
		kvmc_err(ctx, ETIMEDOUT, "the VM's agent did not answer %s within %d s",
			 hyper_cmd_name(code), timeout_ms / 1000);
	else if (ret)
		kvmc_err(ctx, -ret, "%s to the VM's agent: %s (the VM ended?)",
			 hyper_cmd_name(code), strerror(-ret));
	free(reply);
	return ret;
}

char *vm_process_json(const struct oci_process *p, const char *id,
		      uint64_t stdio, uint64_t stderr_seq)
{
	char num[32];
	struct jbuf b;
	size_t i;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "id");
	jb_str(&b, id);
	jb_key(&b, "args");
	jb_arr_begin(&b);
	for (i = 0; i < p->args.n; i++)
		jb_str(&b, p->args.items[i]);
	jb_arr_end(&b);
	jb_key(&b, "envs");
	jb_arr_begin(&b);
	for (i = 0; i < p->env.n; i++) {
		const char *kv = p->env.items[i], *eq = strchr(kv, '=');

		if (!eq)
			continue;
		jb_obj_begin(&b);
		jb_key(&b, "env");
		jb_strn(&b, kv, (size_t)(eq - kv));
		jb_key(&b, "value");
		jb_str(&b, eq + 1);
		jb_obj_end(&b);
	}
	jb_arr_end(&b);
	jb_key(&b, "workdir");
	jb_str(&b, p->cwd ? p->cwd : "/");
	snprintf(num, sizeof(num), "%u", p->user.uid);
	jb_key(&b, "user");
	jb_str(&b, num);
	snprintf(num, sizeof(num), "%u", p->user.gid);
	jb_key(&b, "group");
	jb_str(&b, num);
	jb_key(&b, "additionalGroups");
	jb_arr_begin(&b);
	for (i = 0; i < p->user.n_additional_gids; i++) {
		snprintf(num, sizeof(num), "%u", p->user.additional_gids[i]);
		jb_str(&b, num);
	}
	jb_arr_end(&b);
	if (p->user.umask >= 0) {
		jb_key(&b, "umask");
		jb_int(&b, p->user.umask);
	}
	jb_key(&b, "rlimits");
	jb_arr_begin(&b);
	for (i = 0; i < p->n_rlimits; i++) {
		jb_obj_begin(&b);
		jb_key(&b, "type");
		jb_str(&b, p->rlimits[i].type);
		jb_key(&b, "hard");
		jb_uint(&b, p->rlimits[i].hard);
		jb_key(&b, "soft");
		jb_uint(&b, p->rlimits[i].soft);
		jb_obj_end(&b);
	}
	jb_arr_end(&b);
	jb_key(&b, "terminal");
	jb_bool(&b, p->terminal);
	jb_key(&b, "noNewPrivileges");
	jb_bool(&b, p->no_new_privileges);
	jb_key(&b, "stdio");
	jb_uint(&b, stdio);
	jb_key(&b, "stderr");
	jb_uint(&b, stderr_seq);
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}

/* Sends fd over the unix socket at path (runc's --console-socket). */
static int send_console(const char *path, int fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char name[] = "/dev/ptmx", cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { name, sizeof(name) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int s, ret = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    sendmsg(s, &msg, MSG_NOSIGNAL) < 0)
		ret = -errno;
	close(s);
	return ret;
}

/* Waits for the shim's byte on ready (it has attached); reaps it when it
 * ended instead.  0 or -errno. */
static int shim_wait_ready(struct kvmc_ctx *ctx, const char *shim, pid_t pid,
			   int ready)
{
	struct pollfd p = { .fd = ready, .events = POLLIN };
	char c;
	int r, status;

	do
		r = poll(&p, 1, VM_SHIM_READY_MS);
	while (r < 0 && errno == EINTR);
	if (r > 0 && read(ready, &c, 1) == 1)
		return 0;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!r)
		return kvmc_err(ctx, ETIMEDOUT, "%s did not attach to the VM's proxy within %d s",
				shim, VM_SHIM_READY_MS / 1000);
	return kvmc_err(ctx, EIO, "%s could not attach to the VM's proxy (exit status %d)",
			shim, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int open_pty(struct kvmc_ctx *ctx, const struct vm_shim_opts *o,
		    int *master, int *slave)
{
	struct termios t;
	int ret;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || grantpt(*master) || unlockpt(*master) ||
	    (*slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return kvmc_err(ctx, errno, "terminal: %s", strerror(errno));
	/* The guest's pty does the line discipline: this one is raw. */
	if (!tcgetattr(*slave, &t)) {
		cfmakeraw(&t);
		tcsetattr(*slave, TCSANOW, &t);
	}
	if (o->rows && o->cols) {
		struct winsize ws = { .ws_row = (unsigned short)o->rows,
				      .ws_col = (unsigned short)o->cols };

		ioctl(*slave, TIOCSWINSZ, &ws);
	}
	ret = send_console(o->console_socket, *master);
	if (ret)
		return kvmc_err(ctx, -ret, "--console-socket %s: %s",
				o->console_socket, strerror(-ret));
	return 0;
}

pid_t vm_shim(struct kvmc_ctx *ctx, const struct rtconfig *rc,
	      const char *statedir, const struct vm_shim_opts *o)
{
	char sock[4200], s_stdio[24], s_stderr[24], s_ready[16], s_wait[16];
	const char *argv[20];
	int n = 0, master = -1, slave = -1, ready[2] = { -1, -1 }, ret;
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/%s", statedir, VM_PROXY_SOCK);
	snprintf(s_stdio, sizeof(s_stdio), "%llu", (unsigned long long)o->stdio);
	snprintf(s_stderr, sizeof(s_stderr), "%llu",
		 (unsigned long long)o->stderr_seq);
	if (pipe2(ready, O_CLOEXEC)) {
		ret = kvmc_err(ctx, errno, "pipe: %s", strerror(errno));
		goto out;
	}
	snprintf(s_ready, sizeof(s_ready), "%d", ready[1]);
	argv[n++] = rc->shim;
	argv[n++] = "--proxy";
	argv[n++] = sock;
	argv[n++] = "--container";
	argv[n++] = o->id;
	argv[n++] = "--process";
	argv[n++] = o->proc_id;
	argv[n++] = "--stdio";
	argv[n++] = s_stdio;
	argv[n++] = "--stderr";
	argv[n++] = s_stderr;
	argv[n++] = "--ready-fd";
	argv[n++] = s_ready;
	/* As long as create waits for the boot (the socket exists by now,
	 * but the VMM may be slow to accept on a loaded machine). */
	snprintf(s_wait, sizeof(s_wait), "%d", vm_boot_timeout_ms() / 1000);
	argv[n++] = "--connect-timeout";
	argv[n++] = s_wait;
	if (o->terminal)
		argv[n++] = "--tty";
	argv[n] = NULL;

	if (o->terminal && o->console_socket &&
	    (ret = open_pty(ctx, o, &master, &slave)))
		goto out;
	pid = fork();
	if (pid < 0) {
		ret = kvmc_err(ctx, errno, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		if (slave >= 0) {
			setsid();
			ioctl(slave, TIOCSCTTY, 0);
			dup2(slave, STDIN_FILENO);
			dup2(slave, STDOUT_FILENO);
			dup2(slave, STDERR_FILENO);
		}
		fcntl(ready[1], F_SETFD, 0);
		execv(argv[0], (char **)argv);
		fprintf(stderr, "kvmc: exec %s: %s\n", argv[0], strerror(errno));
		_exit(125);
	}
	close(ready[1]);
	ready[1] = -1;
	ret = shim_wait_ready(ctx, rc->shim, pid, ready[0]);
	if (!ret)
		ret = pid;
out:
	if (master >= 0)
		close(master);
	if (slave >= 0)
		close(slave);
	if (ready[0] >= 0)
		close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	return ret;
}
