/* Shared by the config.json unit tests: a table of documents and the one
 * error line each must produce. */
#ifndef KVMC_TESTS_OCI_CASES_H
#define KVMC_TESTS_OCI_CASES_H

#include <string.h>

#include "runtime/oci.h"
#include "tests/unit/unit.h"

struct oci_case {
	const char *json;
	const char *err;
};

/* Parses as the bundle /b and checks the refusal, naming both texts. */
static inline void oci_expect_error(const struct oci_case *c)
{
	struct oci_config *cfg = (void *)1;
	char err[512] = "";

	ck_assert_int_lt(oci_config_parse(c->json, strlen(c->json), "config.json",
					  "/b", &cfg, err, sizeof(err)), 0);
	ck_assert_ptr_null(cfg);
	if (strcmp(err, c->err))
		ck_abort_msg("for %s\n  got:  %s\n  want: %s", c->json, err,
			     c->err);
}

#endif
