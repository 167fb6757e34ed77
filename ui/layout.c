/* layout.c: grid, list and zoom arrangements, and moving between them. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
layout_init(struct layout *lo)
{
	memset(lo, 0, sizeof *lo);
}

void
layout_free(struct layout *lo)
{
	if (lo == NULL)
		return;
	free(lo->cells);
	free(lo->order);
	free(lo->slot);
	memset(lo, 0, sizeof *lo);
}

size_t
layout_at(const struct layout *lo, size_t s)
{
	return s < lo->n_shown ? lo->order[s] : lo->n;
}

/* The slot of the focus: 0 when it is hidden. */
static size_t
layout_focus_slot(const struct layout *lo)
{
	return lo->focus < lo->n && lo->slot[lo->focus] < lo->n_shown ?
	    lo->slot[lo->focus] : 0;
}

static struct layout_rect
layout_rect(int x, int y, int w, int h)
{
	struct layout_rect r = { x, y, w > 0 ? w : 0, h > 0 ? h : 0 };

	return r;
}

void
layout_split(const struct layout_rect *pane, struct layout_rect *title,
    struct layout_rect *body)
{
	*title = layout_rect(pane->x, pane->y, pane->w, pane->h > 0 ? 1 : 0);
	*body = layout_rect(pane->x, pane->y + (pane->h > 0 ? 1 : 0), pane->w,
	    pane->h - 1);
}

/* The best number of grid columns for n panes in w x h, or 0 when no
 * choice gives readable panes. */
static int
layout_grid_cols(size_t n, int w, int h)
{
	int best = 0;
	long best_score = -1, best_empty = 0;

	if (n == 1)
		return w > 0 && h > 0 ? 1 : 0;
	for (int c = 1; (size_t)c <= n; c++) {
		int r = (int)((n + (size_t)c - 1) / (size_t)c);
		int pw = (w - (c - 1)) / c, ph = h / r;
		long score, empty = (long)c * r - (long)n;

		if (pw < LAYOUT_MIN_W || ph < (n >= LAYOUT_MANY ?
		    LAYOUT_MIN_H_MANY : LAYOUT_MIN_H))
			continue;
		/* As large as possible, in both directions: a pane is as
		 * good as its shorter side, in "square" units. */
		score = pw < LAYOUT_ASPECT * ph ? pw : LAYOUT_ASPECT * ph;
		if (score > best_score ||
		    (score == best_score && empty < best_empty)) {
			best = c;
			best_score = score;
			best_empty = empty;
		}
	}
	return best;
}

static void
layout_grid(struct layout *lo, int cols, int w, int h)
{
	size_t n = lo->n_shown;
	int rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
	int y = 0;

	lo->kind = LAYOUT_GRID;
	lo->grid_cols = cols;
	lo->grid_rows = rows;
	for (int r = 0; r < rows; r++) {
		size_t first = (size_t)r * (size_t)cols;
		int k = (int)(n - first < (size_t)cols ? n - first :
		    (size_t)cols);
		int ph = h / rows + (r < h % rows ? 1 : 0);
		/* The last row may be short: its panes share the width. */
		int avail = w - (k - 1);
		int x = 0;

		for (int c = 0; c < k; c++) {
			int pw = avail / k + (c < avail % k ? 1 : 0);
			lo->cells[lo->order[first + (size_t)c]] =
			    layout_rect(x, y, pw, ph);
			x += pw + 1;
		}
		y += ph;
	}
}

static void
layout_list(struct layout *lo, int w, int h)
{
	size_t n = lo->n_shown, rows, focus = layout_focus_slot(lo);
	struct layout_rect pane;

	lo->kind = LAYOUT_LIST;
	if (w >= 80) {
		int lw = w / 4;

		if (lw < 24)
			lw = 24;
		if (lw > 40)
			lw = 40;
		lo->list_beside = true;
		lo->list = layout_rect(0, 0, lw, h);
		pane = layout_rect(lw + 1, 0, w - lw - 1, h);
	} else {
		int lh = (h - 1) / 2;

		/* Tiny: the focused pane's title alone says the most. */
		if (lh < 1)
			lh = h > 2 ? 1 : 0;
		if ((size_t)lh > n)
			lh = (int)n;
		if (lh > h)
			lh = h;
		lo->list_beside = false;
		lo->list = layout_rect(0, 0, w, lh);
		pane = layout_rect(0, lh, w, h - lh);
	}
	layout_split(&pane, &lo->title, &lo->body);

	/* Scroll the list as little as possible to show the focus. */
	rows = (size_t)lo->list.h;
	if (rows == 0) {
		lo->list_first = focus;
		return;
	}
	if (lo->list_first > focus)
		lo->list_first = focus;
	if (focus >= lo->list_first + rows)
		lo->list_first = focus - rows + 1;
	if (n > rows && lo->list_first > n - rows)
		lo->list_first = n - rows;
	if (n <= rows)
		lo->list_first = 0;
}

static void
layout_zoom(struct layout *lo, int w, int h, size_t n_steps)
{
	struct layout_rect pane = layout_rect(0, 0, w, h), body;
	int sh = 0;

	lo->kind = LAYOUT_ZOOM;
	layout_split(&pane, &lo->title, &body);
	/* The step table takes up to a third, but leaves two output lines
	 * whenever it can. */
	if (n_steps > 0 && body.h >= 3) {
		sh = body.h / 3;
		if (sh < 1)
			sh = 1;
		if ((size_t)sh > n_steps)
			sh = (int)n_steps;
	}
	lo->steps = layout_rect(0, body.y, w, sh);
	lo->body = layout_rect(0, body.y + sh, w, body.h - sh);
}

