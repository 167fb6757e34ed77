/* draw.c: curses painting of titles, output, list, steps, status, help. */
#include "draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "duration.h"
#include "keys.h"
#include "outbuf.h"
#include "title.h"
#include "view.h"
#include "xmalloc.h"

/* What a colour means; mapped to a pair when drawing. */
enum draw_role {
	ROLE_NORMAL,
	ROLE_WAIT,
	ROLE_RUN,
	ROLE_RETRY,
	ROLE_OK,
	ROLE_FAIL,
	ROLE_ALERT,          /* a failed step waits for the operator */
	ROLE_HELD,
	ROLE_SKIP,
	ROLE_BLOCK,
	ROLE_MARK,           /* drove's own lines in the output */
	ROLE_MATCH,          /* search matches */
	ROLE_BAR,            /* the status bar */
	ROLE_SEP,
};

static const struct {
	short fg, bg;
	attr_t attr;         /* with colours */
	attr_t mono;         /* without */
} draw_roles[] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_WAIT] = { -1, -1, A_DIM, A_DIM },
	[ROLE_RUN] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[ROLE_RETRY] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_OK] = { COLOR_GREEN, -1, A_BOLD, A_NORMAL },
	[ROLE_FAIL] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[ROLE_ALERT] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_HELD] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_SKIP] = { -1, -1, A_DIM, A_DIM },
	[ROLE_BLOCK] = { COLOR_MAGENTA, -1, A_NORMAL, A_DIM },
	[ROLE_MARK] = { COLOR_BLUE, -1, A_BOLD, A_BOLD },
	[ROLE_MATCH] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE },
	[ROLE_BAR] = { -1, -1, A_REVERSE, A_REVERSE },
	[ROLE_SEP] = { -1, -1, A_DIM, A_DIM },
};

static enum draw_role
draw_status_role(enum title_status st)
{
	switch (st) {
	case TITLE_WAITING: return ROLE_WAIT;
	case TITLE_RUNNING: return ROLE_RUN;
	case TITLE_RETRY_WAIT: return ROLE_RETRY;
	case TITLE_OK: return ROLE_OK;
	case TITLE_FAILED: return ROLE_FAIL;
	case TITLE_PAUSED: return ROLE_ALERT;
	case TITLE_HELD: return ROLE_HELD;
	case TITLE_SKIPPED: return ROLE_SKIP;
	case TITLE_BLOCKED: return ROLE_BLOCK;
	case TITLE_ABORTED: return ROLE_BLOCK;
	case TITLE_NSTATUS: break;
	}
	return ROLE_NORMAL;
}

static int
draw_pair(const struct draw *d, int fg, int bg)
{
	int pair;

	if (!d->color || (fg < 0 && bg < 0))
		return 0;
	pair = alloc_pair(fg, bg);
	return pair < 0 ? 0 : pair;
}

static void
draw_role(const struct draw *d, enum draw_role role, attr_t *attr, int *pair)
{
	if (d->color) {
		*attr = draw_roles[role].attr;
		*pair = draw_pair(d, draw_roles[role].fg, draw_roles[role].bg);
	} else {
		*attr = draw_roles[role].mono;
		*pair = 0;
	}
}

void
draw_init(struct draw *d, const struct run *run, struct ctl *ctl)
{
	memset(d, 0, sizeof *d);
	d->run = run;
	d->ctl = ctl;
	/* The glyphs must be one column here, or we go ASCII. */
	d->utf8 = MB_CUR_MAX > 1 && wcwidth(0x2714) == 1 &&
	    wcwidth(0x25b6) == 1;
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		d->color = COLORS >= 8;
		d->ncolors = COLORS;
	}
	ansi_line_init(&d->line, 0);
	d->starts_cap = ANSI_MAX_COLS + 1;
	d->starts = xcalloc(d->starts_cap, sizeof *d->starts);
}

void
draw_free(struct draw *d)
{
	if (d == NULL)
		return;
	ansi_line_free(&d->line);
	free(d->starts);
	d->starts = NULL;
	free(d->rows);
	d->rows = NULL;
	d->n_rows = 0;
}

/* One character cell at (y, x). */
static void
draw_wc(int y, int x, const wchar_t *wcs, attr_t attr, int pair)
{
	cchar_t cc;

	setcchar(&cc, wcs, attr, 0, &pair);
	mvadd_wch(y, x, &cc);
}

