/* test_runlog.c: the run directory: pruning old runs, the .times beside
 * each log, the plan in run_start. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "config.h"
#include "replay.h"
#include "resume.h"
#include "run.h"
#include "run_resume.h"
#include "runlog.h"
#include "runread.h"
#include "testutil.h"
#include "xmalloc.h"

static void
test_is_run_id(void **state)
{
	(void)state;
	assert_true(runlog_is_run_id("20261126-093800"));
	assert_true(runlog_is_run_id("20261126-093800-12"));
	assert_false(runlog_is_run_id("20261126-093800-"));
	assert_false(runlog_is_run_id("20261126-09380"));
	assert_false(runlog_is_run_id("latest"));
	assert_false(runlog_is_run_id("20261126-093800x"));
	assert_false(runlog_is_run_id("../20261126-0938"));
	assert_true(runlog_id_cmp("20261126-093800", "20261126-093800-2") < 0);
	assert_true(runlog_id_cmp("20261126-093800-10",
	    "20261126-093800-9") > 0);
	assert_true(runlog_id_cmp("20261126-093801", "20261126-093800-9") > 0);
	assert_int_equal(runlog_id_cmp("20261126-093800-1",
	    "20261126-093800"), 0);
}

static void
mkrun(const char *base, const char *id)
{
	char *dir = xasprintf("%s/%s", base, id), *ev;

	mkdir(dir, 0700);
	ev = xasprintf("%s/events.jsonl", dir);
	tu_write_file(ev, "{}\n");
	free(ev);
	free(dir);
}

static bool
exists(const char *base, const char *name)
{
	char *p = xasprintf("%s/%s", base, name);
	struct stat st;
	bool ok = lstat(p, &st) == 0;

	free(p);
	return ok;
}

static void
test_prune(void **state)
{
	char *base = tu_tmpdir(), *outside = tu_tmpdir(), *p, *ev;
	int fd;

	(void)state;
	mkrun(base, "20261120-000000");  /* oldest, but still running */
	mkrun(base, "20261121-000000");
	mkrun(base, "20261122-000000");
	mkrun(base, "20261123-000000");
	mkrun(base, "20261124-000000");  /* the current run */
	mkrun(base, "notes");            /* not a run: never touched */
	/* A symlink that looks like a run points outside: never followed. */
	p = xasprintf("%s/20261101-000000", base);
	assert_int_equal(symlink(outside, p), 0);
	free(p);
	p = xasprintf("%s/keep-me", outside);
	tu_write_file(p, "x");
	free(p);
	/* Another drove holds the lock of the oldest run. */
	ev = xasprintf("%s/20261120-000000/events.jsonl", base);
	fd = open(ev, O_RDONLY);
	assert_int_equal(flock(fd, LOCK_EX), 0);

	assert_int_equal(runlog_prune(base, 2, "20261124-000000"), 2);
	assert_true(exists(base, "20261124-000000"));
	assert_true(exists(base, "20261123-000000"));
	assert_false(exists(base, "20261122-000000"));
	assert_false(exists(base, "20261121-000000"));
	assert_true(exists(base, "20261120-000000"));
	assert_true(exists(base, "notes"));
	assert_true(exists(base, "20261101-000000"));
	assert_true(exists(outside, "keep-me"));
	/* keep_runs: 0 keeps everything. */
	assert_int_equal(runlog_prune(base, 0, NULL), 0);
	close(fd);
	free(ev);
	tu_rmrf(base);
	tu_rmrf(outside);
	free(base);
	free(outside);
}

static bool idle;

static void
observe(void *arg, struct run *run, const struct run_event *ev)
{
	(void)arg;
	(void)run;
	if (ev->type == RUN_EV_IDLE)
		idle = true;
}

/* A real run: the .times file maps byte offsets of the log to arrival
 * times, and run_start carries the plan the reader needs. */
