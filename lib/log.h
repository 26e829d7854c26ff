/* Logging: one line per event, to stderr or a file, text or JSON. */
#ifndef KVMC_LIB_LOG_H
#define KVMC_LIB_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* prog prefixes text lines ("kvmc-vmm: ..."). json: runc's format, one
 * {"level","msg","time"} object per line. */
void log_init(const char *prog, FILE *out, bool json, enum log_level max);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/* For messages a guest can trigger at will: at most a few per second per
 * call site, so a hostile guest cannot flood the host's logs. */
#define log_guest(...) do {						\
	static struct log_ratelimit __rl;				\
	if (log_ratelimit_ok(&__rl))					\
		log_msg(LOG_WARN, __VA_ARGS__);				\
} while (0)

struct log_ratelimit {
	long window;
	unsigned int count;
};
bool log_ratelimit_ok(struct log_ratelimit *rl);

#endif
