/* fuzz-deps: guest lib */
/* The agent's command payload parsers (guest/spec*.c): the first input
 * byte picks the command, the rest is its JSON payload. */
#include <stdlib.h>
#include "guest/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *js = (const char *)data + 1;
	char err[256];
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	switch (data[0] % 8) {
	case 0: {
		struct container_spec c = { 0 };

		spec_container(js, n, &c, err, sizeof(err));
		spec_container_free(&c);
		break;
	}
	case 1: {
		struct proc_spec p = { 0 };
		char *id = NULL;

		spec_exec(js, n, &id, &p, err, sizeof(err));
		free(id);
		spec_proc_free(&p);
		break;
	}
	case 2: {
		struct pod_spec pod = { 0 };

		spec_pod(js, n, &pod, err, sizeof(err));
		spec_pod_free(&pod);
		break;
	}
	case 3: {
		struct iface_spec ifc = { 0 };

		spec_iface(js, n, &ifc, err, sizeof(err));
		spec_iface_free(&ifc);
		break;
	}
	case 4: {
		struct route_spec *r = NULL;
		int nr = 0;

		if (spec_routes(js, n, &r, &nr, err, sizeof(err)) == 0)
			spec_routes_free(r, nr);
		break;
	}
	case 5:
	case 6: {
		struct kill_spec k = { 0 };

		if (spec_kill(js, n, data[0] % 8 == 6, &k, err,
			      sizeof(err)) == 0)
			spec_kill_free(&k);
		break;
	}
	default: {
		struct winsize_spec w = { 0 };
		char *id = NULL;

		spec_winsize(js, n, &w, err, sizeof(err));
		spec_winsize_free(&w);
		spec_container_id(js, n, &id, err, sizeof(err));
		free(id);
		break;
	}
	}
	return 0;
}
