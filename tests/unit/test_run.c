/* test_run.c: the engine against real processes on a real libev loop. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "config.h"
#include "proc.h"
#include "run.h"
#include "run_resume.h"
#include "run_test.h"
#include "runlog.h"
#include "testutil.h"
#include "xmalloc.h"

static void
w_start(struct tu_world *w)
{
	run_start(w->run);
}

static const struct run_seq *
w_seq(struct tu_world *w, size_t i)
{
	return run_seq(w->run, i);
}

/* --- tests ---------------------------------------------------------------- */

/* A fan-out: the placeholder waits for its needs, grows into a sequence
 * per value, those run (one fails), and what needs the placeholder waits
 * for all of them; an empty value makes none and succeeds. */
static void
test_fanout(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: provision\n"
	    "    steps: [{run: 'printf \"a\\\\nb\\\\n\\\\n c\\\\n\"', capture: hosts}, "
	    "{run: 'true', capture: empty}]\n"
	    "  - name: setup {{h}}\n"
	    "    needs: provision\n"
	    "    matrix: {h: {from: hosts}}\n"
	    "    steps: ['test {{h}} != b && echo {{h}}:$DROVE_INDEX "
	    ">> {{T}}/f']\n"
	    "  - name: report\n"
	    "    needs: setup {{h}}\n"
	    "    steps: ['echo done >> {{T}}/f']\n"
	    "  - name: none {{n}}\n"
	    "    needs: provision\n"
	    "    matrix: {n: {from: empty}}\n"
	    "    steps: ['echo never >> {{T}}/f']\n", false);
	const struct run_seq *ph;
	char *f;

	(void)state;
	assert_int_equal(run_seq_count(w->run), 4);
	ph = w_seq(w, 1);
	assert_true(ph->placeholder);
	assert_false(ph->grown);
	w_start(w);
	tu_world_until(w, NULL);
	/* Indices of the file's sequences stay; the new ones follow. */
	assert_int_equal(run_seq_count(w->run), 7);
	ph = w_seq(w, 1);
	assert_true(ph->grown);
	assert_int_equal(ph->first, 4);
	assert_int_equal(ph->count, 3);
	assert_string_equal(w_seq(w, 4)->name, "setup a");
	assert_string_equal(w_seq(w, 6)->name, "setup c");
	assert_int_equal(w_seq(w, 4)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 5)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 6)->state, SEQ_OK);
	assert_int_equal(ph->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 2)->state, SEQ_BLOCKED);
	/* Zero values: done, said plainly. */
	assert_true(w_seq(w, 3)->grown);
	assert_int_equal(w_seq(w, 3)->count, 0);
	assert_int_equal(w_seq(w, 3)->state, SEQ_OK);
	tu_assert_has(tu_world_log(w), "grow setup {{h}} 3\n");
	tu_assert_has(tu_world_log(w), "notice none {{n}}: 'empty' gave no "
	    "values: none {{n}} made no sequences, and is done\n");
	tu_assert_in_order(tu_world_log(w), "end provision/1", "grow setup");
	f = tu_world_file(w, "f");
	assert_non_null(strstr(f, "a:0\n"));
	assert_non_null(strstr(f, "c:2\n"));
	assert_null(strstr(f, "done"));
	assert_null(strstr(f, "never"));
	free(f);
	assert_int_equal(run_exit_status(w->run), 1);
	tu_world_free(w);
}

/* A placeholder whose value never came (its step skipped by its if:)
 * fails, saying why; a value with a mistake too. */
static void
test_fanout_missing(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: provision\n"
	    "    steps: [{run: 'true', capture: hosts, if: 'false'}, "
	    "{run: 'echo x1 port=99999', capture: more}]\n"
	    "  - name: setup {{h}}\n"
	    "    needs: provision\n"
	    "    matrix: {h: {from: hosts}}\n"
	    "    steps: ['true']\n"
	    "  - name: m {{host}}\n"
	    "    needs: provision\n"
	    "    hosts: {from: more}\n"
	    "    steps: [{remote: 'true'}]\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(run_seq_count(w->run), 3);
	assert_int_equal(w_seq(w, 1)->state, SEQ_FAILED);
	tu_assert_has(tu_world_log(w), "notice setup {{h}}: setup {{h}}: "
	    "'hosts' was not captured (its step, provision / true, did not "
	    "succeed in this run)\n");
	assert_int_equal(w_seq(w, 2)->state, SEQ_FAILED);
	tu_assert_has(tu_world_log(w), "the value captured as 'more':1:4: "
	    "error: 'port' must be 1 to 65535, got '99999'");
	tu_world_free(w);
}

