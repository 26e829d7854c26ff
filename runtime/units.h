/* The value syntaxes runc's flags take: Go durations ("5s", "1m30s",
 * "250ms") for `events --interval`, Docker's byte sizes ("512m", "1.5G",
 * "64MiB", binary multiples) for `update --memory`. */
#ifndef KVMC_RUNTIME_UNITS_H
#define KVMC_RUNTIME_UNITS_H

#include <stdint.h>

/* A Go time.Duration string (no sign): a sequence of decimal numbers,
 * each with a unit ns, us (or µs), ms, s, m, h; "0" alone is 0.  0 and
 * *ns, or -EINVAL (also on overflow). */
int units_duration_ns(const char *s, uint64_t *ns);

/* Docker's RAMInBytes: a decimal number, an optional space, an optional
 * k/m/g/t/p (any case, powers of 1024), an optional i and b.  0 and *out,
 * or -EINVAL (also beyond INT64_MAX). */
int units_bytes(const char *s, int64_t *out);

#endif
