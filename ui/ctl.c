/* ctl.c: keys and mouse to dashboard state and engine actions. */
#include <curses.h>

#include "ctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "secret.h"
#include "xmalloc.h"

struct ctl *
ctl_create(size_t n, const struct ctl_engine *eng, void *arg)
{
	struct ctl *c = xcalloc(1, sizeof *c);

	c->eng = eng;
	c->arg = arg;
	c->n = n;
	c->want = LAYOUT_GRID;
	c->views = xcalloc(n ? n : 1, sizeof *c->views);
	c->shown = xcalloc(n ? n : 1, sizeof *c->shown);
	for (size_t i = 0; i < n; i++)
		view_init(&c->views[i]);
	layout_init(&c->lo);
	ansi_line_init(&c->scratch, 0);
	return c;
}

void
ctl_free(struct ctl *c)
{
	if (c == NULL)
		return;
	layout_free(&c->lo);
	ansi_line_free(&c->scratch);
	free(c->views);
	free(c->shown);
	free(c);
}

/* What the list ranks first: the sequences waiting for the operator
 * (paused), then those that stopped on a failure, then the rest. */
static int
ctl_rank(enum seq_state st)
{
	if (st == SEQ_PAUSED)
		return 0;
	return seq_state_failed(st) || st == SEQ_ABORTED ? 1 : 2;
}

/* A fan-out's placeholder that grew: its sequences took its place. */
static bool
ctl_replaced(const struct ctl *c, size_t i)
{
	return c->eng->replaced != NULL && c->eng->replaced(c->arg, i);
}

/* Sequence i is not shown: replaced, or finished ok while those are
 * hidden (H). */
static bool
ctl_hidden(const struct ctl *c, size_t i)
{
	return ctl_replaced(c, i) ||
	    (c->hide_ok && c->eng->state(c->arg, i) == SEQ_OK);
}

/* The sequences to show, in the order shown, into c->shown: all but
 * the hidden ones (ctl_hidden); in the list, ranked (ctl_rank), each
 * rank in the plan's order. Returns how many. */
static size_t
ctl_order(struct ctl *c, bool list)
{
	size_t n = 0;

	for (int rank = list ? 0 : 2; rank <= 2; rank++)
		for (size_t i = 0; i < c->n; i++) {
			enum seq_state st = c->eng->state(c->arg, i);
			if (ctl_hidden(c, i))
				continue;
			if (list && ctl_rank(st) != rank)
				continue;
			c->shown[n++] = i;
		}
	return n;
}

static void
ctl_relayout(struct ctl *c)
{
	size_t steps, n = ctl_order(c, false);

	/* The focus stays on something shown. */
	if (n > 0 && ctl_hidden(c, c->focus))
		c->focus = c->shown[0];
	steps = c->n > 0 ? c->eng->n_steps(c->arg, c->focus) : 0;
	layout_compute_shown(&c->lo, c->width, c->height, c->n, c->shown, n,
	    c->want, c->zoom, c->focus, steps);
	/* Too many for a grid: the list, ranked. */
	if (c->lo.kind == LAYOUT_LIST) {
		n = ctl_order(c, true);
		layout_compute_shown(&c->lo, c->width, c->height, c->n,
		    c->shown, n, c->want, c->zoom, c->focus, steps);
	}
	c->layout_gen++;
}

/* States changed: lay out again when what is shown, or its order, is not
 * what it was. */
static void
ctl_reorder(struct ctl *c)
{
	size_t n;

	if (!c->hide_ok && c->lo.kind != LAYOUT_LIST)
		return;
	n = ctl_order(c, c->lo.kind == LAYOUT_LIST);
	if (n != c->lo.n_shown || (n > 0 &&
	    memcmp(c->shown, c->lo.order, n * sizeof *c->shown) != 0))
		ctl_relayout(c);
}

/* Tab, Shift-Tab: the next or previous sequence shown. */
static size_t
ctl_step_focus(const struct ctl *c, bool back)
{
	const struct layout *lo = &c->lo;
	size_t s;

	if (lo->n_shown == 0)
		return c->focus;
	s = lo->slot[c->focus] < lo->n_shown ? lo->slot[c->focus] : 0;
	s = back ? (s + lo->n_shown - 1) % lo->n_shown :
	    (s + 1) % lo->n_shown;
	return lo->order[s];
}

