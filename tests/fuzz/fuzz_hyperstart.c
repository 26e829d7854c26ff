/* fuzz-deps: lib */
/* lib/hyperstart.c: the incremental control and stream frame decoders
 * (input split at chunk sizes taken from the input) and the process
 * event decoder. */
#include <stdlib.h>
#include "lib/hyperstart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(enum hyper_chan kind, uint32_t max, const uint8_t *p,
		   size_t n, size_t chunk)
{
	struct hyper_decoder d;
	struct hyper_frame f;

	hyper_decoder_init(&d, kind, max);
	while (n) {
		size_t c = n < chunk ? n : chunk;
		bool got;
		ssize_t r = hyper_decode(&d, p, c, &f, &got);

		if (r <= 0)
			break;
		p += r;
		n -= (size_t)r;
	}
	hyper_decoder_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hyper_proc_event ev;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = data[0] ? data[0] : 4096;
	data++, size--;
	decode(HYPER_CHAN_CTL, 4096, data, size, chunk);
	decode(HYPER_CHAN_STREAM, 4096, data, size, chunk);
	if (hyper_proc_event_decode((const char *)data, size, &ev) == 0)
		hyper_proc_event_free(&ev);
	return 0;
}
