/* capture.c: the captured values of a run, and what {{NAME}} is for a
 * step about to start. */
#include "capture.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"

/* Why a step has no value. */
enum capture_none {
	CAPTURE_NOT_RUN,
	CAPTURE_SKIPPED,
	CAPTURE_FAILED,
};

struct capture_seq {
	size_t n;              /* steps (the plan's n_all) */
	char **value;          /* per step: its value, or NULL */
	size_t *len;
	enum capture_none *none; /* why value[j] is NULL */
	struct strbuf buf;     /* the running attempt's stdout */
	bool over;             /* it went past CONFIG_CAPTURE_MAX */
};

struct capture_store {
	const struct config *cfg;
	struct capture_seq *seqs;
	size_t n_seqs;
};

struct capture_store *
capture_create(const struct config *cfg)
{
	struct capture_store *cs = xcalloc(1, sizeof *cs);

	cs->cfg = cfg;
	return cs;
}

void
capture_free(struct capture_store *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->n_seqs; i++) {
		struct capture_seq *s = &cs->seqs[i];
		xstrs_free(s->value, s->n);
		free(s->len);
		free(s->none);
		strbuf_free(&s->buf);
	}
	free(cs->seqs);
	free(cs);
}

/* Sequence i's entry, made (or grown: a plan may grow while it runs)
 * when first needed. */
static struct capture_seq *
capture_seq(struct capture_store *cs, size_t i)
{
	struct capture_seq *s;
	size_t n = cs->cfg->seqs[i].n_all;

	if (i >= cs->n_seqs) {
		cs->seqs = xrealloc(cs->seqs, (i + 1) * sizeof *cs->seqs);
		memset(&cs->seqs[cs->n_seqs], 0,
		    (i + 1 - cs->n_seqs) * sizeof *cs->seqs);
		cs->n_seqs = i + 1;
	}
	s = &cs->seqs[i];
	if (s->n < n) {
		s->value = xrealloc(s->value, n * sizeof *s->value);
		s->len = xrealloc(s->len, n * sizeof *s->len);
		s->none = xrealloc(s->none, n * sizeof *s->none);
		for (size_t j = s->n; j < n; j++) {
			s->value[j] = NULL;
			s->len[j] = 0;
			s->none[j] = CAPTURE_NOT_RUN;
		}
		s->n = n;
	}
	return s;
}

void
capture_begin(struct capture_store *cs, size_t seq)
{
	struct capture_seq *s = capture_seq(cs, seq);

	strbuf_reset(&s->buf);
	s->over = false;
}

bool
capture_feed(struct capture_store *cs, size_t seq, const char *data,
    size_t len)
{
	struct capture_seq *s = capture_seq(cs, seq);

	if (s->over)
		return false;
	/* One byte more than a value holds: its trailing newline. */
	if (len > CONFIG_CAPTURE_MAX + 1 - s->buf.len) {
		/* Not a byte more: memory stays bounded whatever it writes. */
		s->over = true;
		strbuf_free(&s->buf);
		return false;
	}
	strbuf_add(&s->buf, data, len);
	return true;
}

/* The value the running attempt's stdout makes: less one trailing
 * newline. */
static size_t
capture_trimmed(const struct capture_seq *s)
{
	size_t len = s->buf.len;

	return len > 0 && s->buf.buf[len - 1] == '\n' ? len - 1 : len;
}

bool
capture_over(const struct capture_store *cs, size_t seq)
{
	const struct capture_seq *s;

	if (seq >= cs->n_seqs)
		return false;
	s = &cs->seqs[seq];
	return s->over || capture_trimmed(s) > CONFIG_CAPTURE_MAX;
}

static void
capture_put(struct capture_seq *s, size_t step, char *value, size_t len)
{
	free(s->value[step]);
	s->value[step] = value;
	s->len[step] = len;
}

void
capture_end(struct capture_store *cs, size_t seq, size_t step,
    enum step_status st)
{
	struct capture_seq *s = capture_seq(cs, seq);
	size_t len = capture_trimmed(s);

	if (st != STEP_OK || capture_over(cs, seq)) {
		capture_put(s, step, NULL, 0);
		s->none[step] = st == STEP_SKIPPED ? CAPTURE_SKIPPED :
		    CAPTURE_FAILED;
		strbuf_free(&s->buf);
		return;
	}
	strbuf_add(&s->buf, "", 0);     /* a buffer even when empty */
	capture_put(s, step, strbuf_detach(&s->buf), len);
	s->value[step][len] = '\0';
}

void
capture_set(struct capture_store *cs, size_t seq, size_t step,
    const char *value, size_t len)
{
	struct capture_seq *s = capture_seq(cs, seq);
	char *v = xmalloc(len + 1);

	memcpy(v, value, len);
	v[len] = '\0';
	capture_put(s, step, v, len);
}

const char *
capture_value(const struct capture_store *cs, size_t seq, size_t step,
    size_t *len)
{
	const struct capture_seq *s;

	if (seq >= cs->n_seqs || step >= cs->seqs[seq].n)
		return NULL;
	s = &cs->seqs[seq];
	if (len != NULL)
		*len = s->len[step];
	return s->value[step];
}

/*
 * What {{NAME}} is for a step.
 */

/* The last step of seq in [from, to) that captures name, or SIZE_MAX. */
static size_t
capture_last(const struct cfg_seq *seq, const char *name, size_t from,
    size_t to)
{
	size_t at = SIZE_MAX;

	for (size_t j = from; j < to && j < seq->n_all; j++) {
		if (seq->steps[j].capture != NULL &&
		    strcmp(seq->steps[j].capture, name) == 0)
			at = j;
	}
	return at;
}

