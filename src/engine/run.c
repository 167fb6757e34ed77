/* run.c: scheduling sequences and driving each one's steps. */
#include "run.h"
#include "run_restore.h"
#include "run_resume.h"
#include "run_test.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "capture.h"
#include "container_of.h"
#include "debug.h"
#include "proc.h"
#include "remote.h"
#include "secret.h"
#include "strbuf.h"
#include "vis.h"
#include "wait.h"
#include "vis.h"
#include "xmalloc.h"

extern char **environ;

/* Where a RUNNING sequence's current attempt is. */
enum run_attempt {
	RUN_ATT_IDLE,        /* none: the sequence waits, is paused or over */
	RUN_ATT_READY,       /* due: the next loop pass starts it */
	RUN_ATT_CONNECT,     /* waiting for its host's ssh connection */
	RUN_ATT_PROCESS,     /* its process runs (or is being killed) */
	RUN_ATT_SLEEP,       /* a sleep step's timer runs */
	RUN_ATT_RETRY_WAIT,  /* failed; the retry delay's timer runs */
	RUN_ATT_WAIT,        /* a wait_for step watches its condition */
	RUN_ATT_COND,        /* the step's if: command runs (proc) */
	RUN_ATT_PROBE,       /* its ssh exited 255: is the connection
	                        still there (remote_probe)? */
};

/* Why drove is ending the running attempt. */
enum run_end {
	RUN_END_NONE,        /* it ends by itself */
	RUN_END_SKIP,
	RUN_END_KILL,
	RUN_END_ABORT,
	RUN_END_TIMEOUT,
};

/* A sequence as the engine drives it. Front ends get &v, plain data; the
 * rest is the engine's alone. */
struct run_sequence {
	struct run_seq v;
	const struct cfg_seq *cfg;
	struct run *run;
	enum run_attempt attempt;
	enum run_end end_reason;
	bool queued;         /* in the run's queue of due attempts */
	struct proc *proc;   /* RUN_ATT_PROCESS, RUN_ATT_COND */
	ev_timer timer;      /* RUN_ATT_SLEEP, RUN_ATT_RETRY_WAIT */
	ev_timer timeout;    /* the step's timeout, while it runs */
	struct remote_wait *wait; /* RUN_ATT_CONNECT, RUN_ATT_PROBE */
	double proc_ended;   /* RUN_ATT_PROBE: when its ssh ended, the end
	                        of the step's time */
	struct wait *watch;  /* RUN_ATT_WAIT (wait.h) */
	char *ssh_why;       /* a wait_for ssh step: why its host's last ssh
	                        connection failed, or NULL */
	size_t resume_at;    /* the first step to run (--resume) */
	size_t resume_secret; /* --resume: step resume_secret - 1 runs again
	                        because its value is secret, not in the
	                        record resumed; 0: none */
	ev_timer quiet;      /* a tty step runs: is it waiting for input? */
	double last_output;  /* when its process last wrote */
	char **edited;       /* per step of all n_all (a handler's or a
	                        cleanup step too), the operator's command
	                        (e), or NULL: the plan's; owned, made at the
	                        first edit */
	unsigned short tty_cols, tty_rows;
	bool handler_retry;  /* the current step's attempt is the one its
	                        handler's then: retry asked for: a failure
	                        does not run the handler again */
	enum seq_state outcome; /* v.cleanup: the state it ends in */
	size_t stopped_at;   /* v.cleanup: v.current to restore after */
	struct cfg_step inst; /* step inst_at, late, expanded (has_inst) */
	size_t inst_at;
	bool has_inst;
	bool hopeless;       /* the attempt failed for want of a captured
	                        value: no automatic retry can mend that */
	/* Its cleanup ran (finally:): it undid what the steps did, so an
	 * operator's r, e, s or m then starts the sequence over from its
	 * first step, and the action applies to its step (redo_at) when
	 * the sequence gets there again. */
	bool cleaned;
	bool redo;
	size_t redo_at;
	enum run_action redo_act;
	size_t over_at;      /* --resume: its cleanup ran in the run resumed
	                        after it stopped at step over_at (1-based);
	                        0: not so */
};

struct run_observer {
	run_observer_fn *fn;
	void *arg;
};

/* A sequence of the run resumed that a fan-out may make (--resume). */
struct run_later {
	char *name, *from;
	char **names;        /* its first n steps' names there */
	enum step_status *status;
	size_t n;
};

struct run {
	struct config *cfg;  /* borrowed; a fan-out grows it */
	struct run_options opt;
	struct run_sequence **seqs; /* each its own: watchers are in it, and
	                        a fan-out adds sequences while it runs */
	size_t n_seqs;
	struct run_observer *obs;
	size_t n_obs, cap_obs;
	struct outbuf_pool *pool; /* the scrollback budget, shared */
	double started;
	bool stopping;       /* run_stop_all was called: start nothing */
	bool settled;        /* RUN_EV_IDLE was announced for this state */
	bool finished;       /* RUN_EV_END was announced */
	bool frozen;         /* a past run, shown by the review */
	bool replica;        /* frozen, a copy of a live run elsewhere
	                        (drove attach): settled as it says */
	double settled_at;   /* when RUN_EV_IDLE was last announced */
	struct remote *remote; /* the ssh transport, when there are hosts */
	char *resumed_from;  /* --resume: the id of the run resumed */

	/* The deferred work: transitions never start anything themselves;
	 * they queue it, and the loop's next pass (before it sleeps) does
	 * it, so that observers see every transition complete and nothing
	 * recurses. */
	ev_prepare pass;     /* active while a pass is due */
	ev_idle spin;        /* keeps the loop from sleeping while work is
	                        left over from a pass */
	bool check_waiting;  /* a sequence changed state: look at the
	                        waiting and blocked ones */
	size_t *queue;       /* ring of sequences whose attempt is due */
	size_t q_head, q_len;
	size_t output_waits; /* wait_for output steps waiting: lines are
	                        looked at only while there are some */
	char *ssh_dir;       /* run_set_ssh_dir: for a transport made when
	                        a fan-out brings the first hosts */
	char **values;       /* run_resume_value: NAME=VALUE, the later
	                        winning */
	size_t n_values;
	struct run_later *later; /* run_resume_later: sequences a fan-out
	                        may make again */
	size_t n_later;
	char *run_dir;       /* the record's directory, or NULL */
	const char *run_id;  /* its last component, in run_dir */
	/* A stop (q, a signal) lets cleanup steps run, for
	 * settings.finally_timeout at most: then `cut` ends them and starts
	 * no more. */
	ev_timer cleanup_bound;
	bool cut;
	struct capture_store *captures; /* what steps captured (capture.h) */
	/* The event of every line a step prints, whose other fields stay
	 * 0: a local one would be cleared whole for each line (a `rep
	 * stos` that cost more than the rest of announcing it). No
	 * observer makes a line while it hears of one; the mark a wait_for
	 * output step makes comes after they all heard of this one. */
	struct run_event line_ev;
};

/* The port an ssh server listens on when the inventory gives none. */
#define RUN_SSH_PORT 22u

/* Attempts started per loop pass at most: one pass must stay short (a
 * spawn costs a fork's worth), whatever the number of sequences. */
#define RUN_BATCH 64

static void run_announce_resumed(struct run_sequence *seq);
static void run_wait_line(struct run *run, size_t i,
    const struct outbuf_line *line);
