/* resume.c: where each sequence of a --resume run starts. */
#include "resume.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "run_resume.h"
#include "runread.h"
#include "xmalloc.h"

/* By name only: runread_find_seq also takes numbers, and a sequence called
 * "2" must not match the second one. */
static const struct rr_seq *
resume_find(const struct rr_run *prev, const char *name)
{
	for (size_t i = 0; i < prev->n_seqs; i++)
		if (prev->seqs[i].name != NULL &&
		    strcmp(prev->seqs[i].name, name) == 0)
			return &prev->seqs[i];
	return NULL;
}

static bool
resume_in_run(const struct run *run, const char *name)
{
	for (size_t i = 0; i < run_seq_count(run); i++)
		if (strcmp(run_seq(run, i)->name, name) == 0)
			return true;
	return false;
}

/* Did a cleanup step (finally:) of rs run? */
static bool
resume_cleaned(const struct rr_seq *rs)
{
	for (size_t i = rs->n_main; i < rs->n_steps; i++)
		if (rs->steps[i].role == STEP_ROLE_FINALLY &&
		    rs->steps[i].n_attempts > 0)
			return true;
	return false;
}

size_t
resume_first_step(const struct run *run, size_t seq,
    const struct rr_run *prev)
{
	const struct cfg_seq *cs = &run_config(run)->seqs[seq];
	const struct rr_seq *rs = resume_find(prev, cs->name);
	bool seq_ok;
	size_t i;

	if (rs == NULL)
		return 0;
	seq_ok = rs->stated && rs->state == SEQ_OK;
	/* Its cleanup ran there, after it stopped: it undid what the steps
	 * did, so nothing of it is done (resume_seq says so). */
	if (!seq_ok && resume_cleaned(rs))
		return 0;
	for (i = 0; i < cs->n_steps && i < rs->n_steps; i++) {
		const struct rr_step *st = &rs->steps[i];
		/* The config may have changed since: a step that is not the
		 * same one is not done. */
		if (st->name == NULL ||
		    strcmp(st->name, cs->steps[i].name) != 0)
			break;
		if (st->status != STEP_OK &&
		    !(seq_ok && st->status == STEP_SKIPPED))
			break;
	}
	return i;
}

size_t
resume_seq(struct run *run, size_t seq, const struct rr_run *prev)
{
	size_t first = resume_first_step(run, seq, prev);
	const struct rr_seq *rs;
	enum step_status *status;

	rs = resume_find(prev, run_seq(run, seq)->name);
	if (first == 0 && rs != NULL && !(rs->stated &&
	    rs->state == SEQ_OK) && resume_cleaned(rs)) {
		size_t stopped = 0;
		while (stopped < rs->n_main &&
		    (rs->steps[stopped].status == STEP_OK ||
		    rs->steps[stopped].status == STEP_SKIPPED))
			stopped++;
		run_resume_over(run, seq, stopped + 1, prev->id);
	}
	if (first == 0)
		return 0;
	/* Each keeps its status there: a skipped step stays one, here and
	 * in a resume of this run. */
	rs = resume_find(prev, run_seq(run, seq)->name);
	/* A step whose value is not in the record (a secret one) runs
	 * again, and what follows it: later steps may use the value. */
	for (size_t j = 0; j < first; j++) {
		if (run_config(run)->seqs[seq].steps[j].capture != NULL &&
		    rs->steps[j].status == STEP_OK &&
		    rs->steps[j].value == NULL) {
			run_resume_secret(run, seq, j, prev->id);
			first = j;
			break;
		}
	}
	if (first == 0)
		return 0;
	status = xcalloc(first, sizeof *status);
	for (size_t j = 0; j < first; j++)
		status[j] = rs->steps[j].status;
	run_resume_from(run, seq, first, prev->id, status);
	free(status);
	/* What the steps not run again captured is this run's too. */
	for (size_t j = 0; j < first; j++)
		if (rs->steps[j].value != NULL)
			run_resume_capture(run, seq, j, rs->steps[j].value,
			    rs->steps[j].value_len);
	return first;
}

/* What a fan-out made in prev, for a fan-out here: the values it was
 * made from (its provisioning step is not run again when it succeeded),
 * and where each sequence it made stopped. */
static void
resume_fanouts(struct run *run, const struct rr_run *prev)
{
	for (size_t i = 0; i < prev->n_seqs; i++) {
		const struct rr_seq *rs = &prev->seqs[i];
		bool seq_ok = rs->stated && rs->state == SEQ_OK;
		char **names;
		enum step_status *status;
		size_t k;

		if (rs->grown && rs->from != NULL && rs->value != NULL)
			run_resume_value(run, rs->from, rs->value);
		if (rs->name == NULL || rs->n_steps == 0 ||
		    resume_in_run(run, rs->name))
			continue;
		/* Its cleanup undid its steps: made again, it starts over. */
		if (!seq_ok && resume_cleaned(rs))
			continue;
		names = xcalloc(rs->n_steps, sizeof *names);
		status = xcalloc(rs->n_steps, sizeof *status);
		for (k = 0; k < rs->n_steps; k++) {
			const struct rr_step *st = &rs->steps[k];
			if (st->name == NULL || (st->status != STEP_OK &&
			    !(seq_ok && st->status == STEP_SKIPPED)))
				break;
			names[k] = st->name;
			status[k] = st->status;
		}
		run_resume_later(run, rs->name, k, names, status, prev->id);
		free(names);
		free(status);
	}
}

int
resume_apply(struct run *run, const char *log_dir, const char *spec,
    char **err)
{
	struct rr_run *prev;
	char *dir, *why = NULL;
	size_t i;

	if ((dir = runread_resolve(log_dir, spec, &why)) == NULL) {
		*err = xasprintf("--resume %s: %s", spec, why);
		free(why);
		return -1;
	}
	if ((prev = runread_load(dir, &why)) == NULL) {
		*err = xasprintf("--resume %s: %s", spec, why);
		free(why);
		free(dir);
		return -1;
	}
	for (i = 0; i < run_seq_count(run); i++)
		resume_seq(run, i, prev);
	resume_fanouts(run, prev);
	runread_free(prev);
	free(dir);
	return 0;
}
