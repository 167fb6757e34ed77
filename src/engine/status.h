/* status.h: the words for where a run stands, each spelled once: a step's
 * status and a sequence's state. One X-macro table per vocabulary makes
 * the enum, the names the record and the screen use, and the parser the
 * readers of the record use, so the writer and the readers cannot drift
 * apart. A new status is one line here. */
#ifndef DROVE_STATUS_H
#define DROVE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

/* S(NAME, "name", done): done says whether the status is final. */
#define STEP_STATUSES(S)                                                  \
	S(PENDING, "pending", false)        /* not reached yet */         \
	S(RUNNING, "running", false)        /* a process or a sleep */    \
	S(RETRY_WAIT, "retry-wait", false)  /* failed; next try soon */   \
	S(OK, "ok", true)                                                 \
	S(FAILED, "failed", true)           /* exit != 0, or a signal */  \
	S(TIMEOUT, "timeout", true)                                       \
	S(KILLED, "killed", true)           /* by the operator, a stop */ \
	S(SKIPPED, "skipped", true)                                       \
	S(UNREACHABLE, "unreachable", true) /* its host's ssh connection  \
	                                       could not be made */       \
	S(LOST, "lost", true)               /* the connection broke while \
	                                       it ran (not the command's  \
	                                       own exit 255) */

/* S(NAME, "name", over): over says whether the sequence has ended (a
 * blocked one waits again if the need that blocked it is retried).
 * WAITING: its needs or max_parallel hold it; PAUSED: held for the
 * operator (after a failure, or a hold); OK: every step ok or skipped;
 * FAILED: a step failed (even under on_failure: continue); BLOCKED: a
 * sequence it needs did not succeed; ABORTED: by the operator, or the
 * run was stopped; UNREACHABLE: it stopped because its host could not
 * be reached (a step unreachable or lost), not because a command failed,
 * as Ansible's recap tells the two apart. */
#define SEQ_STATES(S)                                                     \
	S(WAITING, "waiting", false)                                      \
	S(RUNNING, "running", false)                                      \
	S(PAUSED, "paused", false)                                        \
	S(OK, "ok", true)                                                 \
	S(FAILED, "failed", true)                                         \
	S(UNREACHABLE, "unreachable", true)                               \
	S(BLOCKED, "blocked", true)                                       \
	S(ABORTED, "aborted", true)

/* What a step is in its sequence: R(NAME, "name", "label"). name is the
 * record's, label what the screen calls a step of that role ("handler
 * 1/2 of step 3", "cleanup 1/1"). The order is the plan's (config.h,
 * enum cfg_step_role). */
#define STEP_ROLES(R)                                                     \
	R(MAIN, "main", "step")          /* one of the sequence's steps */ \
	R(HANDLER, "handler", "handler") /* of a failed step: on_failure \
	                                    with steps */                 \
	R(FINALLY, "finally", "cleanup") /* the sequence's finally: */

enum step_role {
#define STATUS_ENUM(name, text, label) STEP_ROLE_##name,
	STEP_ROLES(STATUS_ENUM)
#undef STATUS_ENUM
};

enum step_status {
#define STATUS_ENUM(name, text, done) STEP_##name,
	STEP_STATUSES(STATUS_ENUM)
#undef STATUS_ENUM
};

enum seq_state {
#define STATUS_ENUM(name, text, over) SEQ_##name,
	SEQ_STATES(STATUS_ENUM)
#undef STATUS_ENUM
};

/* How many there are: for arrays indexed by them. */
#define STATUS_ONE(name, text, flag) + 1
enum {
	STEP_STATUS_COUNT = 0 STEP_STATUSES(STATUS_ONE),
	SEQ_STATE_COUNT = 0 SEQ_STATES(STATUS_ONE),
};
#undef STATUS_ONE

/* "retry-wait" for STEP_RETRY_WAIT; "?" for a value out of range. */
const char *step_status_name(enum step_status st);
/* The status called `name`: true and *st, else false. */
bool step_status_parse(const char *name, enum step_status *st);
/* "handler"; "?" out of range. */
const char *step_role_name(enum step_role role);
/* "cleanup": how the screen calls a step of that role. */
const char *step_role_label(enum step_role role);
/* How a screen names step k (0-based) of a sequence with n_main steps:
 * "step 2/5"; a handler's: "handler 1/2 of step 3" (nth of group, of
 * the step `of`); a cleanup step: "cleanup 1/1". Returns buf. */
const char *step_label(enum step_role role, size_t k, size_t n_main,
    size_t nth, size_t group, size_t of, char *buf, size_t size);
/* How a command line names step k (0-based) of a sequence (drove ctl RUN
 * ACTION SEQ STEP, ctl status): its number "3"; a handler's step its
 * place in the handler of the step it handles, "3.handler:1"; a cleanup
 * step its place in the cleanup, "cleanup:1". (Its name names it too.)
 * Returns buf. */
const char *step_ref(enum step_role role, size_t k, size_t nth, size_t of,
    char *buf, size_t size);
/* The role called `name`: true and *role, else false. */
bool step_role_parse(const char *name, enum step_role *role);
/* Whether a step status is final (ok, failed, timeout, killed, skipped). */
bool step_status_done(enum step_status st);

const char *seq_state_name(enum seq_state st);
bool seq_state_parse(const char *name, enum seq_state *st);
/* Whether the sequence has ended (ok, failed, blocked, aborted). */
bool seq_state_over(enum seq_state st);
/* Whether it ended failed: FAILED, or UNREACHABLE (a failure whose cause
 * is the host's connection). Whatever treats a failed sequence (needs,
 * retry, the exit status) treats both alike. */
bool seq_state_failed(enum seq_state st);
/* Whether a step status says its host could not be reached (unreachable,
 * lost): no command of its failed. */
bool step_status_unreachable(enum step_status st);
/* What a step whose host could not be reached says instead of ssh's exit
 * 255, in the pane, the headless output and the review alike: "connection
 * to HOST lost" (lost), "HOST unreachable" (unreachable). Returns buf. */
const char *step_host_why(enum step_status st, const char *host, char *buf,
    size_t size);

#endif