static void
test_times_and_plan(void **state)
{
	char *base = tu_tmpdir(), *err = NULL, *yaml, *p, *times, *logtext;
	struct config *cfg;
	struct run *run;
	struct runlog *rl;
	struct run_options opt = { .max_parallel = -1 };
	struct rr_run *rr;
	unsigned long long off1, off2;
	double t1, t2;

	(void)state;
	yaml = xasprintf("settings: {keep_runs: 3}\n"
	    "sequences:\n  - name: s\n    steps:\n"
	    "      - name: two parts\n"
	    "        run: printf 'first\\n'; sleep 0.2; printf 'second\\n'\n"
	    "      - name: unreached\n        run: 'true'\n"
	    "        timeout: 1s\n        retries: 4\n");
	assert_int_equal(config_load_string("t.yaml", yaml, NULL, 0, &cfg,
	    &err), 0);
	run = run_create(cfg, &opt);
	rl = runlog_create(run, NULL, base, &err);
	assert_non_null(rl);
	run_add_observer(run, observe, NULL);
	run_start(run);
	while (!idle)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	run_finish(run, NULL, run_exit_status(run));

	p = xasprintf("%s/01-s/01-two-parts.1.times", runlog_dir(rl));
	times = tu_read_file(p, NULL);
	free(p);
	assert_non_null(times);
	assert_int_equal(sscanf(times, "%llu %lf\n%llu %lf", &off1, &t1,
	    &off2, &t2), 4);
	assert_int_equal(off1, 0);
	assert_int_equal(off2, 6);        /* "first\n" came first */
	assert_true(t2 - t1 >= 0.15);     /* and the rest after the sleep */
	p = xasprintf("%s/01-s/01-two-parts.1.log", runlog_dir(rl));
	logtext = tu_read_file(p, NULL);
	assert_string_equal(logtext, "first\nsecond\n");
	free(p);

	rr = runread_load(runlog_dir(rl), &err);
	assert_non_null(rr);
	assert_int_equal(rr->n_seqs, 1);
	assert_int_equal(rr->seqs[0].n_steps, 2);
	assert_string_equal(rr->seqs[0].steps[1].name, "unreached");
	assert_int_equal(rr->seqs[0].steps[0].retries, 0);
	assert_int_equal(rr->seqs[0].steps[1].retries, 4);
	assert_string_equal(rr->status, "ok");
	/* The record says each log's size; the step that printed nothing
	 * has no file, and reads as empty. */
	assert_int_equal(rr->seqs[0].steps[0].attempts[0].log_bytes, 13);
	assert_int_equal(rr->seqs[0].steps[1].attempts[0].log_bytes, 0);
	p = xasprintf("%s/01-s/02-unreached.1.log", runlog_dir(rl));
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	p = xasprintf("%s/01-s/02-unreached.1.times", runlog_dir(rl));
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	{
		size_t len = 1;
		char *empty = runread_attempt_log(rr,
		    &rr->seqs[0].steps[1].attempts[0], &len, &err);
		assert_non_null(empty);
		assert_int_equal(len, 0);
		free(empty);
	}
	runread_free(rr);

	runlog_free(rl);
	run_free(run);
	config_free(cfg);
	free(times);
	free(logtext);
	free(yaml);
	tu_rmrf(base);
	free(base);
}

static const char grow_yaml[] =
    "sequences:\n"
    "  - name: provision\n"
    "    steps: [{run: 'echo a; echo b', capture: hosts}]\n"
    "  - name: setup {{h}}\n"
    "    needs: provision\n"
    "    matrix: {h: {from: hosts}}\n"
    "    steps:\n"
    "      - echo on {{h}}\n"
    "      - test ! -e %s/fail-{{h}}\n"
    "      - 'true'\n";

/* The record of a fan-out: the grow event and the new sequences, read
 * back by the review and by --resume, which runs again only the
 * sequence made that failed, from its failed step, without the
 * provisioning (its value comes from the record). */
