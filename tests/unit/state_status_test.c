/* unit-deps: runtime lib */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/state.h"
#include "tests/unit/unit.h"

static pid_t dead_pid(void)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return pid;
}

START_TEST(test_proc_liveness)
{
	struct kvmc_proc self, other;
	char st = 0;
	pid_t pid;

	ck_assert_int_eq(state_proc_get(getpid(), &self), 0);
	ck_assert(state_proc_alive(&self));
	/* Same pid, another start time: the pid was reused. */
	other = self;
	other.start++;
	ck_assert(!state_proc_alive(&other));
	other.pid = dead_pid();
	ck_assert(!state_proc_alive(&other));
	ck_assert_int_eq(state_proc_get(other.pid, &other), -ESRCH);
	other.pid = 0;
	ck_assert(!state_proc_alive(&other));

	/* A zombie has exited: it is not alive. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	for (int i = 0; i < 1000 && st != 'Z'; i++) {
		char path[64], buf[256];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f))
			st = strrchr(buf, ')')[2];
		if (f)
			fclose(f);
		usleep(10000);
	}
	ck_assert_int_eq(st, 'Z');
	ck_assert_int_eq(state_proc_get(pid, &other), -ESRCH);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(test_status)
{
	struct kvmc_state st = { .id = "s" };
	struct kvmc_proc self, dead = { dead_pid(), 1 };

	state_proc_get(getpid(), &self);
	st.creator = self;
	/* No shim yet: creating while create runs, stopped if it died. */
	ck_assert_int_eq(state_status(&st), KVMC_CREATING);
	st.creator = dead;
	ck_assert_int_eq(state_status(&st), KVMC_STOPPED);
	st.shim = self;
	st.vmm = self;
	ck_assert_int_eq(state_status(&st), KVMC_CREATED);
	st.started = true;
	ck_assert_int_eq(state_status(&st), KVMC_RUNNING);
	st.paused = true;
	ck_assert_int_eq(state_status(&st), KVMC_PAUSED);
	st.paused = false;
	st.vmm = dead;		/* the VM died under the container */
	ck_assert_int_eq(state_status(&st), KVMC_STOPPED);
	st.vmm = self;
	st.shim = dead;		/* the process exited */
	ck_assert_int_eq(state_status(&st), KVMC_STOPPED);
	st.shim.pid = getpid();
	st.shim.start = self.start + 1;	/* the shim's pid was reused */
	ck_assert_int_eq(state_status(&st), KVMC_STOPPED);
	ck_assert_str_eq(state_status_name(KVMC_PAUSED), "paused");
	ck_assert_str_eq(state_status_name(KVMC_CREATING), "creating");
}
END_TEST

START_TEST(test_proc_signal)
{
	struct kvmc_proc child, stale;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	ck_assert_int_eq(state_proc_get(pid, &child), 0);
	/* The same pid with another start time is not ours: untouched. */
	stale = child;
	stale.start++;
	ck_assert_int_eq(state_proc_signal(&stale, SIGKILL), -ESRCH);
	ck_assert(state_proc_alive(&child));
	ck_assert_int_eq(state_proc_signal(&child, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_eq(state_proc_signal(&child, SIGKILL), -ESRCH);
	stale.pid = 0;
	ck_assert_int_eq(state_proc_signal(&stale, SIGKILL), -ESRCH);
}
END_TEST

START_TEST(test_expect)
{
	struct kvmc_ctx ctx = { .root = "/r" };
	struct kvmc_state st = { .id = "c" };
	unsigned int live = KVMC_ST(KVMC_RUNNING) | KVMC_ST(KVMC_PAUSED);

	ck_assert_int_eq(state_expect(&ctx, &st, KVMC_RUNNING, live, "kill"), 0);
	ck_assert_int_eq(state_expect(&ctx, &st, KVMC_PAUSED, live, "kill"), 0);
	ck_assert_str_eq(ctx.err, "");
	ck_assert_int_eq(state_expect(&ctx, &st, KVMC_STOPPED, live, "kill"), -EINVAL);
	/* containerd matches runc's words in it. */
	ck_assert_str_eq(ctx.err, "cannot kill container \"c\": container not running");
	ctx.err[0] = '\0';
	ck_assert_int_eq(state_expect(&ctx, &st, KVMC_RUNNING,
				      KVMC_ST(KVMC_CREATED), "start"), -EINVAL);
	ck_assert_str_eq(ctx.err, "cannot start container \"c\": it is running");
}
END_TEST

static Suite *state_status_suite(void)
{
	Suite *s = suite_create("state_status");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_proc_liveness);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_proc_signal);
	tcase_add_test(tc, test_expect);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(state_status_suite)
