/* test_handlers.c: handlers (on_failure with steps) and cleanup
 * (finally:) in the engine, against real processes on a real loop; the
 * labels front ends show them with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "config.h"
#include "run.h"
#include "testutil.h"
#include "xmalloc.h"

static const struct run_seq *
w_seq(struct tu_world *w, size_t i)
{
	return run_seq(w->run, i);
}

static bool
w_paused(struct tu_world *w)
{
	return w_seq(w, 0)->state == SEQ_PAUSED;
}

static bool
w_cleaning(struct tu_world *w)
{
	return w_seq(w, 0)->cleanup &&
	    w_seq(w, 0)->steps[w_seq(w, 0)->current].status == STEP_RUNNING;
}

/* then: continue: the handler runs, the sequence goes on, and has
 * failed. then: stop (the default): it stops, its cleanup runs. */
static void
test_then_continue_and_stop(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: c\n"
	    "    steps:\n"
	    "      - run: exit 4\n"
	    "        on_failure: {steps: ['touch {{T}}/handled'], then: continue}\n"
	    "      - touch {{T}}/next\n"
	    "  - name: s\n"
	    "    steps:\n"
	    "      - run: exit 4\n"
	    "        on_failure: {steps: ['true']}\n"
	    "      - touch {{T}}/s-next\n"
	    "    finally: ['touch {{T}}/s-clean']\n", false);

	(void)state;
	run_start(w->run);
	tu_world_until(w, NULL);
	assert_true(tu_world_exists(w, "handled"));
	assert_true(tu_world_exists(w, "next"));
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	/* The sequence's step count is its steps': 2 of 3 in all. */
	assert_int_equal(w_seq(w, 0)->n_steps, 2);
	assert_int_equal(w_seq(w, 0)->n_all, 3);
	assert_int_equal(w_seq(w, 0)->steps[2].role, STEP_ROLE_HANDLER);
	assert_int_equal(w_seq(w, 0)->steps[2].of, 0);
	tu_assert_in_order(tu_world_log(w), "end c/1 #1 failed", "start c/3 #1");
	tu_assert_in_order(tu_world_log(w), "end c/3 #1 ok", "start c/2 #1");
	assert_false(tu_world_exists(w, "s-next"));
	assert_true(tu_world_exists(w, "s-clean"));
	assert_int_equal(w_seq(w, 1)->state, SEQ_FAILED);
	/* Over, it stands at the step that failed, not in its cleanup. */
	assert_int_equal(w_seq(w, 1)->current, 0);
	assert_false(w_seq(w, 1)->cleanup);
	assert_int_equal(run_exit_status(w->run), 1);
	tu_world_free(w);
}

/* then: retry runs the step once more; if that fails, the sequence
 * stops without running the handler again. */
static void
test_then_retry_once(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: r\n"
	    "    steps:\n"
	    "      - run: echo try >> {{T}}/tries; exit 1\n"
	    "        retries: 1\n"
	    "        retry_delay: 0s\n"
	    "        on_failure:\n"
	    "          steps: ['echo fix >> {{T}}/fixes']\n"
	    "          then: retry\n"
	    "      - touch {{T}}/next\n", false);
	char *tries, *fixes;

	(void)state;
	run_start(w->run);
	tu_world_until(w, NULL);
	tries = tu_world_file(w, "tries");
	fixes = tu_world_file(w, "fixes");
	/* Its automatic retry, then the handler, then one more. */
	assert_string_equal(tries, "try\ntry\ntry\n");
	assert_string_equal(fixes, "fix\n");
	assert_false(tu_world_exists(w, "next"));
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 0)->current, 0);
	free(tries);
	free(fixes);
	tu_world_free(w);
}

/* A handler step that fails pauses the sequence when then: is pause; r
 * runs that handler step again, and after the handler the sequence
 * pauses at the step it handled, where s goes on. */