static void run_wait_begin(struct run_sequence *seq);
static void run_cond_begin(struct run_sequence *seq);
static void run_attempt_body(struct run_sequence *seq);
static void run_wait_end(struct run_sequence *seq);
static void run_wait_say(struct run_sequence *seq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *run_wait_what(const struct run_sequence *seq,
    const struct cfg_step *cs, char *buf, size_t size);
static void run_wait_seq_over(struct run *run, size_t i);
static bool run_redo_reached(struct run_sequence *seq);
static void run_settle_stopped(struct run_sequence *seq,
    enum step_status status);
static void run_step_spawn(struct run_sequence *seq);
static void run_remote_ready(void *arg, const char *err);
static void run_probe_done(void *arg, const char *err);
static void run_request(struct run *run);
static void run_check(const struct run_sequence *seq);
static void run_cleanup_bound_cb(EV_P_ ev_timer *w, int revents);
static const char *run_act_why(struct run *run, size_t i,
    enum run_action act, const char *why, const char *who);
static struct run_sequence *run_seq_new(struct run *run, size_t i);
static void run_resume_made(struct run *run, size_t first, size_t n);
static void run_fanout_waits(struct run *run, struct run_sequence *seq);
static const struct cfg_step *run_fanout_by(const struct run *run,
    const struct cfg_fanout *fo);

/* The time of an event, a duration's ends, a timer's start: fresh, not
 * the loop's cached time, which is as old as the loop pass (and a pass
 * that starts many steps under load lasts long): a stale time stamps
 * events early, stretches durations, and starts a timeout in the past. */
static double
run_now(void)
{
	ev_now_update(EV_DEFAULT);
	return ev_now(EV_DEFAULT);
}

/* An event that happened at `time` (a line's: the time of the read that
 * completed it, so a chunk of many lines costs one clock read). */
static void
run_emit_at(struct run *run, struct run_event *ev, double time)
{
	ev->time = time;
	for (size_t i = 0; i < run->n_obs; i++)
		run->obs[i].fn(run->obs[i].arg, run, ev);
}

static void
run_emit(struct run *run, struct run_event *ev)
{
	run_emit_at(run, ev, run_now());
}

static void
run_emit_seq(struct run_sequence *seq)
{
	struct run_event ev = { .type = RUN_EV_SEQ, .seq = seq->v.index,
		                .step = seq->v.current };

	run_emit(seq->run, &ev);
}

/* drove's own words with every secret (a --secret, a secret capture)
 * as ***: what it says may quote a command or a value. Takes text. */
static char *
run_redact(char *text)
{
	char *shown;
	size_t len;

	if (!secret_any() ||
	    (shown = secret_redact(text, strlen(text), &len)) == NULL)
		return text;
	free(text);
	return shown;
}

static void __attribute__((format(printf, 2, 3)))
run_notice(struct run_sequence *seq, const char *fmt, ...)
{
	struct run_event ev = { .type = RUN_EV_NOTICE, .seq = seq->v.index,
		                .step = seq->v.current };
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = run_redact(xvasprintf(fmt, ap));
	va_end(ap);
	ev.text = text;
	run_emit(seq->run, &ev);
	free(text);
}

/* A line of drove's own in the sequence's output (not in the step log). */
static void __attribute__((format(printf, 2, 3)))
run_mark(struct run_sequence *seq, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = run_redact(xvasprintf(fmt, ap));
	va_end(ap);
	outbuf_add_mark(seq->v.out, text, (unsigned)seq->v.current, run_now());
	free(text);
}

static void
run_outbuf_line(void *arg, const struct outbuf_line *line)
{
	struct run_sequence *seq = arg;
	struct run_event *ev = &seq->run->line_ev;

	ev->type = RUN_EV_LINE;
	ev->seq = seq->v.index;
	ev->step = line->step;
	ev->attempt = line->step < seq->cfg->n_all ?
	    seq->v.steps[line->step].attempt : 0;
	ev->line = line;
	run_emit_at(seq->run, ev, line->time);
	if (seq->run->output_waits > 0 && !(line->flags & OUTBUF_MARK))
		run_wait_line(seq->run, seq->v.index, line);
}

static void
run_set_state(struct run_sequence *seq, enum seq_state st)
{
	if (seq->v.state == st)
		return;
	seq->v.state = st;
	if (st == SEQ_RUNNING && seq->v.started == 0)
		seq->v.started = run_now();
	if (seq_state_over(st))
		seq->v.ended = run_now();
	else
		seq->v.ended = 0;
	if (st != SEQ_PAUSED)
		seq->v.pause = RUN_PAUSE_NONE;
	DEBUG_LOG("seq %s: %s", seq->cfg->name, seq_state_name(st));
	/* A slot, a need met or beyond hope: the next pass looks. */
	seq->run->check_waiting = true;
	run_request(seq->run);
	run_emit_seq(seq);
	if (seq_state_over(st) && seq->run->output_waits > 0)
		run_wait_seq_over(seq->run, seq->v.index);
}

static bool
run_seq_active(const struct run_sequence *seq)
{
	return seq->v.state == SEQ_RUNNING || seq->v.state == SEQ_PAUSED;
}

/* The plan of the current step: for a late one, its expanded copy. */
static const struct cfg_step *
run_cfg(const struct run_sequence *seq)
{
	if (seq->has_inst && seq->inst_at == seq->v.current)
		return &seq->inst;
	return &seq->cfg->steps[seq->v.current];
}

/* --- environment ------------------------------------------------------ */

static void
run_env_set(char ***env, size_t *n, size_t *cap, const char *name,
    const char *value)
{
	size_t nl = strlen(name);
	char *entry = xasprintf("%s=%s", name, value);

	for (size_t i = 0; i < *n; i++) {
		if (strncmp((*env)[i], name, nl) == 0 && (*env)[i][nl] == '=') {
			free((*env)[i]);
			(*env)[i] = entry;
			return;
		}
	}
	*env = xreallocarray_grow(*env, cap, *n + 2, sizeof **env);
	(*env)[(*n)++] = entry;
	(*env)[*n] = NULL;
}

/* Add to env what a step is given wherever it runs: the config's env (top
 * level, sequence, step, the later winning) and drove's DROVE_* variables
 * (DROVE_RUN_DIR only for a local step: it is this machine's path). */
static void
run_env_add_step(char ***env, size_t *n, size_t *cap,
    const struct run_sequence *seq, const struct run_step *step, bool local)
{
	const struct run *run = seq->run;
	/* step's own plan: the current step's (a late one's as it was
	 * made), or ($) the last one's once the sequence is over. */
	size_t k = (size_t)(step - seq->v.steps);
	const struct cfg_step *cs = k == seq->v.current ? run_cfg(seq) :
	    &seq->cfg->steps[k];
	char buf[32];

	for (size_t i = 0; i < seq->cfg->n_env; i++)
		run_env_set(env, n, cap, seq->cfg->env[i].name,
		    seq->cfg->env[i].value);
	for (size_t i = 0; i < cs->n_env; i++)
		run_env_set(env, n, cap, cs->env[i].name, cs->env[i].value);
	run_env_set(env, n, cap, "DROVE_SEQUENCE", seq->cfg->name);
	run_env_set(env, n, cap, "DROVE_STEP", cs->name);
	snprintf(buf, sizeof buf, "%u", step->attempt);
	run_env_set(env, n, cap, "DROVE_ATTEMPT", buf);
	if (run->run_id != NULL)
		run_env_set(env, n, cap, "DROVE_RUN_ID", run->run_id);
	if (run->run_dir != NULL && local)
		run_env_set(env, n, cap, "DROVE_RUN_DIR", run->run_dir);
	if (seq->cfg->host >= 0)
		run_env_set(env, n, cap, "DROVE_HOST",
		    run->cfg->hosts[seq->cfg->host].name);
	if (seq->cfg->index >= 0) {
		snprintf(buf, sizeof buf, "%ld", seq->cfg->index);
		run_env_set(env, n, cap, "DROVE_INDEX", buf);
	}
}

/* drove's environment, then what run_env_add_step adds. Caller frees with
 * xstrv_free. */
static char **
run_env_build(const struct run_sequence *seq, const struct run_step *step)
{
	char **env = NULL;
	size_t n = 0, cap = 0;

	for (char **e = environ; *e != NULL; e++) {
		env = xreallocarray_grow(env, &cap, n + 2, sizeof *env);
		env[n++] = xstrdup(*e);
	}
	env = xreallocarray_grow(env, &cap, n + 1, sizeof *env);
	env[n] = NULL;
	run_env_add_step(&env, &n, &cap, seq, step, true);
	return env;
}

/* What a remote step's command gets on the host, as NAME=VALUE: only what
 * run_env_add_step adds, not drove's own environment (that is this
 * machine's). Caller frees with xstrv_free. */
static char **
run_env_remote(const struct run_sequence *seq, const struct run_step *step,
    size_t *n)
{
	char **env = NULL;
	size_t cap = 0;

	*n = 0;
	env = xreallocarray_grow(env, &cap, 1, sizeof *env);
	env[0] = NULL;
	run_env_add_step(&env, n, &cap, seq, step, false);
	return env;
}

/* --- steps ------------------------------------------------------------- */

static struct run_step *
run_cur(struct run_sequence *seq)
{
	return &seq->v.steps[seq->v.current];
}

static void
run_proc_output(void *arg, const char *data, size_t len)
{
	struct run_sequence *seq = arg;
	struct run_step *step = run_cur(seq);
	struct run_event ev = { .type = RUN_EV_OUTPUT, .seq = seq->v.index,
		                .step = seq->v.current,
		                .attempt = step->attempt,
		                .data = data, .len = len };
	double now = run_now();

	run_emit_at(seq->run, &ev, now);
	outbuf_feed(seq->v.out, data, len, (unsigned)seq->v.current,
	    step->attempt, now);
	seq->last_output = now;
	if (step->waiting_input) {
		/* It answered: busy again. */
		step->waiting_input = false;
		run_emit_seq(seq);
	}
}

static void run_step_ended(struct run_sequence *seq, enum step_status st);

/* --- capture ----------------------------------------------------------- */

/* A capturing step's stdout: kept for its value, and shown and logged as
 * any output is, unless the value is secret. */
static void
run_proc_stdout(void *arg, const char *data, size_t len)
{
	struct run_sequence *seq = arg;

	capture_feed(seq->run->captures, seq->v.index, data, len);
	if (!run_cfg(seq)->secret)
		run_proc_output(seq, data, len);
}

/* The capturing step's attempt ended with st: it has a value now, or
 * none. A value is announced; a secret one is registered as a secret
 * first, so that drove writes and shows it as *** from then on. */
static void
run_capture_end(struct run_sequence *seq, enum step_status st)
{
	const struct cfg_step *cs = run_cfg(seq);
	struct run_event ev = { .type = RUN_EV_CAPTURE, .seq = seq->v.index,
		                .step = seq->v.current,
		                .attempt = run_cur(seq)->attempt };
	const char *value;
	size_t len;

	capture_end(seq->run->captures, seq->v.index, seq->v.current, st);
	value = capture_value(seq->run->captures, seq->v.index,
	    seq->v.current, &len);
	if (value == NULL)
		return;
	if (cs->secret) {
		secret_add(value);
		run_mark(seq, "-- its stdout is {{%s}} (secret: %zu bytes, not "
		    "shown) --", cs->capture, len);
	} else {
		ev.text = value;
		ev.len = len;
	}
	run_emit(seq->run, &ev);
}

/* A wait step made as it starts: the sequence an output wait names is
 * found now (an unknown one fails the wait, saying so); a path was made
 * absolute from its template, so a captured value that is an absolute
 * path itself ("{{dir}}/ready" with dir /srv) is taken as it is. */
static void
run_instance_wait(struct run_sequence *seq, struct cfg_step *inst)
{
	const char *dir = seq->run->cfg->dir;
	size_t dl = strlen(dir);
	char *t = inst->wait.target;
	long found;

	if (inst->wait.kind == CFG_WAIT_OUTPUT) {
		/* Found already when its name is not a template. */
		if (inst->wait.seq >= 0)
			return;
		found = config_find_seq(seq->run->cfg, inst->wait.seq_name);
		inst->wait.seq = found == (long)seq->v.index ? -1 : found;
		return;
	}
	if (inst->wait.kind != CFG_WAIT_PATH || t == NULL ||
	    strncmp(t, dir, dl) != 0)
		return;
	/* "DIR" + "/" + "/abs": drop "DIR/" (DIR "/": drop "/"). */
	if (dl == 1 && t[1] == '/')
		memmove(t, t + 1, strlen(t + 1) + 1);
	else if (dl > 1 && t[dl] == '/' && t[dl + 1] == '/')
		memmove(t, t + dl + 1, strlen(t + dl + 1) + 1);
}

/* Step `current`, when it is late, gets the values captured so far in
 * seq->inst. -1 and *err (caller frees) when one it uses has none. */
static int
run_instance(struct run_sequence *seq, char **err)
{
	const struct cfg_step *plan = &seq->cfg->steps[seq->v.current];
	struct cfg_kv *vars;
	size_t n;
	int rc;

	if (seq->has_inst) {
		config_step_instance_free(&seq->inst);
		seq->has_inst = false;
	}
	if (!plan->late)
		return 0;
	if (capture_vars(seq->run->captures, seq->v.index, seq->v.current,
	    plan, &vars, &n, err) != 0)
		return -1;
	rc = config_step_instance(plan, vars, n, &seq->inst, err);
	capture_vars_free(vars, n);
	if (rc != 0)
		return -1;
	seq->has_inst = true;
	seq->inst_at = seq->v.current;
	if (plan->kind == CFG_STEP_WAIT)
		run_instance_wait(seq, &seq->inst);
	return 0;
}

static void
run_proc_exited(void *arg, int status)
{
	struct run_sequence *seq = arg;
	struct run_step *step = run_cur(seq);
	enum step_status st;

	ev_timer_stop(EV_DEFAULT_UC_ &seq->timeout);
	ev_timer_stop(EV_DEFAULT_UC_ &seq->quiet);
	step->waiting_input = false;
	proc_free(seq->proc);
	seq->proc = NULL;
	step->exit_code = -1;
	step->signal = 0;
	if (status == -1)
		st = STEP_FAILED;
	else if (WIFEXITED(status)) {
		step->exit_code = WEXITSTATUS(status);
		st = step->exit_code == 0 ? STEP_OK : STEP_FAILED;
	} else {
		step->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		st = STEP_FAILED;
	}
	if (run_cfg(seq)->capture != NULL &&
	    capture_over(seq->run->captures, seq->v.index)) {
		run_notice(seq, "step '%s' failed: its stdout is over %d bytes "
		    "(1 MiB), the most a capture ('%s') may hold",
		    run_cfg(seq)->name, CONFIG_CAPTURE_MAX,
		    run_cfg(seq)->capture);
		st = STEP_FAILED;
	}
	/* 255 is ssh's status when the connection fails, and also that of
	 * a command that exits 255: the connection itself says which. */
	if (st == STEP_FAILED && step->exit_code == 255 &&
	    run_cfg(seq)->op == CFG_OP_REMOTE &&
	    seq->end_reason == RUN_END_NONE && seq->run->remote != NULL) {
		seq->attempt = RUN_ATT_PROBE;
		seq->proc_ended = run_now();
		remote_probe(seq->run->remote, (size_t)seq->cfg->host,
		    run_probe_done, seq, &seq->wait);
		return;
	}
	run_step_ended(seq, st);
}

/* Whether the connection of a step whose ssh exited 255 is still there:
 * then the 255 was the command's; else the step lost it. */
static void
run_probe_done(void *arg, const char *err)
{
	struct run_sequence *seq = arg;

	assert(seq->attempt == RUN_ATT_PROBE);
	seq->wait = NULL;
	if (err != NULL)
		run_cur(seq)->exit_code = -1;
	run_step_ended(seq, err != NULL ? STEP_LOST : STEP_FAILED);
	run_check(seq);
}

/* Queue the current step's next attempt: the loop's next pass starts it
 * (run_pass). */
static void
run_attempt_queue(struct run_sequence *seq)
{
	struct run *run = seq->run;

	seq->attempt = RUN_ATT_READY;
	if (!seq->queued) {
		seq->queued = true;
		run->queue[(run->q_head + run->q_len) % run->n_seqs] =
		    seq->v.index;
		run->q_len++;
	}
	run_request(run);
}

/* The sequence goes on at its current step (a retry, a resume, a start
 * over, its cleanup): running again, and that step's attempt queued. */
static void
run_attempt_again(struct run_sequence *seq)
{
	seq->attempt = RUN_ATT_READY;
	run_set_state(seq, SEQ_RUNNING);
	run_attempt_queue(seq);
}

/*
 * End the running attempt at once when it has no process: a sleep, or a
 * wait for its host's connection (which goes on for other steps). Returns
 * false when there is a process: the caller kills it, and the attempt
 * ends when it is gone.
 */
static bool
run_stop_now(struct run_sequence *seq, enum step_status st)
{
	switch (seq->attempt) {
	case RUN_ATT_SLEEP:
		ev_timer_stop(EV_DEFAULT_UC_ &seq->timer);
		break;
	case RUN_ATT_CONNECT:
	case RUN_ATT_PROBE:
		remote_cancel(seq->run->remote, seq->wait);
		seq->wait = NULL;
		break;
	case RUN_ATT_WAIT:
		run_wait_end(seq);
		break;
	case RUN_ATT_PROCESS:
	case RUN_ATT_COND:
		return false;
	default:
		assert(0 && "no attempt runs");
		return true;
	}
	run_step_ended(seq, st);
	return true;
}

/* End the running attempt for `reason`: at once when it has no process,
 * else when its killed process is gone. */
static void
run_end_attempt(struct run_sequence *seq, enum run_end reason, enum step_status st)
{
	static const char *const why[] = { "", "skip", "kill", "abort",
		"timeout" };

	/* The operator's reason wins over a timeout's (a kill or an abort
	 * while a timed-out step dies); a timeout never overrides one. */
	if (reason != RUN_END_TIMEOUT || seq->end_reason == RUN_END_NONE)
		seq->end_reason = reason;
	DEBUG_LOG("kill %s step %zu (%s): %s", seq->cfg->name,
	    seq->v.current + 1, run_cfg(seq)->name, why[reason]);
	if (!run_stop_now(seq, st))
		proc_kill(seq->proc);
}

/* A local step's process runs: its timeout counts from now, not from a
 * wait for its turn to be started (long when many start at once). */
/* How long a tty step's output is quiet before drove looks whether it
 * waits for the keyboard, and how often it looks again. */
#define RUN_QUIET 0.5

static void
run_quiet_cb(EV_P_ ev_timer *w, int revents)
{
	struct run_sequence *seq = container_of(w, struct run_sequence, quiet);
	struct run_step *step;
	bool waits;

	(void)revents;
	if (seq->proc == NULL || seq->v.current >= seq->cfg->n_all) {
		ev_timer_stop(EV_A_ w);
		return;
	}
	step = run_cur(seq);
	/* Output still coming: busy, whatever it reads meanwhile. */
	waits = run_now() - seq->last_output >= RUN_QUIET &&
	    proc_waits_for_input(seq->proc);
	if (waits != step->waiting_input) {
		step->waiting_input = waits;
		run_emit_seq(seq);
	}
}

static void
run_proc_started(void *arg)
{
	struct run_sequence *seq = arg;
	const struct cfg_step *cs = run_cfg(seq);

	/* A prompt is told from a busy step by what its process does. */
	if (cs->tty && cs->op == CFG_OP_RUN && !ev_is_active(&seq->quiet)) {
		seq->last_output = run_now();
		ev_timer_set(&seq->quiet, RUN_QUIET, RUN_QUIET);
		ev_timer_start(EV_DEFAULT_UC_ &seq->quiet);
	}

	if (cs->timeout > 0 && cs->kind == CFG_STEP_RUN &&
	    cs->op == CFG_OP_RUN && !ev_is_active(&seq->timeout)) {
		run_now();
		ev_timer_set(&seq->timeout, cs->timeout, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &seq->timeout);
	}
}

static void
run_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	struct run_sequence *seq = container_of(w, struct run_sequence, timeout);

	(void)EV_A;
	(void)revents;
	if (run_cfg(seq)->kind == CFG_STEP_WAIT) {
		/* Why the condition did not hold at the last look (for
		 * ssh: the last connection's failure, when it answered). */
		const char *why = seq->attempt == RUN_ATT_WAIT ?
		    wait_why(seq->watch) : NULL;
		char what[512], d[32];
		if (why == NULL)
			why = seq->ssh_why;
		run_wait_say(seq, "timed out after %s waiting for %s%s%s%s",
		    config_format_duration(run_cfg(seq)->timeout, d, sizeof d),
		    run_wait_what(seq, run_cfg(seq), what, sizeof what),
		    why ? " (" : "", why ? why : "", why ? ")" : "");
	} else
		run_mark(seq, "-- timed out after %gs: killing --",
		    run_cfg(seq)->timeout);
	run_end_attempt(seq, RUN_END_TIMEOUT, STEP_TIMEOUT);
	run_check(seq);
}

static void
run_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct run_sequence *seq = container_of(w, struct run_sequence, timer);
	struct run_step *step = run_cur(seq);

	(void)EV_A;
	(void)revents;
	if (seq->attempt == RUN_ATT_RETRY_WAIT)
		run_attempt_queue(seq);
	else {
		/* A sleep step ran its course. */
		step->exit_code = 0;
		run_step_ended(seq, STEP_OK);
	}
	run_check(seq);
}

/* Start an attempt of the current step (from run_pass only). */
static void
run_attempt_begin(struct run_sequence *seq)
{
	struct run *run = seq->run;
	struct run_step *step = run_cur(seq);
	const struct cfg_step *cs;
	struct run_event ev = { .type = RUN_EV_STEP_START, .seq = seq->v.index,
		                .step = seq->v.current };
	char label[64];
	char *missing = NULL, *line;

	assert(seq->v.state == SEQ_RUNNING && seq->attempt == RUN_ATT_READY);
	if (run_redo_reached(seq))
		return;
	seq->hopeless = run_instance(seq, &missing) != 0;
	cs = run_cfg(seq);
	step->attempt++;
	step->status = STEP_RUNNING;
	step->started = run_now();
	step->ended = 0;
	step->exit_code = -1;
	step->signal = 0;
	seq->end_reason = RUN_END_NONE;
	free(seq->ssh_why);
	seq->ssh_why = NULL;
	free(step->why);
	step->why = NULL;
	ev.attempt = step->attempt;
	run_step_label(&seq->v, seq->v.current, label, sizeof label);
	if (step->attempt > 1)
		run_mark(seq, "-- %s: %s (try %u) --", label, cs->name,
		    step->attempt);
	else
		run_mark(seq, "-- %s: %s --", label, cs->name);
	run_emit(run, &ev);
	run_emit_seq(seq);
	if (missing != NULL) {
		/* A value it uses was never captured: said in its log too. */
		line = xasprintf("drove: %s\n", missing);
		run_proc_output(seq, line, strlen(line));
		run_notice(seq, "step '%s' failed: %s", cs->name, missing);
		free(line);
		free(missing);
		seq->attempt = RUN_ATT_IDLE;
		run_step_ended(seq, STEP_FAILED);
		return;
	}
	/* if: decides before the first attempt; retries are the step's. */
	if (cs->cond != NULL && step->attempt == 1) {
		run_cond_begin(seq);
		return;
	}
	run_attempt_body(seq);
}

