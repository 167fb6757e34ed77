/* title.c: titles, list lines and step rows, fitted to their width. */
#include "title.h"

#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ansi.h"
#include "duration.h"

#define TITLE_MAX_SEGS 8

enum title_status
title_seq_status(const struct run_seq *seq)
{
	size_t ok, failed, skipped;

	switch (seq->state) {
	case SEQ_WAITING:
		return TITLE_WAITING;
	case SEQ_RUNNING:
		if (seq->current < seq->cfg->n_steps &&
		    seq->steps[seq->current].status == STEP_RETRY_WAIT)
			return TITLE_RETRY_WAIT;
		return TITLE_RUNNING;
	case SEQ_PAUSED:
		return seq->pause == RUN_PAUSE_FAILURE ? TITLE_PAUSED :
		    TITLE_HELD;
	case SEQ_OK:
		run_seq_counts(seq, &ok, &failed, &skipped);
		return ok == 0 && skipped > 0 ? TITLE_SKIPPED : TITLE_OK;
	case SEQ_FAILED:
		return TITLE_FAILED;
	case SEQ_BLOCKED:
		return TITLE_BLOCKED;
	case SEQ_ABORTED:
		return TITLE_ABORTED;
	}
	return TITLE_WAITING;
}

enum title_status
title_step_status(const struct run_step *step)
{
	switch (step->status) {
	case STEP_PENDING:
		return TITLE_WAITING;
	case STEP_RUNNING:
		return TITLE_RUNNING;
	case STEP_RETRY_WAIT:
		return TITLE_RETRY_WAIT;
	case STEP_OK:
		return TITLE_OK;
	case STEP_FAILED:
	case STEP_TIMEOUT:
	case STEP_KILLED:
		return TITLE_FAILED;
	case STEP_SKIPPED:
		return TITLE_SKIPPED;
	}
	return TITLE_WAITING;
}

const char *
title_glyph(enum title_status st, bool utf8)
{
	/* One column each in every font worth having: no emoji. */
	static const char *const glyphs[TITLE_NSTATUS][2] = {
		[TITLE_WAITING] = { ".", "\xc2\xb7" },          /* · */
		[TITLE_RUNNING] = { ">", "\xe2\x96\xb6" },      /* ▶ */
		[TITLE_RETRY_WAIT] = { "~", "\xe2\x86\xbb" },   /* ↻ */
		[TITLE_OK] = { "+", "\xe2\x9c\x94" },           /* ✔ */
		[TITLE_FAILED] = { "x", "\xe2\x9c\x98" },       /* ✘ */
		[TITLE_PAUSED] = { "!", "!" },
		[TITLE_HELD] = { "=", "\xe2\x80\x96" },         /* ‖ */
		[TITLE_SKIPPED] = { "-", "\xe2\x86\xb7" },      /* ↷ */
		[TITLE_BLOCKED] = { "#", "\xe2\x8a\x98" },      /* ⊘ */
		[TITLE_ABORTED] = { "#", "\xe2\x96\xa0" },      /* ■ */
	};

	if (st >= TITLE_NSTATUS)
		return "?";
	return glyphs[st][utf8 ? 1 : 0];
}

const char *
title_status_name(enum title_status st)
{
	static const char *const names[TITLE_NSTATUS] = {
		"waiting", "running", "retrying", "ok", "failed", "paused",
		"held", "skipped", "blocked", "aborted",
	};

	return st < TITLE_NSTATUS ? names[st] : "?";
}

size_t
title_width(const char *s)
{
	size_t n = strlen(s), cols = 0, i = 0;

	while (i < n) {
		wchar_t wc;
		int w;

		i += ansi_utf8_decode(s + i, n - i, &wc);
		w = wcwidth(wc);
		cols += w > 0 ? (size_t)w : (w < 0 && wc >= 0xa0 ? 1 : 0);
	}
	return cols;
}