static void
test_order_within_sequence(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - echo one >> {{T}}/f\n"
	    "      - sleep 0.05; echo two >> {{T}}/f\n"
	    "      - echo three >> {{T}}/f\n", false);
	char *f;

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	f = tu_world_file(w, "f");
	assert_string_equal(f, "one\ntwo\nthree\n");
	tu_assert_in_order(tu_world_log(w), "end s/1 #", "start s/2 #");
	tu_assert_in_order(tu_world_log(w), "end s/2 #", "start s/3 #");
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(run_exit_status(w->run), 0);
	free(f);
	tu_world_free(w);
}

/* Two sequences that can only finish if they run at the same time: each
 * waits for the other's marker. */
static void
test_concurrency(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps:\n"
	    "      - run: touch {{T}}/a; while [ ! -e {{T}}/b ]; do sleep 0.01; done\n"
	    "        timeout: 20s\n"
	    "  - name: b\n"
	    "    steps:\n"
	    "      - run: touch {{T}}/b; while [ ! -e {{T}}/a ]; do sleep 0.01; done\n"
	    "        timeout: 20s\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 1)->state, SEQ_OK);
	assert_int_equal(w->max_active, 2);
	tu_world_free(w);
}

static void
test_max_parallel(void **state)
{
	struct tu_world *w = tu_world_new(
	    "settings: {max_parallel: 2}\n"
	    "sequences:\n"
	    "  - {name: a, steps: [sleep 0.1]}\n"
	    "  - {name: b, steps: [sleep 0.1]}\n"
	    "  - {name: c, steps: [sleep 0.1]}\n"
	    "  - {name: d, steps: [sleep 0.1]}\n"
	    "  - {name: e, steps: [sleep 0.1]}\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w->max_active, 2);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(w_seq(w, i)->state, SEQ_OK);
	/* c starts only when a or b is done. */
	{
		const char *a = strstr(tu_world_log(w), "seq a ok");
		const char *b = strstr(tu_world_log(w), "seq b ok");
		const char *c = strstr(tu_world_log(w), "seq c running");
		assert_true(a && b && c && (a < c || b < c));
	}
	tu_world_free(w);
}

static void
test_max_parallel_one_serialises(void **state)
{
	struct tu_world *w = tu_world_new(
	    "settings: {max_parallel: 1}\n"
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps: ['echo start a >> {{T}}/f', 'sleep 0.05', 'echo end a >> {{T}}/f']\n"
	    "  - name: b\n"
	    "    steps: ['echo start b >> {{T}}/f', 'sleep 0.05', 'echo end b >> {{T}}/f']\n",
	    false);
	char *f;

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	f = tu_world_file(w, "f");
	assert_string_equal(f, "start a\nend a\nstart b\nend b\n");
	free(f);
	tu_world_free(w);
}

static void
test_needs_and_blocked(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: app\n"
	    "    needs: [build]\n"
	    "    steps: ['test -e {{T}}/built && echo app ran >> {{T}}/f']\n"
	    "  - name: build\n"
	    "    steps: ['sleep 0.05; touch {{T}}/built']\n"
	    "  - name: broken\n"
	    "    steps: ['exit 3']\n"
	    "  - name: after-broken\n"
	    "    needs: [broken]\n"
	    "    steps: ['echo never >> {{T}}/f']\n"
	    "  - name: after-after\n"
	    "    needs: [after-broken]\n"
	    "    steps: ['echo never >> {{T}}/f']\n", false);
	char *f;

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	f = tu_world_file(w, "f");
	assert_string_equal(f, "app ran\n");
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 2)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 2)->steps[0].exit_code, 3);
	assert_int_equal(w_seq(w, 3)->state, SEQ_BLOCKED);
	assert_int_equal(w_seq(w, 4)->state, SEQ_BLOCKED);
	assert_int_equal(w_seq(w, 3)->steps[0].attempt, 0);
	assert_int_equal(run_exit_status(w->run), 1);
	tu_assert_in_order(tu_world_log(w), "seq build ok", "start app/");
	free(f);
	tu_world_free(w);
}