static void
draw_fill(int y, int x, int w, attr_t attr, int pair)
{
	static const wchar_t sp[] = { L' ', 0 };

	for (int i = 0; i < w; i++)
		draw_wc(y, x + i, sp, attr, pair);
}

/* The columns draw_text gives the first n bytes of s. */
static int
draw_cols(const char *s, size_t n)
{
	size_t i = 0;
	int col = 0;

	while (i < n) {
		wchar_t wc;
		size_t cw;

		i += ansi_utf8_decode(s + i, n - i, &wc);
		(void)title_char(wc, &cw);
		col += (int)cw;
	}
	return col;
}

/* UTF-8 text at (y, x), at most w columns. Returns the columns used. */
static int
draw_text(int y, int x, int w, const char *s, attr_t attr, int pair)
{
	size_t n = strlen(s), i = 0;
	int col = 0;

	while (i < n && col < w) {
		wchar_t wcs[2] = { 0, 0 };
		size_t cw;

		i += ansi_utf8_decode(s + i, n - i, &wcs[0]);
		wcs[0] = title_char(wcs[0], &cw);
		if (cw == 0)
			continue;
		if (col + (int)cw > w)
			break;
		draw_wc(y, x + col, wcs, attr, pair);
		col += (int)cw;
	}
	return col;
}

/* Each attribute a step's output may ask for, and curses' own. */
static const struct {
	uint16_t ansi;
	attr_t curses;
} draw_attrs[] = {
	{ ANSI_BOLD, A_BOLD },
	{ ANSI_DIM, A_DIM },
	{ ANSI_ITALIC, A_ITALIC },
	{ ANSI_UNDERLINE, A_UNDERLINE },
	{ ANSI_BLINK, A_BLINK },
	{ ANSI_REVERSE, A_REVERSE },
	{ ANSI_INVISIBLE, A_INVIS },
};

static attr_t
draw_ansi_attr(uint16_t a)
{
	attr_t attr = A_NORMAL;

	for (size_t i = 0; i < sizeof draw_attrs / sizeof draw_attrs[0]; i++)
		if (a & draw_attrs[i].ansi)
			attr |= draw_attrs[i].curses;
	return attr;
}

/* Cells [from, to) of the scratch line in row y, x..x+w; the rest of the
 * row blank. */
static void
draw_row(struct draw *d, int y, int x, int w, size_t from, size_t to,
    bool mark, const size_t *mfrom, const size_t *mto, size_t nm)
{
	const struct ansi_line *l = &d->line;
	int col = 0, pair = 0, mark_pair = 0, match_pair = 0;
	int32_t last_fg = -2, last_bg = -2;
	attr_t mark_attr = A_NORMAL, match_attr = A_NORMAL;

	if (mark)
		draw_role(d, ROLE_MARK, &mark_attr, &mark_pair);
	if (nm > 0)
		draw_role(d, ROLE_MATCH, &match_attr, &match_pair);
	for (size_t i = from; i < to && col < w; i++) {
		const struct ansi_cell *c = &l->cells[i];
		wchar_t wcs[ANSI_CELL_CHARS + 1];
		attr_t attr;
		int p;
		bool hit = false;

		if (c->width == 0)
			continue;
		if (col + c->width > w)
			break;   /* a wide character in a one-column pane */
		memcpy(wcs, c->wc, sizeof c->wc);
		wcs[ANSI_CELL_CHARS] = 0;
		for (size_t k = 0; k < nm && k < 64; k++)
			if (i >= mfrom[k] && i < mto[k])
				hit = true;
		if (hit) {
			attr = match_attr;
			p = match_pair;
		} else if (mark) {
			attr = mark_attr;
			p = mark_pair;
		} else {
			attr = draw_ansi_attr(c->attr);
			if (c->fg != last_fg || c->bg != last_bg) {
				last_fg = c->fg;
				last_bg = c->bg;
				pair = d->color ? draw_pair(d,
				    ansi_color_map(c->fg, d->ncolors),
				    ansi_color_map(c->bg, d->ncolors)) : 0;
			}
			p = pair;
		}
		draw_wc(y, x + col, wcs, attr, p);
		col += c->width;
	}
	if (col < w)
		draw_fill(y, x + col, w - col, A_NORMAL, 0);
}

/* Rows that lines first..n take folded at w columns, counting no further
 * than max. */
