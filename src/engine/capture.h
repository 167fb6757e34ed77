/* capture.h: the values a run's steps captured (capture: NAME, see
 * config/README.md). It keeps each capturing step's last value, or why it
 * has none (it did not run, was skipped, failed); the stdout of the
 * capturing step a sequence runs now, bounded by CONFIG_CAPTURE_MAX; and
 * answers which value {{NAME}} has for a step about to start: the latest
 * capture of its own sequence that ran before it, else the captures of
 * the sequences it needs, directly or not, one per line. The run (run.c)
 * feeds it; it never starts or ends anything itself. */
#ifndef DROVE_CAPTURE_H
#define DROVE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "status.h"

struct capture_store;

/* The store for cfg's sequences (borrowed: cfg must outlive it). */
struct capture_store *capture_create(const struct config *cfg);
void capture_free(struct capture_store *cs);

/* A capturing step of sequence seq starts an attempt: what it captured
 * before is forgotten (only the last attempt counts). */
void capture_begin(struct capture_store *cs, size_t seq);
/* Its stdout. Returns false once the attempt wrote more than
 * CONFIG_CAPTURE_MAX bytes (the rest is not kept). */
bool capture_feed(struct capture_store *cs, size_t seq, const char *data,
    size_t len);
/* Whether the running attempt of seq went over the limit. */
bool capture_over(const struct capture_store *cs, size_t seq);
/* The attempt of step `step` (it captures) ended with st: when STEP_OK
 * what it wrote, less one trailing newline, is the step's value; else it
 * has none, for the reason st says. */
void capture_end(struct capture_store *cs, size_t seq, size_t step,
    enum step_status st);
/* Set a step's value from elsewhere (--resume: the record of the run
 * resumed). value holds len bytes. */
void capture_set(struct capture_store *cs, size_t seq, size_t step,
    const char *value, size_t len);

/* Step `step` of sequence seq's value (len bytes in *len when not NULL),
 * or NULL when it has none. Owned by the store, valid until that step
 * captures again. */
const char *capture_value(const struct capture_store *cs, size_t seq,
    size_t step, size_t *len);

/* The variables late step `step` of sequence seq refers to, with their
 * values now, in *vars (*n_vars entries; free with capture_vars_free).
 * Returns 0, or -1 and *err (caller frees) naming the first one whose
 * capturing step did not give it a value, and why. */
int capture_vars(const struct capture_store *cs, size_t seq, size_t step,
    const struct cfg_step *st, struct cfg_kv **vars, size_t *n_vars,
    char **err);
void capture_vars_free(struct cfg_kv *vars, size_t n_vars);

#endif