static void
test_retries_then_success(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - name: flaky\n"
	    "        run: echo $DROVE_ATTEMPT >> {{T}}/tries; test $DROVE_ATTEMPT -ge 3\n"
	    "        retries: 5\n"
	    "        retry_delay: 10ms\n"
	    "  - name: exhausted\n"
	    "    steps:\n"
	    "      - name: never\n"
	    "        run: echo $DROVE_ATTEMPT >> {{T}}/tries2; exit 1\n"
	    "        retries: 1\n"
	    "        retry_delay: 0\n", false);
	char *f;

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	f = tu_world_file(w, "tries");
	assert_string_equal(f, "1\n2\n3\n");
	free(f);
	f = tu_world_file(w, "tries2");
	assert_string_equal(f, "1\n2\n");
	free(f);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 0)->steps[0].attempt, 3);
	assert_int_equal(w_seq(w, 1)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 1)->steps[0].status, STEP_FAILED);
	assert_int_equal(w_seq(w, 1)->steps[0].attempt, 2);
	assert_non_null(strstr(tu_world_log(w), "end s/1 #2 failed"));
	assert_non_null(strstr(tu_world_log(w), "end s/1 #3 ok"));
	tu_world_free(w);
}

static void
test_on_failure_stop_and_continue(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: stops\n"
	    "    steps:\n"
	    "      - 'false'\n"
	    "      - touch {{T}}/after-stop\n"
	    "  - name: goes-on\n"
	    "    steps:\n"
	    "      - {run: 'false', on_failure: continue}\n"
	    "      - touch {{T}}/after-continue\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_false(tu_world_exists(w, "after-stop"));
	assert_true(tu_world_exists(w, "after-continue"));
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_PENDING);
	assert_int_equal(w_seq(w, 1)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 1)->steps[0].status, STEP_FAILED);
	assert_int_equal(w_seq(w, 1)->steps[1].status, STEP_OK);
	tu_world_free(w);
}

static bool
w_paused(struct tu_world *w)
{
	return w_seq(w, 0)->state == SEQ_PAUSED;
}

static const char *pause_yaml =
    "sequences:\n"
    "  - name: s\n"
    "    steps:\n"
    "      - name: needs fix\n"
    "        run: test -e {{T}}/fixed\n"
    "        on_failure: pause\n"
    "      - touch {{T}}/next\n";

static void
test_pause_then_operator_retry(void **state)
{
	struct tu_world *w = tu_world_new(pause_yaml, true);

	(void)state;
	w_start(w);
	tu_world_until(w, w_paused);
	assert_int_equal(w_seq(w, 0)->pause, RUN_PAUSE_FAILURE);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_FAILED);
	/* Nothing else happens while it waits: the run is not settled. */
	assert_false(run_settled(w->run));
	assert_string_equal(run_act(w->run, 0, RUN_ACT_SKIP) ? "x" : "", "");
	tu_world_free(w);

	w = tu_world_new(pause_yaml, true);
	w_start(w);
	tu_world_until(w, w_paused);
	assert_non_null(run_act(w->run, 0, RUN_ACT_KILL)); /* nothing runs */
	tu_world_write(w, "fixed", "");
	assert_null(run_act(w->run, 0, RUN_ACT_RETRY));
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 0)->steps[0].attempt, 2);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_OK);
	assert_non_null(strstr(tu_world_log(w), "action s retry"));
	assert_true(tu_world_exists(w, "next"));
	tu_world_free(w);
}

static void
test_pause_headless_stops(void **state)
{
	struct tu_world *w = tu_world_new(pause_yaml, false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	assert_non_null(strstr(tu_world_log(w), "notice s: step 'needs fix' would "
	    "pause for the operator; nobody can answer (headless)"));
	tu_world_free(w);
}

static void
test_retry_failed_sequence_unblocks(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps: ['test -e {{T}}/fixed']\n"
	    "  - name: b\n"
	    "    needs: [a]\n"
	    "    steps: ['touch {{T}}/b-ran']\n", true);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 1)->state, SEQ_BLOCKED);
	tu_world_write(w, "fixed", "");
	w->idle = false;
	assert_null(run_act(w->run, 0, RUN_ACT_RETRY));
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 1)->state, SEQ_OK);
	assert_int_equal(run_exit_status(w->run), 0);
	tu_world_free(w);
}

static const char *hang_yaml =
    "settings: {kill_grace: 5s}\n"
    "sequences:\n"
    "  - name: s\n"
    "    steps:\n"
    "      - name: hangs\n"
    "        run: echo $$ > {{T}}/pid.tmp; mv {{T}}/pid.tmp {{T}}/pid; exec sleep 1000\n"
    "      - touch {{T}}/next\n";

static void
test_operator_kill(void **state)
{
	struct tu_world *w = tu_world_new(hang_yaml, true);
	pid_t pid;

	(void)state;
	w_start(w);
	pid = tu_world_wait_pid(w, "pid");
	assert_true(tu_pid_alive(pid));
	assert_null(run_act(w->run, 0, RUN_ACT_KILL));
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, pid);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_KILLED);
	assert_int_equal(w_seq(w, 0)->steps[0].signal, SIGTERM);
	/* A kill is a failure (on_failure: stop), without automatic retry. */
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	assert_false(tu_world_exists(w, "next"));
	assert_int_equal(w_seq(w, 0)->steps[0].attempt, 1);
	tu_world_free(w);
}