static int
draw_rows_upto(struct draw *d, const struct view_source *src, uint64_t n,
    uint64_t first, int w, int max)
{
	int rows = 0;

	for (;;) {
		size_t len;
		unsigned flags;
		const char *s = view_line(src, n, &len, &flags);

		if (s == NULL)
			break;
		ansi_parse(&d->line, s, len);
		rows += (int)ansi_wrap(&d->line, (size_t)w, NULL, 0);
		if (rows >= max || n == first)
			break;
		n--;
	}
	return rows < max ? rows : max;
}

/* The time column at (y, x): when line n arrived, on the line's first
 * row only. Blanks below it, and beside the pieces after the first of a
 * line too long to keep whole (OUTBUF_CONTINUED): one line, one time. */
static void
draw_time(struct draw *d, const struct view_source *src, uint64_t n,
    unsigned flags, bool first_row, int y, int x)
{
	char buf[32];
	attr_t attr;
	int pair;

	if (!first_row || (flags & OUTBUF_CONTINUED)) {
		draw_fill(y, x, VIEW_TIME_COLS, A_NORMAL, 0);
		return;
	}
	view_time_text(view_time(src, n), buf, sizeof buf);
	draw_role(d, ROLE_WAIT, &attr, &pair);
	draw_text(y, x, VIEW_TIME_COLS, buf, attr, pair);
}

void
draw_body(struct draw *d, size_t i, const struct layout_rect *r)
{
	const struct view *v = &d->ctl->views[i];
	struct view_source src;
	uint64_t first, end, n;
	int y = r->y + r->h - 1, x = r->x, w = r->w;
	size_t mfrom[64], mto[64];
	bool times;

	if (r->w <= 0 || r->h <= 0)
		return;
	/* Through the engine: the scrollback of a live run, the complete
	 * logs of a past one. */
	d->ctl->eng->source(d->ctl->arg, i, &src);
	/* The time column only where the output keeps room to be read. */
	times = d->ctl->times && r->w >= 2 * VIEW_TIME_COLS;
	if (times) {
		x += VIEW_TIME_COLS;
		w -= VIEW_TIME_COLS;
	}
	first = src.first(src.arg);
	end = view_end(&src);
	n = view_bottom(v, &src);
	/* Less than a pane of output starts at the top, as on a fresh
	 * terminal; more is drawn from the bottom up. */
	if (end > first && n - first < (uint64_t)r->h) {
		int rows = draw_rows_upto(d, &src, n, first, w, r->h);
		for (; y >= r->y + rows; y--)
			draw_fill(y, r->x, r->w, A_NORMAL, 0);
	}
	while (end > first && y >= r->y) {
		size_t len, rows, nm = 0;
		unsigned flags;
		const char *s = view_line(&src, n, &len, &flags);

		if (s == NULL)
			break;
		ansi_parse(&d->line, s, len);
		rows = ansi_wrap(&d->line, (size_t)w, d->starts,
		    d->starts_cap);
		if (rows > d->starts_cap)
			rows = d->starts_cap;
		if (v->plen > 0)
			nm = view_matches(v, &d->line, mfrom, mto, 64);
		for (size_t k = rows; k-- > 0 && y >= r->y; y--) {
			if (times)
				draw_time(d, &src, n, flags, k == 0, y, r->x);
			draw_row(d, y, x, w, d->starts[k],
			    k + 1 < rows ? d->starts[k + 1] : d->line.len,
			    (flags & OUTBUF_MARK) != 0, mfrom, mto, nm);
		}
		if (n == first)
			break;
		n--;
	}
	for (; y >= r->y; y--)
		draw_fill(y, r->x, r->w, A_NORMAL, 0);
}

/* What the title says of the view: input mode, or how far it is
 * scrolled. `brief`: the short form, for a title too narrow for the
 * long one (the count of lines below must stay in sight). */
static void
draw_view_note(const struct draw *d, size_t i, bool brief, char *buf,
    size_t size)
{
	const struct view *v = &d->ctl->views[i];
	struct view_source src;
	uint64_t below;

	buf[0] = '\0';
	if (d->ctl->mode == CTL_INPUT && i == d->ctl->focus) {
		snprintf(buf, size, "INPUT (" KEYS_INPUT_ESCAPE_NAME
		    " leaves)");
		return;
	}
	if (v->follow)
		return;
	d->ctl->eng->source(d->ctl->arg, i, &src);
	below = view_end(&src) - 1 - view_bottom(v, &src);
	/* A past run has nothing more to follow: a view that shows its end
	 * (a search hit near it) hides nothing, and says nothing. */
	if (d->ctl->read_only && below == 0)
		return;
	if (brief)
		snprintf(buf, size, "[%llu below]", (unsigned long long)below);
	else
		snprintf(buf, size, "[scrolled: %llu below, G %s]",
		    (unsigned long long)below, d->ctl->read_only ?
		    "goes to the end" : "follows");
}

