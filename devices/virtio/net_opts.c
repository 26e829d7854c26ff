/* `--net` option parsing for virtio-net. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "devices/virtio/net.h"

static int parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	unsigned int b[6];
	char buf[18], end;

	if (len != 17)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	/* A multicast source address would never get a frame back. */
	return mac[0] & 1 ? -EINVAL : 0;
}

#define bad(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

int virtio_net_parse(const char *arg, struct virtio_net_opts *out,
		     char *err, size_t errlen)
{
	const char *p = arg;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *v = memchr(p, '=', len);
		size_t klen = v ? (size_t)(v - p) : len;
		size_t vlen = v ? len - klen - 1 : 0;

		if (!v || !vlen)
			bad("expected KEY=VALUE, got '%.*s'", (int)len, p);
		v++;
		if (klen == 3 && !memcmp(p, "tap", 3)) {
			if (vlen >= IFNAMSIZ)
				bad("tap name '%.*s' longer than %d bytes",
				    (int)vlen, v, IFNAMSIZ - 1);
			memcpy(out->tap, v, vlen);
			out->tap[vlen] = '\0';
		} else if (klen == 2 && !memcmp(p, "fd", 2)) {
			char num[16], *end;
			long fd;

			if (vlen >= sizeof(num))
				bad("fd '%.*s' is not a number", (int)vlen, v);
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			errno = 0;
			fd = strtol(num, &end, 10);
			if (errno || *end || fd < 0 || fd > 1 << 20)
				bad("fd '%s' is not a file descriptor", num);
			out->fd = fd;
		} else if (klen == 3 && !memcmp(p, "mac", 3)) {
			if (parse_mac(v, vlen, out->mac))
				bad("mac '%.*s' is not a unicast aa:bb:cc:dd:ee:ff",
				    (int)vlen, v);
			out->has_mac = true;
		} else {
			bad("unknown key '%.*s' (tap, fd, mac)", (int)klen, p);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if ((out->fd >= 0) == (out->tap[0] != '\0'))
		bad("give exactly one of tap=NAME and fd=N");
	if (!out->has_mac) {
		if (getrandom(out->mac, 6, 0) != 6)
			bad("cannot draw a random MAC");
		out->mac[0] = (out->mac[0] & 0xfe) | 0x02;
	}
	return 0;
}