static void
test_operator_skip_running(void **state)
{
	struct tu_world *w = tu_world_new(hang_yaml, true);
	pid_t pid;

	(void)state;
	w_start(w);
	pid = tu_world_wait_pid(w, "pid");
	assert_null(run_act(w->run, 0, RUN_ACT_SKIP));
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, pid);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_SKIPPED);
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_OK);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_true(tu_world_exists(w, "next"));
	tu_world_free(w);
}

static void
test_operator_skip_paused(void **state)
{
	struct tu_world *w = tu_world_new(pause_yaml, true);

	(void)state;
	w_start(w);
	tu_world_until(w, w_paused);
	assert_null(run_act(w->run, 0, RUN_ACT_SKIP));
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_SKIPPED);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_true(tu_world_exists(w, "next"));
	/* The record says so too: the attempt's last step_end is skipped. */
	assert_non_null(strstr(tu_world_log(w), "end s/1 #1 skipped"));
	tu_world_free(w);
}

static void
test_operator_abort(void **state)
{
	struct tu_world *w = tu_world_new(hang_yaml, true);
	pid_t pid;

	(void)state;
	w_start(w);
	pid = tu_world_wait_pid(w, "pid");
	assert_null(run_act(w->run, 0, RUN_ACT_ABORT));
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, pid);
	assert_int_equal(w_seq(w, 0)->state, SEQ_ABORTED);
	assert_false(tu_world_exists(w, "next"));
	assert_int_equal(run_exit_status(w->run), 1);
	assert_non_null(run_act(w->run, 0, RUN_ACT_ABORT));
	tu_world_free(w);
}

static bool
w_first_done(struct tu_world *w)
{
	return w_seq(w, 0)->state == SEQ_PAUSED;
}

static void
test_operator_hold_and_resume(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - run: while [ ! -e {{T}}/go ]; do sleep 0.01; done\n"
	    "      - touch {{T}}/second\n", true);

	(void)state;
	w_start(w);
	/* Sequences start from the loop's first pass. */
	assert_non_null(run_act(w->run, 0, RUN_ACT_HOLD));
	while (w_seq(w, 0)->state != SEQ_RUNNING)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_null(run_act(w->run, 0, RUN_ACT_HOLD));
	assert_true(w_seq(w, 0)->hold);
	tu_world_write(w, "go", "");
	tu_world_until(w, w_first_done);
	assert_int_equal(w_seq(w, 0)->pause, RUN_PAUSE_HOLD);
	assert_int_equal(w_seq(w, 0)->current, 1);
	assert_false(tu_world_exists(w, "second"));
	/* A hold is not a failure. */
	assert_non_null(run_act(w->run, 0, RUN_ACT_RETRY));
	assert_null(run_act(w->run, 0, RUN_ACT_RESUME));
	tu_world_until(w, NULL);
	assert_true(tu_world_exists(w, "second"));
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_free(w);
}

static void
test_timeout_kills_group_with_grandchild(void **state)
{
	struct tu_world *w = tu_world_new(
	    "settings: {kill_grace: 5s}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - run: sleep 1000 & echo $! > {{T}}/gpid; echo $$ > {{T}}/pid; wait\n"
	    "        timeout: 300ms\n"
	    "        retries: 1\n"
	    "        retry_delay: 0\n", false);
	pid_t pid, gpid;

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	pid = tu_world_pid(w, "pid");
	gpid = tu_world_pid(w, "gpid");
	assert_true(pid > 0 && gpid > 0);
	tu_world_wait_dead(w, pid);
	tu_world_wait_dead(w, gpid);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_TIMEOUT);
	/* Timeouts are retried like failures. */
	assert_int_equal(w_seq(w, 0)->steps[0].attempt, 2);
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	tu_world_free(w);
}

static void
test_kill_grace_then_sigkill(void **state)
{
	struct tu_world *w = tu_world_new(
	    "settings: {kill_grace: 200ms}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - run: trap '' TERM; echo $$ > {{T}}/pid; while :; do sleep 0.01; done\n"
	    "        timeout: 100ms\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, tu_world_pid(w, "pid"));
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_TIMEOUT);
	assert_int_equal(w_seq(w, 0)->steps[0].signal, SIGKILL);
	tu_world_free(w);
}