/* A progress bar in colours of its own, readable on any title row. */
static void
draw_bar(struct draw *d, const struct run_seq *seq, int y, int x)
{
	size_t fill = title_bar_fill(seq);
	attr_t attr;
	int pair;

	for (size_t k = 0; k < TITLE_BAR_CELLS; k++) {
		if (k < fill) {
			draw_role(d, seq_state_failed(seq->state) ||
			    seq->had_failure ? ROLE_FAIL : ROLE_OK, &attr,
			    &pair);
			draw_text(y, x + (int)k, 1, d->utf8 ? "\xe2\x96\x88" : "#",
			    attr & ~(attr_t)A_BOLD, pair);
		} else {
			draw_role(d, ROLE_WAIT, &attr, &pair);
			draw_text(y, x + (int)k, 1, d->utf8 ? "\xe2\x94\x80" : "-",
			    attr, pair);
		}
	}
}

/* What a title row shows, for draw_title and draw_list_clock. */
struct draw_look {
	enum title_status st;
	attr_t attr, gattr;   /* the row's, and the glyph's */
	int pair, gpair;
	bool bar;             /* a progress bar ends the row */
	char text[1024];      /* from column 3, at most w - 4 columns */
};

static void
draw_title_look(struct draw *d, size_t i, const struct layout_rect *r,
    bool focused, struct draw_look *lk)
{
	const struct run_seq *seq = run_seq(d->run, i);
	char note[96];

	lk->st = title_seq_status(seq);
	if (lk->st == TITLE_PAUSED) {
		/* Loud: the whole row in the alert colours. */
		draw_role(d, ROLE_ALERT, &lk->attr, &lk->pair);
		/* Focused, it stays red (loud), bold and underlined. */
		if (focused)
			lk->attr |= A_UNDERLINE | A_BOLD;
		lk->gattr = lk->attr;
		lk->gpair = lk->pair;
	} else {
		lk->attr = focused ? A_REVERSE | A_BOLD : A_NORMAL;
		lk->pair = 0;
		draw_role(d, draw_status_role(lk->st), &lk->gattr, &lk->gpair);
		lk->gattr |= lk->attr;
	}
	lk->bar = false;
	lk->text[0] = '\0';
	if (r->w < 3)
		return;
	draw_view_note(d, i, false, note, sizeof note);
	lk->bar = title_seq(seq, d->now, (size_t)(r->w - 4), r->w >= 50, note,
	    lk->text, sizeof lk->text);
	/* Too narrow for the long note: the short one. */
	if (note[0] == '[' && strstr(lk->text, note) == NULL) {
		draw_view_note(d, i, true, note, sizeof note);
		lk->bar = title_seq(seq, d->now, (size_t)(r->w - 4),
		    r->w >= 50, note, lk->text, sizeof lk->text);
	}
}

/* Draw a title as LK says; returns the columns its text took. */
static int
draw_title_as(struct draw *d, size_t i, const struct layout_rect *r,
    bool focused, const struct draw_look *lk)
{
	int cols;

	if (r->w <= 0 || r->h <= 0)
		return 0;
	draw_fill(r->y, r->x, r->w, lk->attr, lk->pair);
	if (r->w < 3) {
		draw_text(r->y, r->x, r->w, title_glyph(lk->st, d->utf8),
		    lk->gattr, lk->gpair);
		return 0;
	}
	/* The focus, in every state and colour (or none): a mark in the
	 * first column, besides the row's attributes. */
	if (focused)
		draw_text(r->y, r->x, 1, d->utf8 ? "\xe2\x96\x8c" : ">",
		    lk->attr | A_BOLD, lk->pair);
	draw_text(r->y, r->x + 1, 1, title_glyph(lk->st, d->utf8), lk->gattr,
	    lk->gpair);
	cols = draw_text(r->y, r->x + 3, r->w - 4, lk->text, lk->attr,
	    lk->pair);
	if (lk->bar)
		draw_bar(d, run_seq(d->run, i), r->y,
		    r->x + r->w - 1 - TITLE_BAR_CELLS);
	return cols;
}

