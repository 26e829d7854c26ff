/* Reading a cgroup v2 directory's statistics; runc's events JSON. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_stats.h"

#define STAT_FILE_MAX 8192

/* "max" (CG_UNLIMITED) or a number; *v untouched if neither. */
static void parse_value(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	if (!strncmp(s, "max", 3)) {
		*v = CG_UNLIMITED;
		return;
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	if (!errno && end != s && (*end == '\0' || *end == '\n'))
		*v = n;
}

static void read_value(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];

	if (!cg_read(dir, file, buf, sizeof(buf)))
		parse_value(buf, v);
}

/* Calls fn for each "key value" line of a flat-keyed file. */
static int read_keyed(const char *dir, const char *file,
		      void (*fn)(struct cg_stats *, const char *, uint64_t),
		      struct cg_stats *s)
{
	char *buf = malloc(STAT_FILE_MAX), *line, *save = NULL;
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = cg_read(dir, file, buf, STAT_FILE_MAX);
	for (line = ret ? NULL : strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' '), *end;
		uint64_t v;

		if (!sp || sp == line)
			continue;
		*sp = '\0';
		errno = 0;
		v = strtoull(sp + 1, &end, 10);
		if (!errno && end != sp + 1 && !*end)
			fn(s, line, v);
	}
	free(buf);
	return ret;
}

static void on_cpu(struct cg_stats *s, const char *k, uint64_t v)
{
	static const struct { const char *key; size_t off; } f[] = {
		{ "usage_usec", offsetof(struct cg_stats, cpu_usage_usec) },
		{ "user_usec", offsetof(struct cg_stats, cpu_user_usec) },
		{ "system_usec", offsetof(struct cg_stats, cpu_system_usec) },
		{ "nr_periods", offsetof(struct cg_stats, nr_periods) },
		{ "nr_throttled", offsetof(struct cg_stats, nr_throttled) },
		{ "throttled_usec", offsetof(struct cg_stats, throttled_usec) },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++)
		if (!strcmp(k, f[i].key))
			*(uint64_t *)((char *)s + f[i].off) = v;
}

static void on_mem_events(struct cg_stats *s, const char *k, uint64_t v)
{
	if (!strcmp(k, "max"))
		s->mem_events_max = v;
	else if (!strcmp(k, "oom_kill"))
		s->oom_kill = v;
}

static void on_mem_stat(struct cg_stats *s, const char *k, uint64_t v)
{
	if (s->n_raw >= CG_RAW_MAX || strlen(k) >= sizeof(s->raw[0].key))
		return;
	strcpy(s->raw[s->n_raw].key, k);
	s->raw[s->n_raw++].val = v;
}

int cg_stats_read(const char *dir, struct cg_stats *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->mem_max = CG_UNLIMITED;
	ret = read_keyed(dir, "cpu.stat", on_cpu, s);
	if (ret)
		return ret;
	read_value(dir, "memory.current", &s->mem_current);
	read_value(dir, "memory.max", &s->mem_max);
	read_value(dir, "memory.peak", &s->mem_peak);
	read_keyed(dir, "memory.events", on_mem_events, s);
	read_keyed(dir, "memory.stat", on_mem_stat, s);
	read_value(dir, "pids.current", &s->pids_current);
	read_value(dir, "pids.max", &s->pids_max);
	if (s->pids_max == CG_UNLIMITED)
		s->pids_max = 0;
	return 0;
}

uint64_t cg_stats_raw(const struct cg_stats *s, const char *key)
{
	for (size_t i = 0; i < s->n_raw; i++)
		if (!strcmp(s->raw[i].key, key))
			return s->raw[i].val;
	return 0;
}

static void key_uint(struct jbuf *b, const char *key, uint64_t v)
{
	jb_key(b, key);
	jb_uint(b, v);
}

static void event_begin(struct jbuf *b, const char *type, const char *id)
{
	jb_init(b);
	jb_obj_begin(b);
	jb_key(b, "type");
	jb_str(b, type);
	jb_key(b, "id");
	jb_str(b, id);
}

char *cg_stats_json(const char *id, const struct cg_stats *s,
		    uint64_t guest_ram)
{
	uint64_t limit = s->mem_max;
	struct jbuf b;

	if (limit == CG_UNLIMITED && guest_ram)
		limit = guest_ram;
	event_begin(&b, "stats", id);
	jb_key(&b, "data");
	jb_obj_begin(&b);

	jb_key(&b, "cpu");
	jb_obj_begin(&b);
	jb_key(&b, "usage");
	jb_obj_begin(&b);
	key_uint(&b, "total", s->cpu_usage_usec * 1000);
	key_uint(&b, "kernel", s->cpu_system_usec * 1000);
	key_uint(&b, "user", s->cpu_user_usec * 1000);
	jb_obj_end(&b);
	jb_key(&b, "throttling");
	jb_obj_begin(&b);
	key_uint(&b, "periods", s->nr_periods);
	key_uint(&b, "throttledPeriods", s->nr_throttled);
	key_uint(&b, "throttledTime", s->throttled_usec * 1000);
	jb_obj_end(&b);
	jb_obj_end(&b);

	jb_key(&b, "memory");
	jb_obj_begin(&b);
	key_uint(&b, "cache", cg_stats_raw(s, "file"));
	jb_key(&b, "usage");
	jb_obj_begin(&b);
	key_uint(&b, "limit", limit);
	key_uint(&b, "usage", s->mem_current);
	key_uint(&b, "max", s->mem_peak);
	key_uint(&b, "failcnt", s->mem_events_max);
	jb_obj_end(&b);
	jb_key(&b, "raw");
	jb_obj_begin(&b);
	for (size_t i = 0; i < s->n_raw; i++)
		key_uint(&b, s->raw[i].key, s->raw[i].val);
	jb_obj_end(&b);
	jb_obj_end(&b);

	jb_key(&b, "pids");
	jb_obj_begin(&b);
	key_uint(&b, "current", s->pids_current);
	if (s->pids_max)
		key_uint(&b, "limit", s->pids_max);
	jb_obj_end(&b);

	jb_obj_end(&b);
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}

char *cg_oom_json(const char *id)
{
	struct jbuf b;

	event_begin(&b, "oom", id);
	jb_obj_end(&b);
	return jb_finish(&b, NULL);
}
