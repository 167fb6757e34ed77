/* view.h: what part of a sequence's output a pane shows, and searching it.
 * Lines come from a view_source, a small interface (ncdu's dir_output
 * style) so that a pane can show the in-memory scrollback of a live run
 * (outbuf) or a past run's complete output read back from disk (logidx,
 * for the review). Lines are numbered
 * absolutely from the first line ever written, so a scrolled view stays on
 * the same text while old lines fall out of the scrollback. A view either
 * follows the end of the output or stays where it was scrolled to. */
#ifndef DROVE_VIEW_H
#define DROVE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "ansi.h"

/* Where the lines come from. Lines first() .. first()+count()-1 exist;
 * line() returns one of them (raw bytes, not NUL-terminated, owned by the
 * source and valid until the source changes) and its OUTBUF_* flags. The
 * unfinished last line, if any, is partial() (may be NULL: none ever).
 * time() (may be NULL) says when line n arrived, in seconds since the
 * epoch, 0 when unknown. */
struct view_source {
	uint64_t (*first)(void *arg);
	size_t (*count)(void *arg);
	const char *(*line)(void *arg, uint64_t n, size_t *len,
	    unsigned *flags);
	const char *(*partial)(void *arg, size_t *len);
	double (*time)(void *arg, uint64_t n);
	void *arg;
};

/* The source over an outbuf (src/engine/outbuf.h): the live scrollback. */
struct outbuf;
void view_source_outbuf(struct view_source *src, const struct outbuf *ob);
/* The source over a logidx (src/record/logidx.h): a past run's complete output,
 * numbered from 0, with no partial line. */
struct logidx;
void view_source_logidx(struct view_source *src, const struct logidx *li);

#define VIEW_PATTERN_MAX 128

struct view {
	bool follow;         /* show the newest lines as they come */
	uint64_t bottom;     /* else: the line shown at the bottom */

	wchar_t pattern[VIEW_PATTERN_MAX]; /* search; empty: none */
	size_t plen;
	bool match_valid;
	uint64_t match;      /* the current match's line */
};

void view_init(struct view *v);

/* One past the last line (the partial line counts when not empty). */
uint64_t view_end(const struct view_source *src);
/* The line at the bottom of the pane, or view_end() when there is no
 * line at all. */
uint64_t view_bottom(const struct view *v, const struct view_source *src);
/* Get line n, the partial line included; NULL past the end. */
const char *view_line(const struct view_source *src, uint64_t n,
    size_t *len, unsigned *flags);
/* When line n arrived: 0 when the source does not know (no time(), the
 * partial line, a line out of range). */
double view_time(const struct view_source *src, uint64_t n);

/* The timestamp column: "HH:MM:SS " in local time, VIEW_TIME_COLS
 * columns, or as many blanks when t is 0 (unknown). buf holds at least
 * VIEW_TIME_COLS + 1 bytes. */
#define VIEW_TIME_COLS 9
void view_time_text(double t, char *buf, size_t size);

/* Scroll by `delta` lines: negative towards older lines. Reaching the end
 * resumes following. */
void view_scroll(struct view *v, const struct view_source *src, long delta);
void view_follow(struct view *v);
/* The oldest lines, at the top of a pane of `rows` rows. */
void view_top(struct view *v, const struct view_source *src, size_t rows);

/* Set the search pattern (smart case: case-insensitive unless it has an
 * upper-case letter). An empty pattern clears the search. */
void view_set_pattern(struct view *v, const wchar_t *pattern, size_t len);
/* What a search found. */
enum view_found {
	VIEW_NOT_FOUND,      /* nowhere: the view is left alone */
	VIEW_FOUND,
	VIEW_WRAPPED,        /* found past one end, from the other */
};

/* Find a match as less and vim do, in every line the source has (those
 * read back from the logs too): forward (towards newer lines) or `back`,
 * from the current match when there is one, else from the view: forward
 * from its top line, back from its bottom line (both included). Past the
 * last line it goes on from the first, and the other way round, up to
 * where it began. `rows` is the pane height, to show the match in the
 * middle. `scratch` is a line to parse into. */
enum view_found view_search(struct view *v, const struct view_source *src,
    bool back, size_t rows, struct ansi_line *scratch);
/* Where the pattern occurs in a parsed line: fills from[]/to[] (column
 * ranges, to exclusive) up to max and returns how many there are. */
size_t view_matches(const struct view *v, const struct ansi_line *l,
    size_t *from, size_t *to, size_t max);

#endif
