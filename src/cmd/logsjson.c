/* logsjson.c: the record as JSON. */
#include "logsjson.h"

#include <stdlib.h>

#include "json.h"
#include "logs.h"
#include "runlog.h"
#include "runread.h"
#include "xmalloc.h"

/* A time, or null when it is not known (0). */
static void
logsjson_time(struct json *j, const char *key, double t)
{
	if (t > 0)
		json_num(j, key, t);
	else
		json_null(j, key);
}

static void
logsjson_step_body(struct json *j, const struct rr_step *st)
{
	json_str(j, "name", st->name);
	/* A handler's step or a cleanup step says what it is. */
	if (st->role != STEP_ROLE_MAIN)
		json_str(j, "role", step_role_name(st->role));
	if (st->role == STEP_ROLE_HANDLER)
		json_int(j, "of", (long long)st->of + 1);
	json_str(j, "status", step_status_name(st->status));
	json_int(j, "retries", st->retries);
	json_bool(j, "resumed", st->resumed);
	/* What it captured: a secret value is null (never kept). */
	if (st->var != NULL) {
		json_open(j, "capture");
		json_str(j, "var", st->var);
		if (st->value != NULL)
			json_strn(j, "value", st->value, st->value_len);
		else
			json_null(j, "value");
		json_bool(j, "secret", st->value == NULL);
		json_close(j);
	}
	json_array(j, "attempts");
	for (size_t i = 0; i < st->n_attempts; i++) {
		const struct rr_attempt *a = &st->attempts[i];

		json_item_open(j);
		json_int(j, "attempt", a->attempt);
		json_str(j, "status", step_status_name(a->status));
		if (a->exit_code >= 0)
			json_int(j, "exit_code", a->exit_code);
		else
			json_null(j, "exit_code");
		if (a->signal > 0)
			json_int(j, "signal", a->signal);
		else
			json_null(j, "signal");
		logsjson_time(j, "start", a->start);
		logsjson_time(j, "end", a->end);
		if (a->log != NULL)
			json_str(j, "log", a->log);
		else
			json_null(j, "log");
		if (a->log_bytes >= 0)
			json_int(j, "log_bytes", a->log_bytes);
		else
			json_null(j, "log_bytes");
		/* A wait step: what it waited for, and how it ended. */
		if (a->wait_for != NULL)
			json_str(j, "wait_for", a->wait_for);
		if (a->why != NULL)
			json_str(j, "message", a->why);
		json_close(j);
	}
	json_array_end(j);
}

static void
logsjson_seq_body(struct json *j, const struct rr_seq *seq)
{
	json_str(j, "name", seq->name);
	if (seq->stated)
		json_str(j, "state", seq_state_name(seq->state));
	else
		json_null(j, "state");
	logsjson_time(j, "start", seq->start);
	logsjson_time(j, "end", seq->end);
	json_array(j, "steps");
	for (size_t i = 0; i < seq->n_steps; i++) {
		json_item_open(j);
		logsjson_step_body(j, &seq->steps[i]);
		json_close(j);
	}
	json_array_end(j);
	json_array(j, "actions");
	for (size_t i = 0; i < seq->n_actions; i++) {
		const struct rr_action *a = &seq->actions[i];

		json_item_open(j);
		json_str(j, "event", a->event == REC_ACTION ?
		    run_action_name(a->action) : rec_event_name(a->event));
		logsjson_time(j, "time", a->time);
		if (a->step >= 0 && (size_t)a->step < seq->n_steps)
			json_str(j, "step", seq->steps[a->step].name);
		else
			json_null(j, "step");
		json_int(j, "attempt", a->attempt);
		if (a->reason != NULL)
			json_str(j, "reason", a->reason);
		json_close(j);
	}
	json_array_end(j);
}

/* What every run has, in the list and alone. */
static void
logsjson_run_head(struct json *j, const struct rr_run *run)
{
	json_str(j, "id", run->id);
	if (run->config != NULL)
		json_str(j, "config", run->config);
	else
		json_null(j, "config");
	logsjson_time(j, "start", run->start);
	logsjson_time(j, "end", run->end);
	json_bool(j, "ended", run->ended);
	json_bool(j, "live", run->live);
	json_str(j, "status", run->status ? run->status : "interrupted");
	if (run->ended)
		json_int(j, "exit_code", run->exit_code);
	else
		json_null(j, "exit_code");
}

static void
logsjson_emit(struct json *j, FILE *out)
{
	json_end(j);
	fputs(j->out.buf, out);
	json_free(j);
}

static int
logsjson_list(const char *log_dir, FILE *out)
{
	char **ids;
	size_t n = runlog_list(log_dir, &ids);
	struct json j;

	json_init(&j);
	json_array(&j, "runs");
	for (size_t i = 0; i < n; i++) {
		char *dir = xasprintf("%s/%s", log_dir, ids[i]), *err = NULL;
		struct rr_run *run = runread_load(dir, &err);

		json_item_open(&j);
		if (run == NULL) {
			json_str(&j, "id", ids[i]);
			json_str(&j, "error", err);
			free(err);
		} else {
			size_t count[SEQ_STATE_COUNT] = { 0 };

			logsjson_run_head(&j, run);
			/* Sequences by state, like run_end's. */
			json_open(&j, "sequences");
			for (size_t k = 0; k < run->n_seqs; k++)
				if (run->seqs[k].stated && !run->seqs[k].grown)
					count[run->seqs[k].state]++;
			for (int s = 0; s < SEQ_STATE_COUNT; s++)
				if (count[s] > 0)
					json_int(&j, seq_state_name(
					    (enum seq_state)s),
					    (long long)count[s]);
			json_close(&j);
			runread_free(run);
		}
		json_close(&j);
		free(dir);
		free(ids[i]);
	}
	free(ids);
	json_array_end(&j);
	logsjson_emit(&j, out);
	return 0;
}

int
logsjson_command(const char *log_dir, char **args, int nargs, FILE *out)
{
	struct rr_run *run;
	const struct rr_seq *seq = NULL;
	long step = -1;
	struct json j;

	if (nargs == 0)
		return logsjson_list(log_dir, out);
	if ((run = logs_open(log_dir, args[0])) == NULL)
		return 1;
	if (nargs > 1 && (seq = runread_find_seq(run, args[1])) == NULL) {
		fprintf(stderr, "drove: run %s has no sequence '%s'\n",
		    run->id, args[1]);
		runread_free(run);
		return 1;
	}
	if (nargs > 2 && (step = runread_find_step(seq, args[2])) < 0) {
		fprintf(stderr, "drove: sequence %s has no step '%s'\n",
		    seq->name, args[2]);
		runread_free(run);
		return 1;
	}
	json_init(&j);
	if (step >= 0) {
		logsjson_step_body(&j, &seq->steps[step]);
	} else if (seq != NULL) {
		logsjson_seq_body(&j, seq);
	} else {
		logsjson_run_head(&j, run);
		json_str(&j, "dir", run->dir);
		json_array(&j, "sequences");
		for (size_t i = 0; i < run->n_seqs; i++) {
			/* A placeholder that grew: replaced by its
			 * sequences. */
			if (run->seqs[i].grown)
				continue;
			json_item_open(&j);
			logsjson_seq_body(&j, &run->seqs[i]);
			json_close(&j);
		}
		json_array_end(&j);
		json_array(&j, "warnings");
		for (size_t i = 0; i < run->n_warnings; i++)
			json_item_str(&j, run->warnings[i]);
		json_array_end(&j);
	}
	logsjson_emit(&j, out);
	runread_free(run);
	return 0;
}
