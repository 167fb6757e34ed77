/* replica.c: a live run's copy, from the attach stream. */
#include "replica.h"

#include <string.h>

#include "config.h"
#include "run_restore.h"
#include "wire.h"
#include "xmalloc.h"

struct replica {
	struct config *cfg;
	struct run *run;
	/* Per sequence, the server's numbers of the lines held: the
	 * oldest, and the next to come; lines arrive after the newest or
	 * (the scrollback's second pass) before the oldest. */
	uint64_t *first, *next;
	bool *have;
	char *warning;
	bool ended;
	int exit_code;
};

struct replica *
replica_create(void)
{
	return xcalloc(1, sizeof(struct replica));
}

void
replica_free(struct replica *r)
{
	if (r == NULL)
		return;
	run_free(r->run);
	config_free(r->cfg);
	free(r->first);
	free(r->next);
	free(r->have);
	free(r->warning);
	free(r);
}

struct run *
replica_run(struct replica *r)
{
	return r->run;
}

const char *
replica_warning(const struct replica *r)
{
	return r->warning;
}

bool
replica_ended(const struct replica *r, int *exit_code)
{
	*exit_code = r->exit_code;
	return r->ended;
}

/* Sequences of the plan, as the server sent them: appended. */
static void
replica_add_seqs(struct config *cfg, const struct wire_seq *seqs, size_t n)
{
	cfg->seqs = xrealloc(cfg->seqs, (cfg->n_seqs + n ? cfg->n_seqs + n :
	    1) * sizeof *cfg->seqs);
	for (size_t i = 0; i < n; i++) {
		struct cfg_seq *cs = &cfg->seqs[cfg->n_seqs++];

		memset(cs, 0, sizeof *cs);
		cs->name = xstrdup(seqs[i].name);
		cs->template_name = xstrdup(seqs[i].name);
		cs->host = -1;
		cs->n_steps = 0;
		cs->n_all = cs->finally_at = seqs[i].n_steps;
		cs->steps = xcalloc(cs->n_all ? cs->n_all : 1,
		    sizeof *cs->steps);
		for (size_t k = 0; k < cs->n_all; k++) {
			const struct wire_step *ws = &seqs[i].steps[k];
			struct cfg_step *st = &cs->steps[k];

			st->kind = ws->command ? CFG_STEP_RUN : CFG_STEP_SLEEP;
			st->name = xstrdup(ws->name);
			/* replica_set_seq puts the command in. */
			st->run = ws->command ? xstrdup(ws->name) : NULL;
			st->retries = ws->retries;
			st->tty = ws->tty;
			/* Handlers and cleanup as the server has them
			 * (wire.c checked their order). */
			st->role = (enum cfg_step_role)ws->role;
			st->of = ws->of;
			if (ws->role == STEP_ROLE_MAIN)
				cs->n_steps = k + 1;
			if (st->role == CFG_ROLE_HANDLER &&
			    cs->steps[st->of].n_handler++ == 0)
				cs->steps[st->of].handler = k;
			if (st->role == CFG_ROLE_FINALLY &&
			    cs->finally_at == cs->n_all)
				cs->finally_at = k;
		}
		cs->n_finally = cs->n_all - cs->finally_at;
	}
}

/* Just enough of a config for the dashboard, from the first snapshot:
 * names, retries, which steps take keystrokes. */
static struct config *
replica_config(const struct wire_run *wr, const struct wire_seq *seqs,
    size_t n)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);

	cfg->path = xstrdup("(attached)");
	cfg->dir = xstrdup("/");
	cfg->shell = xstrdup("/bin/sh");
	cfg->log_dir = xstrdup("/");
	cfg->scrollback = wr->scrollback > 0 ? wr->scrollback : 1;
	cfg->kill_grace = wr->kill_grace;
	replica_add_seqs(cfg, seqs, n);
	return cfg;
}

/* Does a sequence the server sent fit the plan the replica has? */
static bool
replica_fits(const struct replica *r, const struct wire_seq *ws)
{
	const struct cfg_seq *cs;

	if (ws->index >= r->cfg->n_seqs)
		return false;
	cs = &r->cfg->seqs[ws->index];
	if (strcmp(cs->name, ws->name) != 0 || cs->n_all != ws->n_steps)
		return false;
	for (size_t k = 0; k < cs->n_all; k++)
		if (strcmp(cs->steps[k].name, ws->steps[k].name) != 0 ||
		    (int)cs->steps[k].role != (int)ws->steps[k].role ||
		    cs->steps[k].of != ws->steps[k].of)
			return false;
	return true;
}

