/* logidx.h: a sequence's complete output read back from a run directory,
 * for the review. Every attempt's log is mapped into memory (the bytes
 * stay on disk, the page cache holds them) and indexed into lines, with
 * drove's own marks between them: where each step and attempt began, how
 * it ended, and where the operator acted. Each line knows when it arrived
 * (from the .times file beside its log). Memory is 12 bytes a line. */
#ifndef DROVE_LOGIDX_H
#define DROVE_LOGIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rr_run;
struct logidx;

/* Index sequence `seq` of `run` (which must outlive the index). A log
 * that is missing or unreadable becomes a mark saying so. Never NULL. */
struct logidx *logidx_build(const struct rr_run *run, size_t seq);
void logidx_free(struct logidx *li);

/* Was a log shrunk on disk while it was mapped (what was lost reads as
 * zeros: the review survives it and can say so)? */
bool logidx_changed(void);

size_t logidx_count(const struct logidx *li);
/* Line i: its bytes (not NUL-terminated, owned by the index), *flags gets
 * OUTBUF_* flags (OUTBUF_MARK for drove's own lines), *step the step, and
 * *time when it arrived (0 if unknown). NULL past the end. */
const char *logidx_line(const struct logidx *li, size_t i, size_t *len,
    unsigned *flags, unsigned *step, double *time);

#endif
