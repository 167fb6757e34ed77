/* config.h: the YAML file a user writes, parsed, validated and expanded into
 * a plan: the list of sequences (matrix expanded, {{vars}} substituted,
 * needs resolved to indices) and their steps. Everything the engine runs
 * comes from a struct config; nothing runs when config_load fails. */
#ifndef DROVE_CONFIG_H
#define DROVE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cfg_step_kind {
	CFG_STEP_RUN,   /* a process: a command here or on the sequence's
	                   host, or a copy to or from it (see op) */
	CFG_STEP_SLEEP, /* a pause: a timer, no process */
	CFG_STEP_WAIT,  /* wait_for: a condition watched on the loop, no
	                   process (see struct cfg_wait) */
};

/* What a CFG_STEP_RUN step's process does. */
enum cfg_step_op {
	CFG_OP_RUN,      /* run: SHELL -c RUN, here */
	CFG_OP_REMOTE,   /* remote: RUN on the sequence's host, over ssh */
	CFG_OP_UPLOAD,   /* upload: copy local RUN to the host's TO (scp) */
	CFG_OP_DOWNLOAD, /* download: copy the host's RUN to local TO */
};

enum cfg_on_failure {
	CFG_ONFAIL_STOP,     /* the sequence fails (default) */
	CFG_ONFAIL_CONTINUE, /* record the failure, go on with the next step */
	CFG_ONFAIL_PAUSE,    /* hold the sequence for the operator */
	CFG_ONFAIL_RETRY,    /* after a handler only: run the step again */
};

/* What a step is in its sequence: one of its steps, a step of the
 * handler of one of them (on_failure: {steps: ...}), or one of its
 * cleanup steps (finally:). */
enum cfg_step_role {
	CFG_ROLE_MAIN,
	CFG_ROLE_HANDLER,
	CFG_ROLE_FINALLY,
};

/* What a wait_for step waits for. */
enum cfg_wait_kind {
	CFG_WAIT_TCP,    /* target "HOST:PORT" accepts a connection */
	CFG_WAIT_PATH,   /* target (an absolute path) exists */
	CFG_WAIT_OUTPUT, /* a line of sequence `seq`'s output matches `match`
	                    (a POSIX extended regex) */
	CFG_WAIT_SSH,    /* the sequence's host accepts ssh */
};

struct cfg_wait {
	enum cfg_wait_kind kind;
	char *target;        /* tcp: "HOST:PORT"; path: absolute; else NULL */
	char *match;         /* output: the regex; else NULL */
	char *seq_name;      /* output: the sequence whose output is read */
	long seq;            /* output: its index, or -1 until resolved */
};

struct cfg_kv {
	char *name;
	char *value;
};

struct cfg_step {
	enum cfg_step_kind kind;
	char *name;          /* expanded; for a plain-string step, the command */
	enum cfg_step_op op; /* CFG_OP_RUN for a sleep too */
	char *run;           /* expanded command (for remote: the command on
	                        the host; for upload and download: the path
	                        copied from); NULL for a sleep */
	char *to;            /* upload, download: the path copied to; else
	                        NULL */
	double sleep;        /* seconds, for CFG_STEP_SLEEP */
	double timeout;      /* seconds; 0 = none */
	unsigned retries;    /* automatic retries after the first attempt */
	double retry_delay;  /* seconds between attempts */
	enum cfg_on_failure on_failure;
	bool tty;            /* run under a pseudo-terminal */
	char *cwd;           /* NULL = the sequence's cwd (never set on a
	                        remote step) */
	struct cfg_kv *env;  /* step env, applied after the sequence's */
	size_t n_env;
	int line, column;    /* where the step is in the file (1-based) */

	/* Plans that grow while they run (see config/README.md). */
	char *capture;       /* the variable its stdout becomes, or NULL */
	bool secret;         /* the captured value is never shown or kept */
	char *cond;          /* if: a local shell command run just before
	                        the step; nonzero exit skips it. NULL: none */
	struct cfg_wait wait; /* CFG_STEP_WAIT */
	enum cfg_step_role role;
	size_t of;           /* CFG_ROLE_HANDLER: the step it handles */
	size_t handler, n_handler; /* its handler's steps: indices into the
	                        sequence's steps (n_handler 0: none) */
	enum cfg_on_failure then; /* after the handler succeeded */
	/*
	 * Late: some strings refer to a value known only at run time (a
	 * capture, or a fan-out's key). Then every string of the step (name,
	 * run, to, cwd, cond, env values, wait target and match) is a
	 * template, "{{{{" escapes included, that config_step_instance
	 * expands when the step is about to start.
	 */
	bool late;
};

