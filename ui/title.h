/* title.h: the words the dashboard shows about a sequence or a step, fitted
 * to a width: a pane's title row (name, step 3/7, its name, try 2/6,
 * elapsed time, a progress bar), a line of the list, a row of the zoomed
 * step table, and durations. Pure text from the engine's read-only state;
 * the status glyph and its colour are drawn apart, by draw.c. */
#ifndef DROVE_TITLE_H
#define DROVE_TITLE_H

#include <stdbool.h>
#include <stddef.h>

#include "run_view.h"

/* What a glyph and a colour say: a sequence's or a step's state, with
 * "paused" split by why (a failure wants the operator loudly). */
enum title_status {
	TITLE_WAITING,
	TITLE_RUNNING,
	TITLE_RETRY_WAIT,
	TITLE_OK,
	TITLE_FAILED,
	TITLE_PAUSED,        /* a failed step waits for the operator */
	TITLE_HELD,          /* paused by the operator */
	TITLE_SKIPPED,
	TITLE_BLOCKED,
	TITLE_ABORTED,
	TITLE_NSTATUS
};

enum title_status title_seq_status(const struct run_seq *seq);
enum title_status title_step_status(const struct run_step *step);
/* A one-column glyph; ASCII when utf8 is false. */
const char *title_glyph(enum title_status st, bool utf8);
/* "waiting", "running", ... */
const char *title_status_name(enum title_status st);

/* The character drawn for wc, and its columns in *cols: wc itself, or
 * '?' (one column) for one that is not printable, a control character
 * among them. Every text of the dashboard is drawn and measured so. */
wchar_t title_char(wchar_t wc, size_t *cols);
/* Display columns of UTF-8 text, as title_char draws it. */
size_t title_width(const char *s);
/* Cut UTF-8 text in place to at most cols columns (ending with an
 * ellipsis when cut), then pad it with spaces to exactly cols. buf has
 * room for size bytes. */
void title_fit(char *buf, size_t size, size_t cols);

/* The text after a sequence's glyph, exactly `cols` columns: the name
 * and what it does on the left, then `note` (may be NULL: the view's
 * state, "scrolled"), elapsed time and, when `bar`, room for a progress
 * bar of TITLE_BAR_CELLS columns at the right end. Less important parts
 * go first when short of room. Returns whether the bar's room is there
 * (the caller draws the bar: it has colours of its own). */
#define TITLE_BAR_CELLS 8
bool title_seq(const struct run_seq *seq, double now, size_t cols, bool bar,
    const char *note, char *buf, size_t size);
/* How many of the bar's TITLE_BAR_CELLS cells are done. */
size_t title_bar_fill(const struct run_seq *seq);

/* A row of the step table of step k, after its glyph, exactly `cols`
 * columns: number, name, status, tries, exit, duration. */
void title_step(const struct run_seq *seq, size_t k, double now, size_t cols,
    char *buf, size_t size);

/* Count the sequences by title_status into counts[TITLE_NSTATUS]. */
void title_count(const struct run *run, size_t *counts);

#endif