static void
test_exit_codes_and_signals(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - {name: three, steps: ['exit 3']}\n"
	    "  - {name: sig, steps: ['kill -9 $$']}\n"
	    "  - {name: missing, steps: [no-such-command-drove-xyz]}\n"
	    "  - {name: missing-sh, steps: ['no-such-command-drove-xyz; true']}\n"
	    "  - {name: badcwd, cwd: /no/such/dir, steps: ['true']}\n", false);
	const struct run_seq *s;

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->steps[0].exit_code, 3);
	s = w_seq(w, 1);
	assert_int_equal(s->steps[0].exit_code, -1);
	assert_int_equal(s->steps[0].signal, SIGKILL);
	assert_int_equal(s->steps[0].status, STEP_FAILED);
	/* A command that does not exist: the shell says so, in the output. */
	assert_int_equal(w_seq(w, 2)->steps[0].exit_code, 127);
	assert_non_null(strstr(tu_world_log(w),
	    "line missing: /bin/sh: 1: no-such-command-drove-xyz: not found"));
	assert_int_equal(w_seq(w, 3)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 4)->state, SEQ_FAILED);
	assert_non_null(strstr(tu_world_log(w), "line badcwd: drove: cannot change "
	    "directory to /no/such/dir: No such file or directory"));
	tu_world_free(w);
}

static void
test_env_cwd_vars(void **state)
{
	struct tu_world *w = tu_world_new(
	    "vars: {who: world}\n"
	    "env: {GREETING: hello, OVERRIDE: top}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    cwd: '{{T}}'\n"
	    "    env: {OVERRIDE: seq}\n"
	    "    steps:\n"
	    "      - name: show\n"
	    "        run: echo \"$GREETING {{who}} $OVERRIDE $STEPV $DROVE_SEQUENCE/$DROVE_STEP\"; pwd\n"
	    "        env: {STEPV: step}\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_non_null(strstr(tu_world_log(w), "line s: hello world seq step s/show\n"));
	assert_non_null(strstr(tu_world_log(w), w->dir));
	tu_world_free(w);
}

static void
test_sleep_step(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - sleep: 50ms\n"
	    "      - 'true'\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_OK);
	assert_true(w_seq(w, 0)->steps[0].ended - w_seq(w, 0)->steps[0].started
	    >= 0.04);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_free(w);
}

static void
test_stop_all(void **state)
{
	struct tu_world *w = tu_world_new(
	    "settings: {max_parallel: 1}\n"
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps: ['echo $$ > {{T}}/pid; exec sleep 1000']\n"
	    "  - name: b\n"
	    "    steps: ['true']\n", true);
	pid_t pid;

	(void)state;
	w_start(w);
	pid = tu_world_wait_pid(w, "pid");
	run_stop_all(w->run, "interrupted");
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, pid);
	assert_int_equal(w_seq(w, 0)->state, SEQ_ABORTED);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_KILLED);
	assert_int_equal(w_seq(w, 1)->state, SEQ_ABORTED);
	assert_int_equal(w_seq(w, 1)->steps[0].attempt, 0);
	assert_int_equal(run_exit_status(w->run), 1);
	tu_world_free(w);
}

/* The state machine as a table: a sequence in each state the operator can
 * meet, and what each action says there (NULL: it applies). */
enum { SM_OK, SM_FAILED, SM_BLOCKED, SM_RUNNING, SM_WAITING, SM_RETRY_WAIT,
	SM_PAUSED_FAILURE, SM_HOLDING, SM_HELD, SM_ABORTED, SM_N };

static bool
sm_arrived(struct tu_world *w)
{
	static const enum seq_state want[SM_N] = { SEQ_OK, SEQ_FAILED,
		SEQ_BLOCKED, SEQ_RUNNING, SEQ_WAITING, SEQ_RUNNING, SEQ_PAUSED,
		SEQ_RUNNING, SEQ_PAUSED, SEQ_ABORTED };

	for (size_t i = 0; i < SM_N; i++)
		if (w_seq(w, i)->state != want[i])
			return false;
	return w_seq(w, SM_RETRY_WAIT)->steps[0].status == STEP_RETRY_WAIT &&
	    w_seq(w, SM_RUNNING)->steps[0].status == STEP_RUNNING &&
	    w_seq(w, SM_HOLDING)->steps[0].status == STEP_RUNNING &&
	    w_seq(w, SM_WAITING)->state == SEQ_WAITING;
}

static bool
sm_started(struct tu_world *w)
{
	return w_seq(w, SM_HOLDING)->steps[0].status == STEP_RUNNING &&
	    w_seq(w, SM_HELD)->steps[0].status == STEP_RUNNING &&
	    w_seq(w, SM_ABORTED)->steps[0].status == STEP_RUNNING;
}

