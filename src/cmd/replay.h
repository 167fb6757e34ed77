/* replay.h: a past run, opened for the review. The plan and the final
 * state of every sequence and step are rebuilt from the run directory
 * into a frozen run (src/engine/run.h), so the dashboard shows it as it shows a
 * live one; each sequence's complete output comes from its logs on disk
 * (src/record/logidx.h), indexed the first time it is asked for. */
#ifndef DROVE_REPLAY_H
#define DROVE_REPLAY_H

#include <stddef.h>

struct logidx;
struct replay;
struct rr_run;
struct run;

/* Open the run in directory `dir`. NULL and *err (caller frees) when it
 * has no readable record at all. The replay is the caller's. */
struct replay *replay_open(const char *dir, char **err);
void replay_free(struct replay *rp);

/* The frozen run (owned by the replay). */
struct run *replay_run(struct replay *rp);
/* The record it was rebuilt from (owned by the replay). */
const struct rr_run *replay_record(const struct replay *rp);
/* Sequence i's complete output (owned by the replay, built on first use). */
struct logidx *replay_output(struct replay *rp, size_t i);

#endif
