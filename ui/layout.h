/* layout.h: where things go on the screen, computed from its size and the
 * number of sequences shown (all, or some in an order of the caller's),
 * with no curses involved. Three arrangements: a grid
 * of panes (one per sequence) while they stay readable, a list (a status
 * line per sequence and the focused sequence's pane beside or below it)
 * when they would not, and zoom (the focused sequence alone, with its
 * step table). The bottom row is always the status bar. */
#ifndef DROVE_LAYOUT_H
#define DROVE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

/* The smallest readable grid pane: a title row and three lines. */
#define LAYOUT_MIN_W 24
#define LAYOUT_MIN_H 4
/* With this many panes or more, a pane of three lines says too little
 * and there are too many to look at anyway: the grid needs
 * LAYOUT_MIN_H_MANY rows a pane, else the list takes over. */
#define LAYOUT_MANY 30
#define LAYOUT_MIN_H_MANY 7
/* Output lines are wide: a pane feels square when it is this many
 * columns per row. Used to choose the number of grid columns. */
#define LAYOUT_ASPECT 3

enum layout_kind {
	LAYOUT_GRID,
	LAYOUT_LIST,
	LAYOUT_ZOOM,
};

enum layout_dir {
	LAYOUT_LEFT,
	LAYOUT_RIGHT,
	LAYOUT_UP,
	LAYOUT_DOWN,
};

struct layout_rect {
	int x, y, w, h;
};

struct layout {
	enum layout_kind kind;   /* what was chosen */
	int width, height;
	size_t n;                /* sequences */
	size_t focus;

	/* The sequences shown, in the order shown: slot s shows sequence
	 * order[s], s < n_shown; slot[i] is sequence i's, or n when it is
	 * hidden (then its cell is empty). Owned. */
	size_t *order, *slot;
	size_t n_shown, order_cap;

	/* GRID: the pane of each sequence (title row first), n of them.
	 * Panes side by side are one column apart: a separator. */
	struct layout_rect *cells;
	size_t cells_cap;
	int grid_cols, grid_rows;

	/* LIST: status lines of the sequences in slots list_first.. (one
	 * per row). */
	struct layout_rect list;
	size_t list_first;
	bool list_beside;        /* list left of the pane, else above it */

	/* LIST and ZOOM: the focused sequence's pane, split into its title
	 * row, its step table (ZOOM only; may be empty) and its output. */
	struct layout_rect title, steps, body;

	struct layout_rect status;
};

void layout_init(struct layout *lo);
void layout_free(struct layout *lo);

/* Arrange n sequences on a width x height screen. `want` is GRID or LIST
 * (GRID falls back to LIST when panes would be too small); `zoom` wins
 * over both. `focus` must stay visible: the list scrolls to it, starting
 * from the previous lo->list_first. n_steps is the focused sequence's. */
void layout_compute(struct layout *lo, int width, int height, size_t n,
    enum layout_kind want, bool zoom, size_t focus, size_t n_steps);
/* The same, showing only shown[0..n_shown), in that order (each a
 * sequence below n, once). focus should be one of them. */
void layout_compute_shown(struct layout *lo, int width, int height, size_t n,
    const size_t *shown, size_t n_shown, enum layout_kind want, bool zoom,
    size_t focus, size_t n_steps);
/* The sequence in slot s (the list's row list_first + k is slot
 * list_first + k), or n past the last shown. */
size_t layout_at(const struct layout *lo, size_t s);

/* Split a pane into its title row and its output below. */
void layout_split(const struct layout_rect *pane, struct layout_rect *title,
    struct layout_rect *body);

/* The sequence that arrow `dir` moves the focus to from `focus`: in a
 * grid the nearest pane that way, elsewhere the previous or next one.
 * Returns focus when there is none. */
size_t layout_neighbor(const struct layout *lo, size_t focus,
    enum layout_dir dir);

/* The sequence whose pane or list line holds the cell (x, y), or n when
 * none (a mouse click). */
size_t layout_hit(const struct layout *lo, int x, int y);

#endif
