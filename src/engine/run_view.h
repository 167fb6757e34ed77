/* run_view.h: what a front end knows of a run, and all it may do to it.
 * The read model is plain data (names, states, statuses, attempts, times,
 * exit codes, and the handle of each sequence's scrollback): no loop, no
 * process, no timer, nothing of the plan but the names a screen shows, so
 * that a front end in another process could be sent the same. Changes
 * arrive as run_events, to observers, after each transition is complete.
 * The front ends act through run_act and the tty calls below. The
 * engine's own side of a run (its life, the ssh transport) is run.h. */
#ifndef DROVE_RUN_VIEW_H
#define DROVE_RUN_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "action.h"
#include "outbuf.h"
#include "status.h"

struct run;

/* A step as a front end sees it. */
struct run_step {
	const char *name;    /* the plan's (borrowed, lives with the run) */
	unsigned retries;    /* automatic retries the plan allows */
	bool tty;            /* a command step with tty: true: takes keys */
	const char *command; /* what its next attempt runs (here, or on the
	                        host): the plan's, or the operator's edit
	                        (e); NULL for a step that runs no command
	                        (sleep, wait_for, upload, download) or one
	                        made as it starts (a captured value).
	                        Borrowed, lives with the run */
	bool edited;         /* command is the operator's (e), not the plan's */
	bool waiting_input;  /* a tty step that runs, quiet, its process
	                        blocked reading its terminal: a prompt */
	bool marked;         /* STEP_OK because the operator marked it done
	                        by hand (m), not because it succeeded */
	enum step_status status;
	unsigned attempt;    /* of the current/last attempt, 1-based; 0 never */
	int exit_code;       /* of the last attempt; -1 if none */
	int signal;          /* that killed the last attempt; 0 if none */
	double started;      /* of the last attempt; 0 if never */
	double ended;        /* of the last attempt; 0 while it runs */
	double retry_at;     /* when STEP_RETRY_WAIT ends */
	unsigned operator_retries; /* attempts started by the operator */
	bool resumed;        /* done in the run this one resumes (--resume):
	                        its status there (ok, or skipped in a
	                        sequence that succeeded), not run here */
	bool cond_skipped;   /* STEP_SKIPPED because its if: said no, not by
	                        the operator */
	enum step_role role; /* a step, a handler's, or a cleanup step */
	size_t of;           /* STEP_ROLE_HANDLER: the step it handles */
	size_t nth, group;   /* its place among the steps of its handler or
	                        of the cleanup (1-based), and their number */
	char *why;           /* a wait_for step: how its last attempt
	                        ended, in words ("timed out after 5s
	                        waiting for tcp db:5432 (connection
	                        refused)"), or NULL. Owned by the run */
};

/* Why a PAUSED sequence waits for the operator. */
enum run_pause {
	RUN_PAUSE_NONE,      /* not paused */
	RUN_PAUSE_FAILURE,   /* a step failed under on_failure: pause */
	RUN_PAUSE_HOLD,      /* the operator's hold was reached */
};

/* A sequence as a front end sees it. */
struct run_seq {
	const char *name;    /* the plan's (borrowed, lives with the run) */
	size_t index;
	size_t n_steps;      /* its steps (STEP_ROLE_MAIN) */
	size_t n_all;        /* steps has n_all: the n_steps, then the
	                        handlers' steps, then the cleanup's */
	struct run_step *steps;
	enum seq_state state;
	size_t current;      /* the step running or stopped at (a handler's
	                        or a cleanup step's while it runs); n_steps
	                        at the end */
	bool cleanup;        /* RUNNING its cleanup steps (finally:); the
	                        state it ends in is known, not yet set */
	double started, ended; /* 0 when not yet */
	enum run_pause pause; /* why it is PAUSED; NONE when it is not */
	bool hold;           /* the operator asked for a pause after the
	                        current step (RUNNING only) */
	bool had_failure;    /* a step failed under on_failure: continue */
	char *blocked_by;    /* BLOCKED: the needs that did not succeed,
	                        "setup vm3 (failed), db (aborted)"; else
	                        NULL (owned by the run) */
	struct outbuf *out;  /* its scrollback, for viewers */
	/* A fan-out (matrix or hosts from a captured value): the
	 * placeholder waits, with no steps run, for the value; then it
	 * grows: its sequences are [first, first + count) (count 0 for an
	 * empty value), front ends show them instead of it, and its state
	 * sums theirs up (ok when all are, failed when one failed). */
	bool placeholder;
	bool grown;
	size_t first, count;
};