static void
test_state_machine_table(void **state)
{
#define NOT_RUNNING "the sequence is not running"
#define NOT_HELD "the sequence is not held"
#define OVER "the sequence is over"
#define NO_STEP "no step is running"
#define NO_RETRY "nothing to retry"
#define NO_SKIP "nothing to skip"
#define NO_STOPPED "no failed or paused step"
#define NO_INPUT "the step does not take input"
	/* A hold on a sequence's last step is refused, saying why. */
#define LAST "this is its last step: it ends after it, there is no step " \
	"to hold before"
	/* retry, skip, kill, abort, hold, release, resume, stop, edit, mark,
	 * shell, note, input */
	static const char *const table[SM_N][RUN_ACTION_COUNT] = {
	[SM_OK] = { NO_RETRY, NO_SKIP, NO_STEP, OVER, NOT_RUNNING,
		NOT_RUNNING, NOT_HELD, OVER, NO_STOPPED, NO_STOPPED,
		NULL, NULL, NO_INPUT },
	[SM_FAILED] = { NULL, NULL, NO_STEP, OVER, NOT_RUNNING, NOT_RUNNING,
		NOT_HELD, OVER, NULL, NULL,
		NULL, NULL, NO_INPUT },
	[SM_BLOCKED] = { NO_RETRY, NO_SKIP, NO_STEP, NULL, NOT_RUNNING,
		NOT_RUNNING, NOT_HELD, OVER, NO_STOPPED, NO_STOPPED,
		NULL, NULL, NO_INPUT },
	[SM_RUNNING] = { NO_RETRY, NULL, NULL, NULL, LAST, NOT_HELD,
		NOT_HELD, NULL, NO_STOPPED, NO_STOPPED,
		NULL, NULL, NO_INPUT },
	[SM_WAITING] = { NO_RETRY, NO_SKIP, NO_STEP, NULL, NOT_RUNNING,
		NOT_RUNNING, NOT_HELD, NULL, NO_STOPPED, NO_STOPPED,
		NULL, NULL, NO_INPUT },
	[SM_RETRY_WAIT] = { NULL, NULL, NO_STEP, NULL, LAST, NOT_HELD,
		NOT_HELD, NULL, NO_STOPPED, NO_STOPPED,
		NULL, NULL, NO_INPUT },
	[SM_PAUSED_FAILURE] = { NULL, NULL, NO_STEP, NULL, NOT_RUNNING,
		NOT_RUNNING, NOT_HELD, NULL, NULL, NULL,
		NULL, NULL, NO_INPUT },
	[SM_HOLDING] = { NO_RETRY, NULL, NULL, NULL,
		"the sequence is already held", NULL, NOT_HELD, NULL,
		NO_STOPPED, NO_STOPPED,
		NULL, NULL, NO_INPUT },
	[SM_HELD] = { NO_RETRY, NO_SKIP, NO_STEP, NULL, NOT_RUNNING,
		NOT_RUNNING, NULL, NULL, NO_STOPPED, NO_STOPPED,
		NULL, NULL, NO_INPUT },
	/* An aborted sequence is retried (or skipped) like a failed one. */
	[SM_ABORTED] = { NULL, NULL, NO_STEP, OVER, NOT_RUNNING,
		NOT_RUNNING, NOT_HELD, OVER, NULL, NULL,
		NULL, NULL, NO_INPUT },
	};
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - {name: ok, steps: ['true']}\n"
	    "  - {name: failed, steps: ['false']}\n"
	    "  - {name: blocked, needs: [failed], steps: ['true']}\n"
	    "  - {name: running, steps: ['exec sleep 1000']}\n"
	    "  - {name: waiting, needs: [running], steps: ['true']}\n"
	    "  - name: retrywait\n"
	    "    steps: [{run: 'false', retries: 1, retry_delay: 1000}]\n"
	    "  - name: pausedfail\n"
	    "    steps: [{run: 'false', on_failure: pause}]\n"
	    "  - {name: holding, steps: ['exec sleep 1000', 'true']}\n"
	    "  - name: held\n"
	    "    steps: ['while [ ! -e {{T}}/go ]; do sleep 0.01; done',"
	    " 'true']\n"
	    "  - {name: aborted, steps: ['exec sleep 1000']}\n", true);

	(void)state;
	w_start(w);
	tu_world_until(w, sm_started);
	assert_null(run_act(w->run, SM_HOLDING, RUN_ACT_HOLD));
	assert_null(run_act(w->run, SM_HELD, RUN_ACT_HOLD));
	assert_null(run_act(w->run, SM_ABORTED, RUN_ACT_ABORT));
	tu_world_write(w, "go", "");
	tu_world_until(w, sm_arrived);

	for (size_t i = 0; i < SM_N; i++) {
		for (size_t a = 0; a < RUN_ACTION_COUNT; a++) {
			const char *got = run_can(w->run, i,
			    (enum run_action)a);
			if (got == table[i][a] || (got && table[i][a] &&
			    strcmp(got, table[i][a]) == 0))
				continue;
			fail_msg("%s on %s: '%s', not '%s'",
			    run_action_name((enum run_action)a),
			    w_seq(w, i)->name, got ? got : "(applies)",
			    table[i][a] ? table[i][a] : "(applies)");
		}
	}
	/* A refusal is all an action does where it does not apply. */
	for (size_t i = 0; i < SM_N; i++)
		for (size_t a = 0; a < RUN_ACTION_COUNT; a++)
			if (table[i][a] != NULL)
				assert_string_equal(run_act(w->run, i,
				    (enum run_action)a), table[i][a]);
	assert_true(sm_arrived(w));
	/* The preamble, before any action: the sequence must exist. */
	assert_string_equal(run_can(w->run, SM_N, RUN_ACT_ABORT),
	    "no such sequence");

	/* And where they apply, where they lead. */
	assert_null(run_act(w->run, SM_HOLDING, RUN_ACT_RELEASE));
	assert_false(w_seq(w, SM_HOLDING)->hold);
	assert_null(run_act(w->run, SM_HELD, RUN_ACT_RESUME));
	assert_int_equal(w_seq(w, SM_HELD)->state, SEQ_RUNNING);
	assert_int_equal(w_seq(w, SM_HELD)->pause, RUN_PAUSE_NONE);
	assert_null(run_act(w->run, SM_PAUSED_FAILURE, RUN_ACT_SKIP));
	assert_null(run_act(w->run, SM_WAITING, RUN_ACT_ABORT));
	assert_int_equal(w_seq(w, SM_WAITING)->state, SEQ_ABORTED);
	assert_null(run_act(w->run, SM_RUNNING, RUN_ACT_KILL));
	assert_null(run_act(w->run, SM_RETRY_WAIT, RUN_ACT_SKIP));
	assert_null(run_act(w->run, SM_HOLDING, RUN_ACT_KILL));
	assert_null(run_act(w->run, SM_FAILED, RUN_ACT_SKIP));
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, SM_HELD)->state, SEQ_OK);
	assert_int_equal(w_seq(w, SM_PAUSED_FAILURE)->state, SEQ_OK);
	assert_int_equal(w_seq(w, SM_RUNNING)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, SM_RUNNING)->steps[0].status, STEP_KILLED);
	assert_int_equal(w_seq(w, SM_RETRY_WAIT)->state, SEQ_OK);
	assert_int_equal(w_seq(w, SM_HOLDING)->state, SEQ_FAILED);
	/* The skipped failure let the blocked sequence run after all. */
	assert_int_equal(w_seq(w, SM_FAILED)->state, SEQ_OK);
	assert_int_equal(w_seq(w, SM_BLOCKED)->state, SEQ_OK);
	tu_world_free(w);