void
ctl_grow(struct ctl *c, size_t n)
{
	/* Also with no new sequence: a placeholder that grew into none is
	 * shown no more. */
	if (n > c->n) {
		c->views = xrealloc(c->views, n * sizeof *c->views);
		c->shown = xrealloc(c->shown, n * sizeof *c->shown);
		for (size_t i = c->n; i < n; i++)
			view_init(&c->views[i]);
		c->n = n;
	}
	ctl_relayout(c);
}

void
ctl_resize(struct ctl *c, int w, int h)
{
	c->width = w;
	c->height = h;
	ctl_relayout(c);
}

void
ctl_message(struct ctl *c, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (secret_any()) {
		/* A name or a command may hold a secret: *** before the
		 * message is cut to fit. */
		char *full = xvasprintf(fmt, ap), *shown;
		size_t len;
		shown = secret_redact(full, strlen(full), &len);
		snprintf(c->message, sizeof c->message, "%s",
		    shown != NULL ? shown : full);
		free(shown);
		free(full);
	} else
		vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
	c->message_error = error;
}

size_t
ctl_page(const struct ctl *c)
{
	int h;

	if (c->n == 0)
		return 1;
	if (c->lo.kind == LAYOUT_GRID)
		h = c->lo.cells[c->focus].h - 1;
	else
		h = c->lo.body.h;
	return h > 1 ? (size_t)h : 1;
}

void
ctl_focus(struct ctl *c, size_t i)
{
	if (i >= c->n || i == c->focus)
		return;
	c->focus = i;
	/* The list scrolls to it, zoom shows its steps. */
	if (c->lo.kind != LAYOUT_GRID)
		ctl_relayout(c);
}

static void
ctl_scroll(struct ctl *c, size_t i, long delta)
{
	struct view_source src;

	c->eng->source(c->arg, i, &src);
	view_scroll(&c->views[i], &src, delta);
	/* Scrolled up to the oldest lines: they fill the pane from its
	 * top, as g shows them, rather than one line above a blank pane. */
	if (delta < 0 && !c->views[i].follow &&
	    c->views[i].bottom < src.first(src.arg) + ctl_page(c) - 1)
		view_top(&c->views[i], &src, ctl_page(c));
}

static void
ctl_act(struct ctl *c, enum run_action act, const char *verb)
{
	const char *why = c->eng->act(c->arg, c->focus, act);

	/* The reason first: a long sequence name would push it off the
	 * status bar. */
	if (why != NULL)
		ctl_message(c, true, "%s (%s %s)", why, verb,
		    c->eng->name(c->arg, c->focus));
	else    /* as ctl says it: the action table's past tense */
		ctl_message(c, false, "%s %s", run_action_done(act),
		    c->eng->name(c->arg, c->focus));
}

/* --- actions that ask first -------------------------------------------- */

/* A bulk action's sequences: stopped (failed, paused on a failure, or
 * aborted) and the action applies; with `step`, only those stopped at
 * a step of that name. With `doit`, act on each (one action each in the
 * record). Returns how many. */
static size_t
ctl_bulk(struct ctl *c, enum run_action act, const char *step, bool doit,
    size_t *failed)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		enum seq_state st = c->eng->state(c->arg, i);
		const char *at;

		if (st != SEQ_PAUSED && !seq_state_failed(st) &&
		    st != SEQ_ABORTED)
			continue;
		if (ctl_replaced(c, i))
			continue;       /* its failed sequences are counted */
		if (c->eng->can(c->arg, i, act) != NULL)
			continue;
		if (step != NULL && ((at = c->eng->step_name(c->arg, i)) ==
		    NULL || strcmp(at, step) != 0))
			continue;
		n++;
		if (doit && c->eng->act(c->arg, i, act) != NULL && failed)
			(*failed)++;
	}
	return n;
}

static const char *
ctl_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* R, S: ask, naming how many, and offer the narrower choice when the
 * focused sequence is one of them. */
