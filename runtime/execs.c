/* The register of a container's exec'd processes in its state (exec.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/exec.h"

#define NEXT_KEY	"exec.next"
#define KEY_PREFIX	"exec."
#define EXECS_MAX	(1u << 30)	/* keeps 2N+2 and the ids in range */

/* "exec.N" -> N, or 0 when key is not an exec's. */
static unsigned int key_number(const char *key)
{
	unsigned long v;
	char *end;

	if (strncmp(key, KEY_PREFIX, strlen(KEY_PREFIX)))
		return 0;
	key += strlen(KEY_PREFIX);
	if (*key < '1' || *key > '9')
		return 0;
	v = strtoul(key, &end, 10);
	return *end || v >= EXECS_MAX ? 0 : (unsigned int)v;
}

static int parse_proc(const char *s, struct kvmc_proc *p)
{
	long long pid;
	uint64_t start;
	char tail;

	if (sscanf(s, "%lld %" SCNu64 "%c", &pid, &start, &tail) != 2 ||
	    pid <= 0 || pid > INT32_MAX)
		return -EINVAL;
	p->pid = (pid_t)pid;
	p->start = start;
	return 0;
}

int execs_next(struct kvmc_state *st, unsigned int *n)
{
	const char *s = state_extra_get(st, NEXT_KEY);
	unsigned long v = 1;
	char buf[16], *end;

	if (s) {
		v = strtoul(s, &end, 10);
		if (*end || !v)
			v = 1;
	}
	if (v >= EXECS_MAX)
		return -ENOSPC;
	snprintf(buf, sizeof(buf), "%lu", v + 1);
	if (state_extra_set(st, NEXT_KEY, buf))
		return -ENOMEM;
	*n = (unsigned int)v;
	return 0;
}

void execs_streams(unsigned int n, uint64_t *stdio, uint64_t *stderr_seq)
{
	*stdio = 2 * (uint64_t)n + 1;
	*stderr_seq = 2 * (uint64_t)n + 2;
}

void execs_id(unsigned int n, char *buf, size_t len)
{
	snprintf(buf, len, "exec-%u", n);
}

int execs_set(struct kvmc_state *st, unsigned int n,
	      const struct kvmc_proc *shim)
{
	char key[32], val[48];

	snprintf(key, sizeof(key), KEY_PREFIX "%u", n);
	if (!shim)
		return state_extra_set(st, key, NULL);
	snprintf(val, sizeof(val), "%d %" PRIu64, shim->pid, shim->start);
	return state_extra_set(st, key, val);
}

int execs_prune(struct kvmc_state *st)
{
	size_t i = 0;

	while (i < st->extra.n) {
		const struct oci_kv *kv = &st->extra.items[i];
		unsigned int n = key_number(kv->key);
		struct kvmc_proc p;

		if (n && (parse_proc(kv->value, &p) || !state_proc_alive(&p))) {
			/* state_extra_set moves the last item here. */
			if (state_extra_set(st, kv->key, NULL))
				return -ENOMEM;
			continue;
		}
		i++;
	}
	return 0;
}

struct numbered {
	unsigned int n;
	struct kvmc_proc p;
};

static int cmp_numbered(const void *a, const void *b)
{
	const struct numbered *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

int execs_list(const struct kvmc_state *st, struct kvmc_proc **out,
	       size_t *n)
{
	struct numbered *v = NULL;
	size_t cnt = 0, i;

	*out = NULL;
	*n = 0;
	if (st->extra.n) {
		v = calloc(st->extra.n, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	for (i = 0; i < st->extra.n; i++) {
		unsigned int num = key_number(st->extra.items[i].key);

		if (num && !parse_proc(st->extra.items[i].value, &v[cnt].p))
			v[cnt++].n = num;
	}
	if (!cnt) {
		free(v);
		return 0;
	}
	qsort(v, cnt, sizeof(*v), cmp_numbered);
	*out = calloc(cnt, sizeof(**out));
	if (!*out) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < cnt; i++)
		(*out)[i] = v[i].p;
	*n = cnt;
	free(v);
	return 0;
}