void
title_fit(char *buf, size_t size, size_t cols)
{
	size_t n = strlen(buf), used = 0, i = 0, cut = 0, cutcols = 0;
	bool over = false;

	/* Walk characters; remember where an ellipsis would still fit. */
	while (i < n) {
		wchar_t wc;
		size_t k = ansi_utf8_decode(buf + i, n - i, &wc);
		int w = wcwidth(wc);
		size_t cw = w > 0 ? (size_t)w : (w < 0 && wc >= 0xa0 ? 1 : 0);

		if (used + cw > cols) {
			over = true;
			break;
		}
		if (used + cw + 1 <= cols) {
			cut = i + k;
			cutcols = used + cw;
		}
		used += cw;
		i += k;
	}
	if (over) {
		/* "…" is 3 bytes and one column; "~" when no room. */
		bool utf8 = MB_CUR_MAX > 1;
		const char *ell = utf8 ? "\xe2\x80\xa6" : "~";
		size_t el = strlen(ell);

		if (cols == 0) {
			buf[0] = '\0';
			return;
		}
		if (cut + el + 1 > size)
			cut = size - el - 1;
		memcpy(buf + cut, ell, el);
		i = cut + el;
		used = cutcols + 1;
	}
	while (used < cols && i + 1 < size) {
		buf[i++] = ' ';
		used++;
	}
	buf[i < size ? i : size - 1] = '\0';
}

struct title_seg {
	char text[160];
	int prio;            /* 0: never dropped; higher goes first */
	bool right;
	bool shrink;         /* cut short rather than dropped (a name) */
};

