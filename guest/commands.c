/* The control commands: each parses its payload (spec*.c), acts, and
 * queues exactly one ACK or ERROR.  ERROR carries a one-line reason. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/agent.h"
#include "lib/hyperstart.h"
#include "lib/log.h"

static struct {
	bool started;
	bool dns;		/* AGENT_RESOLV_CONF written */
	char *share_tag;
} pod;

static void reply_error(const char *msg)
{
	log_warn("command failed: %s", msg);
	channel_send_ctl(HYPER_ERROR, msg, strlen(msg));
}

static void reply(int ret, const char *err)
{
	if (!ret) {
		channel_send_ctl(HYPER_ACK, NULL, 0);
		return;
	}
	if (ret == -ENOMEM)
		err = "out of memory";
	reply_error(err && *err ? err : strerror(-ret));
}

static int write_resolv_conf(char *const *dns)
{
	FILE *fp;

	if (!dns || !dns[0])
		return 0;
	fp = fopen(AGENT_RESOLV_CONF, "we");
	if (!fp)
		return -errno;
	for (; *dns; dns++)
		fprintf(fp, "nameserver %s\n", *dns);
	return fclose(fp) ? -errno : 0;
}

static int cmd_startpod(const char *p, size_t len, char *err, size_t errlen)
{
	struct pod_spec s;
	int ret, i;

	if (pod.started) {
		snprintf(err, errlen, "STARTPOD: the pod is already started");
		return -EEXIST;
	}
	ret = spec_pod(p, len, &s, err, errlen);
	if (ret)
		return ret;
	if (s.hostname && sethostname(s.hostname, strlen(s.hostname)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "hostname: %s", strerror(errno));
	}
	for (i = 0; !ret && i < s.nifaces; i++)
		ret = net_setup_iface(&s.ifaces[i], err, errlen);
	for (i = 0; !ret && i < s.nroutes; i++)
		ret = net_setup_route(&s.routes[i], err, errlen);
	if (!ret && (ret = write_resolv_conf(s.dns)))
		snprintf(err, errlen, "dns: %s", strerror(-ret));
	if (!ret) {
		pod.started = true;
		pod.dns = s.dns && s.dns[0];
		pod.share_tag = s.share_tag;
		s.share_tag = NULL;
	}
	spec_pod_free(&s);
	return ret;
}

static int cmd_newcontainer(const char *p, size_t len, char *err,
			    size_t errlen)
{
	struct container_spec s;
	struct container *c;
	int ret;

	ret = spec_container(p, len, &s, err, errlen);
	if (ret)
		return ret;
	ret = container_create(&s, pod.share_tag,
			       pod.dns ? AGENT_RESOLV_CONF : NULL, &c, err, errlen);
	if (!ret) {
		ret = proc_start(c, &s.proc, true, err, errlen);
		if (ret)
			container_destroy(c);
	}
	spec_container_free(&s);
	return ret;
}

static struct container *find(const char *id, char *err, size_t errlen)
{
	struct container *c = container_find(id);

	if (!c)
		snprintf(err, errlen, "container %s: not found", id);
	return c;
}

static int cmd_execcmd(const char *p, size_t len, char *err, size_t errlen)
{
	struct proc_spec s;
	struct container *c;
	char *cid;
	int ret;

	ret = spec_exec(p, len, &cid, &s, err, errlen);
	if (ret)
		return ret;
	c = find(cid, err, errlen);
	ret = c ? proc_start(c, &s, false, err, errlen) : -ENOENT;
	free(cid);
	spec_proc_free(&s);
	return ret;
}

static int cmd_kill(const char *p, size_t len, bool signalprocess,
		    char *err, size_t errlen)
{
	struct kill_spec k;
	struct container *c;
	struct proc *pr;
	int ret;

	ret = spec_kill(p, len, signalprocess, &k, err, errlen);
	if (ret)
		return ret;
	c = find(k.container, err, errlen);
	if (!c) {
		ret = -ENOENT;
	} else if (!signalprocess) {
		ret = procs_signal_container(c, k.signal, k.all);
		if (ret)
			snprintf(err, errlen, "container %s: no running process",
				 k.container);
	} else if (!(pr = proc_find(c, k.process))) {
		snprintf(err, errlen, "process %s/%s: not found", k.container,
			 k.process);
		ret = -ENOENT;
	} else if ((ret = proc_signal(pr, k.signal))) {
		snprintf(err, errlen, "process %s/%s: %s", k.container,
			 k.process, strerror(-ret));
	}
	spec_kill_free(&k);
	return ret;
}

