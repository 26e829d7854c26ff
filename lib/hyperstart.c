/* hyperstart framing: encoders, the incremental decoder, and the
 * PROCESSASYNCEVENT payload. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hyperstart.h"
#include "lib/json.h"

static const char *const cmd_names[] = {
	[HYPER_GETVERSION] = "GETVERSION",
	[HYPER_STARTPOD] = "STARTPOD",
	[HYPER_GETPOD_DEPRECATED] = "GETPOD_DEPRECATED",
	[HYPER_STOPPOD_DEPRECATED] = "STOPPOD_DEPRECATED",
	[HYPER_DESTROYPOD] = "DESTROYPOD",
	[HYPER_RESTARTCONTAINER_DEPRECATED] = "RESTARTCONTAINER_DEPRECATED",
	[HYPER_EXECCMD] = "EXECCMD",
	[HYPER_FINISHCMD_DEPRECATED] = "FINISHCMD_DEPRECATED",
	[HYPER_READY] = "READY",
	[HYPER_ACK] = "ACK",
	[HYPER_ERROR] = "ERROR",
	[HYPER_WINSIZE] = "WINSIZE",
	[HYPER_PING] = "PING",
	[HYPER_FINISHPOD_DEPRECATED] = "FINISHPOD_DEPRECATED",
	[HYPER_NEXT] = "NEXT",
	[HYPER_WRITEFILE] = "WRITEFILE",
	[HYPER_READFILE] = "READFILE",
	[HYPER_NEWCONTAINER] = "NEWCONTAINER",
	[HYPER_KILLCONTAINER] = "KILLCONTAINER",
	[HYPER_ONLINECPUMEM] = "ONLINECPUMEM",
	[HYPER_SETUPINTERFACE] = "SETUPINTERFACE",
	[HYPER_SETUPROUTE] = "SETUPROUTE",
	[HYPER_REMOVECONTAINER] = "REMOVECONTAINER",
	[HYPER_PROCESSASYNCEVENT] = "PROCESSASYNCEVENT",
	[HYPER_SIGNALPROCESS] = "SIGNALPROCESS",
	[HYPER_DELETEINTERFACE] = "DELETEINTERFACE",
};

const char *hyper_cmd_name(uint32_t code)
{
	if (code >= sizeof(cmd_names) / sizeof(cmd_names[0]))
		return NULL;
	return cmd_names[code];
}

void hyper_ctl_header(uint8_t hdr[HYPER_CTL_HDR], uint32_t code,
		      uint32_t payload_len)
{
	hyper_put_be32(hdr, code);
	hyper_put_be32(hdr + 4, payload_len + HYPER_CTL_HDR);
}

void hyper_stream_header(uint8_t hdr[HYPER_STREAM_HDR], uint64_t seq,
			 uint32_t payload_len)
{
	hyper_put_be32(hdr, (uint32_t)(seq >> 32));
	hyper_put_be32(hdr + 4, (uint32_t)seq);
	hyper_put_be32(hdr + 8, payload_len + HYPER_STREAM_HDR);
}

static int frame(const uint8_t *hdr, size_t hdr_len, const void *payload,
		 size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t *p = malloc(hdr_len + len);

	if (!p)
		return -ENOMEM;
	memcpy(p, hdr, hdr_len);
	if (len)
		memcpy(p + hdr_len, payload, len);
	*out = p;
	*out_len = hdr_len + len;
	return 0;
}

int hyper_ctl_frame(uint32_t code, const void *payload, size_t len,
		    uint8_t **out, size_t *out_len)
{
	uint8_t hdr[HYPER_CTL_HDR];

	if (len > HYPER_CTL_MAX - HYPER_CTL_HDR)
		return -EMSGSIZE;
	hyper_ctl_header(hdr, code, (uint32_t)len);
	return frame(hdr, sizeof(hdr), payload, len, out, out_len);
}

int hyper_stream_frame(uint64_t seq, const void *data, size_t len,
		       uint8_t **out, size_t *out_len)
{
	uint8_t hdr[HYPER_STREAM_HDR];

	if (len > HYPER_STREAM_MAX - HYPER_STREAM_HDR)
		return -EMSGSIZE;
	hyper_stream_header(hdr, seq, (uint32_t)len);
	return frame(hdr, sizeof(hdr), data, len, out, out_len);
}

/* --- decoder ----------------------------------------------------------- */

void hyper_decoder_init(struct hyper_decoder *d, enum hyper_chan kind,
			uint32_t max)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->hdr_len = kind == HYPER_CHAN_CTL ? HYPER_CTL_HDR : HYPER_STREAM_HDR;
	d->max = max < d->hdr_len ? (uint32_t)d->hdr_len : max;
}