static void
test_grow_record(void **state)
{
	char *base = tu_tmpdir(), *err = NULL, *yaml, *p, *logtext, *id;
	struct config *cfg, *cfg2;
	struct run *run, *run2;
	struct runlog *rl, *rl2;
	struct run_options opt = { .max_parallel = -1 };
	struct rr_run *rr;
	struct replay *rp;
	const struct run *rv;

	(void)state;
	yaml = xasprintf(grow_yaml, base);
	p = xasprintf("%s/fail-b", base);
	tu_write_file(p, "");
	free(p);
	assert_int_equal(config_load_string("t.yaml", yaml, NULL, 0, &cfg,
	    &err), 0);
	run = run_create(cfg, &opt);
	rl = runlog_create(run, NULL, base, &err);
	assert_non_null(rl);
	id = xstrdup(strrchr(runlog_dir(rl), '/') + 1);
	idle = false;
	run_add_observer(run, observe, NULL);
	run_start(run);
	while (!idle)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	run_finish(run, NULL, run_exit_status(run));

	rr = runread_load(runlog_dir(rl), &err);
	assert_non_null(rr);
	assert_int_equal(rr->n_seqs, 4);
	assert_true(rr->seqs[1].grown);
	assert_int_equal(rr->seqs[1].first, 2);
	assert_int_equal(rr->seqs[1].count, 2);
	assert_string_equal(rr->seqs[1].from, "hosts");
	assert_string_equal(rr->seqs[1].value, "a\nb");
	assert_string_equal(rr->seqs[2].name, "setup a");
	assert_string_equal(rr->seqs[3].name, "setup b");
	assert_int_equal(rr->seqs[3].n_steps, 3);
	assert_string_equal(rr->seqs[3].steps[0].name, "echo on b");
	assert_int_equal(rr->seqs[3].state, SEQ_FAILED);
	runread_free(rr);
	p = xasprintf("%s/03-setup-a/01-echo-on-a.1.log", runlog_dir(rl));
	logtext = tu_read_file(p, NULL);
	free(p);
	assert_string_equal(logtext, "on a\n");
	free(logtext);

	/* The review: the same sequences, the placeholder grown. */
	rp = replay_open(runlog_dir(rl), &err);
	assert_non_null(rp);
	rv = replay_run(rp);
	assert_int_equal(run_seq_count(rv), 4);
	assert_true(run_seq(rv, 1)->grown);
	assert_int_equal(run_seq(rv, 1)->first, 2);
	assert_int_equal(run_seq(rv, 3)->state, SEQ_FAILED);
	assert_int_equal(run_seq(rv, 2)->state, SEQ_OK);
	replay_free(rp);
	runlog_free(rl);
	run_free(run);
	config_free(cfg);

	/* --resume: b from its step 2; a and the provisioning not again
	 * (the value is the record's). */
	p = xasprintf("%s/fail-b", base);
	unlink(p);
	free(p);
	assert_int_equal(config_load_string("t.yaml", yaml, NULL, 0, &cfg2,
	    &err), 0);
	run2 = run_create(cfg2, &opt);
	assert_int_equal(resume_apply(run2, base, id, &err), 0);
	rl2 = runlog_create(run2, NULL, base, &err);
	assert_non_null(rl2);
	idle = false;
	run_add_observer(run2, observe, NULL);
	run_start(run2);
	while (!idle)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_int_equal(run_seq_count(run2), 4);
	assert_int_equal(run_seq(run2, 0)->steps[0].attempt, 0);
	assert_true(run_seq(run2, 0)->steps[0].resumed);
	assert_int_equal(run_seq(run2, 2)->state, SEQ_OK);
	assert_true(run_seq(run2, 2)->steps[2].resumed);
	assert_int_equal(run_seq(run2, 3)->state, SEQ_OK);
	assert_true(run_seq(run2, 3)->steps[0].resumed);
	assert_false(run_seq(run2, 3)->steps[1].resumed);
	assert_int_equal(run_seq(run2, 3)->steps[1].attempt, 1);
	assert_int_equal(run_exit_status(run2), 0);
	run_finish(run2, NULL, 0);
	runlog_free(rl2);
	run_free(run2);
	config_free(cfg2);
	free(id);
	free(yaml);
	tu_rmrf(base);
	free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_run_id),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_times_and_plan),
		cmocka_unit_test(test_grow_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
