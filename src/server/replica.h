/* replica.h: a live run as a client keeps it (drove attach). The
 * server's first SNAPSHOT makes a frozen run (run.h) with the same plan;
 * what the server sends next (SEQ, RUN, LINES, LINE, PASSED, PARTIAL,
 * NOTICE, END) is applied to it and announced to the run's observers as the live
 * run announced it, so the dashboard draws the replica exactly as it
 * draws a run of its own. A later SNAPSHOT (the server resyncs a client
 * that fell behind) starts the state and the scrollback over. Nothing is
 * taken on trust: an index out of range, a plan that changed, a bad
 * field are errors. */
#ifndef DROVE_REPLICA_H
#define DROVE_REPLICA_H

#include <stdbool.h>

#include "proto.h"

struct replica;
struct run;

struct replica *replica_create(void);
void replica_free(struct replica *r);

/* Apply a message of the attach stream. 0, or -1 and *err (caller
 * frees). A message that is not part of the stream is an error. */
int replica_apply(struct replica *r, struct proto_msg *m, char **err);
/* The run, once the first snapshot came, else NULL. Owned by the
 * replica. */
struct run *replica_run(struct replica *r);
/* What the dashboard keeps on its status bar (WARNING), or NULL. Owned
 * by the replica. */
const char *replica_warning(const struct replica *r);
/* Whether END came, and the exit status it said. */
bool replica_ended(const struct replica *r, int *exit_code);

#endif
