/* logs.c: printing past runs. */
#include "logs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "vis.h"
#include "xmalloc.h"
#include "runlog.h"
#include "runread.h"
#include "xmalloc.h"

static void
logs_span(double start, double end, char *buf, size_t size)
{
	if (start <= 0 || end <= 0)
		snprintf(buf, size, "-");
	else
		duration_format(end - start, DURATION_SHORT, buf, size);
}

/* The end of a run that has no run_end: its last known moment. */
static double
logs_last_time(const struct rr_run *run)
{
	double t = run->end;

	for (size_t i = 0; i < run->n_seqs; i++)
		if (run->seqs[i].end > t)
			t = run->seqs[i].end;
	return t;
}

/* The run's duration as its record says (until everything had finished,
 * not until the dashboard was closed), else until its last moment. */
static void
logs_duration(const struct rr_run *run, char *buf, size_t size)
{
	if (run->duration >= 0)
		duration_format(run->duration, DURATION_SHORT, buf, size);
	else
		logs_span(run->start, logs_last_time(run), buf, size);
}

/* The result, and what a bare "ok" would hide: "ok, 1 skipped, resumed". */
static void
logs_result(const struct rr_run *run, char *buf, size_t size)
{
	size_t skipped = 0;
	bool resumed = false;

	for (size_t i = 0; i < run->n_seqs; i++)
		for (size_t k = 0; k < run->seqs[i].n_main; k++) {
			skipped += run->seqs[i].steps[k].status ==
			    STEP_SKIPPED;
			resumed |= run->seqs[i].steps[k].resumed;
		}
	snprintf(buf, size, "%s", run->status);
	if (skipped > 0)
		snprintf(buf + strlen(buf), size - strlen(buf),
		    ", %zu skipped", skipped);
	if (resumed)
		snprintf(buf + strlen(buf), size - strlen(buf), ", resumed");
}

static const char *
logs_base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

static void
logs_warnings(const struct rr_run *run)
{
	for (size_t i = 0; i < run->n_warnings; i++)
		fprintf(stderr, "drove: %s: %s\n", run->id, run->warnings[i]);
}

/* "3 ok, 1 failed, 2 blocked" from the sequences' last states. */
static void
logs_counts(const struct rr_run *run, char *buf, size_t size)
{
	size_t ok = 0, failed = 0, blocked = 0, unreachable = 0, other = 0;

	for (size_t i = 0; i < run->n_seqs; i++) {
		const struct rr_seq *seq = &run->seqs[i];
		if (seq->grown)
			continue;       /* its sequences are counted */
		if (!seq->stated)
			other++;
		else if (seq->state == SEQ_OK)
			ok++;
		else if (seq->state == SEQ_FAILED)
			failed++;
		else if (seq->state == SEQ_UNREACHABLE)
			unreachable++;
		else if (seq->state == SEQ_BLOCKED)
			blocked++;
		else
			other++;
	}
	/* Unreachable hosts apart from failed commands, when there are. */
	if (unreachable > 0)
		snprintf(buf, size, "%zu ok, %zu failed, %zu unreachable, "
		    "%zu blocked", ok, failed, unreachable, blocked);
	else
		snprintf(buf, size, "%zu ok, %zu failed, %zu blocked", ok,
		    failed, blocked);
	if (other > 0)
		snprintf(buf + strlen(buf), size - strlen(buf),
		    ", %zu %s", other, run->ended ? "aborted" : run->live ?
		    "running or waiting" : "unfinished");
}

/* One row of the run list, its cells made before any is printed: the
 * columns are as wide as what they hold (a result such as "failed, 3
 * skipped, resumed" does not push the next column out of line). */
struct logs_row {
	char *id, *config, *text;  /* text: the whole row when unreadable */
	char when[32], dur[32], result[96], counts[128];
};