static void
ctl_ask_bulk(struct ctl *c, enum run_action act)
{
	const char *verb = run_action_name(act), *at;
	size_t all = ctl_bulk(c, act, NULL, false, NULL), step = 0;

	if (c->read_only != NULL) {
		ctl_message(c, true, "%s (%s all)", c->read_only, verb);
		return;
	}
	if (all == 0) {
		ctl_message(c, true, "no failed or paused sequence to %s",
		    verb);
		return;
	}
	c->confirm_step[0] = '\0';
	at = c->eng->step_name(c->arg, c->focus);
	if (at != NULL && c->eng->can(c->arg, c->focus, act) == NULL) {
		snprintf(c->confirm_step, sizeof c->confirm_step, "%s", at);
		step = ctl_bulk(c, act, c->confirm_step, false, NULL);
	}
	c->confirm_act = act;
	c->confirm_bulk = true;
	c->n_confirm_all = all;
	c->n_confirm_step = step;
	snprintf(c->confirm_text[0], sizeof c->confirm_text[0],
	    "%c%s %zu failed or paused sequence%s?", verb[0] - 'a' + 'A',
	    verb + 1, all, ctl_plural(all));
	if (step > 0 && step < all)
		snprintf(c->confirm_text[1], sizeof c->confirm_text[1],
		    "o: only the %zu stopped at step '%s'", step,
		    c->confirm_step);
	else
		c->confirm_text[1][0] = '\0';
	snprintf(c->confirm_text[2], sizeof c->confirm_text[2],
	    "y: %s all %zu   any other key: cancel", verb, all);
	c->mode = CTL_CONFIRM;
}

/* a: abort asks first; it kills the running step. */
static void
ctl_ask_abort(struct ctl *c)
{
	const char *why = c->eng->can(c->arg, c->focus, RUN_ACT_ABORT);

	if (why != NULL) {
		ctl_message(c, true, "%s (abort %s)", why,
		    c->eng->name(c->arg, c->focus));
		return;
	}
	c->confirm_act = RUN_ACT_ABORT;
	c->confirm_bulk = false;
	snprintf(c->confirm_text[0], sizeof c->confirm_text[0],
	    "Abort %s?", c->eng->name(c->arg, c->focus));
	snprintf(c->confirm_text[1], sizeof c->confirm_text[1],
	    "Its running step is killed; r retries it later.");
	snprintf(c->confirm_text[2], sizeof c->confirm_text[2],
	    "y: abort   any other key: keep it");
	c->mode = CTL_CONFIRM;
}

/* q: quit at once when nothing runs; else ask, saying what a quit does
 * now: stop the run, or, while it is stopping (its cleanup runs), cut
 * that short. */
static void
ctl_ask_quit(struct ctl *c)
{
	size_t busy = c->eng->busy(c->arg);

	if (busy == 0) {
		c->quit = true;
		return;
	}
	if (c->stopping) {
		snprintf(c->confirm_text[0], sizeof c->confirm_text[0],
		    "The run is stopping: %zu sequence%s not stopped yet.",
		    busy, ctl_plural(busy));
		snprintf(c->confirm_text[1], sizeof c->confirm_text[1],
		    "y kills what is left now, cleanup (finally:) included.");
		snprintf(c->confirm_text[2], sizeof c->confirm_text[2],
		    "y: kill it all and quit   any other key: let it finish");
	} else {
		snprintf(c->confirm_text[0], sizeof c->confirm_text[0],
		    "Quit drove? %zu sequence%s not done:", busy,
		    busy == 1 ? " is" : "s are");
		snprintf(c->confirm_text[1], sizeof c->confirm_text[1],
		    "%s steps will be killed; any cleanup (finally:) then "
		    "runs.", busy == 1 ? "its" : "their");
		snprintf(c->confirm_text[2], sizeof c->confirm_text[2],
		    "y: quit   any other key: keep running");
	}
	c->mode = CTL_CONFIRM_QUIT;
}

static void
ctl_confirmed(struct ctl *c, int key)
{
	const char *verb = run_action_name(c->confirm_act);
	size_t n, failed = 0;

	c->mode = CTL_NORMAL;
	if (!c->confirm_bulk) {
		if (key == 'y' || key == 'Y')
			ctl_act(c, c->confirm_act, verb);
		else
			ctl_message(c, false, "%s: cancelled", verb);
		return;
	}
	if (key == 'y' || key == 'Y')
		n = ctl_bulk(c, c->confirm_act, NULL, true, &failed);
	else if ((key == 'o' || key == 'O') && c->n_confirm_step > 0 &&
	    c->n_confirm_step < c->n_confirm_all)
		n = ctl_bulk(c, c->confirm_act, c->confirm_step, true,
		    &failed);
	else {
		ctl_message(c, false, "%s: cancelled", verb);
		return;
	}
	if (failed > 0)
		ctl_message(c, true, "%s: %zu of %zu sequence%s refused", verb,
		    failed, n, ctl_plural(n));
	else
		ctl_message(c, false, "%s %zu sequence%s",
		    run_action_done(c->confirm_act), n - failed,
		    ctl_plural(n - failed));
}