static int cmd_winsize(const char *p, size_t len, char *err, size_t errlen)
{
	struct winsize_spec w;
	struct container *c = NULL;
	struct proc *pr = NULL;
	int ret;

	ret = spec_winsize(p, len, &w, err, errlen);
	if (ret)
		return ret;
	if (w.seq)
		pr = proc_by_seq(w.seq);
	else if ((c = find(w.container, err, errlen)))
		pr = proc_find(c, w.process);
	if (!pr) {
		if (w.seq || c)
			snprintf(err, errlen, "winsize: no such process");
		ret = -ENOENT;
	} else if ((ret = proc_winsize(pr, w.row, w.col))) {
		snprintf(err, errlen, "winsize: %s", strerror(-ret));
	}
	spec_winsize_free(&w);
	return ret;
}

static int cmd_remove(const char *p, size_t len, char *err, size_t errlen)
{
	struct container *c;
	char *id;
	int ret;

	ret = spec_container_id(p, len, &id, err, errlen);
	if (ret)
		return ret;
	c = find(id, err, errlen);
	if (!c) {
		ret = -ENOENT;
	} else if (procs_container_busy(c)) {
		snprintf(err, errlen, "container %s: processes still running", id);
		ret = -EBUSY;
	} else {
		container_destroy(c);
	}
	free(id);
	return ret;
}

/* Writes "1" to every `online` file under dir/PREFIX*. */
static int online_all(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int failed = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char path[512], state[4] = "";
		int fd;

		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/online", dir, e->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;	/* cpu0 has no online file */
		if (read(fd, state, 1) == 1 && state[0] == '0' &&
		    pwrite(fd, "1", 1, 0) != 1)
			failed++;
		close(fd);
	}
	closedir(d);
	return failed ? -EIO : 0;
}

static int cmd_online(char *err, size_t errlen)
{
	int ret = online_all("/sys/devices/system/cpu", "cpu");

	if (!ret)
		ret = online_all("/sys/devices/system/memory", "memory");
	if (ret)
		snprintf(err, errlen, "onlining cpus or memory: %s",
			 strerror(-ret));
	return ret;
}

static int cmd_iface(const char *p, size_t len, char *err, size_t errlen)
{
	struct iface_spec s;
	int ret = spec_iface(p, len, &s, err, errlen);

	if (ret)
		return ret;
	ret = net_setup_iface(&s, err, errlen);
	spec_iface_free(&s);
	return ret;
}

static int cmd_routes(const char *p, size_t len, char *err, size_t errlen)
{
	struct route_spec *r;
	int n, i, ret = spec_routes(p, len, &r, &n, err, errlen);

	if (ret)
		return ret;
	for (i = 0; !ret && i < n; i++)
		ret = net_setup_route(&r[i], err, errlen);
	spec_routes_free(r, n);
	return ret;
}

/* The ACK must be out before the reset ends the VM. */
#define DESTROY_GRACE_MS	100

static void cmd_destroypod(void)
{
	boot_teardown();
	channel_send_ctl(HYPER_ACK, NULL, 0);
	channel_flush_ctl();
	/* virtio-console tells userspace when a buffer is queued, never when
	 * the host took it: give the VMM a moment to pass the ACK on. */
	poll(NULL, 0, DESTROY_GRACE_MS);
	boot_reset();
}

void commands_dispatch(uint32_t code, const char *p, size_t len)
{
	char err[AGENT_ERR_MAX] = "";
	const char *name = hyper_cmd_name(code);
	uint8_t version[4];
	int ret;

	log_debug("command %s (%u), %zu bytes", name ? name : "?", code, len);
	switch (code) {
	case HYPER_GETVERSION:
		hyper_put_be32(version, HYPER_APIVERSION);
		channel_send_ctl(HYPER_ACK, version, sizeof(version));
		return;
	case HYPER_PING:
		ret = 0;
		break;
	case HYPER_STARTPOD:
		ret = cmd_startpod(p, len, err, sizeof(err));
		break;
	case HYPER_NEWCONTAINER:
		ret = cmd_newcontainer(p, len, err, sizeof(err));
		break;
	case HYPER_EXECCMD:
		ret = cmd_execcmd(p, len, err, sizeof(err));
		break;
	case HYPER_KILLCONTAINER:
		ret = cmd_kill(p, len, false, err, sizeof(err));
		break;
	case HYPER_SIGNALPROCESS:
		ret = cmd_kill(p, len, true, err, sizeof(err));
		break;
	case HYPER_WINSIZE:
		ret = cmd_winsize(p, len, err, sizeof(err));
		break;
	case HYPER_REMOVECONTAINER:
		ret = cmd_remove(p, len, err, sizeof(err));
		break;
	case HYPER_ONLINECPUMEM:
		ret = cmd_online(err, sizeof(err));
		break;
	case HYPER_SETUPINTERFACE:
		ret = cmd_iface(p, len, err, sizeof(err));
		break;
	case HYPER_SETUPROUTE:
		ret = cmd_routes(p, len, err, sizeof(err));
		break;
	case HYPER_DESTROYPOD:
		cmd_destroypod();
		return;
	default:
		snprintf(err, sizeof(err), "command %u%s%s: not supported", code,
			 name ? " " : "", name ? name : "");
		ret = -EOPNOTSUPP;
		break;
	}
	reply(ret, err);
}
