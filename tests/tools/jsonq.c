/* tool-deps: lib */
/*
 * JSON checks for shell tests, without jq:
 *   jsonq [-n] [KEY|INDEX ...] < FILE
 * Fails (exit 1) unless stdin is one valid JSON value; then walks the
 * members/indexes given and prints the value found: strings unescaped,
 * anything else as written; -n prints the number of elements or members
 * instead.  A missing key is exit 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

static char *read_all(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;
	size_t r;

	while (buf && (r = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += r;
		if (n == cap) {
			nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	bool count = argc > 1 && !strcmp(argv[1], "-n");
	struct json j;
	size_t len;
	char *src = read_all(&len), *s;
	int t = 0;

	if (!src || json_parse(&j, src, len, NULL)) {
		fprintf(stderr, "jsonq: invalid JSON\n");
		return 1;
	}
	for (int i = count ? 2 : 1; i < argc; i++) {
		if (json_is_array(&j, t)) {
			int idx = atoi(argv[i]), n = json_size(&j, t), k;

			if (idx < 0 || idx >= n)
				return 3;
			for (k = json_first(&j, t); idx--; k = json_skip(&j, k))
				;
			t = k;
		} else {
			t = json_get(&j, t, argv[i]);
			if (t < 0)
				return 3;
		}
	}
	if (count)
		printf("%d\n", json_size(&j, t));
	else if (json_is_string(&j, t) && !json_string(&j, t, &s))
		printf("%s\n", s);
	else
		printf("%.*s\n", j.tok[t].end - j.tok[t].start,
		       src + j.tok[t].start);
	return 0;
}