static int
logs_list(const char *log_dir, FILE *out)
{
	char **ids;
	size_t n = runlog_list(log_dir, &ids);
	struct logs_row *rows;
	int wid = 18, wconf = 20, wres = 11;

	if (n == 0) {
		fprintf(stderr, "drove: no runs in %s (runs kept in a config's "
		    "log_dir: drove logs -c FILE)\n", log_dir);
		return 1;
	}
	rows = xcalloc(n, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		char *dir = xasprintf("%s/%s", log_dir, ids[i]), *err = NULL;
		struct rr_run *run = runread_load(dir, &err);
		struct logs_row *r = &rows[i];

		if (run == NULL) {
			r->id = xstrdup(ids[i]);
			r->text = xasprintf("(unreadable: %s)", err);
			free(err);
		} else {
			r->id = xstrdup(run->id);
			r->config = xstrdup(logs_base(run->config));
			duration_when(run->start, r->when, sizeof r->when);
			logs_duration(run, r->dur, sizeof r->dur);
			logs_counts(run, r->counts, sizeof r->counts);
			logs_result(run, r->result, sizeof r->result);
			runread_free(run);
			if ((int)strlen(r->config) > wconf)
				wconf = (int)strlen(r->config);
			if ((int)strlen(r->result) > wres)
				wres = (int)strlen(r->result);
		}
		if ((int)strlen(r->id) > wid)
			wid = (int)strlen(r->id);
		free(dir);
		free(ids[i]);
	}
	free(ids);
	fprintf(out, "%-*s %-*s %-19s %9s  %-*s %s\n", wid, "RUN", wconf,
	    "CONFIG", "STARTED", "DURATION", wres, "RESULT", "SEQUENCES");
	for (size_t i = 0; i < n; i++) {
		struct logs_row *r = &rows[i];

		if (r->text != NULL)
			fprintf(out, "%-*s %s\n", wid, r->id, r->text);
		else
			fprintf(out, "%-*s %-*s %-19s %9s  %-*s %s\n", wid,
			    r->id, wconf, r->config, r->when, r->dur, wres,
			    r->result, r->counts);
		free(r->id);
		free(r->config);
		free(r->text);
	}
	free(rows);
	return 0;
}

static void
logs_seq_counts(const struct rr_seq *seq, size_t *ok, size_t *failed,
    size_t *skipped)
{
	*ok = *failed = *skipped = 0;
	/* The sequence's steps: its handlers' and cleanup's are not. */
	for (size_t i = 0; i < seq->n_main; i++) {
		enum step_status st = seq->steps[i].status;
		if (st == STEP_PENDING)
			continue;
		if (st == STEP_OK)
			(*ok)++;
		else if (st == STEP_SKIPPED)
			(*skipped)++;
		else
			(*failed)++;
	}
}

static const char *
logs_seq_result(const struct rr_seq *seq)
{
	return seq->stated ? seq_state_name(seq->state) : "not run";
}

static int
logs_run(const struct rr_run *run, FILE *out)
{
	char when[32], dur[32], result[96];
	int w = 8, wr = 10;

	duration_when(run->start, when, sizeof when);
	logs_duration(run, dur, sizeof dur);
	logs_result(run, result, sizeof result);
	fprintf(out, "run       %s\ndirectory %s\nconfig    %s\n"
	    "started   %s\nduration  %s\nresult    %s", run->id, run->dir,
	    run->config ? run->config : "?", when, dur, result);
	if (run->live && run->settled)
		fprintf(out, " (finished; its dashboard is still open)");
	else if (run->live)
		fprintf(out, " (drove is still running it)");
	else if (!run->ended && run->cut_off)
		fprintf(out, " (the record is cut off in the middle of a "
		    "line: what happened after its last whole line is "
		    "unknown)");
	else if (!run->ended)
		fprintf(out, " (no run_end: drove was stopped before it "
		    "could finish)");
	fputc('\n', out);
	if (run->incomplete)
		fprintf(out, "record    incomplete: a write to the run "
		    "directory failed (see the warnings)\n");
	for (size_t i = 0; i < run->n_seqs; i++) {
		int l = (int)strlen(run->seqs[i].name);
		if (l > w)
			w = l;
	}
	/* The result column as wide as its widest word (unreachable). */
	for (size_t i = 0; i < run->n_seqs; i++) {
		int l = (int)strlen(logs_seq_result(&run->seqs[i]));
		if (l > wr)
			wr = l;
	}
	fprintf(out, "\n%-*s  %-*s %4s %6s %7s %9s\n", w, "SEQUENCE", wr,
	    "RESULT", "OK", "FAILED", "SKIPPED", "DURATION");
	for (size_t i = 0; i < run->n_seqs; i++) {
		const struct rr_seq *seq = &run->seqs[i];
		size_t ok, failed, skipped;

		if (seq->grown)
			continue;       /* replaced by its sequences */
		logs_seq_counts(seq, &ok, &failed, &skipped);
		logs_span(seq->start, seq->end, dur, sizeof dur);
		fprintf(out, "%-*s  %-*s %4zu %6zu %7zu %9s\n", w, seq->name,
		    wr, logs_seq_result(seq), ok, failed, skipped, dur);
	}
	return 0;
}