#undef NOT_RUNNING
#undef NOT_HELD
#undef OVER
#undef NO_STEP
#undef NO_RETRY
#undef NO_SKIP
}

static bool
w_second_blocked(struct tu_world *w)
{
	return w_seq(w, 2)->state == SEQ_BLOCKED;
}

/* Blocked before a stop, blocked after it: the stop did not abort it, a
 * failed need kept it from running. */
static void
test_stop_all_keeps_blocked(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: hang\n"
	    "    steps: ['exec sleep 1000']\n"
	    "  - name: broken\n"
	    "    steps: ['false']\n"
	    "  - name: blocked\n"
	    "    needs: [broken]\n"
	    "    steps: ['true']\n", true);

	(void)state;
	w_start(w);
	tu_world_until(w, w_second_blocked);
	run_stop_all(w->run, "interrupted");
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_ABORTED);
	assert_int_equal(w_seq(w, 1)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 2)->state, SEQ_BLOCKED);
	tu_world_free(w);
}

/* Every byte a step writes reaches its log file unchanged: 20 MB with
 * binary junk, long lines and no trailing newline. */
static void
test_log_matches_20mb_byte_for_byte(void **state)
{
	struct tu_world *w = tu_world_new(
	    "settings: {scrollback: 100}\n"
	    "sequences:\n"
	    "  - name: big\n"
	    "    steps:\n"
	    "      - name: flood\n"
	    "        run: head -c 20000000 /dev/urandom > {{T}}/data; cat {{T}}/data\n",
	    false);
	char *err = NULL, *logdir, *rel, *path, *want, *got;
	size_t want_len, got_len;

	(void)state;
	logdir = xasprintf("%s/runs", w->dir);
	w->rl = runlog_create(w->run, NULL, logdir, &err);
	assert_non_null(w->rl);
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	rel = runlog_step_path(w->rl, 0, 0, 1);
	path = xasprintf("%s/%s", runlog_dir(w->rl), rel);
	got = tu_read_file(path, &got_len);
	free(path);
	want = tu_world_read(w, "data", &want_len);
	tu_assert_same_bytes(got, got_len, want, want_len, 20000000);
	/* Memory stays bounded: only the scrollback is kept. */
	assert_true(outbuf_count(w_seq(w, 0)->out) <= 100);
	free(want);
	free(got);
	free(rel);
	free(logdir);
	tu_world_free(w);
}