/* One key pauses and resumes: it resumes a held sequence, releases a
 * hold not reached yet, else holds. */
static void
ctl_hold(struct ctl *c, size_t i)
{
	enum run_action act = RUN_ACT_HOLD;

	if (c->eng->can(c->arg, i, RUN_ACT_RESUME) == NULL)
		act = RUN_ACT_RESUME;
	else if (c->eng->can(c->arg, i, RUN_ACT_RELEASE) == NULL)
		act = RUN_ACT_RELEASE;
	ctl_act(c, act, c->eng->state(c->arg, i) == SEQ_PAUSED ? "resume" :
	    "pause");
}

/* The next sequence that needs the operator, in the list's order: the
 * paused ones, then those stopped by a failure (failed, unreachable,
 * aborted: r retries them), each group in sequence order, wrapping. */
static void
ctl_attention(struct ctl *c)
{
	size_t best = c->n, first = c->n, here;
	int best_rank = 0, first_rank = 0, rank;

	/* Where the focus is in that order (past every rank when it needs
	 * nothing: the first one is next). */
	rank = c->n > 0 ? ctl_rank(c->eng->state(c->arg, c->focus)) : 2;
	here = c->focus;
	for (size_t i = 0; i < c->n; i++) {
		int r = ctl_rank(c->eng->state(c->arg, i));

		if (r > 1 || ctl_hidden(c, i))
			continue;
		if (first == c->n || r < first_rank) {
			first = i;
			first_rank = r;
		}
		/* After the focus: a later rank, or the same rank later. */
		if (rank < 2 && (r < rank || (r == rank && i <= here)))
			continue;
		if (rank >= 2)
			continue;
		if (best == c->n || r < best_rank) {
			best = i;
			best_rank = r;
		}
	}
	if (best == c->n)
		best = first;
	if (best == c->n) {
		ctl_message(c, false, "no sequence is waiting for you");
		return;
	}
	ctl_focus(c, best);
}

/* The pattern as UTF-8, for messages. */
static void
ctl_pattern_text(const struct view *v, char *buf, size_t size)
{
	size_t used = 0;

	for (size_t i = 0; i < v->plen; i++) {
		char b[8];
		size_t n = ctl_key_bytes(v->pattern[i], b);
		if (used + n + 1 > size)
			break;
		memcpy(buf + used, b, n);
		used += n;
	}
	buf[used] = '\0';
}

/* n, N, and / once typed: forward (n) or back (N) as less does,
 * wrapping round at either end. */
static void
ctl_search(struct ctl *c, bool back)
{
	struct view *v = &c->views[c->focus];
	struct view_source src;
	char pat[VIEW_PATTERN_MAX * 4 + 1];

	if (v->plen == 0) {
		ctl_message(c, true, "no search: / to start one");
		return;
	}
	ctl_pattern_text(v, pat, sizeof pat);
	c->eng->source(c->arg, c->focus, &src);
	switch (view_search(v, &src, back, ctl_page(c), &c->scratch)) {
	case VIEW_NOT_FOUND:
		ctl_message(c, true, "not found: %s", pat);
		break;
	case VIEW_WRAPPED:
		ctl_message(c, false, "search wrapped to the %s: %s",
		    back ? "newest line" : "oldest line", pat);
		break;
	case VIEW_FOUND:
		break;
	}
}

