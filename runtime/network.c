/* Setting up and tearing down the container's network (see network.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "lib/tap.h"
#include "runtime/netinfo.h"
#include "runtime/netlink.h"
#include "runtime/netns.h"
#include "runtime/network.h"
#include "runtime/tcfilter.h"

#define NET_RECORD "network"

static int net_err(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int net_err(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errlen && r < 0)
		snprintf(err + n, errlen - n, ": %s", strerror(-r));
	return r < 0 ? r : -EINVAL;
}

static int link_set_up(struct nl_sock *s, int ifindex, unsigned int mtu)
{
	struct nl_msg m;
	struct ifinfomsg *ifi;

	ifi = nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	nl_put_u32(&m, IFLA_MTU, mtu);
	return nl_talk(s, &m, NULL, NULL);
}

/* 0 also when the link is already gone. */
static int link_del(struct nl_sock *s, const char *name)
{
	struct nl_msg m;
	struct ifinfomsg *ifi;
	int r;

	ifi = nl_msg_init(&m, RTM_DELLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	nl_put_str(&m, IFLA_IFNAME, name);
	r = nl_talk(s, &m, NULL, NULL);
	return r == -ENODEV ? 0 : r;
}

static int record_path(const char *state_dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/" NET_RECORD, state_dir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* state_dir/network: one "VETH TAP" line per interface, written before
 * anything is created so that a crash at any point can be undone. */
static int record_write(const char *state_dir, const struct net_setup *s)
{
	char path[4096], tmp[4096 + 8];
	FILE *f;
	int r;

	r = record_path(state_dir, path, sizeof(path));
	if (r)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (unsigned int i = 0; i < s->nr_ifaces; i++)
		fprintf(f, "%s %s\n", s->ifaces[i].name, s->ifaces[i].tap);
	if (fflush(f) || fsync(fileno(f)) < 0) {
		r = -errno;
		fclose(f);
		unlink(tmp);
		return r;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
	}
	return r;
}

/* Takes down what one interface's setup made; idempotent. */
static void iface_undo(struct nl_sock *s, struct net_iface *ifc)
{
	if (ifc->tap_fd >= 0)
		close(ifc->tap_fd);
	ifc->tap_fd = -1;
	tc_ingress_del(s, ifc->ifindex);
	link_del(s, ifc->tap);
}

static int iface_setup(struct nl_sock *s, struct net_iface *ifc,
		       char *err, size_t errlen)
{
	int fd, tap_idx, r;

	fd = tap_open(ifc->tap, NULL);
	if (fd < 0)
		return net_err(err, errlen, fd, "creating tap %s", ifc->tap);
	ifc->tap_fd = fd;
	tap_idx = if_nametoindex(ifc->tap);
	if (!tap_idx)
		return net_err(err, errlen, -errno, "finding tap %s", ifc->tap);
	r = link_set_up(s, tap_idx, ifc->mtu);
	if (r)
		return net_err(err, errlen, r, "setting tap %s up with MTU %u",
			       ifc->tap, ifc->mtu);
	r = tc_ingress_add(s, ifc->ifindex);
	if (r)
		return net_err(err, errlen, r, "adding an ingress qdisc to %s",
			       ifc->name);
	r = tc_ingress_add(s, tap_idx);
	if (r)
		return net_err(err, errlen, r, "adding an ingress qdisc to %s",
			       ifc->tap);
	r = tc_redirect_add(s, ifc->ifindex, tap_idx);
	if (r)
		return net_err(err, errlen, r, "redirecting %s to %s",
			       ifc->name, ifc->tap);
	r = tc_redirect_add(s, tap_idx, ifc->ifindex);
	if (r)
		return net_err(err, errlen, r, "redirecting %s to %s",
			       ifc->tap, ifc->name);
	return 0;
}

static void record_remove(const char *state_dir)
{
	char path[4096];

	if (state_dir && !record_path(state_dir, path, sizeof(path)))
		unlink(path);
}

int net_setup(const char *netns_path, const char *state_dir,
	      struct net_setup *out, char *err, size_t errlen)
{
	struct nl_sock s = { .fd = -1 };
	unsigned int i;
	int saved, back, r;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if (!netns_path)
		return 0;
	r = netns_enter(netns_path, &saved);
	if (r)
		return net_err(err, errlen, r,
			       "entering network namespace %s", netns_path);
	r = nl_open(&s);
	if (r) {
		net_err(err, errlen, r, "opening rtnetlink in %s", netns_path);
		goto leave;
	}
	r = netinfo_discover(&s, out);
	if (r) {
		net_err(err, errlen, r, "reading the interfaces of %s",
			netns_path);
		goto leave;
	}
	for (i = 0; i < out->nr_ifaces; i++)
		snprintf(out->ifaces[i].tap, IFNAMSIZ, "tap%hhu" NET_TAP_SUFFIX,
			 (unsigned char)i);
	if (state_dir && out->nr_ifaces) {
		r = record_write(state_dir, out);
		if (r) {
			net_err(err, errlen, r, "writing %s/" NET_RECORD,
				state_dir);
			goto leave;
		}
	}
	for (i = 0; i < out->nr_ifaces && !r; i++)
		r = iface_setup(&s, &out->ifaces[i], err, errlen);
	if (r) {
		for (i = 0; i < out->nr_ifaces; i++)
			iface_undo(&s, &out->ifaces[i]);
		record_remove(state_dir);
	}
leave:
	nl_close(&s);
	back = netns_leave(saved);
	if (back) {
		/* The thread would keep working in the container's
		 * namespace: nothing after this can be trusted. */
		r = net_err(err, errlen, back,
			    "returning from network namespace %s", netns_path);
		net_close_fds(out);
	}
	if (r)
		out->nr_ifaces = out->nr_routes = 0;
	return r;
}

void net_close_fds(struct net_setup *s)
{
	for (unsigned int i = 0; i < s->nr_ifaces; i++) {
		if (s->ifaces[i].tap_fd >= 0)
			close(s->ifaces[i].tap_fd);
		s->ifaces[i].tap_fd = -1;
	}
}

int net_teardown(const char *netns_path, const char *state_dir,
		 char *err, size_t errlen)
{
	struct nl_sock s = { .fd = -1 };
	char path[4096], veth[IFNAMSIZ], tap[IFNAMSIZ];
	FILE *f;
	int saved, back, r;

	err[0] = '\0';
	if (!state_dir || record_path(state_dir, path, sizeof(path)))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 :
		       net_err(err, errlen, -errno, "reading %s", path);
	r = netns_path ? netns_enter(netns_path, &saved) : -ENOENT;
	if (r) {
		fclose(f);
		/* The namespace is gone, and with it every link we made. */
		if (r == -ENOENT) {
			unlink(path);
			return 0;
		}
		return net_err(err, errlen, r, "entering network namespace %s",
			       netns_path);
	}
	r = nl_open(&s);
	if (r) {
		net_err(err, errlen, r, "opening rtnetlink in %s", netns_path);
		goto leave;
	}
	while (fscanf(f, "%15s %15s", veth, tap) == 2) {
		int idx = if_nametoindex(veth);

		r = idx ? tc_ingress_del(&s, idx) : 0;
		if (!r)
			r = link_del(&s, tap);
		if (r) {
			net_err(err, errlen, r, "removing the redirect %s <-> %s",
				veth, tap);
			goto leave;
		}
	}
leave:
	fclose(f);
	nl_close(&s);
	back = netns_leave(saved);
	if (back && !r)
		r = net_err(err, errlen, back,
			    "returning from network namespace %s", netns_path);
	if (!r)
		unlink(path);
	return r;
}