static void
replica_emit(struct replica *r, enum run_event_type type, size_t seq,
    const char *text)
{
	struct run_event ev = { .type = type, .seq = seq, .text = text,
		                .exit_code = r->exit_code };

	run_replica_emit(r->run, &ev);
}

static void
replica_set_run(struct replica *r, const struct wire_run *wr)
{
	run_replica_state(r->run, wr->settled, wr->started, wr->settled_at);
}

/* What step k of sequence i runs next: the plan's, or an edit (e).
 * The replica's plan holds it, the run's view points at it. */
static void
replica_set_command(struct replica *r, size_t i, size_t k, const char *cmd)
{
	struct cfg_step *cs = &r->cfg->seqs[i].steps[k];
	struct run_step *st = &run_replica_seq(r->run, i)->steps[k];

	if (*cmd == '\0') {
		st->command = NULL;
		return;
	}
	if (st->command == NULL || strcmp(cs->run, cmd) != 0) {
		free(cs->run);
		cs->run = xstrdup(cmd);
	}
	st->command = cs->run;
}

/* Copy a sequence's state into the run, and announce it. */
static void
replica_set_seq(struct replica *r, const struct wire_seq *ws)
{
	struct run_seq *seq = run_replica_seq(r->run, ws->index);

	seq->state = ws->state;
	seq->current = ws->current;
	seq->started = ws->started;
	seq->ended = ws->ended;
	seq->pause = ws->state != SEQ_PAUSED ? RUN_PAUSE_NONE :
	    ws->failed_pause ? RUN_PAUSE_FAILURE : RUN_PAUSE_HOLD;
	seq->hold = ws->hold;
	seq->had_failure = ws->had_failure;
	seq->cleanup = ws->cleanup;
	seq->placeholder = ws->placeholder;
	seq->grown = ws->grown;
	seq->first = ws->first;
	seq->count = ws->count;
	for (size_t k = 0; k < ws->n_steps; k++) {
		const struct wire_step *w = &ws->steps[k];
		struct run_step *st = &seq->steps[k];

		st->status = w->status;
		st->attempt = w->attempt;
		st->exit_code = w->exit_code;
		st->signal = w->signal;
		st->started = w->started;
		st->ended = w->ended;
		st->retry_at = w->retry_at;
		st->marked = w->marked;
		st->waiting_input = w->waiting_input;
		replica_set_command(r, ws->index, k, w->run);
	}
}

static int
replica_snapshot(struct replica *r, struct proto_msg *m, char **err)
{
	struct wire_run wr;
	struct wire_seq *seqs;
	size_t n, grown = SIZE_MAX;

	if (wire_get_snapshot(m, &wr, &seqs, &n) != 0) {
		*err = xstrdup("a malformed snapshot");
		return -1;
	}
	if (r->run == NULL) {
		r->cfg = replica_config(&wr, seqs, n);
		r->run = run_create_frozen(r->cfg);
		r->first = xcalloc(n ? n : 1, sizeof *r->first);
		r->next = xcalloc(n ? n : 1, sizeof *r->next);
		r->have = xcalloc(n ? n : 1, sizeof *r->have);
	} else if (n < r->cfg->n_seqs) {
		wire_seqs_free(seqs, n);
		*err = xstrdup("the run's plan changed");
		return -1;
	} else if (n > r->cfg->n_seqs) {
		/* It grew meanwhile (a fan-out): the new ones are added,
		 * the others must fit. */
		size_t old = r->cfg->n_seqs;
		replica_add_seqs(r->cfg, seqs + old, n - old);
		run_replica_grow(r->run);
		r->first = xrealloc(r->first, n * sizeof *r->first);
		r->next = xrealloc(r->next, n * sizeof *r->next);
		r->have = xrealloc(r->have, n * sizeof *r->have);
		for (size_t i = old; i < n; i++) {
			r->first[i] = r->next[i] = 0;
			r->have[i] = false;
		}
		grown = old;
	}
	for (size_t i = 0; i < n; i++) {
		if (!replica_fits(r, &seqs[i])) {
			wire_seqs_free(seqs, n);
			*err = xstrdup("the run's plan changed");
			return -1;
		}
		/* Starting over: the lines follow. */
		outbuf_restart(run_seq(r->run, i)->out, 0);
		r->have[i] = false;
		replica_set_seq(r, &seqs[i]);
	}
	replica_set_run(r, &wr);
	wire_seqs_free(seqs, n);
	if (grown < n) {
		struct run_event ev = { .type = RUN_EV_GROW, .first = grown,
			                .count = n - grown };
		run_replica_emit(r->run, &ev);
	}
	replica_emit(r, RUN_EV_START, 0, NULL);
	return 0;
}

