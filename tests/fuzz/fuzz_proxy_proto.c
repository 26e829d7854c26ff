/* fuzz-deps: lib */
/* lib/proxy_proto.c: the frame decoder, fed in chunks whose size is the
 * first input byte; every frame is taken out as it completes. */
#include "lib/proxy_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct px_decoder d;
	struct px_frame f;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = data[0] ? data[0] : 4096;
	data++, size--;
	px_decoder_init(&d);
	while (size) {
		size_t c = size < chunk ? size : chunk;

		if (px_feed(&d, data, c) < 0)
			break;
		data += c;
		size -= c;
		while (px_next(&d, &f) > 0)
			;
	}
	px_decoder_free(&d);
	return 0;
}