/* The step of sequence i whose capture step j of it sees, or SIZE_MAX:
 * the main steps before it, and the earlier steps of its handler or of
 * finally (as cfg_dyn.c checks them). */
static size_t
capture_own(const struct cfg_seq *seq, size_t j, const char *name)
{
	const struct cfg_step *st = &seq->steps[j];
	size_t at = SIZE_MAX, before = j;

	switch (st->role) {
	case CFG_ROLE_MAIN:
		break;
	case CFG_ROLE_HANDLER:
		before = st->of;
		at = capture_last(seq, name, seq->steps[st->of].handler, j);
		break;
	case CFG_ROLE_FINALLY:
		before = seq->n_steps;
		at = capture_last(seq, name, seq->finally_at, j);
		break;
	}
	return at != SIZE_MAX ? at : capture_last(seq, name, 0, before);
}

static const char *const capture_none_why[] = {
	[CAPTURE_NOT_RUN] = "did not run",
	[CAPTURE_SKIPPED] = "was skipped",
	[CAPTURE_FAILED] = "failed",
};

static char *
capture_missing(const struct capture_store *cs, const char *name, size_t i,
    size_t at)
{
	const struct cfg_seq *seq = &cs->cfg->seqs[i];
	enum capture_none why = CAPTURE_NOT_RUN;

	if (i < cs->n_seqs && at < cs->seqs[i].n)
		why = cs->seqs[i].none[at];
	return xasprintf("'{{%s}}' has no value: step %zu '%s' of sequence "
	    "'%s', which captures it, %s", name, at + 1, seq->steps[at].name,
	    seq->name, capture_none_why[why]);
}

/* The sequences seq needs, directly or not, nearest first (breadth first,
 * each in the order of needs). Caller frees; *n gets the count. */
static size_t *
capture_closure(const struct config *cfg, size_t seq, size_t *n)
{
	bool *seen = xcalloc(cfg->n_seqs, sizeof *seen);
	size_t *order = xcalloc(cfg->n_seqs + 1, sizeof *order), len = 0;

	seen[seq] = true;
	order[len++] = seq;
	for (size_t k = 0; k < len; k++) {
		const struct cfg_seq *s = &cfg->seqs[order[k]];
		for (size_t d = 0; d < s->n_needs; d++) {
			if (seen[s->needs[d]])
				continue;
			seen[s->needs[d]] = true;
			order[len++] = s->needs[d];
		}
	}
	free(seen);
	/* Without seq itself. */
	memmove(order, order + 1, (len - 1) * sizeof *order);
	*n = len - 1;
	return order;
}

/* The value of {{name}} for step j of sequence i: a new string, or NULL
 * and *err; 1 when nothing it sees captures name (not a capture). */
static int
capture_lookup(const struct capture_store *cs, size_t i, size_t j,
    const char *name, char **value, char **err)
{
	const struct config *cfg = cs->cfg;
	size_t at = capture_own(&cfg->seqs[i], j, name), n, *order;
	struct strbuf sb = STRBUF_INIT;
	const char *v;
	size_t len;
	bool any = false;

	if (at != SIZE_MAX) {
		if ((v = capture_value(cs, i, at, &len)) == NULL) {
			*err = capture_missing(cs, name, i, at);
			return -1;
		}
		*value = xstrndup(v, len);
		return 0;
	}
	order = capture_closure(cfg, i, &n);
	for (size_t k = 0; k < n; k++) {
		size_t s = order[k];
		if ((at = capture_last(&cfg->seqs[s], name, 0,
		    cfg->seqs[s].n_all)) == SIZE_MAX)
			continue;
		if ((v = capture_value(cs, s, at, &len)) == NULL) {
			*err = capture_missing(cs, name, s, at);
			free(order);
			strbuf_free(&sb);
			return -1;
		}
		/* Several (a matrix): one value per line. */
		if (any)
			strbuf_putc(&sb, '\n');
		strbuf_add(&sb, v, len);
		any = true;
	}
	free(order);
	if (!any)
		return 1;
	*value = strbuf_detach(&sb);
	return 0;
}

int
capture_vars(const struct capture_store *cs, size_t seq, size_t step,
    const struct cfg_step *st, struct cfg_kv **vars, size_t *n_vars,
    char **err)
{
	const struct config *cfg = cs->cfg;
	struct cfg_kv *v = NULL;
	size_t n = 0, cap = 0;
	char *value = NULL;
	int rc;

	*vars = NULL;
	*n_vars = 0;
	/* Every name a step of the plan captures that this one uses. */
	for (size_t s = 0; s < cfg->n_seqs; s++) {
		for (size_t k = 0; k < cfg->seqs[s].n_all; k++) {
			const char *name = cfg->seqs[s].steps[k].capture;
			bool dup = false;
			if (name == NULL || !config_step_refers(st, name))
				continue;
			for (size_t d = 0; d < n && !dup; d++)
				dup = strcmp(v[d].name, name) == 0;
			if (dup)
				continue;
			rc = capture_lookup(cs, seq, step, name, &value, err);
			if (rc < 0) {
				capture_vars_free(v, n);
				return -1;
			}
			if (rc > 0)
				continue;
			v = xreallocarray_grow(v, &cap, n + 1, sizeof *v);
			v[n].name = xstrdup(name);
			v[n].value = value;
			n++;
		}
	}
	*vars = v;
	*n_vars = n;
	return 0;
}

void
capture_vars_free(struct cfg_kv *vars, size_t n_vars)
{
	for (size_t i = 0; i < n_vars; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	free(vars);
}