static void
test_handler_pause_and_operator(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: p\n"
	    "    steps:\n"
	    "      - run: exit 1\n"
	    "        on_failure:\n"
	    "          steps: ['test -e {{T}}/fixed']\n"
	    "          then: pause\n"
	    "      - touch {{T}}/next\n", true);
	char label[64];

	(void)state;
	run_start(w->run);
	tu_world_until(w, w_paused);
	assert_int_equal(w_seq(w, 0)->current, 2);
	assert_int_equal(w_seq(w, 0)->steps[2].status, STEP_FAILED);
	assert_string_equal(run_step_label(w_seq(w, 0), 2, label,
	    sizeof label), "handler 1/1 of step 1");
	tu_world_write(w, "fixed", "");
	assert_null(run_act(w->run, 0, RUN_ACT_RETRY));
	tu_world_wait_log(w, "end p/3 #2 ok");
	tu_world_until(w, w_paused);
	assert_int_equal(w_seq(w, 0)->current, 0);
	assert_int_equal(w_seq(w, 0)->pause, RUN_PAUSE_FAILURE);
	assert_null(run_act(w->run, 0, RUN_ACT_SKIP));
	tu_world_until(w, NULL);
	assert_true(tu_world_exists(w, "next"));
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_free(w);
}

/* An abort runs the cleanup; an abort during the cleanup ends it, and the
 * sequence ends as its steps did. */
static void
test_abort_then_cleanup(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps:\n"
	    "      - run: echo $$ > {{T}}/pid; exec sleep 1000\n"
	    "    finally:\n"
	    "      - touch {{T}}/clean1\n"
	    "      - run: echo $$ > {{T}}/cpid; exec sleep 1000\n"
	    "      - touch {{T}}/clean3\n", true);
	pid_t cpid;

	(void)state;
	run_start(w->run);
	tu_world_wait_pid(w, "pid");
	assert_null(run_act(w->run, 0, RUN_ACT_ABORT));
	cpid = tu_world_wait_pid(w, "cpid");
	assert_true(tu_world_exists(w, "clean1"));
	assert_true(w_seq(w, 0)->cleanup);
	assert_int_equal(w_seq(w, 0)->state, SEQ_RUNNING);
	/* No hold while it cleans up; abort ends the cleanup. */
	assert_non_null(run_can(w->run, 0, RUN_ACT_HOLD));
	assert_null(run_act(w->run, 0, RUN_ACT_ABORT));
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, cpid);
	assert_false(tu_world_exists(w, "clean3"));
	assert_int_equal(w_seq(w, 0)->state, SEQ_ABORTED);
	assert_int_equal(w_seq(w, 0)->steps[2].status, STEP_KILLED);
	assert_false(w_seq(w, 0)->cleanup);
	tu_world_free(w);
}

/* A stop lets a running cleanup go on; run_cut_cleanup ends it. A
 * sequence that never started has nothing to clean up. */
static void
test_stop_lets_cleanup_run(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps: ['true']\n"
	    "    finally:\n"
	    "      - run: echo $$ > {{T}}/cpid; while [ ! -e {{T}}/go ]; do sleep 0.02; done\n"
	    "      - touch {{T}}/second\n"
	    "  - name: b\n"
	    "    needs: a\n"
	    "    steps: ['true']\n"
	    "    finally: ['touch {{T}}/b-clean']\n", false);

	(void)state;
	run_start(w->run);
	tu_world_wait_pid(w, "cpid");
	run_stop_all(w->run, "test");
	assert_true(w_seq(w, 0)->cleanup);
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_RUNNING);
	tu_world_write(w, "go", "");
	tu_world_until(w, NULL);
	assert_true(tu_world_exists(w, "second"));
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 1)->state, SEQ_ABORTED);
	assert_false(tu_world_exists(w, "b-clean"));
	tu_world_free(w);

	w = tu_world_new(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps: ['true']\n"
	    "    finally:\n"
	    "      - run: echo $$ > {{T}}/cpid; exec sleep 1000\n"
	    "      - touch {{T}}/second\n", false);
	run_start(w->run);
	tu_world_until(w, w_cleaning);
	tu_world_wait_pid(w, "cpid");
	run_stop_all(w->run, "test");
	run_cut_cleanup(w->run);
	tu_world_until(w, NULL);
	assert_false(tu_world_exists(w, "second"));
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_KILLED);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_free(w);
}

/* s and x on a running handler step: s skips it (the handler goes on),
 * x kills it (a failed handler step: the sequence stops). */