/* The attempt itself, once its if: (if any) said yes. */
static void
run_attempt_body(struct run_sequence *seq)
{
	struct run *run = seq->run;
	const struct cfg_step *cs = run_cfg(seq);

	if (cs->kind == CFG_STEP_SLEEP) {
		seq->attempt = RUN_ATT_SLEEP;
		DEBUG_LOG("sleep %s step %zu (%s): %gs", seq->cfg->name,
		    seq->v.current + 1, cs->name, cs->sleep);
		ev_timer_set(&seq->timer, cs->sleep, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &seq->timer);
		return;
	}
	/* The timeout counts from here: waiting for a host that does not
	 * answer is part of the step. A local command's counts from when its
	 * process runs (run_proc_started). */
	if (cs->timeout > 0 && (cs->kind != CFG_STEP_RUN ||
	    cs->op != CFG_OP_RUN)) {
		ev_timer_set(&seq->timeout, cs->timeout, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &seq->timeout);
	}
	if (cs->kind == CFG_STEP_WAIT) {
		run_wait_begin(seq);
		return;
	}
	if (cs->op != CFG_OP_RUN && remote_connect(run->remote,
	    (size_t)seq->cfg->host, run_remote_ready, seq, &seq->wait) == 0) {
		const char *host = run->cfg->hosts[seq->cfg->host].name;
		seq->attempt = RUN_ATT_CONNECT;
		DEBUG_LOG("connection to %s: waiting for it (%s step %zu)",
		    host, seq->cfg->name, seq->v.current + 1);
		if (remote_queued(run->remote, (size_t)seq->cfg->host))
			run_mark(seq, "-- waiting for a connection slot for %s "
			    "(max_connecting: %u) --", host,
			    run->cfg->max_connecting);
		else
			run_mark(seq, "-- waiting for the ssh connection to "
			    "%s --", host);
		return;
	}
	run_step_spawn(seq);
}

/* download: the local folders of `to` (relative to cwd when it is not
 * absolute) are made first, as `mkdir -p` would: scp makes none. `to`
 * ending in '/' names a folder; otherwise its last part is the file. -1
 * and *err (caller frees) when one cannot be made. */
