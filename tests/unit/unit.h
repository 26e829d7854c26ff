/* Shared scaffolding for the Check unit tests (built with ASan+UBSan). */
#ifndef KVMC_TESTS_UNIT_H
#define KVMC_TESTS_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Each X_test.c defines `static Suite *X_suite(void)` and ends with
 * UNIT_MAIN(X_suite). */
#define UNIT_MAIN(suite_fn)						\
int main(void)								\
{									\
	SRunner *sr = srunner_create(suite_fn());			\
	int failed;							\
									\
	srunner_run_all(sr, CK_NORMAL);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;			\
}

#endif
