/* test_keeper.c: what the keeper says of a reaped step's process group;
 * the keepers side by side, and the loss of one. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "keeper.h"
#include "testutil.h"

/* The last answer for each request id (1 or 2), -1 when none yet, and
 * the pid each was started as. */
static int answers[3] = { -1, -1, -1 };
static pid_t pids[3];

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
	if (id < 1 || id > 2)
		return;
	answers[id] = (int)what;
	if (what == KEEPER_STARTED)
		pids[id] = (pid_t)value;
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

static bool
both_started(void)
{
	return answers[1] == KEEPER_STARTED && answers[2] == KEEPER_STARTED;
}

/* The parent of PID, from /proc. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL)
		(void)sscanf(p + 1, " %*c %d", &ppid);
	fclose(f);
	return (pid_t)ppid;
}

/* Two requests at once go to two keepers; when one is killed outright,
 * only what it started is lost, and the other runs on. */
static void
test_keepers_side_by_side(void **state)
{
	char *err = NULL;
	time_t deadline = time(NULL) + 60;
	const char *cmd = "exec sleep 1000";
	int no_fds[1] = { -1 };
	pid_t k1, k2;

	(void)state;
	answers[1] = answers[2] = -1;
	assert_int_equal(keeper_ensure(spawn_sh, answer, &err), 0);
	assert_int_equal(keeper_request(1, 0, cmd, strlen(cmd) + 1, no_fds, 0,
	    &err), 0);
	assert_int_equal(keeper_request(2, 0, cmd, strlen(cmd) + 1, no_fds, 0,
	    &err), 0);
	while (!both_started() && time(NULL) < deadline)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_true(both_started());
	k1 = parent_of(pids[1]);
	k2 = parent_of(pids[2]);
	assert_true(k1 > 0 && k2 > 0);
	assert_true(k1 != k2);
	assert_int_equal(parent_of(k1), getpid());
	kill(k1, SIGKILL);
	while (answers[1] != KEEPER_LOST && time(NULL) < deadline)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_int_equal(answers[1], KEEPER_LOST);
	assert_int_equal(answers[2], KEEPER_STARTED);
	assert_int_equal(kill(pids[2], 0), 0);
	keeper_end(true);
	/* Reaped by its keeper before keeper_end returned. */
	assert_int_not_equal(kill(pids[2], 0), 0);
}

TU_MAIN(
	cmocka_unit_test(test_group_at_reap),
	cmocka_unit_test(test_keepers_side_by_side),
)
