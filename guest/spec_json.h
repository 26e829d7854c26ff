/* Shared JSON helpers of the payload parsers (spec.c, spec_net.c). */
#ifndef KVMC_GUEST_SPEC_JSON_H
#define KVMC_GUEST_SPEC_JSON_H

#include "guest/agent.h"

#define SPEC_MAX_ITEMS	4096	/* args, envs, groups... per list */

/* A document being parsed and where its error message goes. */
struct spec_doc {
	struct json j;
	char *err;
	size_t errlen;
};

int spec_fail(struct spec_doc *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parses an object payload; -EINVAL (err set) or -ENOMEM. */
int spec_open_doc(struct spec_doc *x, const char *json, size_t len, char *err,
		  size_t errlen);
/* Members of obj; `where` prefixes the field in messages ("process.").
 * Optional ones stay NULL/unchanged when absent or null. */
int spec_opt_str(struct spec_doc *x, int obj, const char *key, const char *where,
		 char **out);
int spec_req_str(struct spec_doc *x, int obj, const char *key, const char *where,
		 char **out);
int spec_opt_bool(struct spec_doc *x, int obj, const char *key, const char *where,
		  bool *out);
int spec_opt_u64(struct spec_doc *x, int obj, const char *key, const char *where,
		 uint64_t *out);
/* NULL-terminated, empty when absent. */
int spec_opt_strv(struct spec_doc *x, int obj, const char *key, const char *where,
		  char ***out);
/* Relative, and no ".." component. */
bool spec_safe_relpath(const char *s);

#endif
