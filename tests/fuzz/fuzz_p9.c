/* fuzz-deps: p9 lib */
/* The 9p server (p9/) on a read-only temporary export: after a valid
 * Tversion + Tattach (fid 0 on the root), the input is a sequence of
 * requests, each cut at its own size field, handled by p9_handle_buf. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "p9/p9.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[] = "/tmp/kvmc-fuzz-p9.XXXXXX";
static uint8_t out[64 << 10];


static void cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_p9: could not remove %s\n", root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int dfd, fd;

	if (!mkdtemp(root))
		abort();
	atexit(cleanup);
	dfd = open(root, O_DIRECTORY | O_RDONLY);
	if (dfd < 0 || mkdirat(dfd, "d", 0755) < 0)
		abort();
	fd = openat(dfd, "d/f", O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || write(fd, "hello\n", 6) != 6)
		abort();
	close(fd);
	if (symlinkat("../..", dfd, "d/up") < 0)
		abort();
	close(dfd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t version[] = {
		21, 0, 0, 0, 100, 0xff, 0xff, 0, 0x20, 0, 0,
		8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L' };
	static const uint8_t attach[] = {
		27, 0, 0, 0, 104, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
		4, 0, 'r', 'o', 'o', 't', 0, 0, 0, 0, 0, 0, 0, 0 };
	struct p9_server_opts o = { .root = root, .ro = true, .max_fids = 64 };
	struct p9_server *s;

	if (p9_server_new(&o, &s) < 0)
		return 0;
	p9_handle_buf(s, version, sizeof(version), out, sizeof(out));
	p9_handle_buf(s, attach, sizeof(attach), out, sizeof(out));
	while (size >= 7) {
		uint32_t n = data[0] | data[1] << 8 | data[2] << 16 |
			     (uint32_t)data[3] << 24;

		if (n < 7 || n > size)
			n = (uint32_t)size;
		p9_handle_buf(s, data, n, out, sizeof(out));
		data += n;
		size -= n;
	}
	p9_server_free(s);
	return 0;
}