static int
replica_seq(struct replica *r, struct proto_msg *m, char **err)
{
	struct wire_run wr;
	struct wire_seq ws;

	if (wire_get_seq(m, &wr, &ws) != 0 || !replica_fits(r, &ws)) {
		wire_seq_free(&ws);
		*err = xstrdup("a malformed sequence update");
		return -1;
	}
	replica_set_seq(r, &ws);
	replica_set_run(r, &wr);
	replica_emit(r, RUN_EV_SEQ, ws.index, NULL);
	wire_seq_free(&ws);
	return 0;
}

/* One line's fields (LINE, each of LINES); its text points into m. */
static void
replica_get_line(struct proto_msg *m, struct outbuf_line *l)
{
	size_t len;

	memset(l, 0, sizeof *l);
	l->step = proto_get_u16(m);
	l->flags = proto_get_u16(m);
	l->time = proto_get_f64(m);
	l->attempt = proto_get_u16(m);
	l->aline = proto_get_u32(m);
	/* The text is only read; the outbuf copies it. */
	l->text = (char *)(uintptr_t)proto_get_str(m, &len);
	l->len = len > OUTBUF_LINE_MAX ? OUTBUF_LINE_MAX : (uint32_t)len;
}

/* A line into sequence i's outbuf after its newest line (the outbuf
 * announces it: RUN_EV_LINE). */
static void
replica_line(struct replica *r, size_t i, struct proto_msg *m)
{
	struct outbuf_line l;

	replica_get_line(m, &l);
	if (m->bad)
		return;
	outbuf_add_line(run_seq(r->run, i)->out, &l);
	r->next[i]++;
}

/* LINES: after the newest line held, or just before the oldest. */
static int
replica_lines(struct replica *r, struct proto_msg *m)
{
	uint32_t i = proto_get_u32(m), n;
	uint64_t from = proto_get_u64(m);
	struct outbuf_line *h;
	struct outbuf *ob;

	n = proto_get_u32(m);
	/* Each line takes at least 22 bytes. */
	if (m->bad || i >= r->cfg->n_seqs || n > m->left / 22)
		return -1;
	ob = run_seq(r->run, i)->out;
	/* Past the newest: the lines between left the server's scrollback
	 * (a flood) before they could be sent, and with them all those
	 * before: the copy starts where the server's scrollback does. */
	if (!r->have[i] || from > r->next[i]) {
		r->have[i] = true;
		r->first[i] = r->next[i] = from;
		outbuf_restart(ob, from);
	}
	if (from == r->next[i]) {
		while (n-- > 0 && !m->bad)
			replica_line(r, i, m);
		return proto_done(m) ? 0 : -1;
	}
	if (from + n != r->first[i])
		return -1;
	/* Older lines, in order: put before the oldest, last first. */
	h = xcalloc(n ? n : 1, sizeof *h);
	for (uint32_t k = 0; k < n; k++)
		replica_get_line(m, &h[k]);
	if (!proto_done(m)) {
		free(h);
		return -1;
	}
	for (uint32_t k = n; k-- > 0;)
		outbuf_prepend_line(ob, &h[k]);
	free(h);
	r->first[i] = from;
	{
		/* Only a view scrolled up to them shows them. */
		struct run_event ev = { .type = RUN_EV_OUTPUT, .seq = i };
		run_replica_emit(r->run, &ev);
	}
	return 0;
}

/* The entries of SPILLED and PASSED: where lines are (each takes at
 * least 30 bytes), each after the one before; *n of them (caller frees;
 * texts point into m), or NULL when the message is bad (or, `last`, does
 * not end there). */