void
draw_title(struct draw *d, size_t i, const struct layout_rect *r,
    bool focused)
{
	struct draw_look lk;

	if (r->w <= 0 || r->h <= 0)
		return;
	draw_title_look(d, i, r, focused, &lk);
	(void)draw_title_as(d, i, r, focused, &lk);
}

/*
 * The list's rows as last drawn: a clock tick changes a few columns of
 * each running row (its elapsed time), and rewriting only those, rather
 * than the whole row cell by cell, is most of what the dashboard of a
 * thousand sleeping steps costs a second.
 */
struct draw_row {
	bool valid;
	size_t pane;
	int y, x, w;
	bool focused;
	enum title_status st;
	attr_t attr;
	int pair;
	bool bar;
	int cols;             /* the columns text took */
	char text[1024];
};

/* What is remembered of row K of the list. */
static struct draw_row *
draw_row_at(struct draw *d, size_t k)
{
	size_t had = d->n_rows;

	d->rows = xreallocarray_grow(d->rows, &d->n_rows, k + 1,
	    sizeof *d->rows);
	memset(d->rows + had, 0, (d->n_rows - had) * sizeof *d->rows);
	return &d->rows[k];
}

void
draw_list_row(struct draw *d, size_t i, size_t k,
    const struct layout_rect *r, bool focused)
{
	struct draw_row *c = draw_row_at(d, k);
	struct draw_look lk;

	draw_title_look(d, i, r, focused, &lk);
	c->cols = draw_title_as(d, i, r, focused, &lk);
	c->valid = r->w >= 3 && r->h == 1;
	c->pane = i;
	c->y = r->y;
	c->x = r->x;
	c->w = r->w;
	c->focused = focused;
	c->st = lk.st;
	c->attr = lk.attr;
	c->pair = lk.pair;
	c->bar = lk.bar;
	memcpy(c->text, lk.text, sizeof c->text);
}

void
draw_list_clock(struct draw *d, size_t i, size_t k,
    const struct layout_rect *r, bool focused)
{
	struct draw_row *c = draw_row_at(d, k);
	struct draw_look lk;
	size_t p = 0;
	int col, cols;

	if (!c->valid || c->pane != i || c->y != r->y || c->x != r->x ||
	    c->w != r->w || c->focused != focused) {
		draw_list_row(d, i, k, r, focused);
		return;
	}
	draw_title_look(d, i, r, focused, &lk);
	if (lk.st != c->st || lk.attr != c->attr || lk.pair != c->pair ||
	    lk.bar != c->bar) {
		draw_list_row(d, i, k, r, focused);
		return;
	}
	while (lk.text[p] != '\0' && lk.text[p] == c->text[p])
		p++;
	if (lk.text[p] == c->text[p])
		return;   /* the same row */
	/* From the first character that differs to the end of the text. */
	while (p > 0 && ((unsigned char)lk.text[p] & 0xc0) == 0x80)
		p--;
	col = draw_cols(lk.text, p);
	cols = col + draw_text(r->y, r->x + 3 + col, r->w - 4 - col,
	    lk.text + p, lk.attr, lk.pair);
	if (cols < c->cols)
		draw_fill(r->y, r->x + 3 + cols, c->cols - cols, lk.attr,
		    lk.pair);
	if (lk.bar)
		draw_bar(d, run_seq(d->run, i), r->y,
		    r->x + r->w - 1 - TITLE_BAR_CELLS);
	c->cols = cols;
	memcpy(c->text, lk.text, sizeof c->text);
}

void
draw_list(struct draw *d, const struct layout_rect *r)
{
	const struct layout *lo = &d->ctl->lo;

	for (int k = 0; k < r->h; k++) {
		size_t i = layout_at(lo, lo->list_first + (size_t)k);
		struct layout_rect row = { r->x, r->y + k, r->w, 1 };

		if (i >= d->ctl->n) {
			draw_fill(row.y, row.x, row.w, A_NORMAL, 0);
			draw_row_at(d, (size_t)k)->valid = false;
			continue;
		}
		draw_list_row(d, i, (size_t)k, &row, i == d->ctl->focus);
	}
}