static void
ctl_request(struct ctl *c, enum keys_request req)
{
	size_t i = c->focus;
	long page = (long)ctl_page(c);
	const char *why;

	switch (req) {
	case KEYS_FOCUS_LEFT:
		ctl_focus(c, layout_neighbor(&c->lo, i, LAYOUT_LEFT));
		break;
	case KEYS_FOCUS_RIGHT:
		ctl_focus(c, layout_neighbor(&c->lo, i, LAYOUT_RIGHT));
		break;
	case KEYS_FOCUS_UP:
		ctl_focus(c, layout_neighbor(&c->lo, i, LAYOUT_UP));
		break;
	case KEYS_FOCUS_DOWN:
		ctl_focus(c, layout_neighbor(&c->lo, i, LAYOUT_DOWN));
		break;
	case KEYS_FOCUS_NEXT:
		ctl_focus(c, ctl_step_focus(c, false));
		break;
	case KEYS_FOCUS_PREV:
		ctl_focus(c, ctl_step_focus(c, true));
		break;
	case KEYS_FOCUS_ATTENTION:
		ctl_attention(c);
		break;
	case KEYS_ZOOM:
		c->zoom = !c->zoom;
		ctl_relayout(c);
		break;
	case KEYS_LAYOUT:
		if (c->zoom)
			c->zoom = false;
		else if (c->lo.kind == LAYOUT_LIST && c->want == LAYOUT_GRID)
			ctl_message(c, false, "too many sequences for a grid "
			    "this size");
		else
			c->want = c->want == LAYOUT_GRID ? LAYOUT_LIST :
			    LAYOUT_GRID;
		ctl_relayout(c);
		break;
	case KEYS_NOTE:
		if (c->read_only != NULL) {
			ctl_message(c, true, "%s (note)", c->read_only);
			break;
		}
		c->mode = CTL_NOTE;
		c->prompt_len = 0;
		c->prompt[0] = 0;
		break;
	case KEYS_HIDE_OK: {
		size_t ok = 0;
		for (size_t k = 0; k < c->n; k++)
			ok += c->eng->state(c->arg, k) == SEQ_OK &&
			    !ctl_replaced(c, k);
		c->hide_ok = !c->hide_ok;
		if (c->hide_ok)
			ctl_message(c, false, "hiding the %zu sequence%s that "
			    "finished ok (H shows them)", ok, ok == 1 ? "" :
			    "s");
		else
			ctl_message(c, false, "showing every sequence");
		ctl_relayout(c);
		break;
	}
	case KEYS_RETRY:
		ctl_act(c, RUN_ACT_RETRY, run_action_name(RUN_ACT_RETRY));
		break;
	case KEYS_SKIP:
		ctl_act(c, RUN_ACT_SKIP, run_action_name(RUN_ACT_SKIP));
		break;
	case KEYS_KILL:
		ctl_act(c, RUN_ACT_KILL, run_action_name(RUN_ACT_KILL));
		break;
	case KEYS_ABORT:
		ctl_ask_abort(c);
		break;
	case KEYS_EDIT:
		if ((why = c->eng->can(c->arg, i, RUN_ACT_EDIT)) != NULL)
			ctl_message(c, true, "%s (edit %s)", why,
			    c->eng->name(c->arg, i));
		else
			c->lend = CTL_LEND_EDIT;
		break;
	case KEYS_SHELL:
		if (c->read_only != NULL)
			ctl_message(c, true, "%s (shell)", c->read_only);
		else
			c->lend = CTL_LEND_SHELL;
		break;
	case KEYS_PAGER:
		c->lend = CTL_LEND_PAGER;
		break;
	case KEYS_COPY:
		c->lend = CTL_LEND_COPY;
		break;
	case KEYS_MARK:
		ctl_act(c, RUN_ACT_MARK, run_action_name(RUN_ACT_MARK));
		break;
	case KEYS_RETRY_ALL:
		ctl_ask_bulk(c, RUN_ACT_RETRY);
		break;
	case KEYS_SKIP_ALL:
		ctl_ask_bulk(c, RUN_ACT_SKIP);
		break;
	case KEYS_HOLD:
		ctl_hold(c, i);
		break;
	case KEYS_PAGE_UP:
		ctl_scroll(c, i, -(page > 1 ? page - 1 : 1));
		break;
	case KEYS_PAGE_DOWN:
		ctl_scroll(c, i, page > 1 ? page - 1 : 1);
		break;
	case KEYS_HALF_UP:
		ctl_scroll(c, i, -(page / 2 > 0 ? page / 2 : 1));
		break;
	case KEYS_HALF_DOWN:
		ctl_scroll(c, i, page / 2 > 0 ? page / 2 : 1);
		break;
	case KEYS_TOP: {
		struct view_source src;
		c->eng->source(c->arg, i, &src);
		view_top(&c->views[i], &src, (size_t)page);
		break;
	}
	case KEYS_FOLLOW:
		view_follow(&c->views[i]);
		break;
	case KEYS_SEARCH:
		c->mode = CTL_SEARCH;
		c->prompt_len = 0;
		break;
	case KEYS_SEARCH_NEXT:
		ctl_search(c, false);
		break;
	case KEYS_SEARCH_PREV:
		ctl_search(c, true);
		break;
	case KEYS_TIMES:
		c->times = !c->times;
		/* The panes' output is narrower or wider: a tty step is
		 * told its new size, as after a resize. */
		c->layout_gen++;
		break;
	case KEYS_INPUT:
		if (c->read_only != NULL)
			ctl_message(c, true, "input: %s", c->read_only);
		else if (!c->eng->takes_input(c->arg, i))
			ctl_message(c, true, "input: %s runs no tty: true step",
			    c->eng->name(c->arg, i));
		else if ((why = c->eng->act(c->arg, i, RUN_ACT_INPUT)) !=
		    NULL)
			ctl_message(c, true, "input: %s", why);
		else {
			/* Recorded (when, which step), not what is typed. */
			c->mode = CTL_INPUT;
			view_follow(&c->views[i]);
		}
		break;
	case KEYS_ESCAPE:
		if (c->zoom) {
			c->zoom = false;
			ctl_relayout(c);
		} else if (c->views[i].plen > 0)
			view_set_pattern(&c->views[i], L"", 0);
		break;
	case KEYS_REDRAW:
		c->redraw = true;
		break;
	case KEYS_HELP:
		c->mode = CTL_HELP;
		c->help_top = 0;
		break;
	case KEYS_DETACH:
		c->detach = true;
		break;
	case KEYS_QUIT:
		ctl_ask_quit(c);
		break;
	case KEYS_NONE:
		break;
	}
}