static void
title_add(struct title_seg *segs, size_t *n, int prio, bool right,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
title_add(struct title_seg *segs, size_t *n, int prio, bool right,
    const char *fmt, ...)
{
	va_list ap;

	if (*n >= TITLE_MAX_SEGS)
		return;
	va_start(ap, fmt);
	vsnprintf(segs[*n].text, sizeof segs[*n].text, fmt, ap);
	va_end(ap);
	segs[*n].prio = prio;
	segs[*n].right = right;
	segs[*n].shrink = false;
	(*n)++;
}

size_t
title_bar_fill(const struct run_seq *seq)
{
	size_t ok, failed, skipped, n = seq->cfg->n_steps;

	run_seq_counts(seq, &ok, &failed, &skipped);
	return n > 0 ? (ok + failed + skipped) * TITLE_BAR_CELLS / n : 0;
}

/* "(exit 2)", "(SIGKILL)", "(timeout)" */
static void
title_why(const struct run_step *st, char *buf, size_t size)
{
	if (st->status == STEP_TIMEOUT)
		snprintf(buf, size, "timed out");
	else if (st->status == STEP_KILLED)
		snprintf(buf, size, "killed");
	else if (st->signal > 0) {
		const char *name = sigabbrev_np(st->signal);
		if (name != NULL)
			snprintf(buf, size, "SIG%s", name);
		else
			snprintf(buf, size, "signal %d", st->signal);
	} else if (st->exit_code >= 0)
		snprintf(buf, size, "exit %d", st->exit_code);
	else
		buf[0] = '\0';
}

static unsigned
title_tries(const struct run_step *st)
{
	unsigned n = st->cfg->retries + 1;

	return st->attempt > n ? st->attempt : n;
}

bool
title_seq(const struct run_seq *seq, double now, size_t cols, bool bar,
    const char *note, char *buf, size_t size)
{
	struct title_seg segs[TITLE_MAX_SEGS];
	size_t n = 0, nsteps = seq->cfg->n_steps, k = seq->current;
	const struct run_step *st = k < nsteps ? &seq->steps[k] : NULL;
	enum title_status ts = title_seq_status(seq);
	char t[32], why[32];
	bool dropped[TITLE_MAX_SEGS];
	size_t barseg = TITLE_MAX_SEGS;

	title_add(segs, &n, 0, false, "%s", seq->cfg->name);
	switch (ts) {
	case TITLE_WAITING:
		title_add(segs, &n, 1, false, "waiting");
		break;
	case TITLE_RUNNING:
	case TITLE_RETRY_WAIT:
		if (st == NULL)
			break;
		title_add(segs, &n, 1, false, "step %zu/%zu", k + 1, nsteps);
		title_add(segs, &n, 3, false, "%s", st->cfg->name);
		segs[n - 1].shrink = true;
		if (ts == TITLE_RETRY_WAIT) {
			title_why(st, why, sizeof why);
			title_add(segs, &n, 2, false, "%s, try %u/%u in %.0fs",
			    why, st->attempt + 1,
			    st->attempt + 1 > title_tries(st) ?
			    st->attempt + 1 : title_tries(st),
			    st->retry_at > now ? ceil(st->retry_at - now) : 0);
		} else if (title_tries(st) > 1)
			/* A first try is worth less room than a retry. */
			title_add(segs, &n, st->attempt > 1 ? 2 : 4, false,
			    "try %u/%u", st->attempt, title_tries(st));
		if (st->started > 0) {
			duration_format(now - st->started, DURATION_CLOCK, t,
			    sizeof t);
			title_add(segs, &n, 2, true, "%s", t);
		}
		break;
	case TITLE_PAUSED:
		if (st == NULL)
			break;
		title_why(st, why, sizeof why);
		title_add(segs, &n, 1, false, "PAUSED");
		title_add(segs, &n, 1, false, "step %zu/%zu", k + 1, nsteps);
		title_add(segs, &n, 4, false, "%s", st->cfg->name);
		segs[n - 1].shrink = true;
		title_add(segs, &n, 2, false, "%s", why);
		title_add(segs, &n, 5, false, "r retry, s skip, a abort");
		break;
	case TITLE_HELD:
		if (k < nsteps && st->status == STEP_PENDING)
			title_add(segs, &n, 1, false, "paused before step "
			    "%zu/%zu", k + 1, nsteps);
		else
			title_add(segs, &n, 1, false, "paused");
		title_add(segs, &n, 3, false, "p resumes");
		break;
	case TITLE_OK:
	case TITLE_SKIPPED: {
		size_t ok, failed, skipped;
		run_seq_counts(seq, &ok, &failed, &skipped);
		if (skipped > 0)
			title_add(segs, &n, 1, false, "ok %zu/%zu, %zu skipped",
			    ok, nsteps, skipped);
		else
			title_add(segs, &n, 1, false, "ok %zu/%zu", ok, nsteps);
		break;
	}
	case TITLE_FAILED:
		/* on_failure: continue ends past the last step. */
		if (st == NULL) {
			title_add(segs, &n, 1, false, "failed");
			break;
		}
		title_why(st, why, sizeof why);
		title_add(segs, &n, 1, false, "failed at step %zu/%zu", k + 1,
		    nsteps);
		title_add(segs, &n, 4, false, "%s", st->cfg->name);
		if (why[0] != '\0')
			title_add(segs, &n, 2, false, "(%s)", why);
		break;
	case TITLE_BLOCKED:
		title_add(segs, &n, 1, false, "blocked: a sequence it needs "
		    "failed");
		break;
	case TITLE_ABORTED:
		if (st != NULL)
			title_add(segs, &n, 1, false, "aborted at step %zu/%zu",
			    k + 1, nsteps);
		else
			title_add(segs, &n, 1, false, "aborted");
		break;
	case TITLE_NSTATUS:
		break;
	}
	if (note != NULL && note[0] != '\0')
		title_add(segs, &n, 1, false, "%s", note);
	if (ts != TITLE_RUNNING && ts != TITLE_RETRY_WAIT &&
	    ts != TITLE_WAITING && seq->started > 0) {
		double end = seq->ended > 0 ? seq->ended : now;
		duration_format(end - seq->started, DURATION_CLOCK, t,
		    sizeof t);
		/* Paused, what failed matters more than for how long. */
		title_add(segs, &n, ts == TITLE_PAUSED ? 3 : 2, true, "%s", t);
	}
	if (bar && ts != TITLE_WAITING && nsteps > 0) {
		title_add(segs, &n, 5, true, "%*s", TITLE_BAR_CELLS, "");
		barseg = n - 1;
	}

	/* Drop the least important segments until it fits. */
	memset(dropped, 0, sizeof dropped);
	for (;;) {
		size_t lw = 0, rw = 0, worst = n;

		for (size_t i = 0; i < n; i++) {
			size_t w;
			if (dropped[i])
				continue;
			w = title_width(segs[i].text);
			if (segs[i].right)
				rw += w + (rw > 0 ? 1 : 0);
			else
				lw += w + (lw > 0 ? 2 : 0);
			if (segs[i].prio > 0 && (worst == n ||
			    segs[i].prio >= segs[worst].prio))
				worst = i;
		}
		if (lw + (rw > 0 ? rw + 2 : 0) <= cols || worst == n)
			break;
		if (segs[worst].shrink) {
			/* A name cut short says more than none. */
			size_t over = lw + (rw > 0 ? rw + 2 : 0) - cols;
			size_t w = title_width(segs[worst].text);
			if (w >= over + 6) {
				title_fit(segs[worst].text,
				    sizeof segs[worst].text, w - over);
				continue;
			}
		}
		dropped[worst] = true;
	}

	/* Left joined by two spaces, right by one, right-aligned. */
	{
		char left[512] = "", right[256] = "";
		size_t lw, rw;

		for (size_t i = 0; i < n; i++) {
			char *dst = segs[i].right ? right : left;
			size_t cap = segs[i].right ? sizeof right : sizeof left;
			if (dropped[i])
				continue;
			if (dst[0] != '\0')
				strncat(dst, segs[i].right ? " " : "  ",
				    cap - strlen(dst) - 1);
			strncat(dst, segs[i].text, cap - strlen(dst) - 1);
		}
		lw = title_width(left);
		rw = title_width(right);
		if (rw > 0 && lw + rw + 2 <= cols) {
			snprintf(buf, size, "%s", left);
			title_fit(buf, size, cols - rw);
			strncat(buf, right, size - strlen(buf) - 1);
			return barseg < n && !dropped[barseg];
		}
		snprintf(buf, size, "%s", left);
		title_fit(buf, size, cols);
		return false;
	}
}

void
title_step(const struct run_seq *seq, size_t k, double now, size_t cols,
    char *buf, size_t size)
{
	const struct run_step *st = &seq->steps[k];
	enum title_status ts = title_step_status(st);
	char why[32] = "", tries[32] = "", dur[32] = "", name[256];
	const char *status = step_status_name(st->status);
	size_t namew;

	if (seq->state == SEQ_PAUSED && seq->pause == RUN_PAUSE_FAILURE &&
	    k == seq->current)
		status = "paused";
	if (step_status_done(st->status) || ts == TITLE_RETRY_WAIT ||
	    status[0] == 'p')
		title_why(st, why, sizeof why);
	if (st->attempt > 0)
		snprintf(tries, sizeof tries, "try %u/%u", st->attempt,
		    title_tries(st));
	if (st->started > 0)
		duration_format((st->ended > 0 ? st->ended : now) -
		    st->started, DURATION_CLOCK, dur, sizeof dur);
	/* Fixed columns on the right, the name takes what is left. */
	namew = cols > 44 ? cols - 44 : 8;
	snprintf(name, sizeof name, "%s", st->cfg->name);
	title_fit(name, sizeof name, namew);
	snprintf(buf, size, "%2zu %s %-8s %-10s %-12s %7s", k + 1, name,
	    status, tries, why, dur);
	title_fit(buf, size, cols);
}

void
title_count(const struct run *run, size_t *counts)
{
	memset(counts, 0, TITLE_NSTATUS * sizeof *counts);
	for (size_t i = 0; i < run_seq_count(run); i++)
		counts[title_seq_status(run_seq(run, i))]++;
}
