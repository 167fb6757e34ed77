/* keeper.h: the keeper, a small process drove forks and that starts every
 * step for it, so that nothing a step starts outlives drove, even when
 * drove is killed outright (SIGKILL, the OOM killer, a CI runner). When
 * many steps start at once there are a few keepers, side by side (see
 * keeper.c), each with what it started.
 *
 * The keeper is a child subreaper (PR_SET_CHILD_SUBREAPER): whatever a step
 * leaves behind, a double fork or a setsid daemon included, stays among its
 * descendants, and an orphan becomes its child, not init's. When drove is
 * gone (its end of the keeper's socket is closed, which the kernel does
 * even after SIGKILL) or asks it to end, the keeper terminates every one of
 * its descendants, whatever their process group or session: SIGTERM and
 * SIGCONT, then SIGKILL after the grace, until none is left; then it exits.
 *
 * The keeper knows nothing of steps. It receives requests (opaque bytes and
 * up to KEEPER_MAX_FDS descriptors) and hands each to the spawn function
 * given to keeper_ensure, which runs in the keeper (proc.c's). It answers
 * with the pid or the error, and later the child's wait status; drove gets
 * the answers through its libev loop. */
#ifndef DROVE_KEEPER_H
#define DROVE_KEEPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define KEEPER_MAX_FDS 3

/* In the keeper: start what REQ describes, with the descriptors FDS (the
 * keeper closes them afterwards). Returns the child's pid, which is also
 * its process group, or -errno. */
typedef pid_t keeper_spawn_fn(const char *req, size_t len, const int *fds,
    size_t n_fds);

enum keeper_answer {
	KEEPER_STARTED,  /* value: the pid */
	KEEPER_FAILED,   /* value: errno; nothing was started */
	KEEPER_EXITED,   /* value: the wait status; its process group still
	                    had members when the keeper reaped it */
	KEEPER_ENDED,    /* value: the wait status; nothing was left of its
	                    group, whose id is free for the kernel to give
	                    to anyone: drove must never signal it again */
	KEEPER_LOST,     /* its keeper died: the request will hear no
	                    more */
};
/* In drove, from the loop: what became of request ID. */
typedef void keeper_answer_fn(unsigned id, enum keeper_answer what,
    int value);

/* Make sure a keeper runs: fork one the first time (and again after all
 * were lost). Returns 0, or -1 with *err (caller frees) and errno. */
int keeper_ensure(keeper_spawn_fn *spawn, keeper_answer_fn *answer,
    char **err);
/* Ask a keeper to start request ID (not 0): an idle one, or one more
 * while every keeper has a spawn in flight. GRACE is how long what it
 * leaves behind gets between SIGTERM and SIGKILL when drove is gone. The
 * descriptors travel with the request and stay the caller's to close.
 * Returns 0, or -1 with *err (caller frees) and errno. */
int keeper_request(unsigned id, double grace, const char *req, size_t len,
    const int *fds, size_t n_fds, char **err);
/* End the keepers and wait until they have terminated everything left
 * (with no grace when NOW): the last thing drove does. */
void keeper_end(bool now);

#endif