static struct outbuf_spilled *
replica_get_entries(const struct replica *r, struct proto_msg *m,
    uint32_t *seq, uint32_t *count, bool last)
{
	uint32_t i = proto_get_u32(m), n = proto_get_u32(m);
	struct outbuf_spilled *e;
	size_t len;

	if (m->bad || i >= r->cfg->n_seqs || n > m->left / 30)
		return NULL;
	e = xcalloc(n ? n : 1, sizeof *e);
	for (uint32_t k = 0; k < n; k++) {
		e[k].first = proto_get_u64(m);
		e[k].count = proto_get_u32(m);
		e[k].aline = proto_get_u32(m);
		e[k].step = proto_get_u16(m);
		e[k].attempt = proto_get_u16(m);
		e[k].flags = proto_get_u16(m);
		e[k].time = proto_get_f64(m);
		e[k].text = proto_get_str(m, &len);
		e[k].len = len > OUTBUF_LINE_MAX ? OUTBUF_LINE_MAX :
		    (uint32_t)len;
		/* In order, each after the one before. */
		if (e[k].count == 0 || (k > 0 &&
		    e[k].first < e[k - 1].first + e[k - 1].count))
			m->bad = true;
	}
	if (m->bad || (last && !proto_done(m))) {
		free(e);
		return NULL;
	}
	*seq = i;
	*count = n;
	return e;
}

/* SPILLED: where lines older than those held are. */
static int
replica_spilled(struct replica *r, struct proto_msg *m)
{
	uint32_t i, n;
	struct outbuf_spilled *e = replica_get_entries(r, m, &i, &n, true);

	if (e == NULL)
		return -1;
	outbuf_spilled_put_before(run_seq(r->run, i)->out, e, n);
	free(e);
	{
		struct run_event ev = { .type = RUN_EV_OUTPUT, .seq = i };
		run_replica_emit(r->run, &ev);
	}
	return 0;
}

/* PASSED: where the lines after the newest held are, each entry right
 * after the one before (a mark is one line), then the lines after them
 * (a flood: its newest lines). Lines past the newest restart the copy,
 * as LINES do. */
static int
replica_passed(struct replica *r, struct proto_msg *m)
{
	uint32_t i, n, lines;
	struct outbuf_spilled *e = replica_get_entries(r, m, &i, &n, false);
	struct outbuf *ob;
	uint64_t end;

	if (e == NULL)
		return -1;
	lines = proto_get_u32(m);
	/* Each line takes at least 22 bytes. */
	if (n == 0 || m->bad || lines > m->left / 22) {
		free(e);
		return -1;
	}
	end = e[0].first;
	for (uint32_t k = 0; k < n; k++) {
		if ((e[k].flags & OUTBUF_MARK) && e[k].count != 1)
			e[k].first = UINT64_MAX;   /* refused below */
		if (e[k].first != end || end > UINT64_MAX - e[k].count) {
			free(e);
			return -1;
		}
		end += e[k].count;
	}
	ob = run_seq(r->run, i)->out;
	if (!r->have[i] || e[0].first > r->next[i]) {
		r->have[i] = true;
		r->first[i] = r->next[i] = e[0].first;
		outbuf_restart(ob, e[0].first);
	}
	if (e[0].first != r->next[i]) {
		free(e);
		return -1;
	}
	outbuf_spilled_put_after(ob, e, n);
	r->next[i] = end;
	free(e);
	while (lines-- > 0 && !m->bad)
		replica_line(r, i, m);
	if (!proto_done(m))
		return -1;
	{
		struct run_event ev = { .type = RUN_EV_OUTPUT, .seq = i };
		run_replica_emit(r->run, &ev);
	}
	return 0;
}

