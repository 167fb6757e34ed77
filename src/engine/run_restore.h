/* run_restore.h: a run that only shows a past one, for the review. Nothing
 * ever starts in it and every operator action is refused ("read only: a
 * past run"). Its state is set from the run directory's record. */
#ifndef DROVE_RUN_RESTORE_H
#define DROVE_RUN_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"

/* A frozen run of cfg (borrowed: it must outlive the run). */
struct run *run_create_frozen(struct config *cfg);
/* Sequence i as the record left it; the step it stopped at is the first
 * that did not succeed. Call after its steps' run_restore_step. */
void run_restore_seq(struct run *run, size_t i, enum seq_state st,
    double started, double ended);
/* Step `step` of sequence i: its last attempt as recorded. */
void run_restore_step(struct run *run, size_t i, size_t step,
    enum step_status st, unsigned attempts, int exit_code, int signal,
    double started, double ended);
/* Step `step` of sequence i was marked done by hand (m): ok, but not
 * because it succeeded. */
void run_restore_marked(struct run *run, size_t i, size_t step);
/* Placeholder p grows: its sequences are made from value (config_grow)
 * and added after the others, announced as RUN_EV_GROW. The live run
 * does it when p's needs are met; the review and a replica, when the
 * record or the live run says. Returns 0, or -1 and *err (caller frees)
 * with nothing added. */
int run_grow(struct run *run, size_t p, const char *value, char **err);
/* Sequence i was a fan-out's placeholder that grew into [first,
 * first + count). */
void run_restore_grown(struct run *run, size_t i, size_t first,
    size_t count);
/* True for a frozen run. */
bool run_frozen(const struct run *run);

/* A replica: a frozen run kept as the copy of a live run that another
 * process hosts (drove attach), set from what that process sends. The
 * state of sequence i, to be overwritten whole (NULL when the run is not
 * frozen); its outbuf takes the lines as they were kept there. */
struct run_seq *run_replica_seq(struct run *run, size_t i);
/* The run's own state: settled is then as given, not worked out. */
void run_replica_state(struct run *run, bool settled, double started,
    double settled_at);
/* The replica's plan has more sequences (the live run grew): add them.
 * Announce the growth (RUN_EV_GROW) once their state is set. */
void run_replica_grow(struct run *run);
/* Announce ev to the observers as the live run did (its time is now). */
void run_replica_emit(struct run *run, struct run_event *ev);

#endif