void hyper_decoder_free(struct hyper_decoder *d)
{
	free(d->buf);
	d->buf = NULL;
	d->cap = 0;
}

/* The header is complete: decide how much payload follows and whether it
 * is kept.  Returns true when the frame is already complete. */
static bool start_payload(struct hyper_decoder *d)
{
	uint32_t len = hyper_get_be32(d->hdr + d->hdr_len - 4);

	d->have = 0;
	d->skipping = false;
	d->bad = len < d->hdr_len;
	if (d->bad) {
		d->want = 0;
		return true;
	}
	d->want = len - d->hdr_len;
	d->skipping = len > d->max;
	return d->want == 0;
}

static void finish(struct hyper_decoder *d, struct hyper_frame *f, bool *got)
{
	memset(f, 0, sizeof(*f));
	if (d->kind == HYPER_CHAN_CTL)
		f->code = hyper_get_be32(d->hdr);
	else
		f->seq = (uint64_t)hyper_get_be32(d->hdr) << 32 |
			 hyper_get_be32(d->hdr + 4);
	if (d->bad) {
		f->status = -EBADMSG;
	} else if (d->skipping) {
		f->status = -EMSGSIZE;
	} else if (d->buf) {
		d->buf[d->want] = '\0';
		f->data = d->buf;
	} else {
		/* An empty payload still gets a valid, NUL-terminated buffer. */
		f->data = (uint8_t *)"";
	}
	f->len = d->want;
	d->hdr_have = 0;
	*got = true;
}

ssize_t hyper_decode(struct hyper_decoder *d, const void *in, size_t n,
		     struct hyper_frame *f, bool *got)
{
	const uint8_t *p = in;
	size_t used = 0, take;

	*got = false;
	if (d->hdr_have < d->hdr_len) {
		take = d->hdr_len - d->hdr_have;
		if (take > n)
			take = n;
		memcpy(d->hdr + d->hdr_have, p, take);
		d->hdr_have += take;
		used = take;
		if (d->hdr_have < d->hdr_len)
			return (ssize_t)used;
		if (start_payload(d)) {
			finish(d, f, got);
			return (ssize_t)used;
		}
		/* want < max here, so this allocation is bounded. */
		if (!d->skipping && d->cap < d->want + 1) {
			uint8_t *nb = realloc(d->buf, d->want + 1);

			if (!nb) {
				d->hdr_have = 0;
				return -ENOMEM;
			}
			d->buf = nb;
			d->cap = d->want + 1;
		}
	}
	take = d->want - d->have;
	if (take > n - used)
		take = n - used;
	if (!d->skipping)
		memcpy(d->buf + d->have, p + used, take);
	d->have += take;
	used += take;
	if (d->have == d->want)
		finish(d, f, got);
	return (ssize_t)used;
}

/* --- PROCESSASYNCEVENT ------------------------------------------------- */

char *hyper_proc_event_encode(const char *container, const char *process,
			      int status, size_t *len)
{
	struct jbuf b;

	jb_init(&b);
	jb_obj_begin(&b);
	jb_key(&b, "container");
	jb_str(&b, container);
	jb_key(&b, "process");
	jb_str(&b, process);
	jb_key(&b, "event");
	jb_str(&b, "finished");
	jb_key(&b, "status");
	jb_int(&b, status);
	jb_obj_end(&b);
	return jb_finish(&b, len);
}

int hyper_proc_event_decode(const char *text, size_t len,
			    struct hyper_proc_event *ev)
{
	struct json j;
	int64_t status;
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (len > HYPER_EVENT_MAX)
		return -EINVAL;
	ret = json_parse(&j, text, len, NULL);
	if (ret)
		return ret == -ENOMEM ? ret : -EINVAL;
	ret = -EINVAL;
	if (!json_is_object(&j, 0) ||
	    json_string(&j, json_get(&j, 0, "container"), &ev->container) ||
	    json_string(&j, json_get(&j, 0, "process"), &ev->process) ||
	    json_string(&j, json_get(&j, 0, "event"), &ev->event) ||
	    json_int64(&j, json_get(&j, 0, "status"), &status) ||
	    status < 0 || status > 255)
		goto out;
	ev->status = (int)status;
	ret = 0;
out:
	json_free(&j);
	if (ret)
		hyper_proc_event_free(ev);
	return ret;
}

void hyper_proc_event_free(struct hyper_proc_event *ev)
{
	free(ev->container);
	free(ev->process);
	free(ev->event);
	memset(ev, 0, sizeof(*ev));
}