static void
test_skip_and_kill_handler_steps(void **state)
{
	static const char yaml[] =
	    "sequences:\n"
	    "  - name: h\n"
	    "    steps:\n"
	    "      - run: test -e {{T}}/fixed\n"
	    "        on_failure:\n"
	    "          steps:\n"
	    "            - run: echo $$ > {{T}}/pid1; exec sleep 1000\n"
	    "            - touch {{T}}/fixed\n"
	    "          then: retry\n";
	struct tu_world *w = tu_world_new(yaml, true);
	pid_t pid;

	(void)state;
	run_start(w->run);
	pid = tu_world_wait_pid(w, "pid1");
	assert_int_equal(w_seq(w, 0)->current, 1);
	assert_null(run_act(w->run, 0, RUN_ACT_SKIP));
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, pid);
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_SKIPPED);
	assert_int_equal(w_seq(w, 0)->steps[2].status, STEP_OK);
	assert_int_equal(w_seq(w, 0)->steps[0].status, STEP_OK);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_free(w);

	w = tu_world_new(yaml, true);
	run_start(w->run);
	pid = tu_world_wait_pid(w, "pid1");
	assert_null(run_act(w->run, 0, RUN_ACT_KILL));
	tu_world_until(w, NULL);
	tu_world_wait_dead(w, pid);
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_KILLED);
	assert_int_equal(w_seq(w, 0)->steps[2].status, STEP_PENDING);
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	assert_int_equal(w_seq(w, 0)->current, 1);
	assert_false(tu_world_exists(w, "fixed"));
	tu_world_free(w);
}

static bool
w_over(struct tu_world *w)
{
	return seq_state_over(w_seq(w, 0)->state);
}

/* The operator retries a failed step of a sequence whose cleanup ran:
 * the cleanup undid what the steps did (unmounted), so the sequence
 * starts over from its first step, the retried step runs as the
 * operator's attempt when it is reached, and the cleanup runs again at
 * the end. A skip the same way: the step is skipped when reached. */
static void
test_retry_after_cleanup(void **state)
{
	static const char yaml[] =
	    "sequences:\n"
	    "  - name: m\n"
	    "    steps:\n"
	    "      - echo mount >> {{T}}/trace\n"
	    "      - {run: 'echo two >> {{T}}/trace; test -e {{T}}/fixed', "
	    "retries: 1, retry_delay: 0s}\n"
	    "      - echo three >> {{T}}/trace\n"
	    "    finally: ['echo umount >> {{T}}/trace']\n";
	struct tu_world *w = tu_world_new(yaml, true);
	char *trace;

	(void)state;
	run_start(w->run);
	tu_world_until(w, w_over);
	trace = tu_world_file(w, "trace");
	assert_string_equal(trace, "mount\ntwo\ntwo\numount\n");
	free(trace);
	assert_int_equal(w_seq(w, 0)->current, 1);
	assert_null(run_act(w->run, 0, RUN_ACT_RETRY));
	tu_world_until(w, w_over);
	trace = tu_world_file(w, "trace");
	/* The operator's attempt has no automatic retry: it fails once. */
	assert_string_equal(trace, "mount\ntwo\ntwo\numount\n"
	    "mount\ntwo\numount\n");
	free(trace);
	tu_assert_has(tu_world_log(w), "notice m: retry step 2 after the "
	    "cleanup ran: the sequence starts over from step 1");
	assert_int_equal(w_seq(w, 0)->state, SEQ_FAILED);
	tu_world_write(w, "fixed", "");
	assert_null(run_act(w->run, 0, RUN_ACT_RETRY));
	tu_world_until(w, w_over);
	trace = tu_world_file(w, "trace");
	assert_string_equal(trace, "mount\ntwo\ntwo\numount\n"
	    "mount\ntwo\numount\nmount\ntwo\nthree\numount\n");
	free(trace);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(w_seq(w, 0)->steps[1].attempt, 4);
	tu_world_free(w);

	w = tu_world_new(yaml, true);
	run_start(w->run);
	tu_world_until(w, w_over);
	assert_null(run_act(w->run, 0, RUN_ACT_SKIP));
	tu_world_until(w, w_over);
	trace = tu_world_file(w, "trace");
	assert_string_equal(trace, "mount\ntwo\ntwo\numount\n"
	    "mount\nthree\numount\n");
	free(trace);
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_SKIPPED);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_free(w);
}

/* A hold asked for on a sequence's last step is refused, saying why (it
 * used to be dropped); one the sequence never reaches, because it ended
 * first, is said to be dropped. */