void
layout_compute(struct layout *lo, int width, int height, size_t n,
    enum layout_kind want, bool zoom, size_t focus, size_t n_steps)
{
	layout_compute_shown(lo, width, height, n, NULL, n, want, zoom, focus,
	    n_steps);
}

void
layout_compute_shown(struct layout *lo, int width, int height, size_t n,
    const size_t *shown, size_t n_shown, enum layout_kind want, bool zoom,
    size_t focus, size_t n_steps)
{
	int w = width > 0 ? width : 0, h = height > 1 ? height - 1 : 0;
	int cols;

	lo->width = w;
	lo->height = height > 0 ? height : 0;
	lo->n = n;
	lo->focus = focus < n ? focus : 0;
	lo->grid_cols = lo->grid_rows = 0;
	lo->list = lo->title = lo->steps = lo->body = layout_rect(0, 0, 0, 0);
	lo->status = lo->height > 0 ? layout_rect(0, lo->height - 1, w, 1) :
	    layout_rect(0, 0, 0, 0);
	if (n > lo->cells_cap)
		lo->cells = xreallocarray_grow(lo->cells, &lo->cells_cap, n,
		    sizeof *lo->cells);
	if (n > lo->order_cap) {
		size_t cap = lo->order_cap;
		lo->order = xreallocarray_grow(lo->order, &cap, n,
		    sizeof *lo->order);
		lo->slot = xreallocarray_grow(lo->slot, &lo->order_cap, n,
		    sizeof *lo->slot);
	}
	lo->n_shown = 0;
	for (size_t i = 0; i < n; i++) {
		lo->cells[i] = layout_rect(0, 0, 0, 0);
		lo->slot[i] = n;
	}
	for (size_t s = 0; s < n_shown && s < n; s++) {
		size_t i = shown != NULL ? shown[s] : s;
		if (i < n && lo->slot[i] == n) {
			lo->slot[i] = lo->n_shown;
			lo->order[lo->n_shown++] = i;
		}
	}

	if (lo->n_shown == 0 || w == 0 || h == 0) {
		lo->kind = zoom ? LAYOUT_ZOOM : want;
		return;
	}
	if (zoom) {
		layout_zoom(lo, w, h, n_steps);
		return;
	}
	if (want == LAYOUT_GRID &&
	    (cols = layout_grid_cols(lo->n_shown, w, h)) > 0) {
		layout_grid(lo, cols, w, h);
		return;
	}
	layout_list(lo, w, h);
}

static int
layout_overlap(int a0, int a1, int b0, int b1)
{
	int lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi - lo;
}

size_t
layout_neighbor(const struct layout *lo, size_t focus, enum layout_dir dir)
{
	const struct layout_rect *cur;
	size_t best = focus;
	long best_gap = 0, best_over = 0;

	if (lo->n == 0 || focus >= lo->n)
		return focus;
	if (lo->kind != LAYOUT_GRID) {
		size_t s = lo->slot[focus];
		if (s >= lo->n_shown)
			return layout_at(lo, 0) < lo->n ? layout_at(lo, 0) :
			    focus;
		if (dir == LAYOUT_UP || dir == LAYOUT_LEFT)
			return s > 0 ? lo->order[s - 1] : focus;
		return s + 1 < lo->n_shown ? lo->order[s + 1] : focus;
	}
	cur = &lo->cells[focus];
	for (size_t i = 0; i < lo->n; i++) {
		const struct layout_rect *c = &lo->cells[i];
		long gap, over;

		if (i == focus)
			continue;
		switch (dir) {
		case LAYOUT_LEFT:
			gap = cur->x - (c->x + c->w);
			over = layout_overlap(cur->y, cur->y + cur->h, c->y,
			    c->y + c->h);
			break;
		case LAYOUT_RIGHT:
			gap = c->x - (cur->x + cur->w);
			over = layout_overlap(cur->y, cur->y + cur->h, c->y,
			    c->y + c->h);
			break;
		case LAYOUT_UP:
			gap = cur->y - (c->y + c->h);
			over = layout_overlap(cur->x, cur->x + cur->w, c->x,
			    c->x + c->w);
			break;
		default:
			gap = c->y - (cur->y + cur->h);
			over = layout_overlap(cur->x, cur->x + cur->w, c->x,
			    c->x + c->w);
			break;
		}
		if (gap < 0 || over <= 0)
			continue;
		if (best == focus || gap < best_gap ||
		    (gap == best_gap && over > best_over)) {
			best = i;
			best_gap = gap;
			best_over = over;
		}
	}
	return best;
}

static int
layout_in(const struct layout_rect *r, int x, int y)
{
	return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

size_t
layout_hit(const struct layout *lo, int x, int y)
{
	if (lo->n == 0)
		return 0;
	switch (lo->kind) {
	case LAYOUT_GRID:
		for (size_t i = 0; i < lo->n; i++)
			if (layout_in(&lo->cells[i], x, y))
				return i;
		break;
	case LAYOUT_LIST:
		if (layout_in(&lo->list, x, y))
			return layout_at(lo, lo->list_first +
			    (size_t)(y - lo->list.y));
		if (layout_in(&lo->title, x, y) || layout_in(&lo->body, x, y))
			return lo->focus;
		break;
	case LAYOUT_ZOOM:
		if (y < lo->status.y || lo->status.h == 0)
			return lo->focus;
		break;
	}
	return lo->n;
}