static void
test_line_never_ended(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - printf 'no newline'; sleep 0.05; printf ' at all'\n"
	    "      - printf 'next step'\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_non_null(strstr(tu_world_log(w), "line s: no newline at all\n"));
	assert_non_null(strstr(tu_world_log(w), "line s: next step\n"));
	tu_assert_in_order(tu_world_log(w), "line s: no newline at all", "end s/1 #");
	tu_world_free(w);
}

static void
test_tty_step(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - run: test -t 0 && test -t 1 && echo on a tty\n"
	    "        tty: true\n"
	    "      - run: test -t 1 || echo not a tty\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_non_null(strstr(tu_world_log(w), "line s: on a tty\n"));
	assert_non_null(strstr(tu_world_log(w), "line s: not a tty\n"));
	tu_world_free(w);
}

/* The main process exits but leaves a background child holding the
 * output: the step still ends, and the leftover is terminated. */
static void
test_leftover_background_process(void **state)
{
	struct tu_world *w = tu_world_new(
	    "settings: {kill_grace: 5s}\n"
	    "sequences:\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - sleep 1000 & echo $! > {{T}}/pid; echo started\n", false);

	(void)state;
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_wait_dead(w, tu_world_pid(w, "pid"));
	assert_non_null(strstr(tu_world_log(w), "line s: started\n"));
	tu_world_free(w);
}

static void
count_events(void *arg, struct run *run, const struct run_event *ev)
{
	(void)run;
	(void)ev;
	(*(int *)arg)++;
}

static void
test_remove_observer(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n  - {name: s, steps: ['true']}\n", false);
	int gone = 0, kept = 0;

	(void)state;
	run_add_observer(w->run, count_events, &gone);
	run_add_observer(w->run, count_events, &kept);
	run_remove_observer(w->run, count_events, &gone);
	w_start(w);
	tu_world_until(w, NULL);
	assert_int_equal(gone, 0);
	assert_true(kept > 0);
	tu_world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_within_sequence),
		cmocka_unit_test(test_concurrency),
		cmocka_unit_test(test_max_parallel),
		cmocka_unit_test(test_max_parallel_one_serialises),
		cmocka_unit_test(test_needs_and_blocked),
		cmocka_unit_test(test_retries_then_success),
		cmocka_unit_test(test_on_failure_stop_and_continue),
		cmocka_unit_test(test_pause_then_operator_retry),
		cmocka_unit_test(test_pause_headless_stops),
		cmocka_unit_test(test_retry_failed_sequence_unblocks),
		cmocka_unit_test(test_operator_kill),
		cmocka_unit_test(test_operator_skip_running),
		cmocka_unit_test(test_operator_skip_paused),
		cmocka_unit_test(test_operator_abort),
		cmocka_unit_test(test_operator_hold_and_resume),
		cmocka_unit_test(test_state_machine_table),
		cmocka_unit_test(test_timeout_kills_group_with_grandchild),
		cmocka_unit_test(test_kill_grace_then_sigkill),
		cmocka_unit_test(test_exit_codes_and_signals),
		cmocka_unit_test(test_env_cwd_vars),
		cmocka_unit_test(test_sleep_step),
		cmocka_unit_test(test_stop_all),
		cmocka_unit_test(test_stop_all_keeps_blocked),
		cmocka_unit_test(test_log_matches_20mb_byte_for_byte),
		cmocka_unit_test(test_line_never_ended),
		cmocka_unit_test(test_tty_step),
		cmocka_unit_test(test_leftover_background_process),
		cmocka_unit_test(test_remove_observer),
		cmocka_unit_test(test_fanout),
		cmocka_unit_test(test_fanout_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