void
draw_steps(struct draw *d, size_t i, const struct layout_rect *r)
{
	const struct run_seq *seq = run_seq(d->run, i);
	size_t n = seq->n_all, top = 0, h;
	char text[1024];

	if (r->w <= 0 || r->h <= 0)
		return;
	h = (size_t)r->h;
	/* Keep the current step in view, a little below the top. */
	if (seq->current >= h)
		top = seq->current - h / 2;
	if (top + h > n)
		top = n > h ? n - h : 0;
	for (size_t k = 0; k < h; k++) {
		size_t s = top + k;
		int y = r->y + (int)k;
		attr_t attr = A_NORMAL, gattr;
		int gpair;
		bool cur = s == seq->current && (seq->state == SEQ_RUNNING ||
		    seq->state == SEQ_PAUSED);

		if (s >= n) {
			draw_fill(y, r->x, r->w, A_NORMAL, 0);
			continue;
		}
		if (cur)
			attr = A_BOLD;
		draw_fill(y, r->x, r->w, attr, 0);
		if (r->w < 6)
			continue;
		draw_text(y, r->x, 2, cur ? (d->utf8 ? "\xe2\x96\xb8" : ">") :
		    " ", attr, 0);
		enum title_status st = title_step_status(&seq->steps[s]);
		if (cur && seq->state == SEQ_PAUSED)
			st = seq->pause == RUN_PAUSE_FAILURE ? TITLE_PAUSED :
			    TITLE_HELD;
		draw_role(d, draw_status_role(st), &gattr, &gpair);
		draw_text(y, r->x + 2, 1, title_glyph(st, d->utf8), gattr,
		    gpair);
		title_step(seq, s, d->now, (size_t)(r->w - 4), text,
		    sizeof text);
		draw_text(y, r->x + 4, r->w - 4, text, attr, 0);
	}
}

void
draw_separators(struct draw *d)
{
	const struct layout *lo = &d->ctl->lo;
	attr_t attr;
	int pair;
	cchar_t cc;
	const wchar_t bar[] = { d->utf8 ? 0x2502 : L'|', 0 };

	draw_role(d, ROLE_SEP, &attr, &pair);
	setcchar(&cc, bar, attr, 0, &pair);
	if (lo->kind == LAYOUT_GRID) {
		for (size_t i = 0; i < lo->n; i++) {
			const struct layout_rect *c = &lo->cells[i];
			if (c->x + c->w < lo->width && c->h > 0)
				mvvline_set(c->y, c->x + c->w, &cc, c->h);
		}
	} else if (lo->kind == LAYOUT_LIST && lo->list_beside &&
	    lo->list.h > 0) {
		mvvline_set(lo->list.y, lo->list.x + lo->list.w, &cc,
		    lo->list.h);
	}
}

static double
draw_run_elapsed(const struct draw *d)
{
	double start = run_started(d->run), end = 0;
	bool settled = run_settled(d->run);

	if (start <= 0)
		return 0;
	if (!settled)
		return d->now - start;
	for (size_t i = 0; i < run_seq_count(d->run); i++)
		if (run_seq(d->run, i)->ended > end)
			end = run_seq(d->run, i)->ended;
	return end > start ? end - start : 0;
}

