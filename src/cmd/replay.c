/* replay.c: rebuilding a past run for the review. */
#include "replay.h"

#include "config.h"
#include "logidx.h"
#include "run_restore.h"
#include "runread.h"
#include "xmalloc.h"

struct replay {
	struct rr_run *rec;
	struct config *cfg;
	struct run *run;
	struct logidx **out;
};

/* A step's status as the review shows it: one that started but never
 * ended was cut off with the run, unless the run still goes on (`live`):
 * then it is still running. */
static enum step_status
replay_step_status(enum step_status st, bool live)
{
	return step_status_done(st) || live ? st : STEP_KILLED;
}

/* A run with no end shows what was still going as aborted: nothing of it
 * runs any more. A live run's is as the record says: still going. */
static enum seq_state
replay_seq_state(const struct rr_seq *rs, bool ended, bool live)
{
	if (!rs->stated)
		return SEQ_WAITING;
	if (!ended && !live &&
	    (rs->state == SEQ_RUNNING || rs->state == SEQ_PAUSED))
		return SEQ_ABORTED;
	return rs->state;
}

/* Where something the record never saw end stopped: the record's last
 * time (never before it started). */
static double
replay_last(const struct rr_run *rec, double start)
{
	double t = rec->ended && rec->end > rec->last ? rec->end : rec->last;

	return t > start ? t : start;
}

/* Just enough of a config for the dashboard: names, from the record. */
static struct config *
replay_config(const struct rr_run *rec)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);

	cfg->path = xstrdup(rec->config ? rec->config : rec->dir);
	cfg->dir = xstrdup(rec->dir);
	cfg->shell = xstrdup("/bin/sh");
	cfg->log_dir = xstrdup(rec->dir);
	cfg->scrollback = 1;
	cfg->n_seqs = rec->n_seqs;
	cfg->seqs = xcalloc(rec->n_seqs ? rec->n_seqs : 1, sizeof *cfg->seqs);
	for (size_t i = 0; i < rec->n_seqs; i++) {
		const struct rr_seq *rs = &rec->seqs[i];
		struct cfg_seq *cs = &cfg->seqs[i];

		cs->name = xstrdup(rs->name);
		cs->template_name = xstrdup(rs->name);
		cs->n_steps = rs->n_main;
		cs->n_all = cs->finally_at = rs->n_steps;
		cs->steps = xcalloc(rs->n_steps ? rs->n_steps : 1,
		    sizeof *cs->steps);
		for (size_t k = 0; k < rs->n_steps; k++) {
			struct cfg_step *st = &cs->steps[k];
			st->kind = CFG_STEP_RUN;
			st->name = xstrdup(rs->steps[k].name);
			st->run = xstrdup(rs->steps[k].name);
			st->retries = rs->steps[k].retries;
			/* Handlers and cleanup as the live run had them
			 * (runread checked their order). */
			st->role = (enum cfg_step_role)rs->steps[k].role;
			st->of = rs->steps[k].of;
			if (st->role == CFG_ROLE_HANDLER &&
			    cs->steps[st->of].n_handler++ == 0)
				cs->steps[st->of].handler = k;
			if (st->role == CFG_ROLE_FINALLY &&
			    cs->finally_at == rs->n_steps)
				cs->finally_at = k;
		}
		cs->n_finally = cs->n_all - cs->finally_at;
	}
	return cfg;
}

struct replay *
replay_open(const char *dir, char **err)
{
	struct replay *rp;
	struct rr_run *rec = runread_load(dir, err);
	bool live;

	if (rec == NULL)
		return NULL;
	/* No end in the record, and a drove still holds it: still going. */
	live = !rec->ended && rec->live;
	rp = xcalloc(1, sizeof *rp);
	rp->rec = rec;
	rp->cfg = replay_config(rec);
	rp->run = run_create_frozen(rp->cfg);
	rp->out = xcalloc(rec->n_seqs ? rec->n_seqs : 1, sizeof *rp->out);
	for (size_t i = 0; i < rec->n_seqs; i++) {
		const struct rr_seq *rs = &rec->seqs[i];
		for (size_t k = 0; k < rs->n_steps; k++) {
			const struct rr_step *st = &rs->steps[k];
			const struct rr_attempt *a;
			if (st->n_attempts == 0 && st->resumed)
				run_restore_step(rp->run, i, k,
				    replay_step_status(st->status, live), 0, 0,
				    0, 0, 0);
			if (st->n_attempts == 0)
				continue;
			a = &st->attempts[st->n_attempts - 1];
			/* Cut off with the run: it ran until the record's
			 * last moment, not until now. Still running in a
			 * live run: until now. */
			run_restore_step(rp->run, i, k,
			    replay_step_status(a->status, live),
			    a->attempt, a->exit_code, a->signal,
			    a->start, a->end > 0 || live ? a->end :
			    replay_last(rec, a->start));
			if (a->marked)
				run_restore_marked(rp->run, i, k);
		}
		enum seq_state state = replay_seq_state(rs, rec->ended, live);
		double end = rs->end;
		if (rs->stated && rs->start > 0 && !live && (end <= 0 ||
		    (state == SEQ_ABORTED && rs->state != SEQ_ABORTED)))
			end = replay_last(rec, rs->start);
		run_restore_seq(rp->run, i, state, rs->start, end);
		if (rs->grown)
			run_restore_grown(rp->run, i, rs->first, rs->count);
	}
	/* A live run not settled yet is not over: its clocks go on (the
	 * review shows the record as it was read; drove attach follows the
	 * run itself). */
	if (live && !rec->settled)
		run_replica_state(rp->run, false, run_started(rp->run), 0);
	return rp;
}

void
replay_free(struct replay *rp)
{
	if (rp == NULL)
		return;
	for (size_t i = 0; i < rp->rec->n_seqs; i++)
		logidx_free(rp->out[i]);
	free(rp->out);
	run_free(rp->run);
	config_free(rp->cfg);
	runread_free(rp->rec);
	free(rp);
}

struct run *
replay_run(struct replay *rp)
{
	return rp->run;
}

const struct rr_run *
replay_record(const struct replay *rp)
{
	return rp->rec;
}

struct logidx *
replay_output(struct replay *rp, size_t i)
{
	if (i >= rp->rec->n_seqs)
		return NULL;
	if (rp->out[i] == NULL)
		rp->out[i] = logidx_build(rp->rec, i);
	return rp->out[i];
}
