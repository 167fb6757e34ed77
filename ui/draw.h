/* draw.h: painting the dashboard's parts on the curses screen: pane
 * titles, output, the list, the step table, the status bar and the
 * overlays. Only ui.c calls these, from its frame timer, and only this and
 * ui.c call curses. Each function paints exactly its rectangle. */
#ifndef DROVE_DRAW_H
#define DROVE_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "ansi.h"
#include "ctl.h"
#include "layout.h"
#include "run_view.h"

struct draw {
	const struct run *run;
	struct ctl *ctl;
	double now;          /* ev_now of this frame */
	const char *(*warning)(void *arg); /* ui_options.warning */
	void *warning_arg;
	const char *banner;  /* first on the status bar (the review), or
	                        NULL; borrowed */
	bool utf8;           /* the locale and terminal take UTF-8 */
	bool color;          /* the terminal has colours */
	int ncolors;
	struct ansi_line line;  /* scratch */
	size_t *starts;         /* scratch: row starts of a folded line */
	size_t starts_cap;
	struct draw_row *rows;  /* the list's rows as last drawn (owned) */
	size_t n_rows;
};

/* After initscr: colours, glyph choice. */
void draw_init(struct draw *d, const struct run *run, struct ctl *ctl);
void draw_free(struct draw *d);

/* Grid separators between side-by-side panes, and the one beside the
 * list. */
void draw_separators(struct draw *d);
/* The title row of sequence i. */
void draw_title(struct draw *d, size_t i, const struct layout_rect *r,
    bool focused);
/* The output of sequence i, folded, bottom up from its view. */
void draw_body(struct draw *d, size_t i, const struct layout_rect *r);
/* Row K of the list (LIST layout): sequence i's title, remembered. */
void draw_list_row(struct draw *d, size_t i, size_t k,
    const struct layout_rect *r, bool focused);
/* The same when only time went by: the columns that changed since it was
 * drawn (its elapsed time), or the whole row when more than that did. */
void draw_list_clock(struct draw *d, size_t i, size_t k,
    const struct layout_rect *r, bool focused);
/* The list of sequences (LIST layout). */
void draw_list(struct draw *d, const struct layout_rect *r);
/* The step table of sequence i (ZOOM layout). */
void draw_steps(struct draw *d, size_t i, const struct layout_rect *r);
/* The bottom bar. */
void draw_status(struct draw *d, const struct layout_rect *r);
/* The help or quit overlay when ctl's mode wants one, in *win (created,
 * resized or deleted as needed). Returns whether there is one. */
bool draw_overlay(struct draw *d, WINDOW **win);

#endif
