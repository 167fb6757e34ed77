/* test_resume.c: --resume. Where each sequence starts given a previous
 * run's record, and what the run then says and does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ev.h>

#include "config.h"
#include "resume.h"
#include "run_resume.h"
#include "run_test.h"
#include "runread.h"
#include "testutil.h"
#include "xmalloc.h"

static const char yaml[] =
    "sequences:\n"
    "  - {name: a, steps: [one, two, three]}\n"
    "  - {name: b, steps: [one, two]}\n"
    "  - {name: c, steps: [one, two]}\n"
    "  - {name: d, steps: [one]}\n"
    "  - {name: e, steps: [one, two]}\n";

/* A record: per sequence its state and its steps' names and statuses. */
static struct rr_seq *
rec_seq(struct rr_run *rr, const char *name, const char *state, ...)
{
	struct rr_seq *s;
	va_list ap;
	const char *step;

	rr->seqs = xrealloc(rr->seqs, (rr->n_seqs + 1) * sizeof *rr->seqs);
	s = &rr->seqs[rr->n_seqs++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
	s->stated = state != NULL && seq_state_parse(state, &s->state);
	va_start(ap, state);
	while ((step = va_arg(ap, const char *)) != NULL) {
		const char *status = va_arg(ap, const char *);
		s->steps = xrealloc(s->steps, (s->n_steps + 1) *
		    sizeof *s->steps);
		memset(&s->steps[s->n_steps], 0, sizeof *s->steps);
		s->steps[s->n_steps].name = xstrdup(step);
		if (status != NULL)
			assert_true(step_status_parse(status,
			    &s->steps[s->n_steps].status));
		s->n_steps++;
	}
	va_end(ap);
	return s;
}

static void
rec_free(struct rr_run *rr)
{
	for (size_t i = 0; i < rr->n_seqs; i++) {
		for (size_t j = 0; j < rr->seqs[i].n_steps; j++)
			free(rr->seqs[i].steps[j].name);
		free(rr->seqs[i].steps);
		free(rr->seqs[i].name);
	}
	free(rr->seqs);
}

static char transcript[4096];

static void
observe(void *arg, struct run *run, const struct run_event *ev)
{
	size_t n = strlen(transcript);

	(void)arg;
	switch (ev->type) {
	case RUN_EV_NOTICE:
		snprintf(transcript + n, sizeof transcript - n, "notice %s: "
		    "%s\n", run_seq(run, ev->seq)->name, ev->text);
		break;
	case RUN_EV_STEP_END:
		snprintf(transcript + n, sizeof transcript - n, "end %s/%zu #%u "
		    "%s\n", run_seq(run, ev->seq)->name, ev->step + 1,
		    ev->attempt, step_status_name(run_seq(run,
		    ev->seq)->steps[ev->step].status));
		break;
	case RUN_EV_SEQ:
		snprintf(transcript + n, sizeof transcript - n, "seq %s %s\n",
		    run_seq(run, ev->seq)->name,
		    seq_state_name(run_seq(run, ev->seq)->state));
		break;
	default:
		break;
	}
}

/* A run of the plan TEXT, no limit on how many run at once; *cfg is the
 * caller's to free after the run. */
static struct run *
new_run(const char *text, struct config **cfg)
{
	struct run_options opt = { .max_parallel = -1 };
	char *err = NULL;

	if (config_load_string("t.yaml", text, NULL, 0, cfg, &err) != 0)
		fail_msg("%s", err);
	return run_create(*cfg, &opt);
}

static void
test_first_step(void **state)
{
	struct rr_run rr = { .id = (char *)"20261126-093800" };
	struct config *cfg;
	struct run *run = new_run(yaml, &cfg);

	(void)state;
	/* a: failed at its second step. */
	rec_seq(&rr, "a", "failed", "one", "ok", "two", "failed", "three",
	    NULL, NULL);
	/* b: succeeded, with a step skipped: done. */
	rec_seq(&rr, "b", "ok", "one", "skipped", "two", "ok", NULL);
	/* c: a skip in a sequence that failed is not a success. */
	rec_seq(&rr, "c", "failed", "one", "skipped", "two", "failed", NULL);
	/* d: renamed step since: from there on, it runs again. */
	rec_seq(&rr, "d", "ok", "uno", "ok", NULL);
	/* e: not in the record at all. */
	assert_int_equal(resume_first_step(run, 0, &rr), 1);
	assert_int_equal(resume_first_step(run, 1, &rr), 2);
	assert_int_equal(resume_first_step(run, 2, &rr), 0);
	assert_int_equal(resume_first_step(run, 3, &rr), 0);
	assert_int_equal(resume_first_step(run, 4, &rr), 0);

	/* What the run says and does with it. */
	run_add_observer(run, observe, NULL);
	transcript[0] = '\0';
	for (size_t i = 0; i < run_seq_count(run); i++)
		resume_seq(run, i, &rr);
	assert_int_equal(run_resume_at(run, 0), 1);
	assert_true(run_seq(run, 0)->steps[0].resumed);
	assert_int_equal(run_seq(run, 0)->steps[0].status, STEP_OK);
	assert_int_equal(run_seq(run, 0)->steps[1].status, STEP_PENDING);
	/* A step skipped there stays skipped: not counted ok. */
	assert_true(run_seq(run, 1)->steps[0].resumed);
	assert_int_equal(run_seq(run, 1)->steps[0].status, STEP_SKIPPED);
	run_start(run);
	assert_non_null(strstr(transcript,
	    "notice a: steps 1-1 done in run 20261126-093800: resuming at "
	    "step 2\nend a/1 #0 ok\n"));
	assert_non_null(strstr(transcript,
	    "notice b: done in run 20261126-093800: not run again\n"
	    "end b/1 #0 skipped\nend b/2 #0 ok\nseq b ok\n"));
	assert_int_equal(run_seq(run, 1)->state, SEQ_OK);
	assert_int_equal(run_seq(run, 1)->current, 2);
	/* a runs from its second step, from the loop's first pass. */
	while (run_seq(run, 0)->steps[1].attempt == 0)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_int_equal(run_seq(run, 0)->current, 1);
	assert_int_equal(run_seq(run, 0)->steps[1].attempt, 1);
	assert_int_equal(run_seq(run, 0)->steps[0].attempt, 0);
	run_stop_all(run, "test over");
	while (!run_settled(run))
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	run_free(run);
	rec_free(&rr);
	config_free(cfg);
}

/* What the steps not run again captured is the new run's; a step whose
 * value the record does not hold (a secret) runs again. */
static void
test_captures(void **state)
{
	struct rr_run rr = { .id = (char *)"20261126-093800" };
	struct config *cfg;
	struct run *run;
	struct rr_seq *a, *b;

	(void)state;
	run = new_run(
	    "sequences:\n"
	    "  - name: a\n"
	    "    steps:\n"
	    "      - {run: one, capture: v}\n"
	    "      - {run: two, capture: {name: s, secret: true}}\n"
	    "      - three\n"
	    "  - name: b\n"
	    "    steps:\n"
	    "      - {run: one, capture: w}\n"
	    "      - two\n", &cfg);
	a = rec_seq(&rr, "a", "failed", "one", "ok", "two", "ok", "three",
	    "failed", NULL);
	a->steps[0].var = (char *)"v";
	a->steps[0].value = (char *)"x\ny";
	a->steps[0].value_len = 3;
	a->steps[1].var = (char *)"s";
	b = rec_seq(&rr, "b", "failed", "one", "ok", "two", "failed", NULL);
	b->steps[0].var = (char *)"w";
	b->steps[0].value = (char *)"";
	run_add_observer(run, observe, NULL);
	transcript[0] = '\0';
	/* a: from its secret capture on, not from its failed step. */
	assert_int_equal(resume_seq(run, 0, &rr), 1);
	assert_int_equal(resume_seq(run, 1, &rr), 1);
	assert_string_equal(run_captured(run, 0, 0, NULL), "x\ny");
	assert_null(run_captured(run, 0, 1, NULL));
	assert_string_equal(run_captured(run, 1, 0, NULL), "");
	run_stop_all(run, "test over");
	run_free(run);
	for (size_t i = 0; i < rr.n_seqs; i++)
		for (size_t j = 0; j < rr.seqs[i].n_steps; j++)
			rr.seqs[i].steps[j].var = rr.seqs[i].steps[j].value =
			    NULL;
	rec_free(&rr);
	config_free(cfg);
}

TU_MAIN(
	cmocka_unit_test(test_first_step),
	cmocka_unit_test(test_captures),
)
