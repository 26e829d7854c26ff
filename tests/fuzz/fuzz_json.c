/* fuzz-deps: lib */
/* lib/json.c: parse, then walk every token through the accessors. */
#include <stdlib.h>
#include "lib/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json j;
	size_t off;

	if (json_parse(&j, (const char *)data, size, &off) < 0)
		return 0;
	for (int t = 0; t < j.ntok; t++) {
		char *s = NULL;
		int64_t i;
		uint64_t u;
		bool b;

		json_skip(&j, t);
		json_size(&j, t);
		json_int64(&j, t, &i);
		json_uint64(&j, t, &u);
		json_bool(&j, t, &b);
		json_eq(&j, t, "x");
		if (json_is_object(&j, t))
			json_get(&j, t, "a");
		if (json_string(&j, t, &s) == 0)
			free(s);
	}
	json_free(&j);
	return 0;
}
