/* action.h: what the operator can do to a sequence, spelled once. One
 * X-macro table makes the enum, the verbs (the record's event names, the
 * status bar's words), how each reads once done (the marks in the output,
 * live and in the review), and the engine's dispatch: run.c pairs each row
 * with a run_can_NAME (why it does not apply now, or NULL) and a
 * run_do_NAME, as far as the action concerns the engine. A new action is
 * one line here and those functions. */
#ifndef DROVE_ACTION_H
#define DROVE_ACTION_H

#include <stdbool.h>

/* A(NAME, name, "done", ENGINE). name is both the verb and the suffix of
 * run.c's functions; ENGINE is what the engine does with it:
 *	ACTS     run_can_name says where it applies, run_do_name does it
 *	CHECKS   run_can_name only: the action is recorded, and what it
 *	         does is its caller's (run_write_input)
 *	RECORDS  it applies to any sequence and is only recorded (the front
 *	         end opens the shell; a note is its text) */
#define RUN_ACTIONS(A)                                                   \
	A(RETRY, retry, "retried", ACTS) /* a failed or waiting step */  \
	A(SKIP, skip, "skipped", ACTS)   /* the running or failed step */ \
	A(KILL, kill, "killed", ACTS)    /* the running step */          \
	A(ABORT, abort, "aborted", ACTS) /* the whole sequence */        \
	A(HOLD, hold, "held after this step", ACTS)                      \
	A(RELEASE, release, "released", ACTS) /* a hold not reached yet */ \
	A(RESUME, resume, "resumed", ACTS) /* go on after a hold */      \
	A(STOP, stop, "stopped", ACTS)   /* the run stops: quit, signal */ \
	A(EDIT, edit, "retried with an edited command", ACTS) /* run_edit */ \
	A(MARK, mark, "marked done by hand", ACTS) /* a stopped step: ok */ \
	A(SHELL, shell, "shell opened", RECORDS) /* run_shell_by */      \
	A(NOTE, note, "noted", RECORDS)  /* run_note_by: a short text */ \
	A(INPUT, input, "typed into", CHECKS) /* keys for its tty step (i) */

enum run_action {
#define ACTION_ENUM(NAME, name, done, engine) RUN_ACT_##NAME,
	RUN_ACTIONS(ACTION_ENUM)
#undef ACTION_ENUM
};

#define ACTION_ONE(NAME, name, done, engine) + 1
enum { RUN_ACTION_COUNT = 0 RUN_ACTIONS(ACTION_ONE) };
#undef ACTION_ONE

/* The verb ("retry"); "?" out of range. */
const char *run_action_name(enum run_action act);
/* How it reads once done ("retried", "held after this step"). */
const char *run_action_done(enum run_action act);
/* The action called `name`: true and *act, else false. */
bool run_action_parse(const char *name, enum run_action *act);

#endif
