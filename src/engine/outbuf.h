/* outbuf.h: one sequence's output as lines. Bytes go in as the child wrote
 * them; complete lines come out (to a callback) and the newest `scrollback`
 * of them stay in a ring for the UI. Memory is bounded: a line longer than
 * OUTBUF_LINE_MAX is cut into continuation lines, and a carriage return not
 * followed by a newline starts the line over (a progress bar keeps only its
 * latest state). The exact bytes are the log file's business, not this. */
#ifndef DROVE_OUTBUF_H
#define DROVE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

#define OUTBUF_LINE_MAX 4096

enum {
	OUTBUF_CONTINUED = 0x1, /* this line continues the previous one */
	OUTBUF_MARK = 0x2,      /* written by drove itself (step banners) */
};

struct outbuf_line {
	char *text;      /* not NUL-terminated; owned by the outbuf */
	uint32_t len;
	uint16_t flags;
	uint16_t step;   /* index of the step that wrote it */
	double time;     /* when the line was completed (ev_now) */
};

struct outbuf;

/* Called for every completed line, before it enters the ring. */
typedef void outbuf_line_cb(void *arg, const struct outbuf_line *line);

/* A buffer that keeps the newest `scrollback` lines (at least 1). */
struct outbuf *outbuf_create(size_t scrollback, outbuf_line_cb *cb, void *arg);
void outbuf_free(struct outbuf *ob);

/* Feed bytes written by step `step` at time `now`. */
void outbuf_feed(struct outbuf *ob, const char *data, size_t len,
    unsigned step, double now);
/* End of a step's output: a pending partial line becomes a line. */
void outbuf_flush(struct outbuf *ob, double now);
/* Add a whole line of drove's own (flags gets OUTBUF_MARK). Flushes any
 * partial line first. */
void outbuf_add_mark(struct outbuf *ob, const char *text, unsigned step,
    double now);

/* A copy of another process's outbuf (drove attach): a whole line as
 * it was kept there (it ends the partial line), one older than all those
 * kept (dropped when the ring is full; the numbers of the others do not
 * change), the unfinished line as it is there, and forgetting everything
 * to start over, the next line added being line `next` (the number it
 * has there, so that lines put before it have numbers too). */
void outbuf_add_line(struct outbuf *ob, const char *text, size_t len,
    unsigned flags, unsigned step, double time);
void outbuf_prepend_line(struct outbuf *ob, const char *text, size_t len,
    unsigned flags, unsigned step, double time);
void outbuf_set_partial(struct outbuf *ob, const char *text, size_t len,
    unsigned step);
void outbuf_restart(struct outbuf *ob, uint64_t next);

/* How many lines it keeps at most (its scrollback). */
size_t outbuf_capacity(const struct outbuf *ob);
/* Lines kept: index 0 is the oldest kept, count-1 the newest. */
size_t outbuf_count(const struct outbuf *ob);
const struct outbuf_line *outbuf_get(const struct outbuf *ob, size_t i);
/* Lines ever completed, including those dropped from the ring: the
 * absolute number of line i is outbuf_total(ob) - outbuf_count(ob) + i. */
uint64_t outbuf_total(const struct outbuf *ob);
/* The partial line not yet ended by a newline (may be empty). */
const char *outbuf_partial(const struct outbuf *ob, size_t *len);
/* Bumped on every change, so a viewer can tell whether to redraw. */
uint64_t outbuf_generation(const struct outbuf *ob);

#endif