/* The LOG column: its path, "-" for none (a sleep), "(empty)" for an
 * attempt that printed nothing (it has no file). */
static const char *
logs_log_name(const struct rr_attempt *a)
{
	if (a->log == NULL)
		return "-";
	return a->log_bytes == 0 ? "(empty)" : a->log;
}

/* A wait step's attempt: what it waited for and how that ended, under
 * its line. */
static void
logs_attempt_wait(const struct rr_attempt *a, int w, FILE *out)
{
	if (a->why != NULL)
		fprintf(out, "%3s  %*s  try %u: %s\n", "", w, "", a->attempt,
		    a->why);
	else if (a->wait_for != NULL)
		fprintf(out, "%3s  %*s  try %u waited for %s\n", "", w, "",
		    a->attempt, a->wait_for);
}

/* An attempt that ran another command than the one before it (the
 * operator edited it, e): which one, under its line. */
static void
logs_attempt_run(const struct rr_step *st, size_t a, int w, FILE *out)
{
	const char *now = st->attempts[a].run;
	const char *before = a > 0 ? st->attempts[a - 1].run : NULL;

	/* The one before only: linear, whatever the record holds. */
	if (now == NULL || before == NULL || strcmp(now, before) == 0)
		return;
	char *cmd = vis_one_line(now);

	fprintf(out, "%3s  %*s  try %u ran (edited): %s\n", "", w, "",
	    st->attempts[a].attempt, cmd);
	free(cmd);
}

static const char *
logs_attempt_status(const struct rr_attempt *a, bool live)
{
	if (a->marked)
		return "marked";    /* done by hand (m), after it failed */
	/* Not over: still running when the run is live, else cut off. */
	if (!step_status_done(a->status))
		return live ? "running" : "unfinished";
	return step_status_name(a->status);
}

/* What a step without an attempt says in the STATUS column. */
static const char *
logs_no_attempt_status(const struct rr_step *st)
{
	return st->resumed ? step_status_name(st->status) : "not run";
}

/* An attempt's STATUS (ws columns), EXIT and DURATION. */
static void
logs_attempt_line(const struct rr_attempt *a, bool live, int ws, char *buf,
    size_t size)
{
	const char *status = logs_attempt_status(a, live);
	char dur[32];

	logs_span(a->start, a->end, dur, sizeof dur);
	/* Done by hand: its exit status is not the step's result (the
	 * line under it says how it had failed). */
	if (a->marked)
		snprintf(buf, size, "%-*s %5s %9s", ws, status, "-", dur);
	else if (a->signal > 0)
		snprintf(buf, size, "%-*s %5s %9s", ws, status, "sig", dur);
	else if (a->exit_code >= 0)
		snprintf(buf, size, "%-*s %5d %9s", ws, status, a->exit_code,
		    dur);
	else
		snprintf(buf, size, "%-*s %5s %9s", ws, status, "-", dur);
}

/* A step marked done by hand (m): how its attempt had failed, and who
 * marked it, under its line. */
static void
logs_attempt_marked(const struct rr_seq *seq, size_t k,
    const struct rr_attempt *a, int w, FILE *out)
{
	const char *by = NULL;

	if (!a->marked)
		return;
	for (size_t i = seq->n_actions; by == NULL && i-- > 0;)
		if (seq->actions[i].event == REC_ACTION &&
		    seq->actions[i].action == RUN_ACT_MARK &&
		    seq->actions[i].step == (long)k)
			by = seq->actions[i].by;
	fprintf(out, "%3s  %*s  try %u %s", "", w, "", a->attempt,
	    step_status_name(a->failed));
	if (a->signal > 0)
		fprintf(out, " (signal %d)", a->signal);
	else if (a->exit_code >= 0)
		fprintf(out, " (exit %d)", a->exit_code);
	fprintf(out, ", then %s%s%s\n", run_action_done(RUN_ACT_MARK),
	    by != NULL ? " by " : "", by != NULL ? by : "");
}

/* A step's name as the listing shows it: a handler's and a cleanup step
 * say what they are. Caller frees. */
static char *
logs_step_name(const struct rr_seq *seq, size_t k)
{
	const struct rr_step *st = &seq->steps[k];

	if (k < seq->n_main || st->role == STEP_ROLE_MAIN)
		return xstrdup(st->name);
	if (st->role == STEP_ROLE_HANDLER)
		return xasprintf("%s of %zu: %s", step_role_label(st->role),
		    st->of + 1, st->name);
	return xasprintf("%s: %s", step_role_label(st->role), st->name);
}