static bool
ctl_is_backspace(int key)
{
	return key == KEYS_FN(KEY_BACKSPACE) || key == 0x7f || key == '\b';
}

/* c, then Enter: the note typed, as UTF-8. */
static void
ctl_note(struct ctl *c)
{
	char text[VIEW_PATTERN_MAX * 4 + 1];
	size_t used = 0;
	const char *why, *name = c->eng->name(c->arg, c->focus);

	for (size_t i = 0; i < c->prompt_len; i++) {
		char b[8];
		size_t n = ctl_key_bytes(c->prompt[i], b);
		if (used + n + 1 > sizeof text)
			break;
		memcpy(text + used, b, n);
		used += n;
	}
	text[used] = '\0';
	if ((why = c->eng->note(c->arg, c->focus, text)) != NULL)
		ctl_message(c, true, "%s (note %s)", why, name);
	else
		ctl_message(c, false, "noted on %s: %s", name, text);
}

static void
ctl_prompt_key(struct ctl *c, int key)
{
	struct view *v = &c->views[c->focus];

	if ((key == '\n' || key == '\r' || key == KEYS_FN(KEY_ENTER)) &&
	    c->mode == CTL_NOTE) {
		c->mode = CTL_NORMAL;
		ctl_note(c);
	} else if (key == '\n' || key == '\r' || key == KEYS_FN(KEY_ENTER)) {
		c->mode = CTL_NORMAL;
		if (c->prompt_len == 0) {
			/* An empty search repeats the last one. */
			ctl_search(c, false);
			return;
		}
		view_set_pattern(v, c->prompt, c->prompt_len);
		ctl_search(c, false);
	} else if (key == 0x1b || key == KEYS_CTRL('c') ||
	    key == KEYS_CTRL('g')) {
		c->mode = CTL_NORMAL;
	} else if (ctl_is_backspace(key)) {
		if (c->prompt_len > 0)
			c->prompt_len--;
		else
			c->mode = CTL_NORMAL;
	} else if (key == KEYS_CTRL('u')) {
		c->prompt_len = 0;
	} else if (key >= 0x20 && key < KEYS_FN(0) &&
	    c->prompt_len + 1 < VIEW_PATTERN_MAX) {
		c->prompt[c->prompt_len++] = (wchar_t)key;
	}
	c->prompt[c->prompt_len] = 0;
}

