/* STARTPOD, SETUPINTERFACE and SETUPROUTE payloads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/spec_json.h"

/* "24" or "255.255.255.0" to a prefix length; -1 when neither. */
static int mask_prefix(const char *m)
{
	unsigned int a, b, c, d, bits;
	char *end;
	long n;
	int len = 0;

	if (sscanf(m, "%u.%u.%u.%u", &a, &b, &c, &d) == 4 && strchr(m, '.')) {
		if (a > 255 || b > 255 || c > 255 || d > 255)
			return -1;
		bits = a << 24 | b << 16 | c << 8 | d;
		while (bits & 0x80000000u) {
			len++;
			bits <<= 1;
		}
		return bits ? -1 : len;
	}
	n = strtol(m, &end, 10);
	if (!*m || *end || n < 0 || n > 128)
		return -1;
	return (int)n;
}

/* hyperstart reads "mtu" as a number or a numeric string; so do we. */
static int parse_mtu(struct spec_doc *x, int obj, const char *w,
		     unsigned int *out)
{
	int t = json_get(&x->j, obj, "mtu");
	uint64_t v = 0;
	char *s = NULL, *end;
	int bad;

	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	if (json_is_string(&x->j, t)) {
		if (json_string(&x->j, t, &s))
			return spec_fail(x, "%smtu: not a number in 68-65535", w);
		v = strtoull(s, &end, 10);
		bad = !*s || *end;
		free(s);
	} else {
		bad = json_uint64(&x->j, t, &v) != 0;
	}
	if (bad || v < 68 || v > 65535)
		return spec_fail(x, "%smtu: not a number in 68-65535", w);
	*out = (unsigned int)v;
	return 0;
}

static int parse_iface(struct spec_doc *x, int t, const char *w,
		       struct iface_spec *ifc)
{
	int a, n, i, ret;

	memset(ifc, 0, sizeof(*ifc));
	if (!json_is_object(&x->j, t))
		return spec_fail(x, "%s: not an object", w);
	if ((ret = spec_opt_str(x, t, "device", w, &ifc->device)) ||
	    (ret = spec_opt_str(x, t, "newDeviceName", w, &ifc->new_name)) ||
	    (ret = spec_opt_str(x, t, "macAddr", w, &ifc->mac)) ||
	    (ret = parse_mtu(x, t, w, &ifc->mtu)))
		return ret;
	if (!ifc->device && !ifc->mac)
		return spec_fail(x, "%sdevice: missing (and no macAddr)", w);
	a = json_get(&x->j, t, "ipAddresses");
	n = a < 0 || json_is_null(&x->j, a) ? 0 : json_size(&x->j, a);
	if (a >= 0 && !json_is_null(&x->j, a) && !json_is_array(&x->j, a))
		return spec_fail(x, "%sipAddresses: not an array", w);
	if (n > 64)
		return spec_fail(x, "%sipAddresses: too many", w);
	ifc->addrs = calloc((size_t)n + 1, sizeof(*ifc->addrs));
	if (!ifc->addrs)
		return -ENOMEM;
	for (i = 0, a = n ? json_first(&x->j, a) : 0; i < n;
	     i++, a = json_skip(&x->j, a)) {
		char *ip = NULL, *mask = NULL;
		int prefix = -1;

		if (!json_is_object(&x->j, a))
			return spec_fail(x, "%sipAddresses[%d]: not an object", w, i);
		ret = spec_req_str(x, a, "ipAddress", "ipAddresses[].", &ip);
		if (!ret)
			ret = spec_req_str(x, a, "netMask", "ipAddresses[].", &mask);
		if (!ret && (prefix = mask_prefix(mask)) < 0)
			ret = spec_fail(x, "%sipAddresses[%d].netMask: bad mask", w, i);
		if (!ret && asprintf(&ifc->addrs[i], "%s/%d", ip, prefix) < 0) {
			ifc->addrs[i] = NULL;
			ret = -ENOMEM;
		}
		free(ip);
		free(mask);
		if (ret)
			return ret;
	}
	return 0;
}

void spec_iface_free(struct iface_spec *ifc)
{
	free(ifc->device);
	free(ifc->new_name);
	free(ifc->mac);
	strv_free(ifc->addrs);
	memset(ifc, 0, sizeof(*ifc));
}