/* The live run grew: the placeholder and its new sequences. */
static int
replica_grow(struct replica *r, struct proto_msg *m, char **err)
{
	struct wire_run wr;
	struct wire_seq *seqs;
	size_t n, old = r->cfg->n_seqs;
	struct run_event ev = { .type = RUN_EV_GROW };

	if (wire_get_grow(m, &wr, &seqs, &n) != 0) {
		*err = xstrdup("a malformed 'grow' from the run's server");
		return -1;
	}
	if (!replica_fits(r, &seqs[0]) || (n > 1 && seqs[1].index != old) ||
	    !seqs[0].grown || seqs[0].first != old ||
	    seqs[0].count != n - 1) {
		wire_seqs_free(seqs, n);
		*err = xstrdup("the run's plan changed");
		return -1;
	}
	replica_add_seqs(r->cfg, seqs + 1, n - 1);
	run_replica_grow(r->run);
	r->first = xrealloc(r->first, (old + n) * sizeof *r->first);
	r->next = xrealloc(r->next, (old + n) * sizeof *r->next);
	r->have = xrealloc(r->have, (old + n) * sizeof *r->have);
	for (size_t i = old; i < old + n - 1; i++) {
		r->first[i] = r->next[i] = 0;
		r->have[i] = false;
	}
	for (size_t i = 0; i < n; i++)
		replica_set_seq(r, &seqs[i]);
	replica_set_run(r, &wr);
	ev.seq = seqs[0].index;
	ev.first = old;
	ev.count = n - 1;
	wire_seqs_free(seqs, n);
	run_replica_emit(r->run, &ev);
	return 0;
}

int
replica_apply(struct replica *r, struct proto_msg *m, char **err)
{
	uint32_t i;
	size_t len;
	const char *text;
	char *notice;
	struct wire_run wr;

	if (r->run == NULL && m->type != PROTO_SNAPSHOT) {
		*err = xasprintf("'%s' before the snapshot",
		    proto_type_name(m->type));
		return -1;
	}
	switch (m->type) {
	case PROTO_SNAPSHOT:
		return replica_snapshot(r, m, err);
	case PROTO_SEQ:
		return replica_seq(r, m, err);
	case PROTO_GROW:
		return replica_grow(r, m, err);
	case PROTO_RUN:
		if (wire_get_run(m, &wr) != 0 || !proto_done(m))
			break;
		replica_set_run(r, &wr);
		replica_emit(r, RUN_EV_IDLE, 0, NULL);
		return 0;
	case PROTO_LINE:
		i = proto_get_u32(m);
		if (m->bad || i >= r->cfg->n_seqs)
			break;
		if (!r->have[i]) {
			/* No LINES yet: the server had none. */
			r->have[i] = true;
			r->first[i] = r->next[i] = outbuf_total(
			    run_seq(r->run, i)->out);
		}
		replica_line(r, i, m);
		if (!proto_done(m))
			break;
		return 0;
	case PROTO_LINES:
		if (replica_lines(r, m) != 0)
			break;
		return 0;
	case PROTO_SPILLED:
		if (replica_spilled(r, m) != 0)
			break;
		return 0;
	case PROTO_PASSED:
		if (replica_passed(r, m) != 0)
			break;
		return 0;
	case PROTO_PARTIAL:
		i = proto_get_u32(m);
		text = proto_get_str(m, &len);
		if (!proto_done(m) || i >= r->cfg->n_seqs)
			break;
		outbuf_set_partial(run_seq(r->run, i)->out, text, len,
		    (unsigned)run_seq(r->run, i)->current);
		/* As new output: the pane's body changed. */
		{
			struct run_event ev = { .type = RUN_EV_OUTPUT,
				                .seq = i };
			run_replica_emit(r->run, &ev);
		}
		return 0;
	case PROTO_NOTICE:
		i = proto_get_u32(m);
		notice = proto_get_cstr(m);
		if (!proto_done(m) || i >= r->cfg->n_seqs) {
			free(notice);
			break;
		}
		replica_emit(r, RUN_EV_NOTICE, i, notice);
		free(notice);
		return 0;
	case PROTO_WARNING:
		notice = proto_get_cstr(m);
		if (!proto_done(m)) {
			free(notice);
			break;
		}
		free(r->warning);
		r->warning = *notice != '\0' ? notice : NULL;
		if (r->warning == NULL)
			free(notice);
		/* The status bar shows it. */
		replica_emit(r, RUN_EV_IDLE, 0, NULL);
		return 0;
	case PROTO_END:
		r->exit_code = proto_get_i32(m);
		free(proto_get_cstr(m));
		if (!proto_done(m))
			break;
		r->ended = true;
		replica_emit(r, RUN_EV_END, 0, NULL);
		return 0;
	default:
		*err = xasprintf("unexpected '%s' from the run's server",
		    proto_type_name(m->type));
		return -1;
	}
	*err = xasprintf("a malformed '%s' from the run's server",
	    proto_type_name(m->type));
	return -1;
}
