/* test_logidx.c: a sequence's complete output read back from a real run
 * directory, with attempts, operator actions and arrival times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "config.h"
#include "logidx.h"
#include "outbuf.h"
#include "replay.h"
#include "run_restore.h"
#include "runlog.h"
#include "runread.h"
#include "testutil.h"
#include "xmalloc.h"

static bool paused, idle, hung;

static void
guard_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)w;
	(void)revents;
	hung = true;
}

static void
observe(void *arg, struct run *run, const struct run_event *ev)
{
	(void)arg;
	if (ev->type == RUN_EV_IDLE)
		idle = true;
	if (ev->type == RUN_EV_SEQ && run_seq(run, 0)->state == SEQ_PAUSED)
		paused = true;
}

static char *
line_at(const struct logidx *li, size_t i, unsigned *flags, double *t)
{
	size_t len;
	const char *p = logidx_line(li, i, &len, flags, NULL, t);

	return p ? xstrndup(p, len) : NULL;
}

static void
test_index_of_a_real_run(void **state)
{
	char *base = tu_tmpdir(), *err = NULL, *yaml, *l, *path;
	struct config *cfg;
	struct run *run;
	struct runlog *rl;
	struct run_options opt = { .interactive = true, .max_parallel = -1 };
	struct rr_run *rr;
	struct logidx *li;
	unsigned flags;
	double t;
	size_t i = 0;

	(void)state;
	yaml = xasprintf(
	    "sequences:\n  - name: s\n    steps:\n"
	    "      - name: bar\n"
	    "        run: printf '10%%%%\\r50%%%%\\r\\r100%%%%\\r\\r\\nwin\\r\\n'\n"
	    "      - name: mount\n"
	    "        run: echo try $DROVE_ATTEMPT; test -e %s/fixed\n"
	    "        on_failure: pause\n"
	    "      - name: long\n"
	    "        run: head -c 5000 /dev/zero | tr '\\0' x; printf 'end'\n",
	    base);
	assert_int_equal(config_load_string("t.yaml", yaml, NULL, 0, &cfg,
	    &err), 0);
	run = run_create(cfg, &opt);
	rl = runlog_create(run, NULL, base, &err);
	run_add_observer(run, observe, NULL);
	ev_timer guard;
	/* Turns a hang into a failure; no timing is asserted. */
	ev_timer_init(&guard, guard_cb, 60., 0.);
	ev_timer_start(EV_DEFAULT_ &guard);
	run_start(run);
	while (!paused && !hung && run_seq(run, 0)->state != SEQ_FAILED)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_true(paused);
	path = xasprintf("%s/fixed", base);
	tu_write_file(path, "");
	free(path);
	assert_null(run_act(run, 0, RUN_ACT_RETRY));
	while (!idle && !hung)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_false(hung);
	ev_timer_stop(EV_DEFAULT_ &guard);
	run_finish(run, NULL, run_exit_status(run));

	rr = runread_load(runlog_dir(rl), &err);
	assert_non_null(rr);
	li = logidx_build(rr, 0);