enum run_event_type {
	RUN_EV_START,      /* the run begins */
	RUN_EV_SEQ,        /* a sequence changed state */
	RUN_EV_STEP_START, /* an attempt of a step starts */
	RUN_EV_OUTPUT,     /* raw bytes of a step (data, len): the log's */
	RUN_EV_LINE,       /* a completed output line (line) */
	RUN_EV_STEP_END,   /* an attempt ended (its status is in the step) */
	RUN_EV_ACTION,     /* an operator action was taken (action) */
	RUN_EV_NOTICE,     /* something the user should read (text) */
	RUN_EV_GROW,       /* placeholder seq grew: sequences [first,
	                      first + count) are new (run_seq_count is
	                      more); text: the value they were made from,
	                      NULL when it is secret */
	RUN_EV_IDLE,       /* nothing runs and nothing can start */
	RUN_EV_END,        /* run_finish was called */
	RUN_EV_CAPTURE,    /* a step's stdout became a variable (capture:):
	                      its value in text, len bytes; text NULL for a
	                      secret one, which is shown nowhere */
};

struct run_event {
	enum run_event_type type;
	double time;
	size_t seq;          /* for everything but START, IDLE, END */
	size_t step;
	unsigned attempt;
	const char *data;    /* OUTPUT */
	size_t len;          /* OUTPUT, CAPTURE */
	const struct outbuf_line *line; /* LINE */
	enum run_action action; /* ACTION */
	const char *text;    /* NOTICE, CAPTURE, and why for ACTION/END */
	const char *who;     /* ACTION: who took it ("alice on /dev/pts/3"),
	                        or NULL when not known */
	int exit_code;       /* END: drove's exit status */
	size_t first, count; /* GROW */
};

typedef void run_observer_fn(void *arg, struct run *run,
    const struct run_event *ev);

/* Observers are called in the order they were added. */
void run_add_observer(struct run *run, run_observer_fn *fn, void *arg);
/* Stop calling fn with arg (a front end that closes before the run). */
void run_remove_observer(struct run *run, run_observer_fn *fn, void *arg);

size_t run_seq_count(const struct run *run);
/* Sequence i, or NULL past the end. Owned by the run. */
const struct run_seq *run_seq(const struct run *run, size_t i);
double run_started(const struct run *run);
/* True when nothing runs, nothing is paused and nothing can start. */
bool run_settled(const struct run *run);
/* When the run last settled (nothing ran or could start), or 0: a finished
 * run's duration ends there, not when its dashboard was closed. */
double run_settled_at(const struct run *run);
/* Step counts of a sequence by outcome. */
void run_seq_counts(const struct run_seq *seq, size_t *ok, size_t *failed,
    size_t *skipped);

/* How a screen names step k of seq: "step 2/5", "handler 1/2 of step
 * 2", "cleanup 1/1". Returns buf. */
const char *run_step_label(const struct run_seq *seq, size_t k, char *buf,
    size_t size);

/* The operator's action `act` on sequence `i`: NULL when done, or a short
 * reason why it does not apply now (for a status line). */
const char *run_act(struct run *run, size_t i, enum run_action act);
/* The same, taken by `who` (for the record: "USER on TTY"). */
const char *run_act_by(struct run *run, size_t i, enum run_action act,
    const char *who);
/* e: retry sequence i's stopped step with `command` (copied) in place of
 * the plan's, for this attempt and the next; the config file is never
 * changed. The action RUN_ACT_EDIT, taken by `who` (NULL: not known):
 * NULL when done, else why not. */
const char *run_edit_by(struct run *run, size_t i, const char *command,
    const char *who);
/* $: a shell for the operator where sequence i runs, taken by `who`
 * (recorded as the action 'shell'). For a sequence bound to a host, *argv
 * (ssh through the host's connection); otherwise *argv is NULL, and the
 * shell runs here, in *cwd with *env (the step's environment). The caller
 * frees all three (xstrv_free, free). NULL, or why not. */
const char *run_shell_by(struct run *run, size_t i, const char *who,
    char ***argv, char **cwd, char ***env);
/* A note of the operator's on sequence i (one line, at most
 * RUN_NOTE_MAX bytes), recorded as the action 'note' with its text, by
 * `who`. NULL, or why not. */
#define RUN_NOTE_MAX 200
const char *run_note_by(struct run *run, size_t i, const char *text,
    const char *who);
/* Why run_act(run, i, act) would refuse, or NULL when it would act. */
const char *run_can(const struct run *run, size_t i, enum run_action act);
/* Write to the running step of sequence i when it is a `tty: true` step
 * (answering a prompt). Returns bytes written, or -1 when there is no
 * running tty step. Never blocks. */
ssize_t run_write_input(struct run *run, size_t i, const char *data,
    size_t len);
/* Tell sequence i's running tty step the size of the pane showing it; the
 * size is also used for its later tty steps. */
void run_resize_tty(struct run *run, size_t i, unsigned short cols,
    unsigned short rows);

#endif