size_t
ctl_key_bytes(int key, char *buf)
{
	static const struct {
		int key;
		const char *seq;
	} fn[] = {
		{ KEY_UP, "\033[A" }, { KEY_DOWN, "\033[B" },
		{ KEY_RIGHT, "\033[C" }, { KEY_LEFT, "\033[D" },
		{ KEY_HOME, "\033[H" }, { KEY_END, "\033[F" },
		{ KEY_DC, "\033[3~" }, { KEY_IC, "\033[2~" },
		{ KEY_PPAGE, "\033[5~" }, { KEY_NPAGE, "\033[6~" },
		{ KEY_BTAB, "\033[Z" }, { KEY_BACKSPACE, "\177" },
		{ KEY_ENTER, "\r" },
	};
	unsigned cp = (unsigned)key;

	if (key >= KEYS_FN(0)) {
		for (size_t i = 0; i < sizeof fn / sizeof *fn; i++) {
			if (KEYS_FN(fn[i].key) == key) {
				size_t n = strlen(fn[i].seq);
				memcpy(buf, fn[i].seq, n);
				return n;
			}
		}
		return 0;
	}
	if (key < 0 || cp > 0x10ffff)
		return 0;
	if (key == '\n') {
		buf[0] = '\r';   /* what Enter sends to a terminal */
		return 1;
	}
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static void
ctl_input_key(struct ctl *c, int key)
{
	char buf[8];
	size_t n;
	const char *why;

	if (key == KEYS_INPUT_ESCAPE) {
		c->mode = CTL_NORMAL;
		return;
	}
	if ((n = ctl_key_bytes(key, buf)) == 0)
		return;
	why = c->eng->input(c->arg, c->focus, buf, n);
	if (why != NULL) {
		c->mode = CTL_NORMAL;
		ctl_message(c, true, "input: %s", why);
	}
}

bool
ctl_key(struct ctl *c, int key)
{
	enum keys_request req;

	if (c->n == 0) {
		if (keys_lookup(key) == KEYS_QUIT)
			c->quit = true;
		return false;
	}
	switch (c->mode) {
	case CTL_INPUT:
		ctl_input_key(c, key);
		return c->mode != CTL_INPUT;
	case CTL_SEARCH:
	case CTL_NOTE:
		ctl_prompt_key(c, key);
		return true;
	case CTL_CONFIRM_QUIT:
		c->mode = CTL_NORMAL;
		if (key == 'y' || key == 'Y')
			c->quit = true;
		return true;
	case CTL_CONFIRM:
		ctl_confirmed(c, key);
		return true;
	case CTL_HELP:
		switch (keys_lookup(key)) {
		case KEYS_FOCUS_UP:
			if (c->help_top > 0)
				c->help_top--;
			break;
		case KEYS_FOCUS_DOWN:
			c->help_top++;
			break;
		case KEYS_PAGE_UP:
		case KEYS_HALF_UP:
			c->help_top = c->help_top > 10 ? c->help_top - 10 : 0;
			break;
		case KEYS_PAGE_DOWN:
		case KEYS_HALF_DOWN:
			c->help_top += 10;
			break;
		default:
			c->mode = CTL_NORMAL;
			break;
		}
		return true;
	case CTL_NORMAL:
		break;
	}
	c->message[0] = '\0';
	req = keys_lookup(key);
	ctl_request(c, req);
	return true;
}

bool
ctl_mouse(struct ctl *c, int x, int y, enum ctl_mouse what)
{
	size_t i;

	if (c->n == 0)
		return false;
	if (c->mode == CTL_HELP || c->mode == CTL_CONFIRM_QUIT ||
	    c->mode == CTL_CONFIRM) {
		if (what == CTL_CLICK)
			c->mode = CTL_NORMAL;
		return true;
	}
	if (c->mode != CTL_NORMAL)
		return false;
	i = layout_hit(&c->lo, x, y);
	if (i >= c->n)
		return false;
	ctl_focus(c, i);
	if (what == CTL_WHEEL_UP)
		ctl_scroll(c, i, -CTL_WHEEL_LINES);
	else if (what == CTL_WHEEL_DOWN)
		ctl_scroll(c, i, CTL_WHEEL_LINES);
	return true;
}

void
ctl_check(struct ctl *c)
{
	ctl_reorder(c);
	if (c->mode == CTL_INPUT && !c->eng->takes_input(c->arg, c->focus)) {
		c->mode = CTL_NORMAL;
		ctl_message(c, false, "input: the step ended");
	}
}
