/* action.h: what the operator can do to a sequence, spelled once. One
 * X-macro table makes the enum, the verbs (the record's event names, the
 * status bar's words), how each reads once done (the marks in the output,
 * live and in the review), and the engine's dispatch: run.c pairs each row
 * with a run_can_NAME (why it does not apply now, or NULL) and a
 * run_do_NAME. A new action is one line here and those two functions. */
#ifndef DROVE_ACTION_H
#define DROVE_ACTION_H

#include <stdbool.h>

/* A(NAME, name, "done"). name is both the verb and the suffix of run.c's
 * run_can_name / run_do_name. */
#define RUN_ACTIONS(A)                                                   \
	A(RETRY, retry, "retried")       /* a failed or waiting step */  \
	A(SKIP, skip, "skipped")         /* the running or failed step */ \
	A(KILL, kill, "killed")          /* the running step */          \
	A(ABORT, abort, "aborted")       /* the whole sequence */        \
	A(HOLD, hold, "held after this step")                            \
	A(RELEASE, release, "released")  /* a hold not reached yet */    \
	A(RESUME, resume, "resumed")     /* go on after a hold */        \
	A(STOP, stop, "stopped")         /* the run stops: quit, signal */ \
	A(EDIT, edit, "retried with an edited command") /* run_edit */   \
	A(MARK, mark, "marked done by hand") /* a stopped step: ok */    \
	A(SHELL, shell, "shell opened") /* run_shell_by: where it runs */ \
	A(NOTE, note, "noted")          /* run_note_by: a short text */  \
	A(INPUT, input, "typed into")   /* keys for its tty step (i) */

enum run_action {
#define ACTION_ENUM(NAME, name, done) RUN_ACT_##NAME,
	RUN_ACTIONS(ACTION_ENUM)
#undef ACTION_ENUM
};

#define ACTION_ONE(NAME, name, done) + 1
enum { RUN_ACTION_COUNT = 0 RUN_ACTIONS(ACTION_ONE) };
#undef ACTION_ONE

/* The verb ("retry"); "?" out of range. */
const char *run_action_name(enum run_action act);
/* How it reads once done ("retried", "held after this step"). */
const char *run_action_done(enum run_action act);
/* The action called `name`: true and *act, else false. */
bool run_action_parse(const char *name, enum run_action *act);

#endif
