/* test_keeper.c: what the keeper says of a reaped step's process group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "keeper.h"
#include "testutil.h"

/* The last answer for each request id (1 or 2), -1 when none yet. */
static int answers[3] = { -1, -1, -1 };

/* keeper_spawn_fn, in the keeper: the request is a shell command, run in
 * a process group of its own, as proc.c's steps are. */
static pid_t
spawn_sh(const char *req, size_t len, const int *fds, size_t n_fds)
{
	pid_t pid;

	(void)len;
	(void)fds;
	(void)n_fds;
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", req, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static void
answer(unsigned id, enum keeper_answer what, int value)
{
	(void)value;
	if (id >= 1 && id <= 2)
		answers[id] = (int)what;
}

static bool
reaped(unsigned id)
{
	return answers[id] == KEEPER_EXITED || answers[id] == KEEPER_ENDED;
}

/* A step that leaves nothing of its group is ENDED, and drove must not
 * signal that group id again: the kernel may give it to anyone. One that
 * leaves a member behind is EXITED, and its group is still drove's. */
static void
test_group_at_reap(void **state)
{
	char *err = NULL;
	time_t deadline = time(NULL) + 60;
	const char *alone = "exit 3";
	const char *leaves = "sleep 1000 & exit 0";
	int no_fds[1] = { -1 };

	(void)state;
	assert_int_equal(keeper_ensure(spawn_sh, answer, &err), 0);
	assert_int_equal(keeper_request(1, 0, alone, strlen(alone) + 1,
	    no_fds, 0, &err), 0);
	assert_int_equal(keeper_request(2, 0, leaves, strlen(leaves) + 1,
	    no_fds, 0, &err), 0);
	while (!(reaped(1) && reaped(2)) && time(NULL) < deadline)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_int_equal(answers[1], KEEPER_ENDED);
	assert_int_equal(answers[2], KEEPER_EXITED);
	/* The sleep goes with the keeper. */
	keeper_end(true);
}

TU_MAIN(
	cmocka_unit_test(test_group_at_reap),
)
