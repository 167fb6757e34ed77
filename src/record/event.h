/* event.h: the vocabulary of events.jsonl, spelled once: the events a run
 * directory's record holds and the fields they carry. runlog.c writes
 * through these tables and runread.c reads through them, so the writer
 * and the reader cannot disagree; an event or a field is one line here.
 * The statuses, states and actions written as values come from status.h
 * and action.h. */
#ifndef DROVE_EVENT_H
#define DROVE_EVENT_H

#include <stdbool.h>

#include "action.h"

/* E(NAME, "name"). An operator's action is an event too, named by its
 * verb (action.h): REC_ACTION. */
#define REC_EVENTS(E)                                                     \
	E(RUN_START, "run_start")   /* id, config, pid, the plan */       \
	E(RUN_END, "run_end")       /* status, exit code, duration */     \
	E(SETTLED, "settled")       /* all finished (a dashboard may stay \
	                               open): status, duration */         \
	E(SEQ_STATE, "seq_state")   /* a sequence's new state */          \
	E(STEP_START, "step_start") /* an attempt starts */               \
	E(STEP_END, "step_end")     /* an attempt ends (attempt 0:        \
	                               done in the run --resume'd) */     \
	E(NOTICE, "notice")         /* something the user should read */ \
	E(CAPTURE, "capture")       /* a step's stdout became a variable: \
	                               var, value (or secret: true) */   \
	E(GROW, "grow")             /* a fan-out made its sequences: the  \
	                               placeholder, from what, the new    \
	                               sequences (as run_start's plan) */ \
	E(REFUSED, "refused")       /* the run's socket refused a peer */

enum rec_event {
#define REC_EVENT_ENUM(NAME, name) REC_##NAME,
	REC_EVENTS(REC_EVENT_ENUM)
#undef REC_EVENT_ENUM
	REC_ACTION                  /* run_action_name(action) */
};

/* F(NAME, "name") */
#define REC_FIELDS(F)                                                     \
	F(EVENT, "event")           /* every line: what happened */       \
	F(TIME, "time")             /* every line: ISO 8601, UTC */       \
	F(TS, "ts")                 /* every line: epoch seconds */       \
	F(RUN_ID, "run_id")                                               \
	F(CONFIG, "config")         /* the config's absolute path */      \
	F(PID, "pid")                                                     \
	F(SEQUENCES, "sequences")   /* run_start: the plan; run_end:      \
	                               sequences by state */              \
	F(NAME, "name")             /* the plan: a sequence's name */     \
	F(STEPS, "steps")           /* the plan: its steps' names */      \
	F(RETRIES, "retries")       /* the plan: automatic retries */     \
	F(ROLES, "roles")           /* the plan: each step's role          \
	                               (status.h), when not all "main" */ \
	F(OF, "of")                 /* the plan, with roles: the step a    \
	                               handler step handles (else 0) */   \
	F(ROLE, "role")             /* a step's event: its role, when it  \
	                               is a handler's or a cleanup step */ \
	F(SEQ, "seq")               /* the sequence's name */             \
	F(SEQ_INDEX, "seq_index")                                         \
	F(STEP, "step")             /* the step's name */                 \
	F(STEP_INDEX, "step_index")                                       \
	F(ATTEMPT, "attempt")                                             \
	F(LOG, "log")               /* the attempt's log, relative */     \
	F(RUN, "run")               /* step_start: the command; edit:     \
	                               what the next attempts run */     \
	F(SLEEP, "sleep")           /* step_start: a sleep's seconds */   \
	F(WAIT_FOR, "wait_for")     /* step_start: what a wait_for step   \
	                               waits for ("tcp db:5432") */      \
	F(RESUMED, "resumed")       /* step_end of attempt 0 */           \
	F(STATUS, "status")         /* a step's status, the run's end */  \
	F(EXIT_CODE, "exit_code")                                         \
	F(SIGNAL, "signal")                                               \
	F(SIGNAL_NAME, "signal_name")                                     \
	F(DURATION, "duration")                                           \
	F(LOG_DROPPED, "log_dropped") /* step_end: bytes max_log dropped  \
	                               from the middle of its log */     \
	F(LOG_BYTES, "log_bytes")   /* step_end: bytes in its log; 0: it  \
	                               printed nothing, and has no file */ \
	F(STATE, "state")           /* seq_state: the new state */        \
	F(WAITS_FOR, "waits_for")   /* seq_state blocked: the needs that  \
	                               did not succeed, "db (failed)" */  \
	F(OPERATOR, "operator")     /* an action: true */                 \
	F(REASON, "reason")         /* an action: why (a stop) */         \
	F(BY, "by")                 /* an action: who took it, "USER on   \
	                               TTY" (or "USER" without a tty) */  \
	F(MESSAGE, "message")       /* a notice's text, a refusal's; a    \
	                               wait step's step_end: how it ended \
	                               ("timed out after 5s waiting for   \
	                               tcp db:5432 (connection refused)") */ \
	F(VAR, "var")               /* capture: the variable's name */    \
	F(VALUE, "value")           /* capture, grow: the value (grow:    \
	                               absent when secret) */             \
	F(SECRET, "secret")         /* capture: true when the value is    \
	                               secret (and not written) */        \
	F(HOST, "host")             /* shell: the host it opened on;      \
	                               step_end: the one it could not     \
	                               reach (unreachable, lost) */       \
	F(NOTE, "note")             /* note: the operator's text */       \
	F(FROM, "from")             /* grow: the capture's name */        \
	F(FIRST, "first")           /* grow: the first new seq_index */

enum rec_field {
#define REC_FIELD_ENUM(NAME, name) REC_F_##NAME,
	REC_FIELDS(REC_FIELD_ENUM)
#undef REC_FIELD_ENUM
};

/* The name of an event other than REC_ACTION. */
const char *rec_event_name(enum rec_event ev);
/* What an event name means: one of REC_EVENTS, or REC_ACTION and *act.
 * False for a name nobody writes. */
bool rec_event_parse(const char *name, enum rec_event *ev,
    enum run_action *act);
/* The field's key in the JSON object. */
const char *rec_field(enum rec_field f);

#endif