struct cfg_seq {
	char *name;          /* expanded and unique */
	char *template_name; /* the name as written (before matrix expansion) */
	char *cwd;           /* expanded; NULL = drove's working directory */
	struct cfg_kv *env;  /* top-level env, then the sequence's, expanded */
	size_t n_env;
	struct cfg_step *steps; /* n_steps steps, then the handlers' steps,
	                           then the finally steps: n_all in all */
	size_t n_steps;
	size_t n_all;
	size_t finally_at, n_finally; /* the cleanup steps (finally:) */
	size_t *needs;       /* indices into config.seqs; no cycles */
	size_t n_needs;
	struct cfg_kv *vars; /* the variables in scope (for display) */
	size_t n_vars;
	long host;           /* index into config.hosts, or -1: not bound */
	long index;          /* 0-based position among the sequences its
	                        matrix (or hosts:) made, or -1: no matrix */
	int line, column;
	/* A fan-out (matrix: {KEY: {from: NAME}} or hosts: {from: NAME}):
	 * this sequence is the placeholder of the sequences made at run
	 * time, one per value captured as NAME; its name and strings are
	 * templates (late) in which {{KEY}} and {{KEY_*}} are still to be
	 * expanded. NULL for a sequence of the file as it is. */
	struct cfg_fanout *fanout;
};

struct cfg_fanout {
	char *from;          /* the capture that gives the values */
	char *key;           /* the matrix key; "host" for hosts: */
	bool hosts;          /* hosts: {from: ...}: lines of the hosts-file
	                        format, one host and sequence each */
	size_t by_seq, by_step; /* the step that captures `from` */
	int line, column;    /* where 'from' is */
};

/* A machine of the inventory, reached with OpenSSH. Host defaults are
 * already applied. */
struct cfg_host {
	char *name;          /* unique; what sequences and {{host}} say */
	char *address;       /* what ssh connects to; default the name */
	char *user;          /* NULL: ssh's choice (its config, or $USER) */
	unsigned port;       /* 0: ssh's choice */
	char *identity;      /* absolute path, or NULL: ssh's choice */
	struct cfg_kv *ssh_options; /* -o NAME=VALUE, in order */
	size_t n_ssh_options;
	char **tags;
	size_t n_tags;
	struct cfg_kv *vars; /* in scope of sequences bound to the host */
	size_t n_vars;
	bool multiplex;      /* one connection for the whole run (default);
	                        false: a new connection per step */
	int line, column;    /* where it is defined (in hosts_file when it
	                        comes from one) */
};

struct config {
	char *path;          /* as given to config_load */
	char *dir;           /* directory holding the file, absolute */
	/* settings */
	char *shell;         /* default /bin/sh */
	unsigned max_parallel; /* 0 = no limit */
	char *log_dir;       /* absolute; default see config_default_log_dir */
	size_t scrollback;   /* bytes of output lines kept in memory for the
	                      * whole run (the rest is read back from the
	                      * logs); default 8 MiB */
	double kill_grace;   /* seconds; default 5 */
	double finally_timeout; /* seconds the cleanup steps (finally:) have
	                        after a stop (q, Ctrl-C, SIGTERM); then they
	                        are killed; default 30 */
	unsigned keep_runs;  /* run directories kept in log_dir; 0 = all;
	                        default 50 */
	size_t max_log;      /* bytes of one step attempt's log
	                        file: beyond it the head and the tail are
	                        kept (runlog.c); 0 = no limit, the default */
	char *ssh_config;    /* absolute; ssh -F FILE; NULL: the user's */
	unsigned max_connecting; /* ssh connections being made at once;
	                        0 = no limit; default 8 */
	char *notify;        /* settings.notify: SHELL -c NOTIFY at the run's
	                        moments (cmd/notify.h); NULL: none */
	char **secret_vars;  /* settings.secret_vars: the names whose values
	                        are secrets (as --secret), and whose captures
	                        are secret */
	size_t n_secret_vars;
	char **secret_values; /* the values the plan gives those names (vars,
	                        --set, a host's vars), each once: for the
	                        caller to register (secret_add) */
	size_t n_secret_values;
	struct cfg_host *hosts;
	size_t n_hosts;
	char *hosts_file;    /* absolute, when the inventory came from one */
	struct cfg_host *host_defaults; /* host_defaults (no name), for the
	                        hosts a capture makes (config_grow) */
	struct cfg_seq *seqs;
	size_t n_seqs;
	char **only;         /* --only patterns (config_select), for the
	                        sequences a fan-out makes at run time */
	size_t n_only;
};