static void
test_hold_on_the_last_step(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: l\n"
	    "    steps:\n"
	    "      - true\n"
	    "      - run: echo $$ > {{T}}/pid; while [ ! -e {{T}}/go ]; do sleep 0.02; done\n"
	    "    finally: ['true']\n"
	    "  - name: f\n"
	    "    steps:\n"
	    "      - run: echo $$ > {{T}}/fpid; while [ ! -e {{T}}/go ]; do sleep 0.02; done; false\n"
	    "      - true\n", true);
	const char *why;

	(void)state;
	run_start(w->run);
	tu_world_wait_pid(w, "pid");
	tu_world_wait_pid(w, "fpid");
	why = run_act(w->run, 0, RUN_ACT_HOLD);
	assert_non_null(why);
	assert_string_equal(why, "this is its last step: it ends after it "
	    "(and runs its cleanup), there is no step to hold before");
	assert_false(w_seq(w, 0)->hold);
	assert_null(run_act(w->run, 1, RUN_ACT_HOLD));
	tu_world_write(w, "go", "");
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	assert_int_equal(run_seq(w->run, 1)->state, SEQ_FAILED);
	tu_assert_has(tu_world_log(w), "notice f: the operator's hold was not "
	    "kept: the sequence ended (failed) before its next step");
	tu_world_free(w);
}

/* The run stops (q) while a cleanup step is paused on its failure: the
 * cleanup goes on to its end, as one that runs does; and a cleanup step
 * that fails after the stop, with on_failure: pause, does not end it. */
static void
test_stop_while_cleanup_paused(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: c\n"
	    "    steps: ['true']\n"
	    "    finally:\n"
	    "      - {run: 'false', on_failure: pause}\n"
	    "      - touch {{T}}/second\n", true);

	(void)state;
	run_start(w->run);
	tu_world_until(w, w_paused);
	assert_true(w_seq(w, 0)->cleanup);
	assert_int_equal(w_seq(w, 0)->current, 1);
	run_stop_all(w->run, "test");
	tu_world_until(w, NULL);
	assert_true(tu_world_exists(w, "second"));
	assert_int_equal(w_seq(w, 0)->steps[2].status, STEP_OK);
	assert_int_equal(w_seq(w, 0)->state, SEQ_OK);
	tu_world_free(w);

	w = tu_world_new(
	    "sequences:\n"
	    "  - name: c\n"
	    "    steps: ['true']\n"
	    "    finally:\n"
	    "      - run: echo $$ > {{T}}/cpid; while [ ! -e {{T}}/go ]; do sleep 0.02; done; false\n"
	    "        on_failure: pause\n"
	    "      - touch {{T}}/second\n", true);
	run_start(w->run);
	tu_world_wait_pid(w, "cpid");
	run_stop_all(w->run, "test");
	tu_world_write(w, "go", "");
	tu_world_until(w, NULL);
	assert_int_equal(w_seq(w, 0)->steps[1].status, STEP_FAILED);
	assert_true(tu_world_exists(w, "second"));
	tu_world_free(w);
}

/* What a screen calls each step, and the roles' names both ways. */
static void
test_labels(void **state)
{
	char buf[64];
	enum step_role role;

	(void)state;
	assert_string_equal(step_label(STEP_ROLE_MAIN, 1, 5, 0, 0, 0, buf,
	    sizeof buf), "step 2/5");
	assert_string_equal(step_label(STEP_ROLE_HANDLER, 6, 5, 2, 3, 1,
	    buf, sizeof buf), "handler 2/3 of step 2");
	assert_string_equal(step_label(STEP_ROLE_FINALLY, 9, 5, 1, 1, 0,
	    buf, sizeof buf), "cleanup 1/1");
	/* How ctl names them. */
	assert_string_equal(step_ref(STEP_ROLE_MAIN, 2, 0, 0, buf,
	    sizeof buf), "3");
	assert_string_equal(step_ref(STEP_ROLE_HANDLER, 6, 2, 1, buf,
	    sizeof buf), "2.handler:2");
	assert_string_equal(step_ref(STEP_ROLE_FINALLY, 9, 1, 0, buf,
	    sizeof buf), "cleanup:1");
	assert_true(step_role_parse("finally", &role));
	assert_int_equal(role, STEP_ROLE_FINALLY);
	assert_string_equal(step_role_name(STEP_ROLE_HANDLER), "handler");
	assert_false(step_role_parse("cleanup", &role));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_then_continue_and_stop),
		cmocka_unit_test(test_then_retry_once),
		cmocka_unit_test(test_handler_pause_and_operator),
		cmocka_unit_test(test_abort_then_cleanup),
		cmocka_unit_test(test_stop_lets_cleanup_run),
		cmocka_unit_test(test_skip_and_kill_handler_steps),
		cmocka_unit_test(test_retry_after_cleanup),
		cmocka_unit_test(test_hold_on_the_last_step),
		cmocka_unit_test(test_stop_while_cleanup_paused),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