/* Lines of a captured value shown at most; the rest is counted. */
#define LOGS_VALUE_LINES 10

/* The values the sequence's steps captured, each line indented. */
static void
logs_captures(const struct rr_seq *seq, FILE *out)
{
	bool any = false;

	for (size_t i = 0; i < seq->n_steps; i++) {
		const struct rr_step *st = &seq->steps[i];
		const char *p, *end, *nl;
		size_t lines = 0;

		if (st->var == NULL)
			continue;
		if (!any)
			fprintf(out, "\ncaptured:\n");
		any = true;
		if (st->value == NULL) {
			fprintf(out, "  {{%s}}  step %zu, secret: not kept\n",
			    st->var, i + 1);
			continue;
		}
		fprintf(out, "  {{%s}}  step %zu, %zu bytes\n", st->var, i + 1,
		    st->value_len);
		end = st->value + st->value_len;
		for (p = st->value; p < end; p = nl + 1, lines++) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			if (lines < LOGS_VALUE_LINES)
				fprintf(out, "    %.*s\n", (int)(nl - p), p);
		}
		if (lines > LOGS_VALUE_LINES)
			fprintf(out, "    ... (%zu more lines)\n",
			    lines - LOGS_VALUE_LINES);
	}
}

static int
logs_seq(const struct rr_run *run, const struct rr_seq *seq, FILE *out)
{
	char line[128], when[32], *name;
	int w = 4, ws = 9;
	/* A drove still runs it: what has not ended is running. */
	bool live = run->live && !run->ended;

	fprintf(out, "sequence %s  (run %s): %s\n\n", seq->name, run->id,
	    seq->stated ? seq_state_name(seq->state) : "?");
	for (size_t i = 0; i < seq->n_steps; i++) {
		name = logs_step_name(seq, i);
		if ((int)strlen(name) > w)
			w = (int)strlen(name);
		free(name);
	}
	if (w > 40)
		w = 40;
	/* The status column as wide as its widest word (unreachable). */
	for (size_t i = 0; i < seq->n_steps; i++) {
		const struct rr_step *st = &seq->steps[i];
		int l = (int)strlen(logs_no_attempt_status(st));
		for (size_t a = 0; a < st->n_attempts; a++)
			if ((int)strlen(logs_attempt_status(&st->attempts[a],
			    live)) > l)
				l = (int)strlen(logs_attempt_status(
				    &st->attempts[a], live));
		if (l > ws)
			ws = l;
	}
	fprintf(out, "%3s  %-*.*s  %-*s %5s %9s  %5s  %s\n", "#", w, w,
	    "STEP", ws, "STATUS", "EXIT", "DURATION", "TRIES", "LOG");
	for (size_t i = 0; i < seq->n_steps; i++) {
		const struct rr_step *st = &seq->steps[i];
		const struct rr_attempt *last = st->n_attempts ?
		    &st->attempts[st->n_attempts - 1] : NULL;

		name = logs_step_name(seq, i);
		if (last == NULL) {
			fprintf(out, "%3zu  %-*.*s  %-*s%s\n", i + 1, w, w,
			    name, ws, logs_no_attempt_status(st),
			    st->resumed ? "  (done in the run resumed)" : "");
			free(name);
			continue;
		}
		logs_attempt_line(last, live, ws, line, sizeof line);
		fprintf(out, "%3zu  %-*.*s  %s  %5zu  %s\n", i + 1, w, w,
		    name, line, st->n_attempts, logs_log_name(last));
		free(name);
		logs_attempt_marked(seq, i, last, w, out);
		logs_attempt_run(st, st->n_attempts - 1, w, out);
		logs_attempt_wait(last, w, out);
		/* Earlier attempts, so a retry's history is in view. */
		for (size_t a = 0; a + 1 < st->n_attempts; a++) {
			logs_attempt_line(&st->attempts[a], live, ws, line,
			    sizeof line);
			fprintf(out, "%3s  %*s  %s  %5s  %s\n", "", w,
			    "", line, "", logs_log_name(&st->attempts[a]));
			logs_attempt_run(st, a, w, out);
			logs_attempt_wait(&st->attempts[a], w, out);
		}
	}
	logs_captures(seq, out);
	if (seq->n_actions > 0) {
		fprintf(out, "\noperator actions and notices:\n");
		for (size_t i = 0; i < seq->n_actions; i++) {
			const struct rr_action *a = &seq->actions[i];
			time_t secs = (time_t)a->time;
			struct tm tm;
			localtime_r(&secs, &tm);
			strftime(when, sizeof when, "%H:%M:%S", &tm);
			fprintf(out, "  %s  %-7s", when,
			    a->event == REC_ACTION ?
			    run_action_name(a->action) :
			    rec_event_name(a->event));
			if (a->step >= 0)
				fprintf(out, " step %ld", a->step + 1);
			if (a->attempt > 0)
				fprintf(out, " (try %u)", a->attempt);
			if (a->reason)
				fprintf(out, ": %s", a->reason);
			if (a->by)
				fprintf(out, " by %s", a->by);
			fputc('\n', out);
		}
	}
	return 0;
}

