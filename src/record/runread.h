/* runread.h: reading a run directory back. events.jsonl is parsed into
 * the run's sequences, their steps, every attempt of each step and the
 * operator's actions, so `drove logs`, `drove review` and `--resume` can
 * show or use what happened. The reader is forgiving: a truncated or
 * corrupted line is skipped with a warning, a missing run_end means the
 * run was interrupted, a missing log file is reported where it is read. */
#ifndef DROVE_RUNREAD_H
#define DROVE_RUNREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "action.h"
#include "event.h"
#include "status.h"

struct rr_attempt {
	unsigned attempt;     /* 1-based */
	enum step_status status; /* STEP_RUNNING while it ran (or when the
	                         run was cut off); else final */
	int exit_code;        /* -1 if none */
	int signal;           /* 0 if none */
	double start, end;    /* epoch seconds; end 0 if it never ended */
	char *log;            /* relative to the run directory, or NULL */
	long long log_bytes;  /* its step_end's log_bytes: 0 when it printed
	                         nothing and has no log file; -1 when not
	                         said (it had not ended, or an older
	                         record) */
	char *run;            /* the command it ran (an operator's edit
	                         shows here), or NULL */
	char *host;           /* unreachable, lost: the host it could not
	                         reach, or NULL */
	char *wait_for;       /* a wait step: what it waited for, or NULL */
	char *why;            /* a wait step: how it ended, or NULL */
	size_t line;          /* of its step_start in events.jsonl: the
	                         record's order, finer than its times */
	size_t end_line;      /* of its step_end; 0 if none */
	/* The operator marked it done by hand (m) after it ended `failed`
	 * (failed, killed, timed out...): status is then STEP_OK, and
	 * exit_code, signal, end and end_line are still the failed end's,
	 * for the record's second step_end (ok) only says it was marked. */
	bool marked;
	enum step_status failed;
};

struct rr_action {
	enum rec_event event; /* REC_ACTION, or REC_NOTICE */
	enum run_action action; /* REC_ACTION: which */
	double time;
	long step;            /* index, or -1 */
	unsigned attempt;
	char *reason;         /* or NULL */
	char *by;             /* who took it ("USER on TTY"), or NULL */
	size_t line;          /* in events.jsonl */
};

struct rr_step {
	char *name;
	struct rr_attempt *attempts;
	size_t n_attempts;
	enum step_status status; /* of the last attempt; STEP_PENDING:
	                         never ran */
	unsigned retries;     /* automatic retries the plan allowed */
	bool resumed;         /* done in the run this one resumed (--resume):
	                         a status but no attempt */
	enum step_role role;  /* the plan's (main when it does not say) */
	size_t of;            /* STEP_ROLE_HANDLER: the step it handles */
	char *var;            /* the variable it captured (capture:), or
	                         NULL: none recorded */
	char *value;          /* its value (value_len bytes), or NULL: a
	                         secret one, not kept */
	size_t value_len;
};

struct rr_seq {
	char *name;
	enum seq_state state; /* the last seq_state recorded */
	bool stated;          /* there was one (else it never started) */
	struct rr_step *steps;
	size_t n_steps;       /* all of them: its steps, then its handlers'
	                         and cleanup steps (their role says) */
	size_t n_main;        /* the first n_main are its steps */
	struct rr_action *actions;
	size_t n_actions;
	double start, end;    /* of its first step and last step end; 0 */
	/* A fan-out's placeholder that grew: its sequences were
	 * [first, first + count), made from the value captured as `from`
	 * (NULL when it was secret). They replaced it: what lists the
	 * run's sequences leaves it out. */
	bool grown;
	size_t first, count;
	char *from, *value;
};

struct rr_run {
	char *id;             /* the directory's name */
	char *dir;            /* as given to runread_load */
	int dirfd;            /* that directory, open: its logs are read
	                         beneath it (fsat.h), whatever is renamed */
	char *config;         /* the config path the run was started with */
	double start, end;    /* end 0 when there is no run_end */
	double last;          /* the latest time in the record: where a run
	                         killed outright stopped */
	bool ended;           /* a run_end was recorded */
	bool live;            /* no run_end yet, and a drove still runs it */
	bool settled;         /* everything had finished at the record's
	                         end (a `settled` with nothing after it) */
	double duration;      /* the record's: run_end's, else the last
	                         settled's; -1 when it has none */
	char *status;         /* ok, failed, interrupted (also when cut
	                         off), or running; a live run that has
	                         settled: ok or failed */
	int exit_code;
	char *settled_status; /* of the last settled, or NULL */
	struct rr_seq *seqs;
	size_t n_seqs;
	bool incomplete;      /* the writer said part of the record is
	                         missing (a write failed: a full disk) */
	bool cut_off;         /* the last line is cut short: what happened
	                         after the last whole line is unknown */
	char **warnings;      /* what could not be read, for the user */
	size_t n_warnings;
};

/* Read the run in directory `dir`. Returns NULL and *err (caller frees)
 * only when there is nothing to show (no events.jsonl at all); damage
 * inside it becomes warnings. The result is the caller's (runread_free). */
struct rr_run *runread_load(const char *dir, char **err);
void runread_free(struct rr_run *run);

/* Which run directory `spec` names: a path to a run directory, `latest`,
 * a run id, or a unique prefix of one, in log_dir. Returns the path
 * (caller frees) or NULL and *err (caller frees) saying why not: nothing
 * matches, or several do (listed). */
char *runread_resolve(const char *log_dir, const char *spec, char **err);

/* The run spec names in log_dir (runread_resolve), read (runread_load):
 * what the commands that read one past run start with. NULL and *err
 * (caller frees) when it cannot be. The result is the caller's. */
struct rr_run *runread_open(const char *log_dir, const char *spec,
    char **err);

/* Sequence called `name`, or with that 1-based number; NULL if none. */
const struct rr_seq *runread_find_seq(const struct rr_run *run,
    const char *name);
/* Step of seq called `name`, or with that 1-based number; -1 if none. */
long runread_find_step(const struct rr_seq *seq, const char *name);

/* How a screen names step k of seq ("step 2/5", "handler 1/1 of step
 * 2", "cleanup 1/2"), as the live run did (step_label). Returns buf. */
const char *runread_step_label(const struct rr_seq *seq, size_t k,
    char *buf, size_t size);

/* Has attempt a no log file by design? A log is made at the first byte
 * its attempt writes: none when it printed nothing (log_bytes 0), or
 * none yet when it had not ended. A missing log is then empty, not
 * lost. */
bool runread_log_absent_ok(const struct rr_attempt *a);
/* An attempt's log, as runread_log reads it; one that has no log file by
 * design (runread_log_absent_ok) reads as empty. */
char *runread_attempt_log(const struct rr_run *run,
    const struct rr_attempt *a, size_t *len, char **err);
/* Read a whole log of the run (path relative to its directory; a path
 * that leaves it, or a symlink, is refused). Returns NULL with *err when
 * it cannot. *len gets its size. Caller frees. */
char *runread_log(const struct rr_run *run, const char *rel, size_t *len,
    char **err);

#endif
