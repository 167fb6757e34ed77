/* run.h: the run model and its state machine. A run owns one state per
 * sequence and per step, schedules sequences (needs, max_parallel), starts
 * steps through proc, applies timeouts, retries and on_failure, and takes
 * the operator's actions (retry, skip, kill, abort, hold, stop). Whatever
 * happens is announced to observers as run_events: the run log, the
 * headless reporter and the UI are all observers; the run knows none of
 * them. Observers read state through the read-only structs below. */
#ifndef DROVE_RUN_H
#define DROVE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <ev.h>

#include "action.h"
#include "config.h"
#include "outbuf.h"
#include "status.h"

struct run_step {
	const struct cfg_step *cfg;
	enum step_status status;
	unsigned attempt;    /* of the current/last attempt, 1-based; 0 never */
	int exit_code;       /* of the last attempt; -1 if none */
	int signal;          /* that killed the last attempt; 0 if none */
	double started;      /* of the last attempt (ev_now); 0 if never */
	double ended;        /* of the last attempt; 0 while it runs */
	double retry_at;     /* when STEP_RETRY_WAIT ends */
	unsigned operator_retries; /* attempts started by the operator */
	bool resumed;        /* done in the run this one resumes (--resume):
	                        its status there (ok, or skipped in a
	                        sequence that succeeded), not run here */
	bool cond_skipped;   /* STEP_SKIPPED because its if: said no, not by
	                        the operator */
};

struct run;
struct remote;
struct remote_wait;

/* Why a PAUSED sequence waits for the operator. */
enum run_pause {
	RUN_PAUSE_NONE,      /* not paused */
	RUN_PAUSE_FAILURE,   /* a step failed under on_failure: pause */
	RUN_PAUSE_HOLD,      /* the operator's hold was reached */
};

/* Where a RUNNING sequence's current attempt is (engine-private). */
enum run_attempt {
	RUN_ATT_IDLE,        /* none: the sequence waits, is paused or over */
	RUN_ATT_READY,       /* due: the next loop pass starts it */
	RUN_ATT_CONNECT,     /* waiting for its host's ssh connection */
	RUN_ATT_PROCESS,     /* its process runs (or is being killed) */
	RUN_ATT_SLEEP,       /* a sleep step's timer runs */
	RUN_ATT_RETRY_WAIT,  /* failed; the retry delay's timer runs */
	RUN_ATT_WAIT,        /* a wait_for step watches its condition */
	RUN_ATT_COND,        /* the step's if: command runs (proc) */
};

/* Why drove is ending the running attempt (engine-private). */
enum run_end {
	RUN_END_NONE,        /* it ends by itself */
	RUN_END_SKIP,
	RUN_END_KILL,
	RUN_END_ABORT,
	RUN_END_TIMEOUT,
};

struct run_seq {
	const struct cfg_seq *cfg;
	size_t index;
	enum seq_state state;
	size_t current;      /* the step running or stopped at; n_steps at
	                        the end */
	struct run_step *steps;
	struct outbuf *out;  /* scrollback for viewers */
	double started, ended; /* 0 when not yet */
	enum run_pause pause; /* why it is PAUSED; NONE when it is not */
	bool hold;           /* the operator asked for a pause after the
	                        current step (RUNNING only) */
	bool had_failure;    /* a step failed under on_failure: continue */

	/* Engine-private below. */
	struct run *run;
	enum run_attempt attempt;
	enum run_end end_reason;
	bool queued;         /* in the run's queue of due attempts */
	struct proc *proc;   /* RUN_ATT_PROCESS */
	ev_timer timer;      /* RUN_ATT_SLEEP, RUN_ATT_RETRY_WAIT */
	ev_timer timeout;    /* the step's timeout, while it runs */
	struct remote_wait *wait; /* RUN_ATT_CONNECT */
	struct wait *watch;  /* RUN_ATT_WAIT (wait.h) */
	size_t resume_at;    /* the first step to run (--resume) */
	unsigned short tty_cols, tty_rows;
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
	RUN_EV_IDLE,       /* nothing runs and nothing can start */
	RUN_EV_END,        /* run_finish was called */
};

struct run_event {
	enum run_event_type type;
	double time;
	size_t seq;          /* for everything but START, IDLE, END */
	size_t step;
	unsigned attempt;
	const char *data;    /* OUTPUT */
	size_t len;
	const struct outbuf_line *line; /* LINE */
	enum run_action action; /* ACTION */
	const char *text;    /* NOTICE, and why for ACTION/END */
	const char *who;     /* ACTION: who took it ("alice on /dev/pts/3"),
	                        or NULL when not known */
	int exit_code;       /* END: drove's exit status */
};