void
draw_status(struct draw *d, const struct layout_rect *r)
{
	struct ctl *c = d->ctl;
	size_t counts[TITLE_NSTATUS];
	attr_t battr, attr;
	int bpair, pair, x = r->x, right = r->x + r->w;
	char buf[512], t[32];
	static const enum title_status order[] = {
		TITLE_RUNNING, TITLE_RETRY_WAIT, TITLE_PAUSED, TITLE_HELD,
		TITLE_WAITING, TITLE_OK, TITLE_SKIPPED, TITLE_FAILED,
		TITLE_BLOCKED, TITLE_ABORTED,
	};

	if (r->w <= 0 || r->h <= 0)
		return;
	draw_role(d, ROLE_BAR, &battr, &bpair);
	draw_fill(r->y, r->x, r->w, battr, bpair);

	if (c->mode == CTL_SEARCH || c->mode == CTL_NOTE) {
		char pat[VIEW_PATTERN_MAX * 4 + 128] = "/";
		size_t used = c->mode == CTL_SEARCH ? 1 :
		    (size_t)snprintf(pat, 100, "note on %.60s: ",
		    c->eng->name(c->arg, c->focus));
		for (size_t i = 0; i < c->prompt_len; i++) {
			char b[8];
			size_t n = ctl_key_bytes(c->prompt[i], b);
			if (used + n + 1 >= sizeof pat)
				break;
			memcpy(pat + used, b, n);
			used += n;
		}
		pat[used] = '\0';
		x += draw_text(r->y, x, right - x, pat, battr, bpair);
		if (x < right)
			draw_fill(r->y, x, 1, A_NORMAL, 0);  /* a cursor */
		return;
	}

	if (d->banner != NULL) {
		/* What is shown, first: a past run, not a live one. */
		snprintf(buf, sizeof buf, " %s ", d->banner);
		x += draw_text(r->y, x, right - x, buf, battr | A_BOLD, bpair);
		x += draw_text(r->y, x, right - x, " ", battr, bpair);
	}
	if (d->warning != NULL && d->warning(d->warning_arg) != NULL) {
		/* Until the end: a record that lost data must not look whole
		 * once the next message came. */
		draw_role(d, ROLE_ALERT, &attr, &pair);
		snprintf(buf, sizeof buf, " ! %s ", d->warning(d->warning_arg));
		x += draw_text(r->y, x, right - x, buf, attr | A_BOLD, pair);
		x += draw_text(r->y, x, right - x, " ", battr, bpair);
	}
	title_count(d->run, counts);
	for (size_t k = 0; k < sizeof order / sizeof *order && x < right;
	    k++) {
		enum title_status st = order[k];
		if (counts[st] == 0)
			continue;
		draw_role(d, draw_status_role(st), &attr, &pair);
		x += draw_text(r->y, x, right - x, title_glyph(st, d->utf8),
		    attr | A_REVERSE, pair);
		snprintf(buf, sizeof buf, "%zu ", counts[st]);
		x += draw_text(r->y, x, right - x, buf, battr, bpair);
	}
	duration_format(draw_run_elapsed(d), DURATION_CLOCK, t, sizeof t);
	if (run_settled(d->run) && run_started(d->run) > 0)
		snprintf(buf, sizeof buf, " finished in %s  ", t);
	else
		snprintf(buf, sizeof buf, " %s  ", t);
	x += draw_text(r->y, x, right - x, buf, battr | A_BOLD, bpair);

	if (c->mode == CTL_INPUT) {
		draw_role(d, ROLE_ALERT, &attr, &pair);
		snprintf(buf, sizeof buf, " INPUT to %s: keys go to the step, "
		    KEYS_INPUT_ESCAPE_NAME " gives them back ",
		    c->eng->name(c->arg, c->focus));
		draw_text(r->y, x, right - x, buf, attr, pair);
	} else if (c->message[0] != '\0') {
		if (c->message_error)
			draw_role(d, ROLE_ALERT, &attr, &pair);
		else {
			attr = battr;
			pair = bpair;
		}
		draw_text(r->y, x, right - x, c->message, attr, pair);
	} else {
		keys_hints(c->read_only != NULL ? KEYS_MOMENT_PAST :
		    run_settled(d->run) && run_started(d->run) > 0 ?
		    KEYS_MOMENT_DONE : KEYS_MOMENT_LIVE,
		    right > x ? (size_t)(right - x) : 0, buf, sizeof buf);
		draw_text(r->y, x, right - x, buf, battr, bpair);
	}
}

static WINDOW *
draw_window(WINDOW *win, int h, int w)
{
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	if (win != NULL) {
		int oh, ow;
		getmaxyx(win, oh, ow);
		if (oh == h && ow == w) {
			mvwin(win, y, x);
			return win;
		}
		delwin(win);
	}
	return newwin(h, w, y, x);
}

static void
draw_win_text(WINDOW *win, int y, int x, int w, const char *s, attr_t attr)
{
	size_t n = strlen(s), i = 0;
	int col = 0;

	while (i < n && col < w) {
		wchar_t wcs[2] = { 0, 0 };
		cchar_t cc;
		int cw, pair = 0;

		i += ansi_utf8_decode(s + i, n - i, &wcs[0]);
		cw = wcwidth(wcs[0]);
		if (cw <= 0 || col + cw > w)
			continue;
		setcchar(&cc, wcs, attr, 0, &pair);
		mvwadd_wch(win, y, x + col, &cc);
		col += cw;
	}
}

/* The help box is at most this wide; its key column this wide. */
#define DRAW_HELP_W 100
#define DRAW_HELP_KEYW 14

/*
 * The help's rows at `cols` columns: each key's line, its text wrapped at
 * blanks under the text's column, so that no line is cut at the box's
 * edge. Draws rows [top, top + n) into win from its row 1 (win NULL:
 * draws nothing), and returns how many rows there are. The help texts
 * are ASCII (keys.h): a byte is a column.
 */
