/* run.h: a run's life, for the composition root and the engine's own
 * observers. A run owns one state per sequence and per step, schedules
 * sequences (needs, max_parallel), starts steps through proc, applies
 * timeouts, retries and on_failure, and takes the operator's actions.
 * Whatever happens is announced to observers as run_events: the run log,
 * the headless reporter and the UI are all observers; the run knows none
 * of them. What they read and may do is run_view.h; a past run for the
 * review is run_restore.h, --resume is run_resume.h. */
#ifndef DROVE_RUN_H
#define DROVE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "outbuf.h"
#include "run_view.h"

struct run_options {
	bool interactive;    /* someone can answer a pause */
	long max_parallel;   /* -1: the config's */
	size_t scrollback;   /* most lines kept in memory per sequence; 0:
	                      * only the config's budget bounds them */
	bool fail_on_skip;   /* a skipped step makes the exit status 1 */
};

/* A run of cfg (borrowed: it must outlive the run). It uses the default
 * libev loop. */
struct run *run_create(struct config *cfg,
    const struct run_options *opt);
void run_free(struct run *run);

/* The run's directory (the record's): steps get it as DROVE_RUN_DIR, and
 * its last component, the run id, as DROVE_RUN_ID. Copied (made
 * absolute). Call before
 * run_start. */
void run_set_run_dir(struct run *run, const char *dir);
/* Where lines that left memory (beyond the scrollback budget) are read
 * back from: the step logs (src/record/logback.h). */
void run_set_line_reader(struct run *run, outbuf_reader *fn, void *arg);

/* Where the ssh control sockets go (a directory is made in it; see
 * remote_set_dir): the run directory. Call before run_start. */
void run_set_ssh_dir(struct run *run, const char *dir);
/* Ask every ssh connection of the run to close, once the run has settled.
 * It returns at once: turn the loop while run_disconnecting is true (a
 * few seconds at most), then proc_kill_all_now and run_free. run_free
 * kills the masters still there outright. */
void run_disconnect(struct run *run);
bool run_disconnecting(const struct run *run);

/* Announce RUN_EV_START; the loop's next pass starts what can start. */
void run_start(struct run *run);
/* Announce RUN_EV_END (once). Call when drove is about to exit; `why` is
 * NULL for a normal end, or for example "interrupted"; exit_code is the
 * status drove exits with. */
void run_finish(struct run *run, const char *why, int exit_code);
/* 0 when every sequence succeeded (and, with fail_on_skip, no step was
 * skipped), 1 otherwise. */
int run_exit_status(const struct run *run);
/* Abort everything (quit, SIGINT). `why` goes to the events. */
void run_stop_all(struct run *run, const char *why);
/* A stop lets the sequences' cleanup steps (finally:) run, for
 * settings.finally_timeout at most; this ends them now (a second Ctrl-C):
 * the running ones are killed, no more start. */
void run_cut_cleanup(struct run *run);
/* The same, asked by `who` (as run_act_by). */
void run_stop_all_by(struct run *run, const char *why, const char *who);

/* The plan the run was made from (borrowed). */
const struct config *run_config(const struct run *run);
/* Step `step` of sequence seq as it runs or last ran: the plan's, or for
 * a late step (one that uses a captured value) its expanded copy once it
 * started (borrowed, valid until that sequence starts another step). */
const struct cfg_step *run_step_cfg(const struct run *run, size_t seq,
    size_t step);
/* What step `step` of sequence seq, a wait_for step, waits for, as it
 * runs or last ran ("tcp db:5432", "a line of web matching /ready/"), in
 * buf; NULL for any other step. */
const char *run_step_waits_for(const struct run *run, size_t seq,
    size_t step, char *buf, size_t size);

/*
 * Captured values (capture: NAME). Each one is announced as a
 * RUN_EV_CAPTURE when its step succeeded (the hook for what grows from
 * it: a fan-out reads the value there, or later with run_captured).
 */
/* The value step `step` of sequence seq captured (its length in *len when
 * not NULL), or NULL when it has none (yet): it did not run, was skipped
 * or failed, or captures nothing. Secret values too. Owned by the run,
 * valid until that step captures again. */
const char *run_captured(const struct run *run, size_t seq, size_t step,
    size_t *len);

#endif