/* Is name one of settings.secret_vars? */
bool config_secret_var(const struct config *cfg, const char *name);

/* Load, validate and expand FILE. overrides[] (n_overrides entries, from
 * --set) replace top-level vars of the same name (or add new ones), and
 * win over a sequence's own vars too; only matrix values win over them.
 * On success returns 0 and stores a config the caller owns (config_free).
 * On failure returns -1 and stores in *err a message the caller frees,
 * formatted "FILE:LINE:COLUMN: error: MESSAGE" when it has a position, and
 * "FILE: error: MESSAGE" otherwise (for example a missing file). */
int config_load(const char *path, const struct cfg_kv *overrides,
    size_t n_overrides, struct config **out, char **err);

/* Same as config_load, from a string (tests). `name` is used in messages;
 * relative paths resolve against the current directory. */
int config_load_string(const char *name, const char *text,
    const struct cfg_kv *overrides, size_t n_overrides,
    struct config **out, char **err);

void config_free(struct config *cfg);

/* Print the expanded plan (settings, sequences, needs, steps), as
 * `drove check` shows it. */
void config_print_plan(const struct config *cfg, FILE *fp);

/* The same plan as one JSON object on one line, for `drove check --json`
 * (every step setting in force, durations in seconds, needs by name). */
void config_print_plan_json(const struct config *cfg, FILE *fp);

/* Index of the sequence called `name`, or -1. */
long config_find_seq(const struct config *cfg, const char *name);

/* Index of the host called `name`, or -1. */
long config_find_host(const struct config *cfg, const char *name);

/* Keep only the sequences whose names match one of the shell patterns
 * (fnmatch) of --only; needs on sequences left out are dropped (taken as
 * met). Returns 0, or -1 and a message in *err (caller frees) when a
 * pattern matches nothing. */
int config_select(struct config *cfg, char *const *patterns,
    size_t n_patterns, char **err);

/* The most bytes a captured value holds (capture: NAME): more fails the
 * step. */
#define CONFIG_CAPTURE_MAX (1 << 20)

/* A late step (st->late) as it runs: a copy of st whose strings are
 * expanded with vars[] (n_vars: the values captured so far, a fan-out's
 * keys), "{{{{" made "{{". Returns 0 and fills *out (the caller clears it
 * with config_step_instance_free), or -1 and *err (caller frees) when a
 * reference has no value in vars. */
int config_step_instance(const struct cfg_step *st, const struct cfg_kv *vars,
    size_t n_vars, struct cfg_step *out, char **err);
void config_step_instance_free(struct cfg_step *inst);
/* Whether a late step's strings refer to the variable `name`. */
bool config_step_refers(const struct cfg_step *st, const char *name);

/*
 * A fan-out at run time: placeholder p (its fanout set) makes its
 * sequences from value, the text captured as fanout->from: one per
 * non-empty line, or per item of a JSON array (strings, or objects whose
 * fields F are {{KEY_F}}; {{KEY}} is the field KEY, else "name", else
 * the first), or for hosts: one host (host_defaults applied) and
 * sequence per line of the hosts-file format. They are appended to
 * cfg->seqs (which may move) from *first on, *n of them (0 for an empty
 * value, or when --only (cfg->only) keeps none of the names); their
 * needs are the placeholder's, their late strings keep only captures.
 * Returns 0, or -1 and a message in *err (caller frees) with nothing
 * added (a bad line, a name made twice, too many).
 */
int config_grow(struct config *cfg, size_t p, const char *value,
    size_t *first, size_t *n, char **err);

/* Parse a duration: "500ms", "3s", "2m", "1h", or a bare number of
 * seconds (fractions allowed). Returns 0 and stores seconds, or -1. */
int config_parse_duration(const char *text, double *seconds);

/* Format seconds the way config_parse_duration reads them ("500ms", "3s",
 * "1m30s", "1.5s") into buf, and return buf. */
char *config_format_duration(double seconds, char *buf, size_t size);

/* The default log directory: $XDG_STATE_HOME/drove/runs, or
 * $HOME/.local/state/drove/runs. Caller frees. */
char *config_default_log_dir(void);

#endif