static size_t
draw_help_rows(WINDOW *win, int cols, size_t top, size_t n)
{
	char line[512], row[512];
	size_t nlines = keys_help_line(0, line, sizeof line, DRAW_HELP_KEYW);
	size_t rows = 0, indent = DRAW_HELP_KEYW + 1;
	/* A box narrower than the key column and a few words still wraps
	 * as if it were that wide (a row a word would not help), but draws
	 * only what fits inside its border. */
	int clip = cols;

	if (cols <= (int)indent + 8)
		cols = (int)indent + 8;
	for (size_t k = 0; k < nlines; k++) {
		size_t len;

		keys_help_line(k, line, sizeof line, DRAW_HELP_KEYW);
		snprintf(row, sizeof row, "%s", line);
		for (;;) {
			size_t cut;

			len = strlen(row);
			cut = len;
			if (len > (size_t)cols) {
				/* The last blank that leaves the row short
				 * enough, past the indent; else cut hard. */
				cut = (size_t)cols;
				while (cut > indent && row[cut] != ' ')
					cut--;
				if (cut <= indent)
					cut = (size_t)cols;
			}
			if (win != NULL && rows >= top && rows < top + n) {
				char c = row[cut];
				row[cut] = '\0';
				draw_win_text(win, (int)(rows - top) + 1, 2,
				    clip, row, A_NORMAL);
				row[cut] = c;
			}
			rows++;
			if (cut >= len)
				break;
			while (row[cut] == ' ')
				cut++;
			/* What is left, under the text's column. */
			snprintf(line, sizeof line, "%*s%s", (int)indent, "",
			    row + cut);
			snprintf(row, sizeof row, "%s", line);
		}
	}
	return rows;
}

bool
draw_overlay(struct draw *d, WINDOW **win)
{
	struct ctl *c = d->ctl;
	int w, h;

	if (c->mode != CTL_HELP && c->mode != CTL_CONFIRM_QUIT &&
	    c->mode != CTL_CONFIRM) {
		if (*win != NULL) {
			delwin(*win);
			*win = NULL;
		}
		return false;
	}
	if (COLS < 4 || LINES < 3)
		return false;
	/* A question (ctl wrote it): three lines. */
	if (c->mode == CTL_CONFIRM || c->mode == CTL_CONFIRM_QUIT) {
		w = COLS - 2 < 72 ? COLS - 2 : 72;
		h = LINES < 6 ? LINES : 6;
		if ((*win = draw_window(*win, h, w)) == NULL)
			return false;
		werase(*win);
		box(*win, 0, 0);
		draw_win_text(*win, 1, 2, w - 4, c->confirm_text[0], A_BOLD);
		if (h >= 5)
			draw_win_text(*win, 2, 2, w - 4, c->confirm_text[1],
			    A_NORMAL);
		draw_win_text(*win, h - 2 >= 1 ? h - 2 : 0, 2, w - 4,
		    c->confirm_text[2], A_NORMAL);
		return true;
	}

	/* Help: every key from the table, its text wrapped to the box. */
	size_t nrows, top;
	w = COLS - 2 < DRAW_HELP_W ? COLS - 2 : DRAW_HELP_W;
	nrows = draw_help_rows(NULL, w - 4, 0, 0);
	h = LINES - 2 < (int)nrows + 4 ? LINES - 2 : (int)nrows + 4;
	if (h < 3)
		h = LINES;
	if ((*win = draw_window(*win, h, w)) == NULL)
		return false;
	werase(*win);
	box(*win, 0, 0);
	draw_win_text(*win, 0, 2, w - 4, " drove: keys (any other key "
	    "closes) ", A_BOLD);
	top = c->help_top;
	if (h - 2 > 0 && nrows > (size_t)(h - 2) &&
	    top > nrows - (size_t)(h - 2))
		top = c->help_top = nrows - (size_t)(h - 2);
	if (h - 2 > 0 && nrows <= (size_t)(h - 2))
		top = c->help_top = 0;
	draw_help_rows(*win, w - 4, top, h > 2 ? (size_t)(h - 2) : 0);
	if (h >= 4 && w >= 14 && top + (size_t)(h - 2) < nrows)
		draw_win_text(*win, h - 1, w - 12, 10, " j: more ", A_BOLD);
	return true;
}
