/* The DNS relay's framing and query table (see dnsrelay.h). */
#include <string.h>
#include <time.h>

#include "lib/dnsrelay.h"

#define SLOT_BITS	6	/* DNS_INFLIGHT_MAX == 1 << SLOT_BITS */

_Static_assert(DNS_INFLIGHT_MAX == 1 << SLOT_BITS, "slot index bits");
_Static_assert(DNS_ANSWER_MAX <= UINT16_MAX, "length field");

size_t dnsf_encode(uint8_t *out, size_t cap, const void *msg, size_t len,
		   size_t max)
{
	if (len < DNS_HDR_LEN || len > max || cap < DNS_FRAME_HDR + len)
		return 0;
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	memcpy(out + DNS_FRAME_HDR, msg, len);
	return DNS_FRAME_HDR + len;
}

void dnsf_init(struct dnsf_decoder *d, size_t max)
{
	memset(d, 0, offsetof(struct dnsf_decoder, buf));
	d->max = max < sizeof(d->buf) ? max : sizeof(d->buf);
}

void dnsf_feed(struct dnsf_decoder *d, const uint8_t *p, size_t n,
	       dnsf_fn fn, void *opaque)
{
	while (n) {
		size_t take;

		if (d->hdr_have < DNS_FRAME_HDR) {
			d->hdr[d->hdr_have++] = *p++;
			n--;
			if (d->hdr_have < DNS_FRAME_HDR)
				continue;
			d->need = (size_t)d->hdr[0] << 8 | d->hdr[1];
			d->have = 0;
			d->skipping = d->need < DNS_HDR_LEN || d->need > d->max;
			if (d->skipping)
				d->refused++;
			if (d->need)
				continue;
			/* A zero length: nothing to skip. */
			d->hdr_have = 0;
			continue;
		}
		take = n < d->need ? n : d->need;
		if (!d->skipping)
			memcpy(d->buf + d->have, p, take);
		d->have += take;
		d->need -= take;
		p += take;
		n -= take;
		if (d->need)
			continue;
		d->hdr_have = 0;
		if (!d->skipping)
			fn(opaque, d->buf, d->have);
	}
}

uint64_t dnsq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool live(const struct dnsq_slot *s, uint64_t now_ms)
{
	return s->used && now_ms < s->deadline_ms;
}

struct dnsq_slot *dnsq_alloc(struct dnsq_table *t, uint64_t now_ms)
{
	unsigned int i;

	for (i = 0; i < DNS_INFLIGHT_MAX; i++) {
		struct dnsq_slot *s = &t->s[i];

		if (live(s, now_ms))
			continue;
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->deadline_ms = now_ms + DNS_TIMEOUT_MS;
		return s;
	}
	return NULL;
}

struct dnsq_slot *dnsq_alloc_id(struct dnsq_table *t, uint64_t now_ms)
{
	struct dnsq_slot *s = dnsq_alloc(t, now_ms);

	if (!s)
		return NULL;
	t->next++;
	s->id = (uint16_t)(t->next << SLOT_BITS | (unsigned int)(s - t->s));
	return s;
}

struct dnsq_slot *dnsq_find(struct dnsq_table *t, uint16_t id,
			    uint64_t now_ms)
{
	unsigned int i;

	for (i = 0; i < DNS_INFLIGHT_MAX; i++)
		if (live(&t->s[i], now_ms) && t->s[i].id == id)
			return &t->s[i];
	return NULL;
}

void dnsq_free(struct dnsq_slot *s)
{
	s->used = false;
}

unsigned int dnsq_inflight(const struct dnsq_table *t, uint64_t now_ms)
{
	unsigned int i, n = 0;

	for (i = 0; i < DNS_INFLIGHT_MAX; i++)
		n += live(&t->s[i], now_ms);
	return n;
}