typedef void run_observer_fn(void *arg, struct run *run,
    const struct run_event *ev);

struct run_options {
	bool interactive;    /* someone can answer a pause */
	long max_parallel;   /* -1: the config's */
	size_t scrollback;   /* lines kept per sequence; 0: the config's */
	bool fail_on_skip;   /* a skipped step makes the exit status 1 */
};

/* A run of cfg (borrowed: it must outlive the run). */
struct run *run_create(const struct config *cfg,
    const struct run_options *opt);
void run_free(struct run *run);
/* Observers are called in the order they were added. */
void run_add_observer(struct run *run, run_observer_fn *fn, void *arg);
/* Stop calling fn with arg (a front end that closes before the run). */
void run_remove_observer(struct run *run, run_observer_fn *fn, void *arg);

/* A run that only shows a past one (the review): nothing ever starts and
 * every operator action is refused. Its state is set with the two
 * functions below, from the run directory's record. */
struct run *run_create_frozen(const struct config *cfg);
void run_restore_seq(struct run *run, size_t i, enum seq_state st,
    double started, double ended);
void run_restore_step(struct run *run, size_t i, size_t step,
    enum step_status st, unsigned attempts, int exit_code, int signal,
    double started, double ended);
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
/* Announce ev to the observers as the live run did (its time is now). */
void run_replica_emit(struct run *run, struct run_event *ev);

/* --resume: sequence i starts at step `first`, the steps before it being
 * done in the run `from` (an id, for the output). Each of those keeps the
 * status it had there, status[j] (STEP_OK or STEP_SKIPPED; NULL: all
 * STEP_OK), with `resumed` set, and is announced at run_start as a
 * RUN_EV_STEP_END of attempt 0, after a RUN_EV_NOTICE, so the new run's
 * record says it too. first == n_steps: the sequence is done (SEQ_OK from
 * the start). Call before run_start. */
void run_resume_from(struct run *run, size_t i, size_t first,
    const char *from, const enum step_status *status);
/* The id of the run this one resumes, or NULL. */
const char *run_resumed_from(const struct run *run);

/* The run's directory (the record's): steps get it as DROVE_RUN_DIR, and
 * its last component, the run id, as DROVE_RUN_ID. Copied (made
 * absolute). Call before
 * run_start. */
void run_set_run_dir(struct run *run, const char *dir);

/* Where the ssh control sockets go (a directory is made in it; see
 * remote_set_dir): the run directory. Call before run_start. */
void run_set_ssh_dir(struct run *run, const char *dir);
/* Ask every ssh connection of the run to close, once the run has settled.
 * It returns at once: turn the loop while run_disconnecting is true (a
 * few seconds at most), then proc_kill_all_now and run_free. run_free
 * kills the masters still there outright. */
void run_disconnect(struct run *run);
bool run_disconnecting(const struct run *run);
/* The run's ssh transport, or NULL when the config has no hosts (tests). */
struct remote *run_remote(const struct run *run);

/* Announce RUN_EV_START and start what can start. */
void run_start(struct run *run);
/* True when nothing runs, nothing is paused and nothing can start. */
bool run_settled(const struct run *run);
/* Announce RUN_EV_END (once). Call when drove is about to exit; `why` is
 * NULL for a normal end, or for example "interrupted"; exit_code is the
 * status drove exits with. */
void run_finish(struct run *run, const char *why, int exit_code);
/* 0 when every sequence succeeded (and, with fail_on_skip, no step was
 * skipped), 1 otherwise. */
int run_exit_status(const struct run *run);

const struct config *run_config(const struct run *run);
size_t run_seq_count(const struct run *run);
const struct run_seq *run_seq(const struct run *run, size_t i);
double run_started(const struct run *run);
/* When the run last settled (nothing ran or could start), or 0: a finished
 * run's duration ends there, not when its dashboard was closed. */
double run_settled_at(const struct run *run);

/* The operator's action `act` on sequence `i`: NULL when done, or a short
 * reason why it does not apply now (for a status line). */
const char *run_act(struct run *run, size_t i, enum run_action act);
/* The same, taken by `who` (for the record: "USER on TTY"). */
const char *run_act_by(struct run *run, size_t i, enum run_action act,
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
/* Abort everything (quit, SIGINT). `why` goes to the events. */
void run_stop_all(struct run *run, const char *why);
/* The same, asked by `who` (as run_act_by). */
void run_stop_all_by(struct run *run, const char *why, const char *who);

/* Step counts of a sequence by outcome. */
void run_seq_counts(const struct run_seq *seq, size_t *ok, size_t *failed,
    size_t *skipped);

#endif
