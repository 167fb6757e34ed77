/* outbuf.h: one sequence's output as lines. Bytes go in as the child wrote
 * them; complete lines come out (to a callback), and the newest of them
 * stay in memory for the UI. Memory is bounded three ways: a line longer
 * than OUTBUF_LINE_MAX is cut into continuation lines; a carriage return
 * (or several) not followed by a newline starts the line over (a progress
 * bar keeps only its latest state); and the lines kept in memory are
 * bounded by a number of lines and by a share of a byte budget all the
 * outbufs of a run split between them (outbuf_pool). A line that leaves memory is not
 * forgotten: it is remembered as "line K of step S's attempt A" (runs of
 * them as one entry) or, for drove's own marks, which are in no log, by
 * its text; a reader the pool is given (src/record/logback.h) reads such
 * lines back from the step logs, so every line stays reachable. The exact
 * bytes are the log file's business, not this. */
#ifndef DROVE_OUTBUF_H
#define DROVE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

#define OUTBUF_LINE_MAX 4096
/* A line's place in its attempt's log is not known (a peer that did not
 * say). */
#define OUTBUF_NO_LINE UINT32_MAX

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
	uint32_t aline;  /* output line number in its attempt's log, from 0
	                  * (OUTBUF_NO_LINE for marks) */
	uint16_t attempt; /* the attempt of the step that wrote it (from 1) */
};

/* --- the budget the outbufs of a run share ----------------------------- */

/* Read line `aline` of the log of sequence seq's step's attempt: its
 * bytes (valid until the next call), their length, and OUTBUF_* flags;
 * NULL when the log does not have it. */
typedef const char *outbuf_reader(void *arg, size_t seq, unsigned step,
    unsigned attempt, uint64_t aline, size_t *len, unsigned *flags);

struct outbuf_pool;

/* A budget of `bytes` (at least 1) for the lines the member outbufs keep
 * in memory: each keeps at most an equal share of it (and always its
 * newest line). */
struct outbuf_pool *outbuf_pool_create(size_t bytes);
/* The members must be freed first. free(NULL) is a no-op. */
void outbuf_pool_free(struct outbuf_pool *pool);
size_t outbuf_pool_budget(const struct outbuf_pool *pool);
/* Where lines that left memory are read back from (none by default:
 * they read as a line saying they are gone). */
void outbuf_pool_set_reader(struct outbuf_pool *pool, outbuf_reader *fn,
    void *arg);

/* --- one sequence's output ---------------------------------------------- */

struct outbuf;

/* Called for every completed line, before it enters the ring. */
typedef void outbuf_line_cb(void *arg, const struct outbuf_line *line);

/* A buffer that keeps at most the newest `max_lines` lines in memory (at
 * least 1; SIZE_MAX: no bound but the pool's). */
struct outbuf *outbuf_create(size_t max_lines, outbuf_line_cb *cb,
    void *arg);
void outbuf_free(struct outbuf *ob);
/* Share `pool`'s budget as sequence number `seq` (what the reader is
 * asked for). Once, before any line. */
void outbuf_join(struct outbuf *ob, struct outbuf_pool *pool, size_t seq);

/* Feed bytes written by attempt `attempt` of step `step` at time `now`. */
void outbuf_feed(struct outbuf *ob, const char *data, size_t len,
    unsigned step, unsigned attempt, double now);
/* End of a step's output: a pending partial line becomes a line. */
void outbuf_flush(struct outbuf *ob, double now);
/* Add a whole line of drove's own (flags gets OUTBUF_MARK). Flushes any
 * partial line first. */
void outbuf_add_mark(struct outbuf *ob, const char *text, unsigned step,
    double now);

/* A copy of another process's outbuf (drove attach): a whole line as
 * it was kept there (it ends the partial line), one older than all those
 * kept (when memory is full it is remembered as those that left it are),
 * the unfinished line as it is there, and forgetting everything to start
 * over, the next line added being line `next` (the number it has there,
 * so that lines put before it have numbers too). */
void outbuf_add_line(struct outbuf *ob, const struct outbuf_line *line);
void outbuf_prepend_line(struct outbuf *ob, const struct outbuf_line *line);
void outbuf_set_partial(struct outbuf *ob, const char *text, size_t len,
    unsigned step);
void outbuf_restart(struct outbuf *ob, uint64_t next);

/* Lines kept in memory: index 0 is the oldest kept, count-1 the newest. */
size_t outbuf_count(const struct outbuf *ob);
const struct outbuf_line *outbuf_get(const struct outbuf *ob, size_t i);
/* Lines ever completed, including those that left memory: the absolute
 * number of line i is outbuf_total(ob) - outbuf_count(ob) + i. */
uint64_t outbuf_total(const struct outbuf *ob);
/* The oldest line that can be read (0 unless the outbuf restarted). */
uint64_t outbuf_first(const struct outbuf *ob);
/* Line n (absolute), in memory or read back: its bytes (valid until the
 * next call or change), OUTBUF_* flags and when it came (0: unknown).
 * NULL outside first .. total-1. */
const char *outbuf_line_at(const struct outbuf *ob, uint64_t n,
    size_t *len, unsigned *flags, double *time);
/* The partial line not yet ended by a newline (may be empty). */
const char *outbuf_partial(const struct outbuf *ob, size_t *len);
/* Bumped on every change, so a viewer can tell whether to redraw. */
uint64_t outbuf_generation(const struct outbuf *ob);

/* --- what left memory, for a copy (drove attach) ------------------------- */

/* A run of lines that left memory: `count` lines from absolute line
 * `first`; a mark (flags has OUTBUF_MARK, count 1, text its bytes) or
 * lines aline.. of an attempt's log (text NULL; aline OUTBUF_NO_LINE:
 * lines nobody can read back). */
struct outbuf_spilled {
	uint64_t first;
	uint32_t count;
	uint32_t aline;
	uint16_t step, attempt, flags;
	double time;
	const char *text;    /* owned by the outbuf (or the caller's) */
	uint32_t len;
};

size_t outbuf_spilled_count(const struct outbuf *ob);
void outbuf_spilled_get(const struct outbuf *ob, size_t i,
    struct outbuf_spilled *out);
/* Put another outbuf's entries (oldest first) before everything this one
 * has: the part of them older than outbuf_first() is taken. */
void outbuf_spilled_put_before(struct outbuf *ob,
    const struct outbuf_spilled *e, size_t n);
/* Put another outbuf's entries (oldest first) after everything this one
 * has, as lines numbered from outbuf_total() on (a dashboard sent only
 * the newest lines of a flood, and where the others are): the kept lines
 * leave memory first, since the index only holds lines older than those
 * kept, and the unfinished line ends. */
void outbuf_spilled_put_after(struct outbuf *ob,
    const struct outbuf_spilled *e, size_t n);

#endif
