/* resume.h: --resume RUN. It reads a previous run's record (runread) and
 * tells the new run where each of its sequences starts: at its first step
 * that did not succeed there. A sequence that succeeded there is done. */
#ifndef DROVE_RESUME_H
#define DROVE_RESUME_H

#include <stddef.h>

struct run;
struct rr_run;

/* The first step of sequence `seq` of the run to run again, given the
 * record `prev`: the steps before it have the same names there, in the
 * same places, and succeeded (skipped counts only when the whole sequence
 * succeeded). 0 when prev does not have the sequence; n_steps when it is
 * done. */
size_t resume_first_step(const struct run *run, size_t seq,
    const struct rr_run *prev);

/* Tell `run` where sequence `seq` starts, given `prev`: the steps before
 * resume_first_step keep the status they had there (a skipped one stays
 * skipped), and the values they captured. A step that captured a value
 * the record does not hold (a secret one) is run again, and the steps
 * after it. Returns the first step run. */
size_t resume_seq(struct run *run, size_t seq, const struct rr_run *prev);

/* Resume `run` (created, not started) from the run that `spec` names in
 * log_dir (an id, a prefix of one, `latest`, or a run directory). Returns
 * 0, or -1 and *err (caller frees) when it names no readable run. */
int resume_apply(struct run *run, const char *log_dir, const char *spec,
    char **err);

#endif
