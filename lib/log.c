/* Logging: one line per event.  Text for people, runc's JSON for containerd. */
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"

static const char *log_prog = "kvmc";
static FILE *log_out;
static bool log_json;
static enum log_level log_max = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
	[LOG_ERROR] = "error", [LOG_WARN] = "warning",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_init(const char *prog, FILE *out, bool json, enum log_level max)
{
	log_prog = prog;
	log_out = out;
	log_json = json;
	log_max = max;
}

static void json_puts(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	FILE *f = log_out ? log_out : stderr;
	char msg[1024];
	va_list ap;

	if (lvl > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&log_lock);
	if (log_json) {
		struct timespec ts;
		struct tm tm;
		char when[64];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level_names[lvl]);
		json_puts(f, msg);
		fprintf(f, "\",\"time\":\"%s.%09ldZ\"}\n", when, ts.tv_nsec);
	} else if (lvl == LOG_ERROR || lvl == LOG_WARN) {
		fprintf(f, "%s: %s%s\n", log_prog,
			lvl == LOG_WARN ? "warning: " : "", msg);
	} else {
		fprintf(f, "%s: %s\n", log_prog, msg);
	}
	fflush(f);
	pthread_mutex_unlock(&log_lock);
}

#define RATELIMIT_BURST 10	/* messages per second per call site */

bool log_ratelimit_ok(struct log_ratelimit *rl)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&log_lock);
	if (rl->window != ts.tv_sec) {
		rl->window = ts.tv_sec;
		rl->count = 0;
	}
	ok = rl->count++ < RATELIMIT_BURST;
	pthread_mutex_unlock(&log_lock);
	return ok;
}