static int
logs_step(const struct rr_run *run, const struct rr_seq *seq, long idx,
    unsigned attempt, FILE *out)
{
	const struct rr_step *st = &seq->steps[idx];
	const struct rr_attempt *a = NULL;
	char *data, *err = NULL;
	size_t len;

	if (st->n_attempts == 0) {
		fprintf(stderr, "drove: step %ld (%s) of %s %s\n", idx + 1,
		    st->name, seq->name, st->resumed ? "was not run again "
		    "(--resume): its output is in the run resumed" :
		    "never ran");
		return 1;
	}
	if (attempt == 0)
		a = &st->attempts[st->n_attempts - 1];
	for (size_t i = 0; a == NULL && i < st->n_attempts; i++)
		if (st->attempts[i].attempt == attempt)
			a = &st->attempts[i];
	if (a == NULL) {
		fprintf(stderr, "drove: step %ld (%s) has no attempt %u "
		    "(it ran %zu time%s)\n", idx + 1, st->name, attempt,
		    st->n_attempts, st->n_attempts == 1 ? "" : "s");
		return 1;
	}
	if (a->log == NULL && a->wait_for != NULL) {
		/* A wait runs no process: what it waited for, and how that
		 * ended, is its story. */
		fprintf(out, "waited for %s (try %u): %s\n", a->wait_for,
		    a->attempt, a->why != NULL ? a->why :
		    step_status_done(a->status) ? step_status_name(a->status) :
		    "it had not ended");
		return 0;
	}
	if (a->log == NULL) {
		fprintf(stderr, "drove: step %ld (%s) writes no log (a "
		    "sleep)\n", idx + 1, st->name);
		return 1;
	}
	if ((data = runread_attempt_log(run, a, &len, &err)) == NULL) {
		fprintf(stderr, "drove: cannot read the log of step %ld "
		    "(%s), attempt %u: %s\n", idx + 1, st->name, a->attempt,
		    err);
		free(err);
		return 1;
	}
	fwrite(data, 1, len, out);
	free(data);
	return 0;
}

struct rr_run *
logs_open(const char *log_dir, const char *spec)
{
	char *err = NULL;
	struct rr_run *run = runread_open(log_dir, spec, &err);

	if (run == NULL) {
		fprintf(stderr, "drove: %s\n", err);
		free(err);
	}
	return run;
}

int
logs_command(const char *log_dir, char **args, int nargs, unsigned attempt,
    FILE *out)
{
	struct rr_run *run;
	const struct rr_seq *seq;
	long step;
	int rc;

	if (nargs == 0)
		return logs_list(log_dir, out);
	if ((run = logs_open(log_dir, args[0])) == NULL)
		return 1;
	logs_warnings(run);
	if (nargs == 1) {
		rc = logs_run(run, out);
		runread_free(run);
		return rc;
	}
	if ((seq = runread_find_seq(run, args[1])) == NULL) {
		fprintf(stderr, "drove: run %s has no sequence '%s'; it has:",
		    run->id, args[1]);
		for (size_t i = 0; i < run->n_seqs; i++)
			fprintf(stderr, "%s '%s'", i ? "," : "",
			    run->seqs[i].name);
		fputc('\n', stderr);
		runread_free(run);
		return 1;
	}
	if (nargs == 2)
		rc = logs_seq(run, seq, out);
	else if ((step = runread_find_step(seq, args[2])) < 0) {
		fprintf(stderr, "drove: sequence %s has no step '%s'; give "
		    "its name or its number, 1 to %zu\n", seq->name, args[2],
		    seq->n_steps);
		rc = 1;
	} else
		rc = logs_step(run, seq, step, attempt, out);
	runread_free(run);
	return rc;
}