static int
run_download_dirs(const char *cwd, const char *to, char **err)
{
	char *path, *p, *end;
	int rc = 0;

	if (to[0] == '/' || cwd == NULL)
		path = xstrdup(to);
	else
		path = xasprintf("%s/%s", cwd, to);
	end = strrchr(path, '/');
	if (end == NULL) {
		free(path);
		return 0;
	}
	*end = '\0';
	for (p = path + 1; ; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (path[0] != '\0' && mkdir(path, 0777) != 0 &&
		    errno != EEXIST) {
			*err = xasprintf("drove: cannot make the folder %s for "
			    "the download: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(path);
	return rc;
}

/* Start the current attempt's process: the command here, or ssh or scp
 * for the sequence's host. */
static void
run_step_spawn(struct run_sequence *seq)
{
	struct run *run = seq->run;
	struct run_step *step = run_cur(seq);
	const struct cfg_step *cs = run_cfg(seq);
	struct proc_spec spec = {
		.shell = run->cfg->shell,
		.command = step->edited ? step->command : cs->run,
		.cwd = cs->cwd ? cs->cwd : seq->cfg->cwd,
		.tty = cs->tty,
		.cols = seq->tty_cols,
		.rows = seq->tty_rows,
		.kill_grace = run->cfg->kill_grace,
	};
	struct proc_callbacks cb = {
		.output = run_proc_output,
		.stdout_data = cs->capture != NULL ? run_proc_stdout : NULL,
		.exited = run_proc_exited,
		.started = run_proc_started,
		.arg = seq,
	};
	char **env = run_env_build(seq, step), **renv = NULL, **argv = NULL;
	char *err = NULL;
	size_t n_renv = 0;
	struct cfg_step edited = *cs;

	if (cs->op != CFG_OP_RUN) {
		renv = run_env_remote(seq, step, &n_renv);
		/* The operator's edit, if any, in place of the config's. */
		if (step->edited)
			edited.run = (char *)step->command;
		argv = remote_argv(run->remote, (size_t)seq->cfg->host,
		    &edited, renv, n_renv, run->cfg->kill_grace);
		spec.argv = argv;
		/* Held open, never written: its end tells the remote side
		 * to stop (see remote.c). */
		spec.stdin_pipe = true;
		/* Through the host's connection, ssh hands its descriptors
		 * to the master, which writes the output to them. */
		spec.shared_output = true;
	}
	spec.env = env;
	seq->attempt = RUN_ATT_PROCESS;
	if (cs->capture != NULL)
		capture_begin(run->captures, seq->v.index);
	if (cs->op == CFG_OP_DOWNLOAD &&
	    run_download_dirs(spec.cwd, cs->to, &err) != 0)
		seq->proc = NULL;
	else
		seq->proc = proc_start(&spec, &cb, &err);
	xstrv_free(env);
	xstrv_free(renv);
	xstrv_free(argv);
	if (seq->proc == NULL) {
		DEBUG_LOG("spawn %s step %zu (%s) #%u failed: %s",
		    seq->cfg->name, seq->v.current + 1, cs->name, step->attempt,
		    err);
		run_proc_output(seq, err, strlen(err));
		run_proc_output(seq, "\n", 1);
		free(err);
		seq->attempt = RUN_ATT_IDLE;
		run_step_ended(seq, STEP_FAILED);
		return;
	}
	DEBUG_LOG("spawn %s step %zu (%s) #%u%s%s", seq->cfg->name,
	    seq->v.current + 1, cs->name, step->attempt,
	    cs->op == CFG_OP_RUN ? "" : " on ",
	    cs->op == CFG_OP_RUN ? "" : run->cfg->hosts[seq->cfg->host].name);
}

/* The host's connection is up (err NULL), or could not be made. */
static void
run_remote_ready(void *arg, const char *err)
{
	struct run_sequence *seq = arg;
	const char *host = seq->run->cfg->hosts[seq->cfg->host].name;

	assert(seq->attempt == RUN_ATT_CONNECT);
	seq->wait = NULL;
	if (err != NULL) {
		DEBUG_LOG("connection to %s: down (%s step %zu): %s", host,
		    seq->cfg->name, seq->v.current + 1, err);
		/* ssh's own words; no command ran, so no exit code. */
		run_proc_output(seq, err, strlen(err));
		run_cur(seq)->exit_code = -1;
		seq->attempt = RUN_ATT_IDLE;
		run_step_ended(seq, STEP_UNREACHABLE);
		run_check(seq);
		return;
	}
	DEBUG_LOG("connection to %s: up (%s step %zu)", host, seq->cfg->name,
	    seq->v.current + 1);
	run_step_spawn(seq);
	run_check(seq);
}

static void
run_seq_finish(struct run_sequence *seq, enum seq_state st)
{
	seq->attempt = RUN_ATT_IDLE;
	seq->v.hold = false;
	seq->handler_retry = false;
	run_set_state(seq, st);
}

/* The cleanup steps are over (or cut short): the sequence ends as its
 * steps did, whatever its cleanup did. */
static void
run_cleanup_done(struct run_sequence *seq)
{
	seq->v.cleanup = false;
	seq->v.current = seq->stopped_at;
	run_seq_finish(seq, seq->outcome);
}

/* The sequence's steps are over: it ends in `st` (ok, failed, aborted),
 * after its cleanup steps (finally:), when it has some. A sequence that
 * never started (aborted while it waited) has nothing to clean up; nor
 * has one the run's stop cut short. */
static void
run_seq_end(struct run_sequence *seq, enum seq_state st)
{
	const struct cfg_seq *cs = seq->cfg;

	/* Stopped because its host could not be reached, not because a
	 * command failed: the recap tells the two apart. */
	if (st == SEQ_FAILED && seq->v.current < cs->n_all &&
	    step_status_unreachable(seq->v.steps[seq->v.current].status))
		st = SEQ_UNREACHABLE;
	seq->handler_retry = false;
	/* An operator's action waiting for its step: moot now. */
	seq->redo = false;
	if (seq->v.hold) {
		/* Asked for on a step the sequence never went past: said,
		 * not dropped. */
		run_mark(seq, "-- the hold is not kept: the sequence ended "
		    "(%s) before its next step --", seq_state_name(st));
		run_notice(seq, "the operator's hold was not kept: the "
		    "sequence ended (%s) before its next step",
		    seq_state_name(st));
		seq->v.hold = false;
	}
	if (cs->n_finally == 0 || seq->v.started == 0 || seq->run->cut) {
		run_seq_finish(seq, st);
		return;
	}
	seq->outcome = st;
	seq->stopped_at = seq->v.current;
	seq->v.cleanup = true;
	seq->cleaned = true;
	seq->v.hold = false;
	seq->v.current = cs->finally_at;
	DEBUG_LOG("cleanup %s: %zu steps, then %s", cs->name, cs->n_finally,
	    seq_state_name(st));
	run_mark(seq, "-- %s: cleanup (finally, %zu step%s) --",
	    seq_state_name(st), cs->n_finally, cs->n_finally == 1 ? "" : "s");
	run_attempt_again(seq);
}

static void run_pause_failure(struct run_sequence *seq, enum step_status st);

/* Go on with the step at v.current (a step, or a handler's): unless the
 * operator's hold is reached, or the run stops. */
static void
run_seq_next(struct run_sequence *seq)
{
	if (seq->v.hold) {
		seq->v.hold = false;
		seq->attempt = RUN_ATT_IDLE;
		seq->v.pause = RUN_PAUSE_HOLD;
		DEBUG_LOG("pause %s before step %zu: held by the operator",
		    seq->cfg->name, seq->v.current + 1);
		if (run_cfg(seq)->role == CFG_ROLE_MAIN)
			run_mark(seq, "-- held by operator before step %zu --",
			    seq->v.current + 1);
		else {
			char label[64];
			run_mark(seq, "-- held by operator before %s --",
			    run_step_label(&seq->v, seq->v.current, label,
			    sizeof label));
		}
		run_set_state(seq, SEQ_PAUSED);
		return;
	}
	if (seq->run->stopping) {
		run_seq_end(seq, SEQ_ABORTED);
		return;
	}
	run_attempt_queue(seq);
}

/* Step `of` failed and its handler ran to its end: do what its then:
 * says. */
static void
run_handler_done(struct run_sequence *seq, size_t of)
{
	const struct cfg_step *failed = &seq->cfg->steps[of];

	seq->v.current = of;
	DEBUG_LOG("handler of %s step %zu done: then %d", seq->cfg->name,
	    of + 1, (int)failed->then);
	switch (failed->then) {
	case CFG_ONFAIL_RETRY:
		if (seq->run->stopping) {
			run_seq_end(seq, SEQ_ABORTED);
			return;
		}
		run_mark(seq, "-- handler of step %zu done: step %zu once "
		    "more --", of + 1, of + 1);
		seq->handler_retry = true;
		run_attempt_queue(seq);
		return;
	case CFG_ONFAIL_CONTINUE:
		/* The step still failed: the sequence will have, as under
		 * on_failure: continue. */
		run_mark(seq, "-- handler of step %zu done: going on --",
		    of + 1);
		seq->v.had_failure = true;
		seq->v.current = of + 1;
		break;
	case CFG_ONFAIL_PAUSE:
		run_pause_failure(seq, seq->v.steps[of].status);
		return;
	case CFG_ONFAIL_STOP:
		run_mark(seq, "-- handler of step %zu done: the sequence "
		    "stops --", of + 1);
		run_seq_end(seq, SEQ_FAILED);
		return;
	}
	if (seq->v.current >= seq->cfg->n_steps) {
		run_seq_end(seq, SEQ_FAILED);
		return;
	}
	run_seq_next(seq);
}

/* Move on to the next step: of the sequence, of a handler, or of the
 * cleanup; or to what comes after the last one. */
static void
run_seq_advance(struct run_sequence *seq)
{
	const struct cfg_step *cs = run_cfg(seq);
	const struct cfg_step *failed;

	seq->v.current++;
	switch (cs->role) {
	case CFG_ROLE_FINALLY:
		/* Cleanup goes on through a stop, a hold does not stop it. */
		if (seq->v.current >= seq->cfg->n_all || seq->run->cut)
			run_cleanup_done(seq);
		else
			run_attempt_queue(seq);
		return;
	case CFG_ROLE_HANDLER:
		failed = &seq->cfg->steps[cs->of];
		if (seq->v.current >= failed->handler + failed->n_handler) {
			run_handler_done(seq, cs->of);
			return;
		}
		break;
	case CFG_ROLE_MAIN:
		seq->handler_retry = false;
		if (seq->v.current >= seq->cfg->n_steps) {
			run_seq_end(seq, seq->v.had_failure ? SEQ_FAILED :
			    SEQ_OK);
			return;
		}
		break;
	}
	run_seq_next(seq);
}

/* Hold the sequence for the operator at the failed current step (r
 * retries it, s skips it, a aborts); nobody can answer headless, nor
 * while the run stops: then the sequence stops there. */
static void
run_pause_failure(struct run_sequence *seq, enum step_status st)
{
	char label[64];

	run_step_label(&seq->v, seq->v.current, label, sizeof label);
	if (seq->run->opt.interactive && !seq->run->stopping) {
		seq->attempt = RUN_ATT_IDLE;
		seq->v.pause = RUN_PAUSE_FAILURE;
		seq->v.hold = false;
		DEBUG_LOG("pause %s at %s: it failed", seq->cfg->name, label);
		run_mark(seq, "-- %s %s: waiting for the operator "
		    "(r retry, s skip, a abort) --", label,
		    step_status_name(st));
		run_set_state(seq, SEQ_PAUSED);
		return;
	}
	if (!seq->run->stopping)
		run_notice(seq, "step '%s' would pause for the operator; "
		    "nobody can answer (headless): stopping the sequence",
		    run_cfg(seq)->name);
	if (seq->v.cleanup)
		run_cleanup_done(seq);
	else
		run_seq_end(seq, SEQ_FAILED);
}

/* A handler step failed: the sequence stops at it, or pauses there when
 * the handler's then: is pause. */
static void
run_handler_failed(struct run_sequence *seq, enum step_status st)
{
	const struct cfg_step *cs = run_cfg(seq);

	if (seq->cfg->steps[cs->of].then == CFG_ONFAIL_PAUSE) {
		run_pause_failure(seq, st);
		return;
	}
	run_mark(seq, "-- the handler of step %zu failed: the sequence "
	    "stops --", cs->of + 1);
	run_seq_end(seq, SEQ_FAILED);
}

/* The run stops while the cleanup step at v.current failed and would
 * wait for the operator (on_failure: pause): the cleanup goes on with its
 * next step, for settings.finally_timeout at most. */
static void
run_cleanup_goes_on(struct run_sequence *seq)
{
	char label[64];

	run_mark(seq, "-- the run stops: nobody is left to answer; the "
	    "cleanup goes on after %s --", run_step_label(&seq->v,
	    seq->v.current, label, sizeof label));
	seq->attempt = RUN_ATT_READY;
	run_set_state(seq, SEQ_RUNNING);
	run_seq_advance(seq);
}

/* A cleanup step failed: its on_failure says whether the cleanup goes on
 * (continue), waits for the operator (pause) or ends (stop). The
 * sequence's outcome stays its steps'. */
static void
run_cleanup_failed(struct run_sequence *seq, enum step_status st)
{
	switch (run_cfg(seq)->on_failure) {
	case CFG_ONFAIL_CONTINUE:
		run_seq_advance(seq);
		return;
	case CFG_ONFAIL_PAUSE:
		/* The run stops: nobody will answer; the cleanup runs to
		 * its end rather than stop half way. */
		if (seq->run->stopping) {
			run_cleanup_goes_on(seq);
			return;
		}
		run_pause_failure(seq, st);
		return;
	case CFG_ONFAIL_STOP:
	case CFG_ONFAIL_RETRY:
		break;
	}
	run_mark(seq, "-- cleanup stops: a step of it %s --",
	    step_status_name(st));
	run_cleanup_done(seq);
}

/* The first step of the handler of the current step, which failed. */
static void
run_handler_begin(struct run_sequence *seq)
{
	const struct cfg_step *cs = run_cfg(seq);

	DEBUG_LOG("handler %s step %zu: %zu steps", seq->cfg->name,
	    seq->v.current + 1, cs->n_handler);
	run_mark(seq, "-- step %zu failed: its handler (%zu step%s) --",
	    seq->v.current + 1, cs->n_handler, cs->n_handler == 1 ? "" : "s");
	seq->v.current = cs->handler;
	if (seq->run->stopping) {
		run_seq_end(seq, SEQ_ABORTED);
		return;
	}
	run_attempt_queue(seq);
}

/* "connection to HOST lost", "HOST unreachable": what a step whose host
 * could not be reached says (status st) instead of ssh's exit 255. The
 * review says the same from the record (logidx.c). */
static const char *
run_host_why(const struct run_sequence *seq, enum step_status st, char *buf,
    size_t size)
{
	return step_host_why(st, seq->cfg->host >= 0 ?
	    seq->run->cfg->hosts[seq->cfg->host].name : NULL, buf, size);
}

/* The current attempt ended with status `st` (before drove's own reasons
 * for ending it are applied). */
static void
run_step_ended(struct run_sequence *seq, enum step_status st)
{
	struct run *run = seq->run;
	struct run_step *step = run_cur(seq);
	const struct cfg_step *cs = run_cfg(seq);
	struct run_event ev = { .type = RUN_EV_STEP_END, .seq = seq->v.index,
		                .step = seq->v.current,
		                .attempt = step->attempt };
	enum run_end reason = seq->end_reason;

	/* Whatever ended it, the step's time is up. */
	ev_timer_stop(EV_DEFAULT_UC_ &seq->timeout);
	ev_timer_stop(EV_DEFAULT_UC_ &seq->quiet);
	step->waiting_input = false;
	switch (reason) {
	case RUN_END_SKIP:
		st = STEP_SKIPPED;
		break;
	case RUN_END_KILL:
	case RUN_END_ABORT:
		st = STEP_KILLED;
		break;
	case RUN_END_TIMEOUT:
		st = STEP_TIMEOUT;
		break;
	case RUN_END_NONE:
		break;
	}
	/* A remote step drove ended: ssh's own status (255, or whatever the
	 * wrapper exited with as it was killed) is not the command's. The
	 * step was killed: say that, not "exit 255". */
	if (reason != RUN_END_NONE && cs->op != CFG_OP_RUN &&
	    step->signal == 0)
		step->exit_code = -1;
	seq->attempt = RUN_ATT_IDLE;
	seq->end_reason = RUN_END_NONE;
	step->status = st;
	/* Its time ended with its process, not with the look at its
	 * connection after. */
	step->ended = seq->proc_ended > 0 ? seq->proc_ended : run_now();
	seq->proc_ended = 0;
	if (cs->capture != NULL)
		run_capture_end(seq, st);
	DEBUG_LOG("end %s step %zu (%s) #%u: %s, exit %d, signal %d",
	    seq->cfg->name, seq->v.current + 1, cs->name, step->attempt,
	    step_status_name(st), step->exit_code, step->signal);
	outbuf_flush(seq->v.out, run_now());
	run_emit(run, &ev);

	if (st == STEP_OK || st == STEP_SKIPPED) {
		run_seq_advance(seq);
		return;
	}
	if (cs->role == CFG_ROLE_FINALLY &&
	    (reason == RUN_END_ABORT || run->cut)) {
		/* The operator's abort, or the stop's bound: no more
		 * cleanup. */
		run_cleanup_done(seq);
		return;
	}
	if (cs->role != CFG_ROLE_FINALLY &&
	    (reason == RUN_END_ABORT || run->stopping)) {
		run_seq_end(seq, SEQ_ABORTED);
		return;
	}
	/* A failure. Automatic retries first, unless the operator killed it:
	 * they meant it. */
	if (st != STEP_KILLED && step->operator_retries == 0 &&
	    step->attempt <= cs->retries && !seq->hopeless) {
		char why[160];
		if (step_status_unreachable(st))
			run_host_why(seq, st, why, sizeof why);
		else if (step->signal)
			snprintf(why, sizeof why, "signal %s",
			    sigabbrev_np(step->signal) ?
			    sigabbrev_np(step->signal) : "?");
		else
			snprintf(why, sizeof why, "exit %d", step->exit_code);
		step->status = STEP_RETRY_WAIT;
		step->retry_at = run_now() + cs->retry_delay;
		seq->attempt = RUN_ATT_RETRY_WAIT;
		DEBUG_LOG("retry %s step %zu (%s) in %gs: %s, try %u of %u",
		    seq->cfg->name, seq->v.current + 1, cs->name,
		    cs->retry_delay, why, step->attempt + 1, cs->retries + 1);
		run_mark(seq, "-- %s (%s); retry %u of %u in %gs --",
		    step_status_name(st), why, step->attempt,
		    cs->retries, cs->retry_delay);
		ev_timer_set(&seq->timer, cs->retry_delay, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &seq->timer);
		run_emit_seq(seq);
		return;
	}
	/* How it ended, as the review says it from the record: live and
	 * review tell the same story. */
	if (step_status_unreachable(st)) {
		char why[160];
		run_mark(seq, "-- %s after %.1fs --",
		    run_host_why(seq, st, why, sizeof why),
		    step->ended - step->started);
	} else if (step->signal > 0)
		run_mark(seq, "-- %s (signal %d) after %.1fs --",
		    step_status_name(st), step->signal,
		    step->ended - step->started);
	else if (step->exit_code >= 0)
		run_mark(seq, "-- %s (exit %d) after %.1fs --",
		    step_status_name(st), step->exit_code,
		    step->ended - step->started);
	else
		run_mark(seq, "-- %s after %.1fs --", step_status_name(st),
		    step->ended - step->started);
	if (cs->role == CFG_ROLE_HANDLER) {
		run_handler_failed(seq, st);
		return;
	}
	if (cs->role == CFG_ROLE_FINALLY) {
		run_cleanup_failed(seq, st);
		return;
	}
	if (cs->n_handler > 0) {
		if (!seq->handler_retry) {
			run_handler_begin(seq);
			return;
		}
		/* The retry its handler asked for failed too. */
		run_mark(seq, "-- step %zu failed again after its handler: "
		    "the sequence stops --", seq->v.current + 1);
		run_seq_end(seq, SEQ_FAILED);
		return;
	}
	switch (cs->on_failure) {
	case CFG_ONFAIL_CONTINUE:
		seq->v.had_failure = true;
		run_seq_advance(seq);
		return;
	case CFG_ONFAIL_PAUSE:
		run_pause_failure(seq, st);
		return;
	case CFG_ONFAIL_STOP:
	case CFG_ONFAIL_RETRY:  /* a handler's 'then' only */
		break;
	}
	run_seq_end(seq, SEQ_FAILED);
}

/* --- if: ---------------------------------------------------------------- */

/* The condition ended: its exit status says whether the step runs. */
static void
run_cond_exited(void *arg, int status)
{
	struct run_sequence *seq = arg;
	struct run_step *step = run_cur(seq);
	const struct cfg_step *cs = run_cfg(seq);

	assert(seq->attempt == RUN_ATT_COND);
	proc_free(seq->proc);
	seq->proc = NULL;
	seq->attempt = RUN_ATT_IDLE;
	if (seq->end_reason != RUN_END_NONE) {
		/* The operator ended it: skip, kill or abort, as for any
		 * step. */
		run_step_ended(seq, STEP_KILLED);
	} else if (status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0) {
		run_mark(seq, "-- if: yes, the step runs --");
		seq->attempt = RUN_ATT_READY;
		run_attempt_body(seq);
	} else {
		char why[64];
		if (status != -1 && WIFEXITED(status))
			snprintf(why, sizeof why, "exit %d",
			    WEXITSTATUS(status));
		else if (status != -1 && WIFSIGNALED(status))
			snprintf(why, sizeof why, "signal %d",
			    WTERMSIG(status));
		else
			snprintf(why, sizeof why, "not started");
		run_mark(seq, "-- if: no (%s): skipped --", why);
		run_notice(seq, "step '%s' skipped: its condition said no "
		    "(%s)", cs->name, why);
		step->cond_skipped = true;
		step->exit_code = -1;
		run_step_ended(seq, STEP_SKIPPED);
	}
	run_check(seq);
}

/* Run the current step's if: command, here, with the step's env. */
static void
run_cond_begin(struct run_sequence *seq)
{
	struct run *run = seq->run;
	struct run_step *step = run_cur(seq);
	const struct cfg_step *cs = run_cfg(seq);
	struct proc_spec spec = {
		.shell = run->cfg->shell,
		.command = cs->cond,
		.cwd = cs->cwd ? cs->cwd : seq->cfg->cwd,
		.kill_grace = run->cfg->kill_grace,
	};
	struct proc_callbacks cb = {
		.output = run_proc_output,
		.exited = run_cond_exited,
		.arg = seq,
	};
	char **env = run_env_build(seq, step);
	char *err = NULL;

	run_mark(seq, "-- if: %s --", cs->cond);
	spec.env = env;
	seq->attempt = RUN_ATT_COND;
	seq->proc = proc_start(&spec, &cb, &err);
	xstrv_free(env);
	if (seq->proc == NULL) {
		run_proc_output(seq, err, strlen(err));
		run_proc_output(seq, "\n", 1);
		free(err);
		seq->attempt = RUN_ATT_IDLE;
		run_step_ended(seq, STEP_FAILED);
	}
}

/* --- wait_for ---------------------------------------------------------- */

/* What a wait step waits for, for its pane ("tcp db:5432"). */
static const char *
run_wait_what(const struct run_sequence *seq, const struct cfg_step *cs,
    char *buf, size_t size)
{
	const struct run *run = seq->run;

	switch (cs->wait.kind) {
	case CFG_WAIT_TCP:
		snprintf(buf, size, "tcp %s", cs->wait.target);
		break;
	case CFG_WAIT_PATH:
		snprintf(buf, size, "path %s", cs->wait.target);
		break;
	case CFG_WAIT_OUTPUT:
		snprintf(buf, size, "a line of %s matching /%s/",
		    cs->wait.seq >= 0 ? run->cfg->seqs[cs->wait.seq].name :
		    cs->wait.seq_name, cs->wait.match);
		break;
	case CFG_WAIT_SSH: {
		const struct cfg_host *h = &run->cfg->hosts[seq->cfg->host];
		snprintf(buf, size, "ssh on %s (%s:%u)", h->name,
		    h->address != NULL ? h->address : h->name,
		    h->port != 0 ? h->port : RUN_SSH_PORT);
		break;
	}
	}
	return buf;
}

/* How the wait step's attempt ends, in words: in its pane, and kept
 * with the step for the record, the headless output and the review. */
static void
run_wait_say(struct run_sequence *seq, const char *fmt, ...)
{
	struct run_step *step = run_cur(seq);
	va_list ap;

	va_start(ap, fmt);
	free(step->why);
	step->why = run_redact(xvasprintf(fmt, ap));
	va_end(ap);
	run_mark(seq, "-- %s --", step->why);
}

/* The wait cannot hold: the step fails, saying why (its own words are
 * already said, with run_wait_say). */
static void
run_wait_fail(struct run_sequence *seq)
{
	if (seq->watch != NULL)
		run_wait_end(seq);
	seq->attempt = RUN_ATT_IDLE;
	run_step_ended(seq, STEP_FAILED);
}

static void
run_wait_done(void *arg)
{
	struct run_sequence *seq = arg;
	const struct cfg_step *cs = run_cfg(seq);

	assert(seq->attempt == RUN_ATT_WAIT);
	if (run_cur(seq)->why == NULL && cs->wait.kind == CFG_WAIT_TCP)
		run_wait_say(seq, "tcp %s answered", cs->wait.target);
	else if (run_cur(seq)->why == NULL && cs->wait.kind == CFG_WAIT_PATH)
		run_wait_say(seq, "path %s exists", cs->wait.target);
	run_wait_end(seq);
	run_cur(seq)->exit_code = 0;
	run_step_ended(seq, STEP_OK);
	run_check(seq);
}

/* Stop watching (the attempt ends). */
static void
run_wait_end(struct run_sequence *seq)
{
	const struct cfg_step *cs = run_cfg(seq);

	if (cs->wait.kind == CFG_WAIT_OUTPUT)
		seq->run->output_waits--;
	wait_free(seq->watch);
	seq->watch = NULL;
}

/* The line of `of` that ended wait step of w: said, its control
 * characters shown visibly (it goes to the record and the plain output
 * as drove's own words). */
static void
run_wait_matched(struct run_sequence *w, const struct run_sequence *of,
    const struct outbuf_line *line)
{
	struct strbuf sb = STRBUF_INIT;

	vis_add(&sb, line->text, line->len, false);
	run_wait_say(w, "%s printed: %s", of->cfg->name,
	    sb.buf != NULL ? sb.buf : "");
	strbuf_free(&sb);
}

/* Is w a wait_for output step waiting now for a line of sequence i? */
static bool
run_waits_on(const struct run_sequence *w, size_t i)
{
	const struct cfg_step *cs;

	if (w->attempt != RUN_ATT_WAIT || w->watch == NULL)
		return false;
	cs = run_cfg(w);
	return cs->wait.kind == CFG_WAIT_OUTPUT && cs->wait.seq >= 0 &&
	    (size_t)cs->wait.seq == i;
}

/* Does a line of sequence i end a wait for it? */
static void
run_wait_line(struct run *run, size_t i, const struct outbuf_line *line)
{
	for (size_t k = 0; k < run->n_seqs; k++) {
		struct run_sequence *w = run->seqs[k];

		if (run_waits_on(w, i) &&
		    wait_output_line(w->watch, line->text, line->len)) {
			run_wait_matched(w, run->seqs[i], line);
			run_wait_done(w);
		}
	}
}

/* The output wait on sequence `seq` cannot hold any more: it ended (ok,
 * failed, blocked, aborted) without a line that matched. It fails at
 * once rather than wait out its timeout. */
static void
run_wait_ended(struct run_sequence *w, const struct run_sequence *seq)
{
	run_wait_say(w, "sequence %s ended (%s) before a line matched /%s/",
	    seq->cfg->name, seq_state_name(seq->v.state),
	    run_cfg(w)->wait.match);
	run_wait_fail(w);
	run_check(w);
}

/* Sequence i ended: the output waits on it fail. */
static void
run_wait_seq_over(struct run *run, size_t i)
{
	for (size_t k = 0; k < run->n_seqs; k++)
		if (run_waits_on(run->seqs[k], i))
			run_wait_ended(run->seqs[k], run->seqs[i]);
}

/* wait_for ssh: the port of the sequence's host, as the inventory gives
 * it (its address, and port 22 when it gives none), probed on the loop
 * until an ssh server's banner comes; then one ssh connection, the
 * host's ControlMaster, which later steps use. */
static void run_ssh_answered(void *arg);

static struct wait *
run_ssh_watch(struct run_sequence *seq, double delay, char **err)
{
	const struct cfg_host *h = &seq->run->cfg->hosts[seq->cfg->host];

	return wait_ssh_start(h->address != NULL ? h->address : h->name,
	    h->port != 0 ? h->port : RUN_SSH_PORT, delay, run_ssh_answered,
	    seq, err);
}

/* The host's connection is up, or could not be made: then sshd answers
 * but does not let us in yet (a machine still booting may have its
 * server up before its keys): probe again, until the step's timeout. */
static void
run_ssh_connected(void *arg, const char *err)
{
	struct run_sequence *seq = arg;
	const char *host = seq->run->cfg->hosts[seq->cfg->host].name;
	char *e2 = NULL;
	size_t len;

	assert(seq->attempt == RUN_ATT_CONNECT);
	seq->wait = NULL;
	if (err == NULL) {
		DEBUG_LOG("wait %s: ssh to %s is up", seq->cfg->name, host);
		run_wait_say(seq, "ssh to %s: connected", host);
		run_cur(seq)->exit_code = 0;
		seq->attempt = RUN_ATT_IDLE;
		run_step_ended(seq, STEP_OK);
		run_check(seq);
		return;
	}
	/* ssh's first line says why. */
	len = strcspn(err, "\r\n");
	DEBUG_LOG("wait %s: ssh to %s failed: %.*s", seq->cfg->name, host,
	    (int)len, err);
	/* Said once, not at every try. */
	if (seq->ssh_why == NULL || strlen(seq->ssh_why) != len ||
	    strncmp(seq->ssh_why, err, len) != 0) {
		free(seq->ssh_why);
		seq->ssh_why = xstrndup(err, len);
		run_mark(seq, "-- ssh to %s: not yet (%s) --", host,
		    seq->ssh_why);
	}
	seq->attempt = RUN_ATT_WAIT;
	if ((seq->watch = run_ssh_watch(seq, 4 * WAIT_POLL, &e2)) == NULL) {
		run_wait_say(seq, "%s", e2);
		free(e2);
		run_wait_fail(seq);
	}
	run_check(seq);
}

/* The host's ssh server sent its banner: now a real connection. */
static void
run_ssh_answered(void *arg)
{
	struct run_sequence *seq = arg;
	struct run *run = seq->run;
	const char *host = run->cfg->hosts[seq->cfg->host].name;

	assert(seq->attempt == RUN_ATT_WAIT);
	run_wait_end(seq);
	DEBUG_LOG("wait %s: %s answers ssh", seq->cfg->name, host);
	if (remote_connect(run->remote, (size_t)seq->cfg->host,
	    run_ssh_connected, seq, &seq->wait) == 0) {
		if (seq->ssh_why == NULL)
			run_mark(seq, "-- %s answers ssh: connecting --",
			    host);
		seq->attempt = RUN_ATT_CONNECT;
		run_check(seq);
		return;
	}
	/* Up already, or a host without a shared connection: its server
	 * answering is all there is to wait for. */
	run_wait_say(seq, "%s answers ssh", host);
	run_cur(seq)->exit_code = 0;
	seq->attempt = RUN_ATT_IDLE;
	run_step_ended(seq, STEP_OK);
	run_check(seq);
}

/* Start watching the current step's condition. */
static void
run_wait_begin(struct run_sequence *seq)
{
	struct run *run = seq->run;
	const struct cfg_step *cs = run_cfg(seq);
	const struct outbuf *ob;
	const struct outbuf_line *l;
	char what[512], d[32];
	char *err = NULL;

	seq->attempt = RUN_ATT_WAIT;
	run_mark(seq, "-- waiting for %s, for at most %s --",
	    run_wait_what(seq, cs, what, sizeof what),
	    config_format_duration(cs->timeout, d, sizeof d));
	switch (cs->wait.kind) {
	case CFG_WAIT_TCP:
		seq->watch = wait_tcp_start(cs->wait.target, run_wait_done, seq,
		    &err);
		break;
	case CFG_WAIT_PATH:
		seq->watch = wait_path_start(cs->wait.target, run_wait_done,
		    seq);
		break;
	case CFG_WAIT_OUTPUT:
		if (cs->wait.seq < 0) {
			err = strcmp(cs->wait.seq_name, seq->cfg->name) == 0 ?
			    xasprintf("a step cannot wait for the output of "
			    "its own sequence ('%s')", cs->wait.seq_name) :
			    xasprintf("sequence '%s' is not in this run",
			    cs->wait.seq_name);
			break;
		}
		if ((seq->watch = wait_output_start(cs->wait.match,
		    &err)) == NULL)
			break;
		run->output_waits++;
		/* What it printed before counts: a server may be ready
		 * before anyone waits for it. */
		ob = run->seqs[cs->wait.seq]->v.out;
		for (size_t k = 0; k < outbuf_count(ob); k++) {
			l = outbuf_get(ob, k);
			if (!(l->flags & OUTBUF_MARK) &&
			    wait_output_line(seq->watch, l->text, l->len)) {
				run_wait_matched(seq,
				    run->seqs[cs->wait.seq], l);
				run_wait_done(seq);
				return;
			}
		}
		/* Over already, and nothing matched: nothing will. */
		if (seq_state_over(run->seqs[cs->wait.seq]->v.state)) {
			run_wait_ended(seq, run->seqs[cs->wait.seq]);
			return;
		}
		break;
	case CFG_WAIT_SSH:
		seq->watch = run_ssh_watch(seq, 0, &err);
		break;
	}
	if (err != NULL) {
		run_wait_say(seq, "%s", err);
		free(err);
		run_wait_fail(seq);
	}
}

/* The state machine's invariants, at rest (between transitions). */
static void
run_check(const struct run_sequence *seq)
{
	const struct run_step *step = seq->v.current < seq->cfg->n_all ?
	    &seq->v.steps[seq->v.current] : NULL;

	(void)step;
	assert((seq->attempt == RUN_ATT_PROCESS ||
	    seq->attempt == RUN_ATT_COND) == (seq->proc != NULL));
	assert((seq->attempt == RUN_ATT_CONNECT ||
	    seq->attempt == RUN_ATT_PROBE) == (seq->wait != NULL));
	assert((seq->attempt == RUN_ATT_SLEEP ||
	    seq->attempt == RUN_ATT_RETRY_WAIT) ==
	    (ev_is_active(&seq->timer) != 0));
	assert(!ev_is_active(&seq->timeout) ||
	    seq->attempt == RUN_ATT_CONNECT ||
	    seq->attempt == RUN_ATT_PROCESS ||
	    seq->attempt == RUN_ATT_WAIT);
	assert((seq->attempt == RUN_ATT_WAIT) == (seq->watch != NULL));
	assert((seq->v.state == SEQ_RUNNING) ==
	    (seq->attempt != RUN_ATT_IDLE));
	assert((seq->v.state == SEQ_PAUSED) == (seq->v.pause != RUN_PAUSE_NONE));
	assert(!seq->v.hold || seq->v.state == SEQ_RUNNING);
	assert(seq->end_reason == RUN_END_NONE ||
	    seq->attempt == RUN_ATT_PROCESS || seq->attempt == RUN_ATT_COND);
	assert(seq->attempt == RUN_ATT_IDLE || step != NULL);
	assert(seq->attempt != RUN_ATT_RETRY_WAIT ||
	    step->status == STEP_RETRY_WAIT);
	assert(seq->attempt == RUN_ATT_IDLE ||
	    seq->attempt == RUN_ATT_READY ||
	    seq->attempt == RUN_ATT_RETRY_WAIT ||
	    step->status == STEP_RUNNING);
	assert(!seq->queued || seq->run->q_len > 0);
	assert(!seq->v.cleanup || seq->v.state == SEQ_RUNNING ||
	    seq->v.state == SEQ_PAUSED);
	assert(!seq->v.cleanup || seq->v.current >= seq->cfg->finally_at);
}

/* --- scheduling -------------------------------------------------------- */

static unsigned long
run_limit(const struct run *run)
{
	unsigned long limit = run->opt.max_parallel >= 0 ?
	    (unsigned long)run->opt.max_parallel : run->cfg->max_parallel;
	unsigned long fds = proc_max_running();

	/* Beyond what the limit on open descriptors allows, sequences
	 * wait, as they do for max_parallel. */
	if (fds > 0 && (limit == 0 || limit > fds))
		limit = fds;
	return limit;
}

static void
run_seq_begin(struct run_sequence *seq)
{
	seq->v.current = seq->resume_at;
	seq->v.had_failure = false;
	seq->v.cleanup = false;
	seq->cleaned = false;
	seq->redo = false;
	seq->handler_retry = false;
	seq->attempt = RUN_ATT_READY;
	run_set_state(seq, SEQ_RUNNING);
	if (seq->over_at > 0)
		run_notice(seq, "its cleanup ran in run %s after it stopped "
		    "at step %zu: it starts over from step 1", 
		    seq->run->resumed_from ? seq->run->resumed_from : "?",
		    seq->over_at);
	if (seq->resume_at > 0)
		run_mark(seq, "-- steps 1-%zu done in run %s: resuming "
		    "at step %zu --", seq->resume_at, seq->run->resumed_from,
		    seq->resume_at + 1);
	if (seq->resume_secret > 0)
		run_mark(seq, "-- step %zu runs again: what it captured is "
		    "secret, not in the record of run %s --",
		    seq->resume_secret, seq->run->resumed_from);
	run_attempt_queue(seq);
}

/* Is every need of seq ok (1), is one of them beyond hope (-1), or not
 * yet known (0)? */
static int
run_needs_met(const struct run *run, const struct run_sequence *seq)
{
	int met = 1;

	for (size_t i = 0; i < seq->cfg->n_needs; i++) {
		const struct run_sequence *need = run->seqs[seq->cfg->needs[i]];
		switch (need->v.state) {
		case SEQ_OK:
			break;
		case SEQ_FAILED:
		case SEQ_UNREACHABLE:
		case SEQ_BLOCKED:
		case SEQ_ABORTED:
			return -1;
		default:
			met = 0;
		}
	}
	return met;
}

/* Add need to "waits for ..." when it did not succeed: "db (aborted)".
 * A fan-out's placeholder that grew is replaced by its sequences: those
 * of them that did not succeed are named instead. */
static void
run_blocked_name(const struct run *run, const struct run_sequence *need,
    char *names, size_t size, size_t *used, size_t *n)
{
	if (need->v.grown) {
		for (size_t k = need->v.first; k < need->v.first +
		    need->v.count; k++)
			run_blocked_name(run, run->seqs[k], names, size, used,
			    n);
		return;
	}
	if (!seq_state_failed(need->v.state) &&
	    need->v.state != SEQ_BLOCKED && need->v.state != SEQ_ABORTED)
		return;
	if (*used < size)
		*used += (size_t)snprintf(names + *used, size - *used,
		    "%s%s (%s)", *n ? ", " : "", need->cfg->name,
		    seq_state_name(need->v.state));
	(*n)++;
}

/* A blocked pane says what it waits for, and why it cannot go on: the
 * needs that did not succeed. */
static void
run_blocked_mark(const struct run *run, struct run_sequence *seq)
{
	char names[256] = "";
	size_t used = 0, n = 0;

	/* "waits for build (failed), db (aborted)": until they are retried
	 * into success. */
	for (size_t i = 0; i < seq->cfg->n_needs; i++)
		run_blocked_name(run, run->seqs[seq->cfg->needs[i]], names,
		    sizeof names, &used, &n);
	run_mark(seq, "-- blocked: waits for %s --", names);
	/* For the headless output and the record, which name them too. */
	free(seq->v.blocked_by);
	seq->v.blocked_by = run_redact(xstrdup(names));
}


bool
run_settled(const struct run *run)
{
	if (run->replica)
		return run->settled;
	for (size_t i = 0; i < run->n_seqs; i++) {
		if (run_seq_active(run->seqs[i]))
			return false;
		if (run->seqs[i]->v.state == SEQ_WAITING && !run->stopping)
			return false;
	}
	return true;
}

/* --- fan-out ------------------------------------------------------------ */

/* The value placeholder seq makes its sequences from: what its step
 * captured here, else (--resume, that step not run again) in the run
 * resumed; or NULL. */
static const char *
run_fanout_value(const struct run *run, const struct run_sequence *seq)
{
	const struct cfg_fanout *fo = seq->cfg->fanout;
	const char *from = fo->from, *v;
	size_t len = strlen(from);

	if (fo->by_seq < run->n_seqs &&
	    (v = run_captured(run, fo->by_seq, fo->by_step, NULL)) != NULL)
		return v;

	for (size_t i = run->n_values; i > 0; i--) {
		if (strncmp(run->values[i - 1], from, len) == 0 &&
		    run->values[i - 1][len] == '=')
			return run->values[i - 1] + len + 1;
	}
	return NULL;
}

/* A grown placeholder's state sums up its sequences': waiting while one
 * may still run, then ok when all are, failed when one failed or was
 * aborted, blocked when the others were. */
static void
run_grown_state(struct run *run, struct run_sequence *ph)
{
	enum seq_state st = SEQ_OK;

	for (size_t k = ph->v.first; k < ph->v.first + ph->v.count; k++) {
		enum seq_state c = run->seqs[k]->v.state;
		if (!seq_state_over(c) || c == SEQ_BLOCKED) {
			if (c == SEQ_BLOCKED && st != SEQ_WAITING &&
			    st != SEQ_FAILED)
				st = SEQ_BLOCKED;
			else if (c != SEQ_BLOCKED)
				st = SEQ_WAITING;
		} else if (c != SEQ_OK && st != SEQ_WAITING)
			st = SEQ_FAILED;
	}
	if (st != ph->v.state)
		run_set_state(ph, st);
}

/* The plan has more sequences than the run (config_grow, or a
 * replica's): add theirs, waiting. */
static void
run_add_seqs(struct run *run)
{
	size_t old = run->n_seqs, n = run->cfg->n_seqs, i, *queue;

	/* The plan's sequences may have moved. */
	for (i = 0; i < old; i++)
		run->seqs[i]->cfg = &run->cfg->seqs[i];
	if (n <= old)
		return;
	run->seqs = xrealloc(run->seqs, n * sizeof *run->seqs);
	for (i = old; i < n; i++)
		run->seqs[i] = run_seq_new(run, i);
	/* The ring of due attempts holds every sequence once at most. */
	queue = xcalloc(n, sizeof *queue);
	for (i = 0; i < run->q_len; i++)
		queue[i] = run->queue[(run->q_head + i) % old];
	free(run->queue);
	run->queue = queue;
	run->q_head = 0;
	run->n_seqs = n;
}

void
run_replica_grow(struct run *run)
{
	if (run->frozen)
		run_add_seqs(run);
}

int
run_grow(struct run *run, size_t p, const char *value, char **err)
{
	struct run_sequence *ph;
	struct run_event ev = { .type = RUN_EV_GROW };
	const struct cfg_fanout *fo;
	const struct cfg_step *by;
	size_t first, n, hosts = run->cfg->n_hosts;

	if (p >= run->n_seqs || !run->seqs[p]->v.placeholder ||
	    run->seqs[p]->v.grown) {
		*err = xstrdup("not a placeholder that waits");
		return -1;
	}
	if (config_grow(run->cfg, p, value, &first, &n, err) != 0)
		return -1;
	run_add_seqs(run);
	if (run->cfg->n_hosts > hosts) {
		if (run->remote == NULL) {
			run->remote = remote_create(run->cfg);
			remote_set_dir(run->remote, run->ssh_dir);
		} else
			remote_hosts_added(run->remote);
	}
	ph = run->seqs[p];
	ph->v.grown = true;
	ph->v.first = first;
	ph->v.count = n;
	fo = ph->cfg->fanout;
	by = run_fanout_by(run, fo);
	DEBUG_LOG("grow %s: %zu sequences from '%s'", ph->cfg->name, n,
	    fo->from);
	ev.seq = p;
	ev.first = first;
	ev.count = n;
	ev.text = by != NULL && by->secret ? NULL : value;
	run_emit(run, &ev);
	run_resume_made(run, first, n);
	if (n == 0) {
		run_mark(ph, "-- '%s' is empty: no sequences made --",
		    fo->from);
		run_notice(ph, "'%s' gave no values: %s made no sequences, "
		    "and is done", fo->from, ph->cfg->name);
	} else
		run_mark(ph, "-- '%s' gave %zu value%s: %s ... %s --",
		    fo->from, n, n == 1 ? "" : "s", run->cfg->seqs[first].name,
		    run->cfg->seqs[first + n - 1].name);
	run->check_waiting = true;
	run_request(run);
	return 0;
}

/* --resume: the sequences a fan-out made that the run resumed had too
 * start where that one's stopped. */
static void
run_resume_made(struct run *run, size_t first, size_t n)
{
	for (size_t i = first; i < first + n && run->n_later > 0; i++) {
		struct run_sequence *seq = run->seqs[i];
		struct run_later *l = NULL;
		size_t j;

		for (j = 0; j < run->n_later && l == NULL; j++)
			if (strcmp(run->later[j].name, seq->cfg->name) == 0)
				l = &run->later[j];
		if (l == NULL)
			continue;
		for (j = 0; j < l->n && j < seq->cfg->n_steps; j++)
			if (strcmp(l->names[j], seq->cfg->steps[j].name) != 0)
				break;
		run_resume_from(run, i, j, l->from, l->status);
		run_announce_resumed(seq);
	}
}

void
run_resume_later(struct run *run, const char *name, size_t first,
    char *const *names, const enum step_status *status, const char *from)
{
	struct run_later *l;

	if (first == 0)
		return;
	run->later = xrealloc(run->later, (run->n_later + 1) *
	    sizeof *run->later);
	l = &run->later[run->n_later++];
	l->name = xstrdup(name);
	l->from = xstrdup(from);
	l->n = first;
	l->names = xcalloc(first, sizeof *l->names);
	l->status = xcalloc(first, sizeof *l->status);
	for (size_t j = 0; j < first; j++) {
		l->names[j] = xstrdup(names[j]);
		l->status[j] = status != NULL ? status[j] : STEP_OK;
	}
}

/* The step that captures a fan-out's value, or NULL when --only left
 * its sequence out. */
static const struct cfg_step *
run_fanout_by(const struct run *run, const struct cfg_fanout *fo)
{
	if (fo->by_seq >= run->n_seqs)
		return NULL;
	return &run->cfg->seqs[fo->by_seq].steps[fo->by_step];
}

/* What a placeholder waits for, in its pane until it grows. */
static void
run_fanout_waits(struct run *run, struct run_sequence *seq)
{
	const struct cfg_fanout *fo = seq->cfg->fanout;

	const struct cfg_step *by = run_fanout_by(run, fo);

	run_mark(seq, "-- waiting for '%s' (captured by %s / %s): a sequence "
	    "per %s --", fo->from, by != NULL ?
	    run->cfg->seqs[fo->by_seq].name : "a sequence not in this run",
	    by != NULL ? by->name : "-", fo->hosts ? "host" : "value");
}

/* Placeholder seq's needs are met: make its sequences from its value,
 * or fail it, saying why. */
static void
run_fanout(struct run *run, struct run_sequence *seq)
{
	const struct cfg_fanout *fo = seq->cfg->fanout;
	const char *value = run_fanout_value(run, seq);
	char *err = NULL;

	if (value == NULL && run_fanout_by(run, fo) == NULL)
		err = xasprintf("'%s' is captured by a sequence left out of "
		    "this run (--only), and no run resumed gave it",
		    fo->from);
	else if (value == NULL)
		err = xasprintf("'%s' was not captured (its step, %s / %s, "
		    "did not succeed in this run)", fo->from,
		    run->cfg->seqs[fo->by_seq].name,
		    run_fanout_by(run, fo)->name);
	else if (run_grow(run, seq->v.index, value, &err) == 0) {
		run_grown_state(run, seq);
		return;
	}
	run_mark(seq, "-- no sequences made: %s --", err);
	run_notice(seq, "%s: %s", seq->cfg->name, err);
	free(err);
	seq->v.started = run_now();
	run_set_state(seq, SEQ_FAILED);
}

void
run_resume_value(struct run *run, const char *name, const char *value)
{
	run->values = xrealloc(run->values, (run->n_values + 1) *
	    sizeof *run->values);
	run->values[run->n_values++] = xasprintf("%s=%s", name, value);
}

/* Block what can no longer start, unblock what can again, and start the
 * sequences whose needs are met while max_parallel allows. A state set
 * here asks for another look: repeat until nothing changes. */
static void
run_check_waiting(struct run *run)
{
	unsigned long active, limit = run_limit(run);

	while (run->check_waiting) {
		run->check_waiting = false;
		active = 0;
		for (size_t i = 0; i < run->n_seqs; i++)
			if (run_seq_active(run->seqs[i]))
				active++;
		for (size_t i = 0; i < run->n_seqs; i++) {
			struct run_sequence *seq = run->seqs[i];
			int met;

			if (seq->v.grown) {
				run_grown_state(run, seq);
				continue;
			}
			if (seq->v.state != SEQ_WAITING &&
			    seq->v.state != SEQ_BLOCKED)
				continue;
			met = run_needs_met(run, seq);
			if (met < 0 && seq->v.state == SEQ_WAITING) {
				DEBUG_LOG("schedule: %s is blocked: a need "
				    "did not succeed", seq->cfg->name);
				run_blocked_mark(run, seq);
				run_set_state(seq, SEQ_BLOCKED);
			} else if (met >= 0 && seq->v.state == SEQ_BLOCKED) {
				/* A need was retried: hope again. */
				DEBUG_LOG("schedule: %s waits again: a need "
				    "was retried", seq->cfg->name);
				free(seq->v.blocked_by);
				seq->v.blocked_by = NULL;
				run_set_state(seq, SEQ_WAITING);
			}
			if (seq->v.placeholder && seq->v.state == SEQ_WAITING &&
			    met == 1 && !run->stopping) {
				/* Its value is there: no slot needed, nothing
				 * runs for it. */
				run_fanout(run, seq);
				continue;
			}
			if (seq->v.state == SEQ_WAITING && met == 1 &&
			    !run->stopping && (limit == 0 || active < limit)) {
				active++;
				DEBUG_LOG("schedule: start %s (needs met, %lu "
				    "running, limit %lu)", seq->cfg->name,
				    active, limit);
				run_seq_begin(seq);
			}
		}
	}
}

/* One pass of the deferred work, before the loop sleeps: the sequences
 * that can start, then at most RUN_BATCH due attempts, oldest first.
 * Whatever is left waits for the next pass, which comes at once. */
static void
run_pass(struct run *run)
{
	size_t started = 0;

	run_check_waiting(run);
	while (run->q_len > 0 && started < RUN_BATCH) {
		struct run_sequence *seq = run->seqs[run->queue[run->q_head]];

		run->q_head = (run->q_head + 1) % run->n_seqs;
		run->q_len--;
		seq->queued = false;
		/* Aborted, or stopped, since it was queued. */
		if (seq->attempt != RUN_ATT_READY)
			continue;
		run_attempt_begin(seq);
		run_check(seq);
		started++;
		/* A spawn that failed may have settled a sequence. */
		run_check_waiting(run);
	}
	/* The loop must not sleep right after a pass: what it did may end
	 * the caller's ev_run (an idle run), or leave work for the next. */
	ev_idle_start(EV_DEFAULT_UC_ &run->spin);
	if (run->q_len > 0 || run->check_waiting) {
		DEBUG_LOG("pass: %zu started, %zu due left for the next pass",
		    started, run->q_len);
		return;
	}
	ev_prepare_stop(EV_DEFAULT_UC_ &run->pass);
	if (run_settled(run)) {
		if (!run->settled) {
			struct run_event ev = { .type = RUN_EV_IDLE };
			DEBUG_LOG("idle: nothing runs and nothing can start");
			run->settled = true;
			run->settled_at = run_now();
			ev_timer_stop(EV_DEFAULT_UC_ &run->cleanup_bound);
			run_emit(run, &ev);
		}
	} else
		run->settled = false;
}

static void
run_pass_cb(EV_P_ ev_prepare *w, int revents)
{
	(void)EV_A;
	(void)revents;
	run_pass(container_of(w, struct run, pass));
}

static void
run_spin_cb(EV_P_ ev_idle *w, int revents)
{
	struct run *run = container_of(w, struct run, spin);

	(void)revents;
	/* Being active was its job (the loop polled instead of sleeping);
	 * with no pass due, the loop may sleep again. */
	if (!ev_is_active(&run->pass))
		ev_idle_stop(EV_A_ w);
}

/* Something changed: a pass is due before the loop sleeps again. */
static void
run_request(struct run *run)
{
	if (run->frozen)
		return;
	ev_prepare_start(EV_DEFAULT_UC_ &run->pass);
}

/* --- lifecycle --------------------------------------------------------- */

/* A new sequence of the run: sequence i of the plan, waiting. */
static struct run_sequence *
run_seq_new(struct run *run, size_t i)
{
	struct run_sequence *seq = xcalloc(1, sizeof *seq);

	seq->cfg = &run->cfg->seqs[i];
	seq->v.name = seq->cfg->name;
	seq->v.index = i;
	seq->v.n_steps = seq->cfg->n_steps;
	seq->v.n_all = seq->cfg->n_all;
	seq->v.placeholder = seq->cfg->fanout != NULL;
	seq->run = run;
	seq->v.state = SEQ_WAITING;
	seq->v.steps = xcalloc(seq->cfg->n_all ? seq->cfg->n_all : 1,
	    sizeof *seq->v.steps);
	for (size_t j = 0; j < seq->cfg->n_all; j++) {
		const struct cfg_step *cs = &seq->cfg->steps[j];
		struct run_step *rs = &seq->v.steps[j];
		rs->role = (enum step_role)cs->role;
		if (cs->role == CFG_ROLE_HANDLER) {
			const struct cfg_step *of = &seq->cfg->steps[cs->of];
			rs->of = cs->of;
			rs->nth = j - of->handler + 1;
			rs->group = of->n_handler;
		} else if (cs->role == CFG_ROLE_FINALLY) {
			rs->nth = j - seq->cfg->finally_at + 1;
			rs->group = seq->cfg->n_finally;
		}
		seq->v.steps[j].name = cs->name;
		seq->v.steps[j].retries = cs->retries;
		seq->v.steps[j].tty = cs->tty && cs->kind == CFG_STEP_RUN;
		seq->v.steps[j].exit_code = -1;
		/* A late step's command is made as it starts (and may hold
		 * a secret): not shown, not edited. */
		if (cs->kind == CFG_STEP_RUN && !cs->late &&
		    (cs->op == CFG_OP_RUN || cs->op == CFG_OP_REMOTE))
			seq->v.steps[j].command = cs->run;
	}
	/* A sequence a fan-out makes takes its share of the run's budget
	 * like the others (the shares shrink as members join). */
	seq->v.out = outbuf_create(run->opt.scrollback ? run->opt.scrollback :
	    SIZE_MAX, run_outbuf_line, seq);
	outbuf_join(seq->v.out, run->pool, i);
	ev_init(&seq->timer, run_timer_cb);
	ev_init(&seq->timeout, run_timeout_cb);
	ev_init(&seq->quiet, run_quiet_cb);
	return seq;
}

_Static_assert((int)STEP_ROLE_HANDLER == (int)CFG_ROLE_HANDLER &&
    (int)STEP_ROLE_FINALLY == (int)CFG_ROLE_FINALLY,
    "step roles in the plan's order");

struct run *
run_create(struct config *cfg, const struct run_options *opt)
{
	struct run *run = xcalloc(1, sizeof *run);
	bool hosts = cfg->n_hosts > 0;

	run->cfg = cfg;
	run->opt = *opt;
	run->n_seqs = cfg->n_seqs;
	run->seqs = xcalloc(cfg->n_seqs ? cfg->n_seqs : 1, sizeof *run->seqs);
	run->pool = outbuf_pool_create(cfg->scrollback);
	for (size_t i = 0; i < cfg->n_seqs; i++) {
		run->seqs[i] = run_seq_new(run, i);
		hosts |= cfg->seqs[i].fanout != NULL &&
		    cfg->seqs[i].fanout->hosts;
	}
	run->queue = xcalloc(cfg->n_seqs ? cfg->n_seqs : 1,
	    sizeof *run->queue);
	ev_prepare_init(&run->pass, run_pass_cb);
	ev_idle_init(&run->spin, run_spin_cb);
	ev_init(&run->cleanup_bound, run_cleanup_bound_cb);
	if (hosts)
		run->remote = remote_create(cfg);
	run->captures = capture_create(cfg);
	return run;
}

void
run_free(struct run *run)
{
	if (run == NULL)
		return;
	ev_prepare_stop(EV_DEFAULT_UC_ &run->pass);
	ev_idle_stop(EV_DEFAULT_UC_ &run->spin);
	ev_timer_stop(EV_DEFAULT_UC_ &run->cleanup_bound);
	for (size_t i = 0; i < run->n_seqs; i++) {
		struct run_sequence *seq = run->seqs[i];
		ev_timer_stop(EV_DEFAULT_UC_ &seq->timer);
		ev_timer_stop(EV_DEFAULT_UC_ &seq->timeout);
		ev_timer_stop(EV_DEFAULT_UC_ &seq->quiet);
		proc_free(seq->proc);
		seq->proc = NULL;
		remote_cancel(run->remote, seq->wait);
		seq->wait = NULL;
		wait_free(seq->watch);
		seq->watch = NULL;
		free(seq->ssh_why);
		if (seq->has_inst)
			config_step_instance_free(&seq->inst);
	}
	capture_free(run->captures);
	/* Masters not closed by run_disconnect are killed now. */
	remote_free(run->remote);
	for (size_t i = 0; i < run->n_seqs; i++) {
		struct run_sequence *seq = run->seqs[i];
		outbuf_free(seq->v.out);
		for (size_t j = 0; j < seq->cfg->n_all; j++)
			free(seq->v.steps[j].why);
		free(seq->v.steps);
		free(seq->v.blocked_by);
		for (size_t j = 0; seq->edited != NULL &&
		    j < seq->cfg->n_all; j++)
			free(seq->edited[j]);
		free(seq->edited);
		free(seq);
	}
	outbuf_pool_free(run->pool);
	free(run->resumed_from);
	free(run->ssh_dir);
	xstrs_free(run->values, run->n_values);
	for (size_t i = 0; i < run->n_later; i++) {
		struct run_later *l = &run->later[i];
		xstrs_free(l->names, l->n);
		free(l->status);
		free(l->name);
		free(l->from);
	}
	free(run->later);
	free(run->queue);
	free(run->run_dir);
	free(run->seqs);
	free(run->obs);
	free(run);
}

void
run_add_observer(struct run *run, run_observer_fn *fn, void *arg)
{
	run->obs = xreallocarray_grow(run->obs, &run->cap_obs, run->n_obs + 1,
	    sizeof *run->obs);
	run->obs[run->n_obs].fn = fn;
	run->obs[run->n_obs].arg = arg;
	run->n_obs++;
}

void
run_remove_observer(struct run *run, run_observer_fn *fn, void *arg)
{
	for (size_t i = 0; i < run->n_obs; i++) {
		if (run->obs[i].fn == fn && run->obs[i].arg == arg) {
			memmove(&run->obs[i], &run->obs[i + 1],
			    (run->n_obs - i - 1) * sizeof *run->obs);
			run->n_obs--;
			return;
		}
	}
}

void
run_start(struct run *run)
{
	struct run_event ev = { .type = RUN_EV_START };

	run->started = run_now();
	run_emit(run, &ev);
	for (size_t i = 0; i < run->n_seqs; i++) {
		run_announce_resumed(run->seqs[i]);
		if (run->seqs[i]->v.placeholder)
			run_fanout_waits(run, run->seqs[i]);
	}
	DEBUG_LOG("start: %zu sequences, max_parallel %lu", run->n_seqs,
	    run_limit(run));
	/* The first pass starts what can start. */
	run->check_waiting = true;
	run_request(run);
}

/* --resume: say what is not run again, in the output and in the record
 * (a step_end of attempt 0 per step, so that this run can be resumed in
 * turn), and settle the sequences that are done. */
static void
run_announce_resumed(struct run_sequence *seq)
{
	struct run_event ev = { .type = RUN_EV_STEP_END, .seq = seq->v.index };
	size_t n = seq->cfg->n_steps;

	if (seq->resume_at >= n && n > 0)
		run_notice(seq, "done in run %s: not run again",
		    seq->run->resumed_from);
	else if (seq->resume_at > 0)
		run_notice(seq, "steps 1-%zu done in run %s: resuming at "
		    "step %zu", seq->resume_at, seq->run->resumed_from,
		    seq->resume_at + 1);
	if (seq->resume_secret > 0)
		run_notice(seq, "step %zu (%s) runs again: what it captured, "
		    "{{%s}}, is secret, so run %s did not record it",
		    seq->resume_secret,
		    seq->cfg->steps[seq->resume_secret - 1].name,
		    seq->cfg->steps[seq->resume_secret - 1].capture,
		    seq->run->resumed_from);
	if (seq->resume_at == 0)
		return;
	for (size_t j = 0; j < seq->resume_at && j < n; j++) {
		struct run_event cap = { .type = RUN_EV_CAPTURE,
			                 .seq = seq->v.index, .step = j };
		seq->v.steps[j].started = seq->v.steps[j].ended = run_now();
		/* What it captured there is this run's too. */
		if ((cap.text = capture_value(seq->run->captures,
		    seq->v.index, j, &cap.len)) != NULL)
			run_emit(seq->run, &cap);
		ev.step = j;
		run_emit(seq->run, &ev);
	}
	if (seq->resume_at >= n) {
		seq->v.current = n;
		run_set_state(seq, SEQ_OK);
	}
}

void
run_resume_over(struct run *run, size_t i, size_t stopped, const char *from)
{
	if (i >= run->n_seqs || stopped == 0)
		return;
	if (run->resumed_from == NULL || strcmp(run->resumed_from, from) != 0) {
		free(run->resumed_from);
		run->resumed_from = xstrdup(from);
	}
	run->seqs[i]->over_at = stopped;
}

void
run_resume_from(struct run *run, size_t i, size_t first, const char *from,
    const enum step_status *status)
{
	struct run_sequence *seq;

	if (i >= run->n_seqs || first == 0)
		return;
	seq = run->seqs[i];
	if (first > seq->cfg->n_steps)
		first = seq->cfg->n_steps;
	if (run->resumed_from == NULL || strcmp(run->resumed_from, from) != 0) {
		free(run->resumed_from);
		run->resumed_from = xstrdup(from);
	}
	seq->resume_at = first;
	for (size_t j = 0; j < first; j++) {
		seq->v.steps[j].status = status != NULL &&
		    status[j] == STEP_SKIPPED ? STEP_SKIPPED : STEP_OK;
		seq->v.steps[j].resumed = true;
		seq->v.steps[j].exit_code = 0;
	}
}

void
run_resume_secret(struct run *run, size_t i, size_t step, const char *from)
{
	if (i >= run->n_seqs || step >= run->seqs[i]->cfg->n_steps)
		return;
	if (run->resumed_from == NULL || strcmp(run->resumed_from, from) != 0) {
		free(run->resumed_from);
		run->resumed_from = xstrdup(from);
	}
	run->seqs[i]->resume_secret = step + 1;
}

void
run_set_line_reader(struct run *run, outbuf_reader *fn, void *arg)
{
	outbuf_pool_set_reader(run->pool, fn, arg);
}

void
run_set_run_dir(struct run *run, const char *dir)
{
	const char *slash;

	free(run->run_dir);
	/* Absolute: a step may run anywhere (its cwd). */
	if ((run->run_dir = realpath(dir, NULL)) == NULL)
		run->run_dir = xstrdup(dir);
	slash = strrchr(run->run_dir, '/');
	run->run_id = slash != NULL ? slash + 1 : run->run_dir;
}

void
run_set_ssh_dir(struct run *run, const char *dir)
{
	free(run->ssh_dir);
	run->ssh_dir = dir != NULL ? xstrdup(dir) : NULL;
	if (run->remote != NULL)
		remote_set_dir(run->remote, dir);
}

void
run_disconnect(struct run *run)
{
	remote_disconnect(run->remote);
}

bool
run_disconnecting(const struct run *run)
{
	return remote_closing(run->remote);
}

struct remote *
run_remote(const struct run *run)
{
	return run->remote;
}

size_t
run_resume_at(const struct run *run, size_t i)
{
	return i < run->n_seqs ? run->seqs[i]->resume_at : 0;
}

void
run_finish(struct run *run, const char *why, int exit_code)
{
	struct run_event ev = { .type = RUN_EV_END, .text = why,
		                .exit_code = exit_code };

	if (run->finished)
		return;
	run->finished = true;
	run_emit(run, &ev);
}

int
run_exit_status(const struct run *run)
{
	for (size_t i = 0; i < run->n_seqs; i++) {
		const struct run_sequence *seq = run->seqs[i];
		if (seq->v.state != SEQ_OK)
			return 1;
		if (!run->opt.fail_on_skip)
			continue;
		/* A step its if: skipped did what the plan said: only a skip
		 * that left work undone counts. */
		for (size_t j = 0; j < seq->cfg->n_steps; j++)
			if (seq->v.steps[j].status == STEP_SKIPPED &&
			    !seq->v.steps[j].cond_skipped)
				return 1;
	}
	return 0;
}

const char *
run_resumed_from(const struct run *run)
{
	return run->resumed_from;
}

const struct config *
run_config(const struct run *run)
{
	return run->cfg;
}

const struct cfg_step *
run_step_cfg(const struct run *run, size_t i, size_t step)
{
	const struct run_sequence *seq = run->seqs[i];

	if (seq->has_inst && seq->inst_at == step)
		return &seq->inst;
	return &seq->cfg->steps[step];
}

const char *
run_step_waits_for(const struct run *run, size_t i, size_t step, char *buf,
    size_t size)
{
	const struct cfg_step *cs = run_step_cfg(run, i, step);

	if (cs->kind != CFG_STEP_WAIT)
		return NULL;
	return run_wait_what(run->seqs[i], cs, buf, size);
}

const char *
run_captured(const struct run *run, size_t seq, size_t step, size_t *len)
{
	return capture_value(run->captures, seq, step, len);
}

void
run_resume_capture(struct run *run, size_t seq, size_t step,
    const char *value, size_t len)
{
	if (seq < run->n_seqs && step < run->seqs[seq]->cfg->n_all)
		capture_set(run->captures, seq, step, value, len);
}

size_t
run_seq_count(const struct run *run)
{
	return run->n_seqs;
}

const struct run_seq *
run_seq(const struct run *run, size_t i)
{
	return i < run->n_seqs ? &run->seqs[i]->v : NULL;
}

double
run_started(const struct run *run)
{
	return run->started;
}

double
run_settled_at(const struct run *run)
{
	return run->settled ? run->settled_at : 0;
}

void
run_seq_counts(const struct run_seq *seq, size_t *ok, size_t *failed,
    size_t *skipped)
{
	*ok = *failed = *skipped = 0;
	for (size_t i = 0; i < seq->n_steps; i++) {
		switch (seq->steps[i].status) {
		case STEP_OK:
			(*ok)++;
			break;
		case STEP_SKIPPED:
			(*skipped)++;
			break;
		case STEP_FAILED:
		case STEP_TIMEOUT:
		case STEP_KILLED:
		case STEP_UNREACHABLE:
		case STEP_LOST:
			(*failed)++;
			break;
		default:
			break;
		}
	}
}

/* --- operator actions --------------------------------------------------- */

/* Announce an operator action: an event for the record and the front
 * ends, and a line in the output. A stop is the run's, not an answer to a
 * step: it carries its reason and leaves the output as it is. */
static void
run_announce(struct run_sequence *seq, enum run_action act, const char *why,
    const char *who)
{
	struct run_event ev = { .type = RUN_EV_ACTION, .seq = seq->v.index,
		                .step = seq->v.current, .action = act,
		                .text = why, .who = who };
	char stamp[16];
	time_t now = time(NULL);
	struct tm tm;

	if (act == RUN_ACT_STOP) {
		run_emit(seq->run, &ev);
		return;
	}
	if (seq->v.current < seq->cfg->n_all)
		ev.attempt = seq->v.steps[seq->v.current].attempt;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	run_emit(seq->run, &ev);
	/* Typing goes into the step's own screen: no line of drove's in
	 * the middle of it (the record has it). */
	if (act == RUN_ACT_INPUT)
		return;
	if (act == RUN_ACT_NOTE)
		run_mark(seq, "-- note by operator at %s: %s --", stamp, why);
	else
		run_mark(seq, "-- %s by operator at %s --",
		    run_action_done(act), stamp);
}

/* A stopped-at step (paused after its failure, or the sequence failed
 * on it) can be acted on as if it were paused. */
static bool
run_seq_stopped_at_step(const struct run_sequence *seq)
{
	if (seq->v.current >= seq->cfg->n_all)
		return false;
	/* An aborted sequence that had started is retried like a failed
	 * one: the operator may abort in haste. */
	return (seq->v.state == SEQ_PAUSED &&
	    seq->v.pause == RUN_PAUSE_FAILURE) ||
	    seq_state_failed(seq->v.state) ||
	    (seq->v.state == SEQ_ABORTED && seq->v.started > 0);
}

/* The current attempt runs: a process, a sleep, a wait for its host. */
static bool
run_seq_step_running(const struct run_sequence *seq)
{
	return seq->attempt == RUN_ATT_PROCESS ||
	    seq->attempt == RUN_ATT_SLEEP || seq->attempt == RUN_ATT_CONNECT ||
	    seq->attempt == RUN_ATT_WAIT || seq->attempt == RUN_ATT_COND ||
	    seq->attempt == RUN_ATT_PROBE;
}

/* Why the operator cannot act on the step SEQ stopped at, or NULL when
 * they can: NOTHING when it stopped at none (a step waiting for its
 * retry counts as stopped at when WAITING), or a run on its way out. */
static const char *
run_can_stopped(const struct run_sequence *seq, bool waiting,
    const char *nothing)
{
	if (!(waiting && seq->attempt == RUN_ATT_RETRY_WAIT) &&
	    !run_seq_stopped_at_step(seq))
		return nothing;
	return seq->run->stopping ? "the run is stopping" : NULL;
}

static const char *
run_can_retry(const struct run_sequence *seq)
{
	/* A retry while it waits for one only cuts the delay short. */
	if (seq->attempt == RUN_ATT_RETRY_WAIT)
		return NULL;
	return run_can_stopped(seq, false, "nothing to retry");
}

/* The operator's r, e, s or m on the step a sequence stopped at, once
 * its cleanup ran: that undid what its steps did (unmounted, released a
 * lock, destroyed a machine), so going on from that step would run it
 * as if nothing had been undone. The sequence starts over from its
 * first step instead, and the action applies to its step when it gets
 * there again; its cleanup runs again at its end. True when so. */
static bool
run_start_over(struct run_sequence *seq, enum run_action act)
{
	size_t k = seq->v.current;

	if (!seq->cleaned || !seq_state_over(seq->v.state) ||
	    k >= seq->cfg->n_steps)
		return false;
	DEBUG_LOG("start over %s: its cleanup ran; %s step %zu there",
	    seq->cfg->name, run_action_name(act), k + 1);
	run_mark(seq, "-- its cleanup ran: starting over from step 1; "
	    "step %zu is %s when it is reached --", k + 1,
	    act == RUN_ACT_SKIP ? "skipped" : act == RUN_ACT_MARK ?
	    "marked done" : "run again");
	run_notice(seq, "%s step %zu after the cleanup ran: the sequence "
	    "starts over from step 1, and its cleanup runs again at its "
	    "end", run_action_name(act), k + 1);
	seq->cleaned = false;
	seq->redo = true;
	seq->redo_at = k;
	seq->redo_act = act;
	seq->handler_retry = false;
	seq->v.had_failure = false;
	seq->v.current = 0;
	run_attempt_again(seq);
	return true;
}

/* The sequence started over (run_start_over) reached the step the
 * operator acted on: a retry runs it (as the operator's attempt), a skip
 * or a mark ends it without running it. True when it is over. */
static bool
run_redo_reached(struct run_sequence *seq)
{
	if (!seq->redo || seq->redo_at != seq->v.current)
		return false;
	seq->redo = false;
	if (seq->redo_act != RUN_ACT_SKIP && seq->redo_act != RUN_ACT_MARK) {
		run_cur(seq)->operator_retries++;
		return false;
	}
	run_cur(seq)->marked = seq->redo_act == RUN_ACT_MARK;
	run_mark(seq, "-- step %zu: %s by the operator before the "
	    "cleanup --", seq->v.current + 1, run_action_done(seq->redo_act));
	run_settle_stopped(seq, seq->redo_act == RUN_ACT_SKIP ? STEP_SKIPPED :
	    STEP_OK);
	return true;
}

static void
run_do_retry(struct run_sequence *seq)
{
	if (run_start_over(seq, RUN_ACT_RETRY))
		return;
	if (seq->attempt == RUN_ATT_RETRY_WAIT) {
		/* Do not wait for the delay. */
		ev_timer_stop(EV_DEFAULT_UC_ &seq->timer);
		run_attempt_queue(seq);
		return;
	}
	run_cur(seq)->operator_retries++;
	/* The operator's retry: should it fail, its handler runs again. */
	seq->handler_retry = false;
	run_attempt_again(seq);
}

static const char *
run_can_skip(const struct run_sequence *seq)
{
	if (run_seq_step_running(seq))
		return NULL;
	return run_can_stopped(seq, true, "nothing to skip");
}

/* The operator settles the step the sequence stopped at (no process) as
 * STATUS, and the sequence moves on. The step's last word in the record
 * is now this: a step_end of its last attempt with that status. Its time
 * ended with its process, not with the pause that followed; how it ended
 * (exit code, signal) stays. */
static void
run_settle_stopped(struct run_sequence *seq, enum step_status status)
{
	struct run_step *step = run_cur(seq);
	struct run_event ev = { .type = RUN_EV_STEP_END, .seq = seq->v.index,
		                .step = seq->v.current,
		                .attempt = step->attempt };

	step->status = status;
	if (step->ended <= 0)
		step->ended = run_now();
	run_emit(seq->run, &ev);
	seq->attempt = RUN_ATT_READY;
	run_set_state(seq, SEQ_RUNNING);
	run_seq_advance(seq);
}

static void
run_do_skip(struct run_sequence *seq)
{
	if (run_seq_step_running(seq)) {
		run_end_attempt(seq, RUN_END_SKIP, STEP_SKIPPED);
		return;
	}
	if (run_start_over(seq, RUN_ACT_SKIP))
		return;
	ev_timer_stop(EV_DEFAULT_UC_ &seq->timer);
	run_settle_stopped(seq, STEP_SKIPPED);
}

static const char *
run_can_kill(const struct run_sequence *seq)
{
	return run_seq_step_running(seq) ? NULL : "no step is running";
}

static void
run_do_kill(struct run_sequence *seq)
{
	run_end_attempt(seq, RUN_END_KILL, STEP_KILLED);
}

static const char *
run_can_abort(const struct run_sequence *seq)
{
	if (seq->v.state == SEQ_OK || seq_state_failed(seq->v.state) ||
	    seq->v.state == SEQ_ABORTED)
		return "the sequence is over";
	return NULL;
}

static void
run_do_abort(struct run_sequence *seq)
{
	switch (seq->attempt) {
	case RUN_ATT_CONNECT:
	case RUN_ATT_PROCESS:
	case RUN_ATT_SLEEP:
	case RUN_ATT_WAIT:
	case RUN_ATT_COND:
	case RUN_ATT_PROBE:
		/* It ends, aborted, once the attempt is over. */
		run_end_attempt(seq, RUN_END_ABORT, STEP_KILLED);
		return;
	case RUN_ATT_RETRY_WAIT:
		ev_timer_stop(EV_DEFAULT_UC_ &seq->timer);
		break;
	case RUN_ATT_READY:
	case RUN_ATT_IDLE:
		break;
	}
	if (seq->v.cleanup)
		/* Aborting the cleanup: no more of it. */
		run_cleanup_done(seq);
	else if (seq->v.state == SEQ_WAITING || seq->v.state == SEQ_BLOCKED)
		/* It never ran: nothing to clean up. */
		run_seq_finish(seq, SEQ_ABORTED);
	else if (!seq_state_over(seq->v.state))
		run_seq_end(seq, SEQ_ABORTED);
}

static const char *
run_can_hold(const struct run_sequence *seq)
{
	if (seq->v.state != SEQ_RUNNING)
		return "the sequence is not running";
	if (seq->v.cleanup)
		return "the sequence is cleaning up";
	if (seq->v.hold)
		return "the sequence is already held";
	/* A hold is kept before the next step: after the last one there is
	 * none, and the sequence ends (said, rather than dropped). */
	if (seq->v.current + 1 == seq->cfg->n_steps)
		return seq->cfg->n_finally > 0 ? "this is its last step: it "
		    "ends after it (and runs its cleanup), there is no step "
		    "to hold before" : "this is its last step: it ends after "
		    "it, there is no step to hold before";
	return NULL;
}

static void
run_do_hold(struct run_sequence *seq)
{
	seq->v.hold = true;
	run_emit_seq(seq);
}

static const char *
run_can_release(const struct run_sequence *seq)
{
	if (seq->v.state != SEQ_RUNNING)
		return "the sequence is not running";
	return seq->v.hold ? NULL : "the sequence is not held";
}

static void
run_do_release(struct run_sequence *seq)
{
	seq->v.hold = false;
	run_emit_seq(seq);
}

static const char *
run_can_resume(const struct run_sequence *seq)
{
	return seq->v.state == SEQ_PAUSED && seq->v.pause == RUN_PAUSE_HOLD ?
	    NULL : "the sequence is not held";
}

static void
run_do_resume(struct run_sequence *seq)
{
	run_attempt_again(seq);
}

/* e: a stopped command step (not a copy, a sleep or a wait). */
static const char *
run_can_edit(const struct run_sequence *seq)
{
	const struct cfg_step *cs;
	const char *why = run_can_stopped(seq, false,
	    "no failed or paused step");

	if (why != NULL)
		return why;
	cs = run_cfg(seq);
	if (cs->kind != CFG_STEP_RUN || cs->op == CFG_OP_UPLOAD ||
	    cs->op == CFG_OP_DOWNLOAD)
		return "only a command can be edited";
	if (cs->late)
		return "its command is made as it starts (a captured value): "
		    "it cannot be edited";
	return NULL;
}

/* run_edit_by has put the new command in place: say so, and retry. */
static void
run_do_edit(struct run_sequence *seq)
{
	char *cmd = vis_one_line(run_cur(seq)->command);

	run_mark(seq, "-- now runs: %s --", cmd);
	free(cmd);
	run_do_retry(seq);
}

const char *
run_edit_by(struct run *run, size_t i, const char *command, const char *who)
{
	struct run_sequence *seq;
	const char *why;
	size_t k;

	if ((why = run_can(run, i, RUN_ACT_EDIT)) != NULL)
		return why;
	if (command == NULL || command[strspn(command, " \t\n")] == '\0')
		return "an empty command";
	seq = run->seqs[i];
	k = seq->v.current;
	/* In place before the action is announced: the record's edit
	 * event says what the next attempts run. */
	if (seq->edited == NULL)
		seq->edited = xcalloc(seq->cfg->n_all + 1,
		    sizeof *seq->edited);
	free(seq->edited[k]);
	seq->edited[k] = xstrdup(command);
	seq->v.steps[k].command = seq->edited[k];
	seq->v.steps[k].edited = true;
	return run_act_by(run, i, RUN_ACT_EDIT, who);
}

/* $: the terminal is the front end's business; the run says how to
 * open the shell and records that it was. */
const char *
run_shell_by(struct run *run, size_t i, const char *who, char ***argv,
    char **cwd, char ***env)
{
	const struct run_sequence *seq;
	const struct cfg_step *cs;
	const char *why, *dir;
	size_t k;

	*argv = *env = NULL;
	*cwd = NULL;
	if ((why = run_can(run, i, RUN_ACT_SHELL)) != NULL)
		return why;
	seq = run->seqs[i];
	if (seq->cfg->host >= 0 && run->remote != NULL) {
		*argv = remote_shell_argv(run->remote, (size_t)seq->cfg->host);
	} else if (seq->cfg->n_all > 0) {
		/* The step it is at (a handler's or a cleanup step too), or
		 * its last one once it is over. */
		k = seq->v.current < seq->cfg->n_all ? seq->v.current :
		    seq->cfg->n_all - 1;
		cs = &seq->cfg->steps[k];
		dir = cs->cwd != NULL ? cs->cwd : seq->cfg->cwd;
		/* A front end elsewhere may be in another directory: this
		 * one's, where the steps run. */
		*cwd = dir != NULL ? xstrdup(dir) : getcwd(NULL, 0);
		*env = run_env_build(seq, &seq->v.steps[k]);
	}
	return run_act_by(run, i, RUN_ACT_SHELL, who);
}

/* i: the operator types into the running tty step. Recorded once as it
 * begins, not what is typed (run_write_input carries that). */
static const char *
run_can_input(const struct run_sequence *seq)
{
	return seq->proc != NULL && run_cfg(seq)->tty ? NULL :
	    "the step does not take input";
}

/* A note: for any sequence, whatever its state. */
const char *
run_note_by(struct run *run, size_t i, const char *text, const char *who)
{
	const char *why = run_can(run, i, RUN_ACT_NOTE);

	if (why != NULL)
		return why;
	if (text == NULL || text[strspn(text, " \t")] == '\0')
		return "an empty note";
	if (strlen(text) > RUN_NOTE_MAX)
		return "a note is one short line (at most 200 bytes)";
	if (strpbrk(text, "\n\r") != NULL)
		return "a note is one line";
	return run_act_why(run, i, RUN_ACT_NOTE, text, who);
}

/* m: the operator did the stopped step by hand. It counts as done (ok:
 * it satisfies needs), unlike a skip; the record says so (the action,
 * with who took it, then a step_end of its last attempt, ok). */
static const char *
run_can_mark(const struct run_sequence *seq)
{
	return run_can_stopped(seq, false, "no failed or paused step");
}

static void
run_do_mark(struct run_sequence *seq)
{
	if (run_start_over(seq, RUN_ACT_MARK))
		return;
	run_cur(seq)->marked = true;
	run_settle_stopped(seq, STEP_OK);
}

static const char *
run_can_stop(const struct run_sequence *seq)
{
	/* A blocked sequence stays blocked: that is why it never ran,
	 * whatever stopped the rest. */
	return seq->v.state == SEQ_WAITING || run_seq_active(seq) ? NULL :
	    "the sequence is over";
}

static void
run_do_stop(struct run_sequence *seq)
{
	/* A running cleanup goes on, for finally_timeout at most
	 * (run_stop_all_by). */
	if (seq->v.cleanup && seq->v.state == SEQ_RUNNING)
		return;
	/* So does one paused on a failed step: nobody is left to answer,
	 * and the rest of it (release the lock, destroy the machine) still
	 * matters. It goes on with its next step. */
	if (seq->v.cleanup && seq->v.state == SEQ_PAUSED) {
		run_cleanup_goes_on(seq);
		return;
	}
	run_do_abort(seq);
}

/* The dispatch: each action's legality (NULL: it applies to any
 * sequence) and effect (NULL: none in the engine), from the table. */
static const struct {
	const char *(*can)(const struct run_sequence *seq);
	void (*apply)(struct run_sequence *seq);
} run_actions[] = {
#define RUN_ENGINE_ACTS(name) { run_can_##name, run_do_##name }
#define RUN_ENGINE_CHECKS(name) { run_can_##name, NULL }
#define RUN_ENGINE_RECORDS(name) { NULL, NULL }
#define RUN_ACTION_ROW(NAME, name, done, engine) \
	[RUN_ACT_##NAME] = RUN_ENGINE_##engine(name),
	RUN_ACTIONS(RUN_ACTION_ROW)
#undef RUN_ACTION_ROW
#undef RUN_ENGINE_ACTS
#undef RUN_ENGINE_CHECKS
#undef RUN_ENGINE_RECORDS
};

const char *
run_can(const struct run *run, size_t i, enum run_action act)
{
	if (run->frozen)
		return "read only: a past run";
	if (i >= run->n_seqs)
		return "no such sequence";
	if ((size_t)act >= RUN_ACTION_COUNT)
		return "no such action";
	return run_actions[act].can != NULL ?
	    run_actions[act].can(run->seqs[i]) : NULL;
}

/* Every operator action comes through here: the checks, the announcement
 * (before the effect: the record says why a step ended after the action
 * that ended it), then the effect. */
static const char *
run_act_why(struct run *run, size_t i, enum run_action act, const char *why,
    const char *who)
{
	const char *no = run_can(run, i, act);

	if (no != NULL)
		return no;
	DEBUG_LOG("action %s on %s%s%s", run_action_name(act),
	    run->seqs[i]->cfg->name, why != NULL ? ": " : "",
	    why != NULL ? why : "");
	run_announce(run->seqs[i], act, why, who);
	if (run_actions[act].apply != NULL)
		run_actions[act].apply(run->seqs[i]);
	run_check(run->seqs[i]);
	return NULL;
}

const char *
run_act(struct run *run, size_t i, enum run_action act)
{
	return run_act_why(run, i, act, NULL, NULL);
}

const char *
run_act_by(struct run *run, size_t i, enum run_action act, const char *who)
{
	return run_act_why(run, i, act, NULL, who);
}

void
run_cut_cleanup(struct run *run)
{
	if (run->cut || run->frozen)
		return;
	run->cut = true;
	ev_timer_stop(EV_DEFAULT_UC_ &run->cleanup_bound);
	for (size_t i = 0; i < run->n_seqs; i++) {
		struct run_sequence *seq = run->seqs[i];

		if (!seq->v.cleanup)
			continue;
		DEBUG_LOG("cleanup %s: cut short", seq->cfg->name);
		run_mark(seq, "-- the run stops: cleanup cut short --");
		if (run_seq_step_running(seq)) {
			/* It ends, and the cleanup with it, once killed. */
			run_end_attempt(seq, RUN_END_KILL, STEP_KILLED);
		} else {
			ev_timer_stop(EV_DEFAULT_UC_ &seq->timer);
			run_cleanup_done(seq);
		}
		run_check(seq);
	}
	run_request(run);
}

static void
run_cleanup_bound_cb(EV_P_ ev_timer *w, int revents)
{
	struct run *run = container_of(w, struct run, cleanup_bound);

	(void)EV_A;
	(void)revents;
	run_cut_cleanup(run);
}

void
run_stop_all_by(struct run *run, const char *why, const char *who)
{
	bool cleanup = false;

	if (run->stopping)
		return;
	run->stopping = true;
	for (size_t i = 0; i < run->n_seqs; i++) {
		run_act_why(run, i, RUN_ACT_STOP, why, who);
		cleanup = cleanup || run->seqs[i]->v.cleanup;
	}
	/* Sequences whose step is being killed clean up once it is gone:
	 * the bound counts from the stop, for all of them. */
	for (size_t i = 0; i < run->n_seqs && !cleanup; i++)
		cleanup = run->seqs[i]->cfg->n_finally > 0 &&
		    run->seqs[i]->v.state == SEQ_RUNNING;
	if (cleanup && !run->cut) {
		ev_timer_set(&run->cleanup_bound, run->cfg->finally_timeout,
		    0.);
		ev_timer_start(EV_DEFAULT_UC_ &run->cleanup_bound);
	}
	run_request(run);
}

void
run_stop_all(struct run *run, const char *why)
{
	run_stop_all_by(run, why, NULL);
}

ssize_t
run_write_input(struct run *run, size_t i, const char *data, size_t len)
{
	struct run_sequence *seq;

	if (i >= run->n_seqs)
		return -1;
	seq = run->seqs[i];
	if (seq->proc == NULL || !run_cfg(seq)->tty)
		return -1;
	return proc_write(seq->proc, data, len);
}

void
run_resize_tty(struct run *run, size_t i, unsigned short cols,
    unsigned short rows)
{
	struct run_sequence *seq;

	if (i >= run->n_seqs)
		return;
	seq = run->seqs[i];
	seq->tty_cols = cols;
	seq->tty_rows = rows;
	if (seq->proc != NULL && run_cfg(seq)->tty)
		proc_resize(seq->proc, cols, rows);
}

struct run *
run_create_frozen(struct config *cfg)
{
	struct run_options opt = { .max_parallel = -1 };
	struct run *run = run_create(cfg, &opt);

	run->frozen = true;
	run->stopping = true;   /* so nothing ever schedules */
	run->settled = true;
	return run;
}

bool
run_frozen(const struct run *run)
{
	return run->frozen;
}

struct run_seq *
run_replica_seq(struct run *run, size_t i)
{
	if (!run->frozen || i >= run->n_seqs)
		return NULL;
	run->replica = true;
	return &run->seqs[i]->v;
}

void
run_replica_state(struct run *run, bool settled, double started,
    double settled_at)
{
	if (!run->frozen)
		return;
	run->replica = true;
	run->settled = settled;
	run->started = started;
	run->settled_at = settled_at;
}

void
run_replica_emit(struct run *run, struct run_event *ev)
{
	if (run->frozen)
		run_emit(run, ev);
}

void
run_restore_seq(struct run *run, size_t i, enum seq_state st,
    double started, double ended)
{
	struct run_sequence *seq;

	if (!run->frozen || i >= run->n_seqs)
		return;
	seq = run->seqs[i];
	seq->v.state = st;
	seq->v.started = started;
	seq->v.ended = ended;
	/* The step it stopped at: the first that did not succeed. */
	seq->v.current = 0;
	while (seq->v.current < seq->cfg->n_steps &&
	    (seq->v.steps[seq->v.current].status == STEP_OK ||
	    seq->v.steps[seq->v.current].status == STEP_SKIPPED ||
	    (seq->v.steps[seq->v.current].status != STEP_PENDING &&
	    seq->cfg->steps[seq->v.current].on_failure == CFG_ONFAIL_CONTINUE)))
		seq->v.current++;
	if (run->started == 0 || (started > 0 && started < run->started))
		run->started = started;
}

void
run_restore_grown(struct run *run, size_t i, size_t first, size_t count)
{
	struct run_seq *v;

	if (!run->frozen || i >= run->n_seqs || first + count > run->n_seqs ||
	    first < i)
		return;
	v = &run->seqs[i]->v;
	v->placeholder = v->grown = true;
	v->first = first;
	v->count = count;
}

void
run_restore_step(struct run *run, size_t i, size_t step, enum step_status st,
    unsigned attempts, int exit_code, int signal, double started,
    double ended)
{
	struct run_step *s;

	if (!run->frozen || i >= run->n_seqs ||
	    step >= run->seqs[i]->cfg->n_all)
		return;
	s = &run->seqs[i]->v.steps[step];
	s->status = st;
	s->attempt = attempts;
	s->exit_code = exit_code;
	s->signal = signal;
	s->started = started;
	s->ended = ended;
}

void
run_restore_marked(struct run *run, size_t i, size_t step)
{
	if (run->frozen && i < run->n_seqs &&
	    step < run->seqs[i]->cfg->n_all)
		run->seqs[i]->v.steps[step].marked = true;
}

const char *
run_step_label(const struct run_seq *seq, size_t k, char *buf, size_t size)
{
	const struct run_step *st = k < seq->n_all ? &seq->steps[k] : NULL;

	if (st == NULL)
		return step_label(STEP_ROLE_MAIN, k, seq->n_steps, 0, 0, 0,
		    buf, size);
	return step_label(st->role, k, seq->n_steps, st->nth, st->group,
	    st->of, buf, size);
}