static int parse_routes(struct spec_doc *x, int t, struct route_spec **out,
			int *nout)
{
	struct route_spec *r;
	int n, i, e, ret;

	*out = NULL;
	*nout = 0;
	if (t < 0 || json_is_null(&x->j, t))
		return 0;
	if (!json_is_array(&x->j, t))
		return spec_fail(x, "routes: not an array");
	n = json_size(&x->j, t);
	if (n > 256)
		return spec_fail(x, "routes: more than 256");
	r = calloc((size_t)n + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*out = r;
	for (i = 0, e = json_first(&x->j, t); i < n;
	     i++, e = json_skip(&x->j, e)) {
		if (!json_is_object(&x->j, e))
			return spec_fail(x, "routes[%d]: not an object", i);
		(*nout)++;
		if ((ret = spec_req_str(x, e, "dest", "routes[].", &r[i].dest)) ||
		    (ret = spec_opt_str(x, e, "gateway", "routes[].", &r[i].gateway)) ||
		    (ret = spec_opt_str(x, e, "device", "routes[].", &r[i].device)))
			return ret;
		if (!r[i].gateway && !r[i].device)
			return spec_fail(x, "routes[%d]: needs gateway or device", i);
	}
	return 0;
}

void spec_routes_free(struct route_spec *routes, int n)
{
	for (int i = 0; i < n; i++) {
		free(routes[i].dest);
		free(routes[i].gateway);
		free(routes[i].device);
	}
	free(routes);
}

int spec_iface(const char *json, size_t len, struct iface_spec *ifc,
	       char *err, size_t errlen)
{
	struct spec_doc x;
	int ret;

	memset(ifc, 0, sizeof(*ifc));
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	ret = parse_iface(&x, 0, "", ifc);
	json_free(&x.j);
	if (ret)
		spec_iface_free(ifc);
	return ret;
}

int spec_routes(const char *json, size_t len, struct route_spec **routes,
		int *nroutes, char *err, size_t errlen)
{
	struct spec_doc x;
	int ret;

	*routes = NULL;
	*nroutes = 0;
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	ret = parse_routes(&x, json_get(&x.j, 0, "routes"), routes, nroutes);
	json_free(&x.j);
	if (ret) {
		spec_routes_free(*routes, *nroutes);
		*routes = NULL;
		*nroutes = 0;
	}
	return ret;
}

int spec_pod(const char *json, size_t len, struct pod_spec *pod, char *err,
	     size_t errlen)
{
	struct spec_doc x;
	int t, n, i, e, ret;

	memset(pod, 0, sizeof(*pod));
	ret = spec_open_doc(&x, json, len, err, errlen);
	if (ret)
		return ret;
	if ((ret = spec_opt_str(&x, 0, "hostname", "", &pod->hostname)) ||
	    (ret = spec_opt_str(&x, 0, "shareDir", "", &pod->share_tag)) ||
	    (ret = spec_opt_strv(&x, 0, "dns", "", &pod->dns)) ||
	    (ret = parse_routes(&x, json_get(&x.j, 0, "routes"), &pod->routes,
				&pod->nroutes)))
		goto out;
	if (pod->hostname && strlen(pod->hostname) > 64) {
		ret = spec_fail(&x, "hostname: longer than 64");
		goto out;
	}
	if (pod->share_tag && !spec_valid_id(pod->share_tag)) {
		ret = spec_fail(&x, "shareDir: bad 9p tag");
		goto out;
	}
	t = json_get(&x.j, 0, "interfaces");
	if (t < 0 || json_is_null(&x.j, t))
		goto out;
	if (!json_is_array(&x.j, t) || (n = json_size(&x.j, t)) > 64) {
		ret = spec_fail(&x, "interfaces: not an array of at most 64");
		goto out;
	}
	pod->ifaces = calloc((size_t)n + 1, sizeof(*pod->ifaces));
	if (!pod->ifaces) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0, e = json_first(&x.j, t); i < n && !ret;
	     i++, e = json_skip(&x.j, e)) {
		pod->nifaces++;
		ret = parse_iface(&x, e, "interfaces[].", &pod->ifaces[i]);
	}
out:
	json_free(&x.j);
	if (ret)
		spec_pod_free(pod);
	return ret;
}

void spec_pod_free(struct pod_spec *pod)
{
	free(pod->hostname);
	free(pod->share_tag);
	strv_free(pod->dns);
	for (int i = 0; i < pod->nifaces; i++)
		spec_iface_free(&pod->ifaces[i]);
	free(pod->ifaces);
	spec_routes_free(pod->routes, pod->nroutes);
	memset(pod, 0, sizeof(*pod));
}