#define EXPECT(text, want_flags) do {                                   \
	l = line_at(li, i++, &flags, &t);                               \
	assert_non_null(l);                                             \
	assert_string_equal(l, text);                                   \
	assert_int_equal(flags, want_flags);                            \
	assert_true(t > 0);                                             \
	free(l);                                                        \
} while (0)
	EXPECT("-- step 1/3: bar --", OUTBUF_MARK);
	EXPECT("100%", 0);
	EXPECT("win", 0);
	EXPECT("-- step 2/3: mount --", OUTBUF_MARK);
	EXPECT("try 1", 0);
	l = line_at(li, i++, &flags, &t);
	assert_non_null(strstr(l, "-- failed (exit 1) after "));
	free(l);
	l = line_at(li, i++, &flags, &t);
	assert_non_null(strstr(l, "-- retried by operator at "));
	assert_int_equal(flags, OUTBUF_MARK);
	free(l);
	EXPECT("-- step 2/3: mount (try 2) --", OUTBUF_MARK);
	EXPECT("try 2", 0);
	EXPECT("-- step 3/3: long --", OUTBUF_MARK);
	l = line_at(li, i++, &flags, &t);
	assert_int_equal(strlen(l), OUTBUF_LINE_MAX);
	free(l);
	l = line_at(li, i++, &flags, &t);
	assert_int_equal(flags, OUTBUF_CONTINUED);
	assert_int_equal(strlen(l), 5000 - OUTBUF_LINE_MAX + 3);
	assert_string_equal(l + strlen(l) - 4, "xend");
	free(l);
	assert_int_equal(logidx_count(li), i);
	assert_null(line_at(li, i, &flags, &t));
	logidx_free(li);

	/* A deleted log is said where it would have been. */
	path = xasprintf("%s/01-s/02-mount.1.log", runlog_dir(rl));
	assert_int_equal(unlink(path), 0);
	free(path);
	li = logidx_build(rr, 0);
	l = line_at(li, 4, &flags, &t);
	assert_string_equal(l, "-- log 01-s/02-mount.1.log: missing "
	    "(deleted?) --");
	free(l);
	logidx_free(li);

	runread_free(rr);

	/* The same run, reopened for the review: a frozen run in the state
	 * it ended in, refusing actions. */
	{
		struct replay *rp = replay_open(runlog_dir(rl), &err);
		struct run *fr;
		const struct run_seq *s;

		assert_non_null(rp);
		fr = replay_run(rp);
		assert_true(run_frozen(fr));
		assert_true(run_settled(fr));
		s = run_seq(fr, 0);
		assert_int_equal(s->state, SEQ_OK);
		assert_int_equal(s->n_steps, 3);
		assert_string_equal(s->steps[1].name, "mount");
		assert_int_equal(s->steps[1].status, STEP_OK);
		assert_int_equal(s->steps[1].attempt, 2);
		assert_int_equal(s->steps[1].exit_code, 0);
		assert_int_equal(s->current, 3);
		assert_string_equal(run_act(fr, 0, RUN_ACT_RETRY),
		    "read only: a past run");
		assert_string_equal(run_act(fr, 0, RUN_ACT_KILL),
		    "read only: a past run");
		assert_true(logidx_count(replay_output(rp, 0)) > 10);
		assert_null(replay_output(rp, 1));
		replay_free(rp);
	}
	runlog_free(rl);
	run_free(run);
	config_free(cfg);
	free(yaml);
	tu_rmrf(base);
	free(base);
}

/* What the operator did while a step ran is shown before how it ended. */
static void
test_action_inside_attempt(void **state)
{
	char *base = tu_tmpdir(), *path, *err = NULL, *l;
	struct rr_run *rr;
	struct logidx *li;
	unsigned flags;
	double t;

	(void)state;
	path = xasprintf("%s/events.jsonl", base);
	tu_write_file(path,
	    "{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\","
	    "\"steps\":[\"hang\"]}]}\n"
	    "{\"event\":\"step_start\",\"ts\":2,\"seq_index\":0,\"step_index\":0,"
	    "\"attempt\":1}\n"
	    "{\"event\":\"kill\",\"ts\":5,\"seq_index\":0,\"step_index\":0,"
	    "\"attempt\":1}\n"
	    "{\"event\":\"step_end\",\"ts\":5,\"seq_index\":0,\"step_index\":0,"
	    "\"attempt\":1,\"status\":\"killed\",\"signal\":15}\n"
	    "{\"event\":\"run_end\",\"ts\":6,\"status\":\"failed\"}\n");
	rr = runread_load(base, &err);
	assert_non_null(rr);
	li = logidx_build(rr, 0);
	assert_int_equal(logidx_count(li), 3);
	l = line_at(li, 0, &flags, &t);
	assert_string_equal(l, "-- step 1/1: hang --");
	free(l);
	l = line_at(li, 1, &flags, &t);
	assert_non_null(strstr(l, "-- killed by operator at "));
	free(l);
	l = line_at(li, 2, &flags, &t);
	assert_string_equal(l, "-- killed (signal 15) after 3.0s --");
	free(l);
	logidx_free(li);
	runread_free(rr);
	free(path);
	tu_rmrf(base);
	free(base);
}

TU_MAIN(
	cmocka_unit_test(test_index_of_a_real_run),
	cmocka_unit_test(test_action_inside_attempt),
)
