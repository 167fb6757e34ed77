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
#include "secret.h"
#include "xmalloc.h"

#define TITLE_MAX_SEGS 8

/* text into buf (size bytes), every secret in it as *** (a --secret,
 * settings.secret_vars, a secret capture). */
static void
title_shown(const char *text, char *buf, size_t size)
{
	size_t len;
	char *shown = secret_any() ? secret_redact(text, strlen(text), &len) :
	    NULL;

	snprintf(buf, size, "%s", shown != NULL ? shown : text);
	free(shown);
}

enum title_status
title_seq_status(const struct run_seq *seq)
{
	size_t ok, failed, skipped;

	switch (seq->state) {
	case SEQ_WAITING:
		return TITLE_WAITING;
	case SEQ_RUNNING:
		if (seq->current < seq->n_all &&
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
	case SEQ_UNREACHABLE:
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
	case STEP_UNREACHABLE:
	case STEP_LOST:
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

wchar_t
title_char(wchar_t wc, size_t *cols)
{
	int w = wcwidth(wc);

	if (w < 0) {
		/* Not printable (a control character, or one the locale does
		 * not know): shown so that something is seen. */
		*cols = 1;
		return L'?';
	}
	*cols = (size_t)w;
	return wc;
}

size_t
title_width(const char *s)
{
	size_t n = strlen(s), cols = 0, i = 0, cw;

	while (i < n) {
		wchar_t wc;

		i += ansi_utf8_decode(s + i, n - i, &wc);
		title_char(wc, &cw);
		cols += cw;
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
		size_t k = ansi_utf8_decode(buf + i, n - i, &wc), cw;

		title_char(wc, &cw);

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

size_t
title_bar_fill(const struct run_seq *seq)
{
	size_t ok, failed, skipped, n = seq->n_steps;

	run_seq_counts(seq, &ok, &failed, &skipped);
	return n > 0 ? (ok + failed + skipped) * TITLE_BAR_CELLS / n : 0;
}

/* "(exit 2)", "(SIGKILL)", "(timeout)", "(connection lost)" */
static void
title_why(const struct run_step *st, char *buf, size_t size)
{
	if (st->status == STEP_TIMEOUT)
		snprintf(buf, size, "timed out");
	else if (st->status == STEP_LOST)
		/* Not ssh's exit 255: the connection broke. */
		snprintf(buf, size, "connection lost");
	else if (st->status == STEP_UNREACHABLE)
		snprintf(buf, size, "host unreachable");
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
	unsigned n = st->retries + 1;

	return st->attempt > n ? st->attempt : n;
}

/*
 * A title is made of segments: what it says, each with how much it
 * matters. The segments are made from the state (title_seq_segs), fitted
 * to the width by one rule (title_segs_fit), and joined (title_segs_join).
 */
struct title_seg {
	char text[160];
	int prio;            /* 0: never dropped; higher goes first */
	bool right;          /* in the group at the right end */
	bool shrink;         /* a name: cut short before anything but a
	                        decoration is dropped */
	bool dropped;
};

struct title_segs {
	struct title_seg seg[TITLE_MAX_SEGS];
	size_t n;
	size_t bar;          /* the bar's segment, or TITLE_MAX_SEGS */
};

/* Segments of this priority are decoration (the progress bar, key hints):
 * they go before a name is cut short. */
#define TITLE_PRIO_DECOR 5
/* A name is not cut shorter than this many columns: dropped instead. */
#define TITLE_NAME_MIN 6

static struct title_seg * __attribute__((format(printf, 4, 5)))
title_add(struct title_segs *s, int prio, bool right, const char *fmt, ...)
{
	static struct title_seg spare;
	struct title_seg *g = s->n < TITLE_MAX_SEGS ? &s->seg[s->n++] : &spare;
	va_list ap;

	va_start(ap, fmt);
	if (secret_any()) {
		/* Names are made from commands, commands from variables: a
		 * secret shows as ***, redacted before it is cut short. */
		char *full = xvasprintf(fmt, ap);
		title_shown(full, g->text, sizeof g->text);
		free(full);
	} else
		vsnprintf(g->text, sizeof g->text, fmt, ap);
	va_end(ap);
	g->prio = prio;
	g->right = right;
	g->shrink = false;
	g->dropped = false;
	return g;
}

/* A step's name, cut short before the rest of its title is dropped. */
static void
title_add_name(struct title_segs *s, int prio, const struct run_step *st)
{
	title_add(s, prio, false, "%s", st->name)->shrink = true;
}

/* Running, or waiting to retry: the step, its try, for how long. */
static void
title_segs_running(struct title_segs *s, const struct run_seq *seq,
    double now, bool retry_wait)
{
	size_t k = seq->current;
	const struct run_step *st = &seq->steps[k];
	char t[32], why[32], label[64];

	title_add(s, 1, false, "%s",
	    run_step_label(seq, k, label, sizeof label));
	title_add_name(s, 3, st);
	if (retry_wait) {
		title_why(st, why, sizeof why);
		title_add(s, 2, false, "%s, try %u/%u in %.0fs", why,
		    st->attempt + 1, st->attempt + 1 > title_tries(st) ?
		    st->attempt + 1 : title_tries(st),
		    st->retry_at > now ? ceil(st->retry_at - now) : 0);
	} else if (st->waiting_input)
		/* A prompt, told from a busy step: as loud as the step. */
		title_add(s, 1, false, "waiting for input");
	else if (title_tries(st) > 1)
		/* A first try is worth less room than a retry. */
		title_add(s, st->attempt > 1 ? 2 : 4, false, "try %u/%u",
		    st->attempt, title_tries(st));
	if (st->started > 0) {
		duration_format(now - st->started, DURATION_CLOCK, t,
		    sizeof t);
		title_add(s, 2, true, "%s", t);
	}
}

/* Ended one way or another: how, and where it stopped. */
static void
title_segs_ended(struct title_segs *s, const struct run_seq *seq,
    enum title_status ts)
{
	size_t k = seq->current, nsteps = seq->n_steps;
	const struct run_step *st = k < seq->n_all ? &seq->steps[k] : NULL;
	size_t ok, failed, skipped;
	char why[32], label[64];

	if (st != NULL)
		run_step_label(seq, k, label, sizeof label);
	switch (ts) {
	case TITLE_OK:
	case TITLE_SKIPPED:
		run_seq_counts(seq, &ok, &failed, &skipped);
		if (skipped > 0)
			title_add(s, 1, false, "ok %zu/%zu, %zu skipped", ok,
			    nsteps, skipped);
		else
			title_add(s, 1, false, "ok %zu/%zu", ok, nsteps);
		break;
	case TITLE_FAILED:
		/* on_failure: continue ends past the last step. */
		if (st == NULL) {
			title_add(s, 1, false, "failed");
			break;
		}
		title_why(st, why, sizeof why);
		/* A host it could not reach is not a command that failed. */
		title_add(s, 1, false, "%s at %s", seq->state ==
		    SEQ_UNREACHABLE ? "unreachable" : "failed", label);
		title_add_name(s, 4, st);
		/* "unreachable at step 1/3 (host unreachable)" says it
		 * twice. */
		if (why[0] != '\0' && st->status != STEP_UNREACHABLE)
			title_add(s, 2, false, "(%s)", why);
		break;
	case TITLE_BLOCKED:
		title_add(s, 1, false, "blocked: a sequence it needs failed");
		break;
	case TITLE_ABORTED:
		if (st != NULL)
			title_add(s, 1, false, "aborted at %s", label);
		else
			title_add(s, 1, false, "aborted");
		break;
	default:
		break;
	}
}

/* Everything a sequence's title could say, most important first. */
static void
title_seq_segs(struct title_segs *s, const struct run_seq *seq, double now,
    bool bar, const char *note)
{
	size_t k = seq->current, nsteps = seq->n_steps;
	const struct run_step *st = k < seq->n_all ? &seq->steps[k] : NULL;
	enum title_status ts = title_seq_status(seq);
	char t[32], why[32], label[64];

	if (st != NULL)
		run_step_label(seq, k, label, sizeof label);
	s->n = 0;
	s->bar = TITLE_MAX_SEGS;
	title_add(s, 0, false, "%s", seq->name);
	switch (ts) {
	case TITLE_WAITING:
		title_add(s, 1, false, "waiting");
		break;
	case TITLE_RUNNING:
	case TITLE_RETRY_WAIT:
		if (st != NULL)
			title_segs_running(s, seq, now,
			    ts == TITLE_RETRY_WAIT);
		/* p was pressed: it will stop, and says so until then. */
		if (seq->hold)
			title_add(s, 1, false, "HELD after this step");
		break;
	case TITLE_PAUSED:
		if (st == NULL)
			break;
		title_why(st, why, sizeof why);
		title_add(s, 1, false, "PAUSED");
		title_add(s, 1, false, "%s", label);
		title_add_name(s, 4, st);
		title_add(s, 2, false, "%s", why);
		title_add(s, TITLE_PRIO_DECOR, false,
		    "r retry, s skip, a abort");
		break;
	case TITLE_HELD:
		if (st != NULL && st->status == STEP_PENDING)
			title_add(s, 1, false, "paused before %s", label);
		else
			title_add(s, 1, false, "paused");
		title_add(s, 3, false, "p resumes");
		break;
	default:
		title_segs_ended(s, seq, ts);
		break;
	}
	if (note != NULL && note[0] != '\0')
		title_add(s, 1, false, "%s", note);
	if (ts != TITLE_RUNNING && ts != TITLE_RETRY_WAIT &&
	    ts != TITLE_WAITING && seq->started > 0) {
		double end = seq->ended > 0 ? seq->ended : now;
		duration_format(end - seq->started, DURATION_CLOCK, t,
		    sizeof t);
		/* Paused, what failed matters more than for how long. */
		title_add(s, ts == TITLE_PAUSED ? 3 : 2, true, "%s", t);
	}
	if (bar && ts != TITLE_WAITING && nsteps > 0) {
		title_add(s, TITLE_PRIO_DECOR, true, "%*s", TITLE_BAR_CELLS,
		    "");
		s->bar = s->n - 1;
	}
}

/* Columns the kept segments take: the left ones joined by two spaces,
 * the right ones by one, and two between the groups. */
static size_t
title_segs_width(const struct title_segs *s)
{
	size_t lw = 0, rw = 0;

	for (size_t i = 0; i < s->n; i++) {
		size_t w;
		if (s->seg[i].dropped)
			continue;
		w = title_width(s->seg[i].text);
		if (s->seg[i].right)
			rw += w + (rw > 0 ? 1 : 0);
		else
			lw += w + (lw > 0 ? 2 : 0);
	}
	return lw + (rw > 0 ? rw + 2 : 0);
}

/* Fit the segments to cols: drop the least important ones until they
 * fit, but cut a name short first unless what would go is decoration. */
static void
title_segs_fit(struct title_segs *s, size_t cols)
{
	size_t used;

	while ((used = title_segs_width(s)) > cols) {
		size_t worst = s->n, name = s->n;

		for (size_t i = 0; i < s->n; i++) {
			const struct title_seg *g = &s->seg[i];
			if (g->dropped)
				continue;
			if (g->prio > 0 && (worst == s->n ||
			    g->prio >= s->seg[worst].prio))
				worst = i;
			if (g->shrink && name == s->n &&
			    title_width(g->text) > TITLE_NAME_MIN)
				name = i;
		}
		if (name < s->n && (worst == s->n ||
		    s->seg[worst].prio < TITLE_PRIO_DECOR)) {
			/* A name cut short says more than none. */
			size_t w = title_width(s->seg[name].text);
			size_t over = used - cols;
			title_fit(s->seg[name].text, sizeof s->seg[name].text,
			    w > over + TITLE_NAME_MIN ? w - over :
			    TITLE_NAME_MIN);
			continue;
		}
		if (worst == s->n)
			break;
		s->seg[worst].dropped = true;
	}
}

/* The kept segments into buf, exactly cols columns: the left group, and
 * the right group against the right end when both fit. Returns whether the
 * bar's segment is there. */
static bool
title_segs_join(const struct title_segs *s, size_t cols, char *buf,
    size_t size)
{
	char left[512] = "", right[256] = "";
	size_t rw;

	for (size_t i = 0; i < s->n; i++) {
		const struct title_seg *g = &s->seg[i];
		char *dst = g->right ? right : left;
		size_t cap = g->right ? sizeof right : sizeof left;
		if (g->dropped)
			continue;
		if (dst[0] != '\0')
			strncat(dst, g->right ? " " : "  ",
			    cap - strlen(dst) - 1);
		strncat(dst, g->text, cap - strlen(dst) - 1);
	}
	rw = title_width(right);
	snprintf(buf, size, "%s", left);
	if (rw > 0 && title_width(left) + rw + 2 <= cols) {
		title_fit(buf, size, cols - rw);
		strncat(buf, right, size - strlen(buf) - 1);
		return s->bar < s->n && !s->seg[s->bar].dropped;
	}
	title_fit(buf, size, cols);
	return false;
}

bool
title_seq(const struct run_seq *seq, double now, size_t cols, bool bar,
    const char *note, char *buf, size_t size)
{
	struct title_segs s;

	title_seq_segs(&s, seq, now, bar, note);
	title_segs_fit(&s, cols);
	return title_segs_join(&s, cols, buf, size);
}

void
title_step(const struct run_seq *seq, size_t k, double now, size_t cols,
    char *buf, size_t size)
{
	const struct run_step *st = &seq->steps[k];
	enum title_status ts = title_step_status(st);
	char why[32] = "", tries[32] = "", dur[32] = "", name[256], num[8];
	char shown[200];
	const char *status = step_status_name(st->status);
	size_t namew;

	if (seq->state == SEQ_PAUSED && seq->pause == RUN_PAUSE_FAILURE &&
	    k == seq->current)
		status = "paused";
	/* Done by hand: how its attempt failed is not its result, and
	 * "try 1/1" would count an attempt that did not do it. */
	if (st->marked && st->status == STEP_OK)
		status = "marked";
	else if (step_status_done(st->status) || ts == TITLE_RETRY_WAIT ||
	    status[0] == 'p')
		title_why(st, why, sizeof why);
	if (st->attempt > 0 && status[0] != 'm')
		snprintf(tries, sizeof tries, "try %u/%u", st->attempt,
		    title_tries(st));
	if (st->started > 0)
		duration_format((st->ended > 0 ? st->ended : now) -
		    st->started, DURATION_CLOCK, dur, sizeof dur);
	/* Fixed columns on the right, the name takes what is left: room
	 * for "unreachable" and "connection lost". */
	namew = cols > 50 ? cols - 50 : 8;
	/* A handler's step and a cleanup step say so before their name,
	 * unnumbered: the numbers are the sequence's steps. */
	title_shown(st->name, shown, sizeof shown);
	if (st->role == STEP_ROLE_HANDLER)
		snprintf(name, sizeof name, "%s of %zu: %s",
		    step_role_label(st->role), st->of + 1, shown);
	else if (st->role == STEP_ROLE_FINALLY)
		snprintf(name, sizeof name, "%s: %s",
		    step_role_label(st->role), shown);
	else
		snprintf(name, sizeof name, "%s", shown);
	if (st->role == STEP_ROLE_MAIN)
		snprintf(num, sizeof num, "%2zu", k + 1);
	else
		snprintf(num, sizeof num, "  ");
	title_fit(name, sizeof name, namew);
	snprintf(buf, size, "%s %s %-11s %-10s %-15s %7s", num, name,
	    status, tries, why, dur);
	title_fit(buf, size, cols);
}

void
title_count(const struct run *run, size_t *counts)
{
	memset(counts, 0, TITLE_NSTATUS * sizeof *counts);
	for (size_t i = 0; i < run_seq_count(run); i++)
		/* A placeholder that grew: its sequences are counted. */
		if (!run_seq(run, i)->grown)
			counts[title_seq_status(run_seq(run, i))]++;
}
