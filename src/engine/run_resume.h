/* run_resume.h: --resume, as the engine takes it (resume.c decides from
 * the record where each sequence starts). */
#ifndef DROVE_RUN_RESUME_H
#define DROVE_RUN_RESUME_H

#include <stddef.h>

#include "run.h"

/* Sequence i starts at step `first`, the steps before it being done in
 * the run `from` (an id, for the output). Each of those keeps the status
 * it had there, status[j] (STEP_OK or STEP_SKIPPED; NULL: all STEP_OK),
 * with `resumed` set, and is announced at run_start as a RUN_EV_STEP_END
 * of attempt 0, after a RUN_EV_NOTICE, so the new run's record says it
 * too. first == n_steps: the sequence is done (SEQ_OK from the start).
 * Call before run_start. */
void run_resume_from(struct run *run, size_t i, size_t first,
    const char *from, const enum step_status *status);
/* Step `step` of sequence i captured a secret value in the run `from`,
 * which its record does not have: it runs again (the sequence starts
 * there at the latest), and the run says why, at run_start, in the
 * sequence's pane and a RUN_EV_NOTICE. Call before run_start. */
void run_resume_secret(struct run *run, size_t i, size_t step,
    const char *from);
/* Sequence i stopped at step `stopped` (1-based) in the run `from`, and
 * its cleanup ran there, undoing what its steps did: it starts over from
 * its first step, saying so (a RUN_EV_NOTICE as it starts). Call before
 * run_start, instead of run_resume_from. */
void run_resume_over(struct run *run, size_t i, size_t stopped,
    const char *from);
/* Step `step` of sequence seq, not run again, captured `value` (len
 * bytes) in the run resumed: later steps and sequences see it as if it
 * had been captured here. Call before run_start, after run_resume_from;
 * run_start announces it (RUN_EV_CAPTURE) for this run's record. */
void run_resume_capture(struct run *run, size_t seq, size_t step,
    const char *value, size_t len);
/* A sequence of the run `from` that no sequence of this one is called
 * yet: a fan-out may make it again. When it does, the sequence starts at
 * step `first` (or earlier, from the first step whose name is not
 * names[j] any more), with status[j], as run_resume_from says. names and
 * status (first entries) are copied. Call before run_start. */
void run_resume_later(struct run *run, const char *name, size_t first,
    char *const *names, const enum step_status *status, const char *from);
/* The value captured as name in the run resumed: a fan-out that needs a
 * sequence not run again here takes its sequences from it. */
void run_resume_value(struct run *run, const char *name, const char *value);
/* The id of the run this one resumes, or NULL. */
const char *run_resumed_from(const struct run *run);

#endif
