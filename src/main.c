/* main.c: the command line, the loop, signals and shutdown. It wires the
 * engine (config, run, runlog) to one front end: the ncurses UI on a
 * terminal, the headless reporter otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>
#include <yaml.h>

#include "attach.h"
#include "cli.h"
#include "color.h"
#include "complete.h"
#include "config.h"
#include "fsat.h"
#include "junit.h"
#include "logidx.h"
#include "logs.h"
#include "logsjson.h"
#include "notify.h"
#include "proc.h"
#include "replay.h"
#include "report.h"
#include "resume.h"
#include "run.h"
#include "logback.h"
#include "runindex.h"
#include "runlog.h"
#include "runread.h"
#include "say.h"
#include "secret.h"
#include "server.h"
#include "sockdir.h"
#include "strbuf.h"
#include "ui.h"
#include "vis.h"
#include "xmalloc.h"

#define EXIT_USAGE 2
/* The run ended, but its record is incomplete (a write to the run
 * directory failed: a full disk). Over 0 and 1: the logs cannot be
 * trusted to tell which it was. */
#define EXIT_RECORD 3

struct opts {
	bool headless;
	bool raw;             /* --raw: a step's bytes as they are, even to
	                         a terminal */
	bool exit_when_done;
	bool fail_on_skip;    /* --fail-on-skip */
	long jobs;            /* -1: the config's max_parallel */
	char *log_dir;        /* --log-dir, or NULL */
	char *config;         /* logs/review --config: its log_dir */
	long attempt;         /* --attempt, or 0 */
	struct cfg_kv *sets;
	size_t n_sets, cap_sets;
	char **only;          /* --only patterns */
	size_t n_only, cap_only;
	char *resume;         /* --resume RUN, or NULL */
	char *file;           /* -f FILE, or NULL */
	enum color_when color; /* --color */
	bool detach;          /* -d: the run in the background, no dashboard */
	bool json;            /* --json: check, logs, ps, ctl status */
	char *junit;          /* logs RUN --junit FILE, or NULL */
};

/* Everything the loop callbacks need. */
static struct {
	struct run *run;
	struct runlog *rl;
	struct server *srv;   /* the run's socket, or NULL */
	bool headless;
	bool served;          /* no terminal; the socket is the way in */
	bool start_pending;   /* run_start once a dashboard attached */
	ev_timer attach_timer;
	bool quitting;        /* stop requested: end once settled */
	bool done;            /* leave the loop */
	int signal;           /* that asked us to stop, or 0 */
	const char *why;      /* for run_end */
	ev_signal sig_int, sig_term, sig_hup;
} app;

static struct sigaction fatal_old[32];

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: drove [OPTIONS] [FILE]        run the sequences in FILE\n"
"       drove check [OPTIONS] [FILE]  validate FILE and print the plan\n"
"       drove logs [RUN [SEQUENCE [STEP]]]  past runs, a run, a sequence's\n"
"                                     steps, a step's output\n"
"       drove review [RUN]            the dashboard on a past run (default:\n"
"                                     latest), read only, all its output\n"
"       drove -d [OPTIONS] [FILE]     start the run in the background, print\n"
"                                     its id\n"
"       drove attach [RUN]            the dashboard on a live run (default:\n"
"                                     the only one, or the newest)\n"
"       drove ps [--json]             the live runs\n"
"       drove ctl RUN ACTION SEQ [STEP]  retry, skip, kill, abort, pause or\n"
"                                     resume a live run's sequence\n"
"       drove ctl RUN status [--json] the state of its sequences and steps\n"
"       drove wait RUN                wait for it to end; exit with its status\n"
"       drove stop RUN                stop it, as q does\n"
"       drove --help | --version\n"
"\n"
"Runs the sequences a YAML file declares: the steps of a sequence one after\n"
"another, the sequences side by side. On a terminal it opens a dashboard;\n"
"otherwise (or with --headless) it prints `SEQUENCE | line` output.\n"
"Without FILE: drove.yaml, or else drove.yml, in the current directory.\n"
"\n"
"options:\n"
"  -f, --file FILE     the config file (the same as giving FILE)\n"
"  --headless          plain prefixed output even on a terminal\n"
"  --raw               headless, logs: a step's output byte for byte even\n"
"                      on a terminal (else control characters are shown\n"
"                      as \\e, \\xNN: output cannot drive the terminal)\n"
"  --color[=WHEN]      colour the plain output: auto (default), always,\n"
"                      never; auto follows NO_COLOR and FORCE_COLOR\n"
"  -d, --detach        run in the background (see drove ps, ctl, wait)\n"
"  -j, --jobs N        run at most N sequences at once (0: no limit)\n"
"  --set NAME=VALUE    set the variable NAME (overrides the file's vars)\n"
"  --secret NAME=VALUE the same, and the record shows *** for VALUE\n"
"  --log-dir DIR       put the run directory under DIR\n"
"  --exit-when-done    dashboard: exit when everything has finished\n"
"  --fail-on-skip      a step skipped (not by its if:) makes the exit status 1\n"
"  --attempt N         logs: which attempt of a step (default: the last)\n"
"  --json              check: the plan; logs: the record; ps, ctl status:\n"
"                      as JSON\n"
"  --junit FILE        logs RUN: write RUN as a JUnit XML report to FILE\n"
"  -c, --config FILE   logs, review: look for runs in FILE's log_dir\n"
"  --only PATTERN      run only the sequences whose names match the shell\n"
"                      pattern (repeatable); their needs on others are met\n"
"  --resume RUN        start each sequence at its first step that did not\n"
"                      succeed in RUN; what succeeded there is done\n"
"  -h, --help          this help\n"
"  -V, --version       print the version\n"
"\n"
"exit status: 0 all sequences succeeded, 1 a step failed or a sequence was\n"
"blocked or aborted, 2 usage or config error, 3 the run's record is\n"
"incomplete (a write to the run directory failed, e.g. a full disk),\n"
"128+N after signal N.\n"
"RUN is a run id, a unique prefix of one, `latest`, or a run directory;\n"
"runs are looked for in --log-dir, or the log_dir of -c FILE, or else\n"
"~/.local/state/drove/runs. For ps, ctl, wait and stop, RUN is a live\n"
"run: an id or a unique prefix of one among drove ps's.\n"
"Manuals: drove(1), drove.yaml(5) for the config file.\n");
}

static int
parse_jobs(const char *text, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < 0 ||
	    v > INT_MAX)
		return -1;
	*out = v;
	return 0;
}

/* The version, and the libraries' as this binary runs with them: what a
 * bug report needs. */
static void
print_version(void)
{
	printf("drove %s\n", DROVE_VERSION);
	printf("libev %d.%d, libyaml %s, %s\n", ev_version_major(),
	    ev_version_minor(), yaml_get_version_string(),
	    ui_curses_version());
}

static int
parse_args(int argc, char **argv, struct opts *o, int *first)
{
	enum { OPT_HEADLESS = 256, OPT_SET, OPT_LOG_DIR, OPT_EXIT_DONE,
		OPT_ATTEMPT, OPT_ONLY, OPT_RESUME, OPT_CONFIG, OPT_COLOR,
		OPT_SECRET, OPT_FAIL_SKIP, OPT_RAW,
		OPT_JSON, OPT_JUNIT };
	static const struct option longopts[] = {
		{ "headless", no_argument, NULL, OPT_HEADLESS },
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "jobs", required_argument, NULL, 'j' },
		{ "set", required_argument, NULL, OPT_SET },
		{ "secret", required_argument, NULL, OPT_SECRET },
		{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
		{ "exit-when-done", no_argument, NULL, OPT_EXIT_DONE },
		{ "fail-on-skip", no_argument, NULL, OPT_FAIL_SKIP },
		{ "attempt", required_argument, NULL, OPT_ATTEMPT },
		{ "config", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "file", required_argument, NULL, 'f' },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "detach", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *eq;

	while ((c = getopt_long(argc, argv, "c:df:j:hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HEADLESS:
			o->headless = true;
			break;
		case OPT_RAW:
			o->raw = true;
			break;
		case 'd':
			o->detach = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'j':
			if (parse_jobs(optarg, &o->jobs) != 0) {
				say_err("drove: -j wants a number of "
				    "sequences, not '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_SET:
		case OPT_SECRET:
			eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg) {
				say_err("drove: --%s wants NAME=VALUE, "
				    "not '%s'\n", c == OPT_SET ? "set" :
				    "secret", c == OPT_SET ? optarg : "...");
				return -1;
			}
			/* Never written down: events.jsonl shows ***. */
			if (c == OPT_SECRET)
				secret_add(eq + 1);
			o->sets = xreallocarray_grow(o->sets, &o->cap_sets,
			    o->n_sets + 1, sizeof *o->sets);
			o->sets[o->n_sets].name = xstrndup(optarg,
			    (size_t)(eq - optarg));
			o->sets[o->n_sets].value = xstrdup(eq + 1);
			o->n_sets++;
			break;
		case OPT_LOG_DIR:
			free(o->log_dir);
			o->log_dir = xstrdup(optarg);
			break;
		case 'c':
			free(o->config);
			o->config = xstrdup(optarg);
			break;
		case OPT_EXIT_DONE:
			o->exit_when_done = true;
			break;
		case OPT_FAIL_SKIP:
			o->fail_on_skip = true;
			break;
		case OPT_ATTEMPT:
			if (parse_jobs(optarg, &o->attempt) != 0 ||
			    o->attempt == 0) {
				say_err("drove: --attempt wants a "
				    "number from 1, not '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_ONLY:
			o->only = xreallocarray_grow(o->only, &o->cap_only,
			    o->n_only + 1, sizeof *o->only);
			o->only[o->n_only++] = xstrdup(optarg);
			break;
		case OPT_RESUME:
			free(o->resume);
			o->resume = xstrdup(optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			print_version();
			exit(0);
		case OPT_COLOR:
			/* A bare --color means always, as in GNU tools. */
			if (optarg == NULL)
				o->color = COLOR_ALWAYS;
			else if (color_parse(optarg, &o->color) != 0) {
				say_err("drove: --color wants auto, "
				    "always or never, not '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_JUNIT:
			free(o->junit);
			o->junit = xstrdup(optarg);
			break;
		case 'f':
			free(o->file);
			o->file = xstrdup(optarg);
			break;
		default:
			say_err("Try 'drove --help'.\n");
			return -1;
		}
	}
	*first = optind;
	return 0;
}

static void
free_opts(struct opts *o)
{
	for (size_t i = 0; i < o->n_sets; i++) {
		free(o->sets[i].name);
		free(o->sets[i].value);
	}
	free(o->sets);
	free(o->log_dir);
	xstrs_free(o->only, o->n_only);
	free(o->resume);
	free(o->config);
	free(o->file);
	free(o->junit);
}

/* Whether a step waits for a line of another sequence's output: that
 * wait looks at the lines already printed, in the scrollback. */
static bool
app_waits_on_output(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_seqs; i++)
		for (size_t j = 0; j < cfg->seqs[i].n_all; j++)
			if (cfg->seqs[i].steps[j].kind == CFG_STEP_WAIT &&
			    cfg->seqs[i].steps[j].wait.kind == CFG_WAIT_OUTPUT)
				return true;
	return false;
}

/* --- shutdown ----------------------------------------------------------- */

static void
app_check_done(void)
{
	if (app.quitting && run_settled(app.run))
		app.done = true;
}

/* q in the dashboard of a run of this process (confirmed). Once more
 * while the run stops: as a second Ctrl-C, no more grace and no more
 * cleanup. */
static void
app_quit(void *arg)
{
	(void)arg;
	if (!app.quitting) {
		app.quitting = true;
		run_stop_all(app.run, app.why ? app.why : "quit");
	} else if (!run_settled(app.run)) {
		app.signal = SIGINT;
		app.why = "interrupted";
		run_cut_cleanup(app.run);
		proc_kill_all_now();
	}
	app_check_done();
}

static void
app_observe(void *arg, struct run *run, const struct run_event *ev)
{
	(void)arg;
	(void)run;
	if (ev->type != RUN_EV_IDLE)
		return;
	/* Headless, nobody can act on a settled run: it is over. The
	 * dashboard stays until the user quits; a run in the background
	 * while a dashboard is attached to it. */
	if (app.headless || (app.served && server_dashboards(app.srv) == 0))
		app.quitting = true;
	app_check_done();
}

/* --- the socket ---------------------------------------------------------- */

/* drove stop, q in an attached dashboard: as q; Ctrl-C there (sig):
 * as Ctrl-C. */
static void
app_stop_by(void *arg, const char *who, int sig)
{
	(void)arg;
	if (sig != 0 && app.quitting && app.signal != 0) {
		/* Ctrl-C twice in a dashboard, as in a run of this process:
		 * no more grace, and no more cleanup. */
		run_cut_cleanup(app.run);
		proc_kill_all_now();
	}
	if (sig != 0) {
		app.signal = sig;
		app.why = "interrupted";
	}
	if (!app.quitting) {
		app.quitting = true;
		run_stop_all_by(app.run, app.why ? app.why : "stop", who);
	}
	if (app.start_pending) {
		/* Stopped before it started: nothing to wait for. */
		ev_timer_stop(EV_DEFAULT_ &app.attach_timer);
		app.start_pending = false;
		app.done = true;
	}
	app_check_done();
}

/* The dashboard the server was started for is there: start. */
static void
app_attached(void *arg)
{
	(void)arg;
	if (!app.start_pending)
		return;
	app.start_pending = false;
	ev_timer_stop(EV_DEFAULT_ &app.attach_timer);
	run_start(app.run);
}

static void
app_attach_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)w;
	(void)revents;
	app.start_pending = false;
	app.why = "no dashboard attached";
	app.done = true;
}

static void
app_refused(void *arg, const char *why)
{
	(void)arg;
	runlog_refused(app.rl, why);
}

/* For the dashboards attached: why the record is incomplete. */
static const char *
app_record_warning(void *arg)
{
	(void)arg;
	return runlog_problem(app.rl);
}

/* The last dashboard of a settled run in the background went away. */
static void
app_detached(void *arg)
{
	(void)arg;
	if (app.served && run_settled(app.run) &&
	    server_dashboards(app.srv) == 0)
		app.quitting = true;
	app_check_done();
}

static void
app_signal_cb(EV_P_ ev_signal *w, int revents)
{
	(void)EV_A;
	(void)revents;
	if (app.quitting && app.signal != 0) {
		/* Asked twice: no more grace, and no more cleanup. */
		run_cut_cleanup(app.run);
		proc_kill_all_now();
	}
	app.signal = w->signum;
	app.why = "interrupted";
	app.quitting = false;  /* let app_quit stop everything */
	app_quit(NULL);
	app.quitting = true;
}

/* A crash must not leave steps running nor the terminal raw. Then the old
 * handler (a sanitizer's, or the default) gets to report it. */
static void
fatal_handler(int sig)
{
	/* Said with write(2) alone (async-signal-safe): a server's stderr
	 * is its server.log, the trace of its end. */
	char msg[] = "drove: fatal signal 00, steps killed\n";
	char *d = msg + sizeof "drove: fatal signal " - 1;

	d[0] = (char)('0' + sig / 10 % 10);
	d[1] = (char)('0' + sig % 10);
	proc_kill_all_now();
	ui_emergency_restore();
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
		msg[0] = '\0';   /* nothing more to do about it */
	sigaction(sig, &fatal_old[sig], NULL);
	raise(sig);
}

static void
install_fatal_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fatal_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, &fatal_old[sigs[i]]);
}

static void
start_signals(void)
{
	ev_signal_init(&app.sig_int, app_signal_cb, SIGINT);
	ev_signal_start(EV_DEFAULT_ &app.sig_int);
	ev_signal_init(&app.sig_term, app_signal_cb, SIGTERM);
	ev_signal_start(EV_DEFAULT_ &app.sig_term);
	/* In the background, no terminal can hang up: a stray SIGHUP is
	 * ignored (as tmux's server does). */
	if (app.served)
		signal(SIGHUP, SIG_IGN);
	else {
		ev_signal_init(&app.sig_hup, app_signal_cb, SIGHUP);
		ev_signal_start(EV_DEFAULT_ &app.sig_hup);
	}
	/* A closed pipe on stdout must not kill drove while steps run:
	 * their logs still matter. */
	signal(SIGPIPE, SIG_IGN);
}

/* --- commands ------------------------------------------------------------ */

/* drove FILE on a terminal: served, with a dashboard attached, when the
 * socket directory can be used (else the run is this process's own, as
 * before: a warning says why). */
static bool
serve_dashboard(const struct opts *o)
{
	char *dir, *err = NULL;
	bool ok;

	if (o->headless || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	dir = sockdir_default();
	ok = sockdir_ensure(dir, &err) == 0;
	if (!ok) {
		say_err("drove: %s; the run ends with this terminal\n",
		    err);
		free(err);
	}
	free(dir);
	return ok;
}

static int
load(const char *path, const struct opts *o, struct config **cfg)
{
	char *err = NULL;

	if (config_load(path, o->sets, o->n_sets, cfg, &err) != 0) {
		say_err("%s\n", err);
		free(err);
		return -1;
	}
	/* settings.secret_vars: their values are secrets, as --secret's. */
	for (size_t i = 0; i < (*cfg)->n_secret_values; i++)
		secret_add((*cfg)->secret_values[i]);
	if (config_select(*cfg, o->only, o->n_only, &err) != 0) {
		say_err("drove: %s\n", err);
		free(err);
		config_free(*cfg);
		*cfg = NULL;
		return -1;
	}
	return 0;
}

static int
cmd_check(const char *path, const struct opts *o)
{
	struct config *cfg;

	if (load(path, o, &cfg) != 0)
		return EXIT_USAGE;
	if (o->json)
		config_print_plan_json(cfg, stdout);
	else if (secret_any()) {
		/* A plan is pasted into tickets: a --secret shows as ***. */
		char *plan = NULL, *shown;
		size_t len = 0;
		FILE *mem = open_memstream(&plan, &len);
		if (mem == NULL) {
			config_free(cfg);
			return 1;
		}
		config_print_plan(cfg, mem);
		fclose(mem);
		size_t shown_len = 0;
		shown = secret_redact(plan, len, &shown_len);
		if (shown != NULL)
			fwrite(shown, 1, shown_len, stdout);
		else
			fwrite(plan, 1, len, stdout);
		free(shown);
		free(plan);
	} else
		config_print_plan(cfg, stdout);
	config_free(cfg);
	return 0;
}

/* The dashboard's persistent warning: why the record is incomplete. */
static const char *
app_warning(void *arg)
{
	return runlog_problem(arg);
}

/* In the parent of the run's server: the server reports on the pipe
 * (its stderr until it is ready): a line "@ID" once it serves the run
 * (after a newline, in case a warning did not end with one), else why
 * not before it exits. Returns the id (caller frees), or NULL and *rc
 * after passing on what the server said. */
static char *
serve_parent(int fd, pid_t pid, int *rc)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096], *at, *id;
	ssize_t r;
	int st;

	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		strbuf_add(&sb, buf, (size_t)r);
	}
	close(fd);
	at = sb.buf ? strstr(sb.buf, "\n@") : NULL;
	if (at != NULL) {
		/* Anything before it was a warning. */
		fwrite(sb.buf, 1, (size_t)(at - sb.buf), stderr);
		id = xstrndup(at + 2, strcspn(at + 2, "\n"));
		strbuf_free(&sb);
		return id;
	}
	fputs(strbuf_str(&sb), stderr);
	strbuf_free(&sb);
	*rc = 1;
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) != 0)
		*rc = WEXITSTATUS(st);
	return NULL;
}

/* Start the run's server: it hosts the run in a session of its own,
 * with no terminal, reporting to the parent through its stderr (the
 * pipe) until it is ready. Returns 0 in the server; in the parent 1 and
 * *id (NULL and *rc when the server could not start: said why). */
static int
serve_fork(char **id, int *rc)
{
	int fds[2], null;
	pid_t pid;

	fflush(NULL);
	if (pipe2(fds, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		say_err("drove: cannot start the run's server: %s\n",
		    strerror(errno));
		*id = NULL;
		*rc = 1;
		return 1;
	}
	if (pid > 0) {
		close(fds[1]);
		*id = serve_parent(fds[0], pid, rc);
		return 1;
	}
	close(fds[0]);
	setsid();
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	dup2(fds[1], STDERR_FILENO);
	close(fds[1]);
	return 0;
}

/* The server is ready: the id to the parent, then stderr to the run
 * directory's server.log (else nowhere): what a server that crashes or
 * fails says is kept beside its record, as nobody watches it. */
static void
serve_ready(const char *id, const char *run_dir)
{
	int dir = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC), fd = -1;

	if (dir >= 0) {
		fd = fsat_open(dir, "server.log", O_WRONLY | O_CREAT |
		    O_APPEND, 0600);
		close(dir);
	}
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	fprintf(stderr, "\n@%s\n", id);
	fflush(stderr);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

static int
cmd_run(const char *path, const struct opts *o)
{
	struct config *cfg;
	struct run_options ropt = { .max_parallel = o->jobs,
		.fail_on_skip = o->fail_on_skip };
	struct logback *lb;
	struct runlog *rl;
	struct report *rp = NULL;
	struct ui *ui = NULL;
	struct notify *nt = NULL;
	char *err = NULL;
	int status;
	bool color;

	if (load(path, o, &cfg) != 0)
		return EXIT_USAGE;
	proc_raise_fd_limit();
	/* On a terminal, the run is hosted by a server of its own and this
	 * process becomes its dashboard: the run outlives the terminal. */
	if (o->detach || serve_dashboard(o)) {
		char *id;
		int rc = 0;
		if (serve_fork(&id, &rc) != 0) {
			config_free(cfg);
			if (id == NULL)
				return rc;
			if (o->detach)
				printf("%s\n", id);
			else {
				install_fatal_handlers();
				rc = attach_run(id, &(struct attach_options){
				    .exit_when_done = o->exit_when_done });
			}
			free(id);
			return rc;
		}
		app.served = true;
		/* The dashboard attaches first: it sees the run from its
		 * start. */
		app.start_pending = !o->detach;
	}
	app.headless = !app.served && (o->headless ||
	    !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO));
	/* In the background, a pause waits for an operator to attach or
	 * answer with drove ctl. */
	ropt.interactive = !app.headless;
	/* Headless, nobody scrolls back: every line goes straight to the
	 * reporter and the log, so keep one (a ring that is cycled through
	 * stays in the cache; 10,000 lines do not). Unless a wait_for
	 * output step reads the lines printed before it began. */
	if (app.headless && !app_waits_on_output(cfg))
		ropt.scrollback = 1;
	app.run = run_create(cfg, &ropt);
	/* Before runlog_create: the new run becomes `latest`. */
	if (o->resume != NULL && resume_apply(app.run,
	    o->log_dir ? o->log_dir : cfg->log_dir, o->resume, &err) != 0) {
		say_err("drove: %s\n", err);
		free(err);
		run_free(app.run);
		config_free(cfg);
		return EXIT_USAGE;
	}
	rl = runlog_create(app.run, path,
	    o->log_dir ? o->log_dir : cfg->log_dir, &err);
	if (rl == NULL) {
		say_err("drove: %s\n", err);
		free(err);
		run_free(app.run);
		config_free(cfg);
		return EXIT_USAGE;
	}
	app.rl = rl;
	{
		/* So that its id finds it from anywhere (drove logs ID, wait
		 * ID), whatever log directory it is in. */
		char *def = config_default_log_dir(), *idx = runindex_dir(def);
		runindex_add(idx, runlog_dir(rl));
		free(idx);
		free(def);
	}
	run_set_ssh_dir(app.run, runlog_dir(rl));
	run_set_run_dir(app.run, runlog_dir(rl));
	/* Lines beyond the scrollback budget are read back from the logs. */
	lb = logback_create(runlog_dir(rl));
	run_set_line_reader(app.run, logback_line, lb);
	if (cfg->notify != NULL)
		nt = notify_create(app.run, cfg->notify, cfg->shell,
		    runlog_dir(rl));
	run_add_observer(app.run, app_observe, NULL);
	install_fatal_handlers();
	start_signals();
	{
		/* Every run serves its socket: drove ps, ctl, wait and stop
		 * reach a headless one too. Without it a run still runs,
		 * unless it is in the background: nothing could reach it. */
		const char *slash = strrchr(runlog_dir(rl), '/');
		char *id = xstrdup(slash ? slash + 1 : runlog_dir(rl));
		char *abs = realpath(run_config(app.run)->path, NULL);
		struct server_options so = {
			.id = id,
			.config = abs ? abs : run_config(app.run)->path,
			.run_dir = runlog_dir(rl), .stop = app_stop_by,
			.refused = app_refused, .detached = app_detached,
			.attached = app_attached, .warning = app_record_warning,
		};
		app.srv = server_create(app.run, &so, &err);
		if (app.srv == NULL) {
			say_err("drove: no socket for this run: %s\n",
			    err);
			free(err);
			err = NULL;
			if (app.served) {
				free(abs);
				free(id);
				runlog_free(rl);
				logback_free(lb);
				run_free(app.run);
				config_free(cfg);
				return 1;
			}
		}
		if (app.served)
			serve_ready(id, runlog_dir(rl));
		free(abs);
		free(id);
	}

	if (!app.headless && !app.served) {
		struct ui_options uo = { .exit_when_done = o->exit_when_done,
			                 .run_dir = runlog_dir(rl),
			                 .quit = app_quit,
			                 .warning = app_warning,
			                 .warning_arg = rl };
		ui = ui_create(app.run, &uo, &err);
		if (ui == NULL) {
			say_err("drove: %s; running headless\n", err);
			free(err);
			err = NULL;
			app.headless = true;
		} else
			/* Said on its status bar, not written over it. */
			runlog_set_quiet(rl, true);
	}
	if (app.headless) {
		color = color_use(o->color, isatty(STDOUT_FILENO),
		    getenv("TERM"), getenv("NO_COLOR"), getenv("FORCE_COLOR"));
		if (!isatty(STDOUT_FILENO))
			setvbuf(stdout, NULL, _IOFBF, 1 << 16);
		rp = report_create(app.run, stdout, color);
		report_set_visible(rp, isatty(STDOUT_FILENO) && !o->raw);
		report_set_raw(rp, o->raw);
	}

	if (app.start_pending) {
		/* A dashboard that never comes (killed before it attached):
		 * nothing ran, the run ends. */
		ev_timer_init(&app.attach_timer, app_attach_timeout_cb, 30., 0.);
		ev_timer_start(EV_DEFAULT_ &app.attach_timer);
	} else
		run_start(app.run);
	while (!app.done)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	status = run_exit_status(app.run);
	if (app.signal != 0)
		status = 128 + app.signal;
	else if (runlog_problem(rl) != NULL)
		status = EXIT_RECORD;
	run_finish(app.run, app.signal ? "interrupted" : NULL, status);
	if (app.signal == 0 && runlog_problem(rl) != NULL)
		status = EXIT_RECORD;  /* run_end itself could not be written */
	/* drove wait and the dashboards hear how it ended. */
	server_drain(app.srv, 2.0);

	if (ui != NULL && runlog_problem(rl) != NULL) {
		ui_free(ui);
		say_err("drove: %s: %s\n", runlog_dir(rl),
		    runlog_problem(rl));
	} else
		ui_free(ui);
	if (rp != NULL)
		report_summary(rp, runlog_dir(rl));
	else
		say_err("drove: logs in %s\n", runlog_dir(rl));
	report_free(rp);
	/* The end's notification may be on its way (a mail, a webhook):
	 * kill_grace to finish, as a step gets after SIGTERM. */
	notify_free(nt, cfg->kill_grace);
	/* Every ssh master exits as asked (and removes its socket) before
	 * anything left gets SIGKILL. */
	run_disconnect(app.run);
	while (run_disconnecting(app.run))
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	/* Leftovers of finished steps may still be inside their grace. */
	proc_kill_all_now();
	/* And what steps left outside their groups. */
	proc_shutdown();
	server_free(app.srv);
	runlog_free(rl);
	run_free(app.run);
	logback_free(lb);
	config_free(cfg);
	return status;
}

/* Where logs and review look for runs: --log-dir, else the log_dir of
 * the --config file, else the default. NULL (said why) when the config
 * cannot be read. Caller frees. */
static char *
runs_dir(const struct opts *o)
{
	struct config *cfg;
	char *dir;

	if (o->log_dir != NULL)
		return xstrdup(o->log_dir);
	if (o->config == NULL)
		return config_default_log_dir();
	if (load(o->config, o, &cfg) != 0) {
		/* The log_dir is only known once the whole file loads; a
		 * file that wants --set values needs them here too. */
		say_err("drove: cannot tell the log_dir of %s (above):"
		    " pass the run's --set values, or --log-dir DIR\n",
		    o->config);
		return NULL;
	}
	dir = xstrdup(cfg->log_dir);
	config_free(cfg);
	return dir;
}

/* A run id (or prefix) that is not among the runs of the default log
 * directory, when no --log-dir or -c FILE says where to look: the run
 * directory the index of recent runs knows for it (runindex.h), or NULL.
 * Said why when it names more than one. Caller frees. */
static char *
run_elsewhere(const struct opts *o, const char *spec)
{
	char *def, *idx, *dir, *err = NULL;

	if (o->log_dir != NULL || o->config != NULL || spec == NULL ||
	    strchr(spec, '/') != NULL || strcmp(spec, "latest") == 0)
		return NULL;
	def = config_default_log_dir();
	if ((dir = runread_resolve(def, spec, &err)) != NULL) {
		free(dir);
		free(def);
		return NULL;
	}
	free(err);
	idx = runindex_dir(def);
	dir = runindex_find(idx, spec, &err);
	if (err != NULL)
		fprintf(stderr, "drove: %s\n", err);
	free(err);
	free(idx);
	free(def);
	return dir;
}

static int
cmd_logs(char **args, int nargs, const struct opts *o)
{
	char *dir = runs_dir(o), *elsewhere = NULL, *spec_args[3];
	FILE *out, *err, *real_err = stderr;
	int rc;

	if (dir == NULL)
		return EXIT_USAGE;
	if (nargs > 3) {
		say_err("usage: drove logs [--log-dir DIR | -c FILE] "
		    "[--attempt N] [RUN [SEQUENCE [STEP]]]\n");
		free(dir);
		return EXIT_USAGE;
	}
	if (o->junit != NULL && nargs != 1) {
		say_err("usage: drove logs RUN --junit FILE\n");
		free(dir);
		return EXIT_USAGE;
	}
	if (nargs > 0 && (elsewhere = run_elsewhere(o, args[0])) != NULL) {
		/* The same arguments, the run by its directory. */
		for (int i = 0; i < nargs; i++)
			spec_args[i] = args[i];
		spec_args[0] = elsewhere;
		args = spec_args;
	}
	/* On a terminal, what a record holds is shown, never obeyed (a
	 * clipboard write, a title, a cleared screen); to a pipe or file,
	 * and with --raw, a step's output is exactly its bytes. */
	out = isatty(STDOUT_FILENO) && !o->raw ? vis_fopen(stdout) : NULL;
	/* Its messages name sequences and quote warnings from the record
	 * too (glibc's stderr is a variable). */
	err = isatty(STDERR_FILENO) && !o->raw ? vis_fopen(stderr) : NULL;
	if (err != NULL) {
		real_err = stderr;
		stderr = err;
	}
	if (o->junit != NULL)
		rc = junit_command(dir, args[0], o->junit);
	else if (o->json)
		/* JSON escapes every control character itself. */
		rc = logsjson_command(dir, args, nargs, stdout);
	else
		rc = logs_command(dir, args, nargs, (unsigned)o->attempt,
		    out != NULL ? out : stdout);
	if (out != NULL)
		fclose(out);
	if (err != NULL) {
		stderr = real_err;
		fclose(err);
	}
	free(elsewhere);
	free(dir);
	return rc;
}

/* --- review ------------------------------------------------------------ */

static void
review_quit(void *arg)
{
	(void)arg;
	app.done = true;
}

/* Nothing runs in a review: a signal just ends it, the terminal
 * restored on the way out like after q. */
static void
review_signal_cb(EV_P_ ev_signal *w, int revents)
{
	(void)EV_A;
	(void)revents;
	app.signal = w->signum;
	app.done = true;
}

/* "review ID: STATUS, read only", and what could not be read. */
static char *
review_banner(const struct rr_run *rec)
{
	if (rec->n_warnings > 0)
		return xasprintf("review %s: %s, read only; %zu warning%s "
		    "(drove logs %s)", rec->id, rec->status ? rec->status :
		    "?", rec->n_warnings, rec->n_warnings == 1 ? "" : "s",
		    rec->id);
	/* Still going: a snapshot here, the run itself there. */
	if (rec->live && !rec->ended && !rec->settled)
		return xasprintf("review %s: still running, read only; "
		    "drove attach %s follows it", rec->id, rec->id);
	return xasprintf("review %s: %s, read only", rec->id,
	    rec->status ? rec->status : "?");
}

static const char *
review_warning(void *arg)
{
	(void)arg;
	return logidx_changed() ? "a log shrank on disk while shown: what "
	    "it lost shows as empty" : NULL;
}

static int
cmd_review(char **args, int nargs, const struct opts *o)
{
	char *log_dir, *dir, *err = NULL, *banner;
	struct replay *rp;
	struct ui *ui;
	struct ui_options uo = { .quit = review_quit };

	if (nargs > 1) {
		say_err("usage: drove review [--log-dir DIR | -c FILE] "
		    "[RUN]\n");
		return EXIT_USAGE;
	}
	if ((log_dir = runs_dir(o)) == NULL)
		return EXIT_USAGE;
	if ((dir = run_elsewhere(o, nargs > 0 ? args[0] : NULL)) == NULL)
		dir = runread_resolve(log_dir, nargs > 0 ? args[0] : "latest",
		    &err);
	free(log_dir);
	if (dir == NULL) {
		say_err("drove: %s\n", err);
		free(err);
		return 1;
	}
	/* Before the record is read: without a terminal there is nothing
	 * to show it on, and `drove logs` prints the same. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		say_err("drove: review needs a terminal; without one, "
		    "'drove logs %s' prints the run and its output\n",
		    nargs > 0 ? args[0] : "latest");
		free(dir);
		return EXIT_USAGE;
	}
	rp = replay_open(dir, &err);
	free(dir);
	if (rp == NULL) {
		say_err("drove: %s\n", err);
		free(err);
		return 1;
	}
	banner = review_banner(replay_record(rp));
	uo.replay = rp;
	uo.banner = banner;
	uo.warning = review_warning;
	install_fatal_handlers();
	ev_signal_init(&app.sig_int, review_signal_cb, SIGINT);
	ev_signal_start(EV_DEFAULT_ &app.sig_int);
	ev_signal_init(&app.sig_term, review_signal_cb, SIGTERM);
	ev_signal_start(EV_DEFAULT_ &app.sig_term);
	ev_signal_init(&app.sig_hup, review_signal_cb, SIGHUP);
	ev_signal_start(EV_DEFAULT_ &app.sig_hup);

	ui = ui_create(replay_run(rp), &uo, &err);
	if (ui == NULL) {
		say_err("drove: %s; 'drove logs' prints past runs "
		    "without one\n", err);
		free(err);
		free(banner);
		replay_free(rp);
		return EXIT_USAGE;
	}
	while (!app.done)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	ui_free(ui);
	ev_signal_stop(EV_DEFAULT_ &app.sig_int);
	ev_signal_stop(EV_DEFAULT_ &app.sig_term);
	ev_signal_stop(EV_DEFAULT_ &app.sig_hup);
	free(banner);
	replay_free(rp);
	return app.signal != 0 ? 128 + app.signal : 0;
}

/* ps, ctl, wait, stop: a live run, through its socket. */
static int
cmd_cli(const char *cmd, char **args, int nargs, const struct opts *o)
{
	char *dir = runs_dir(o), *elsewhere = NULL;
	struct cli_options co = { .json = o->json, .log_dir = dir };
	int rc;

	/* wait: a run that is over may have left its record elsewhere. */
	if (strcmp(cmd, "wait") == 0 && nargs == 1)
		co.run_dir = elsewhere = run_elsewhere(o, args[0]);
	rc = cli_command(cmd, args, nargs, &co);
	free(elsewhere);
	free(dir);
	return rc;
}

/* `drove __complete ...`, for the shell completions: quiet on errors. */
static int
cmd_complete(char **args, int nargs, const struct opts *o)
{
	char *dir = NULL;
	int rc;

	if (nargs > 0 && strcmp(args[0], "sequences") != 0 &&
	    (dir = runs_dir(o)) == NULL)
		return 1;
	rc = complete_command(dir, args, nargs, stdout);
	free(dir);
	return rc;
}

/* The config file of run and check: FILE (args, nargs of them: at most
 * one), or -f FILE, or else drove.yaml, then drove.yml, in the current
 * directory. NULL when there is none or too many (said why). */
static const char *
config_file(char **args, int nargs, const struct opts *o)
{
	static const char *const defaults[] = { "drove.yaml", "drove.yml" };

	if (nargs > 1 || (nargs == 1 && o->file != NULL)) {
		say_err("drove: one FILE expected; try 'drove "
		    "--help'\n");
		return NULL;
	}
	if (nargs == 1)
		return args[0];
	if (o->file != NULL)
		return o->file;
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (access(defaults[i], F_OK) == 0)
			return defaults[i];
	say_err("drove: no drove.yaml or drove.yml in the current "
	    "directory: give a FILE (or -f FILE); try 'drove --help'\n");
	return NULL;
}

int
main(int argc, char **argv)
{
	struct opts o = { .jobs = -1 };
	const char *cmd, *file;
	int first, rc;

	if (parse_args(argc, argv, &o, &first) != 0) {
		free_opts(&o);
		return EXIT_USAGE;
	}
	cmd = first < argc ? argv[first] : "run";
	if (strcmp(cmd, "__complete") == 0) {
		rc = cmd_complete(argv + first + 1, argc - first - 1, &o);
		free_opts(&o);
		return rc;
	}
	if (strcmp(cmd, "logs") == 0) {
		rc = cmd_logs(argv + first + 1, argc - first - 1, &o);
		free_opts(&o);
		return rc;
	}
	if (strcmp(cmd, "review") == 0) {
		rc = cmd_review(argv + first + 1, argc - first - 1, &o);
		free_opts(&o);
		return rc;
	}
	if (cli_is_command(cmd)) {
		rc = cmd_cli(cmd, argv + first + 1, argc - first - 1, &o);
		free_opts(&o);
		return rc;
	}
	if (strcmp(cmd, "attach") == 0) {
		if (argc - first - 1 > 1) {
			say_err("usage: drove attach [RUN]\n");
			rc = EXIT_USAGE;
		} else {
			install_fatal_handlers();
			rc = attach_run(argc - first > 1 ? argv[first + 1] :
			    NULL, &(struct attach_options){
			    .exit_when_done = o.exit_when_done });
		}
		free_opts(&o);
		return rc;
	}
	if (first < argc && (strcmp(cmd, "check") == 0 ||
	    strcmp(cmd, "run") == 0))
		first++;
	else
		cmd = "run";
	if ((file = config_file(argv + first, argc - first, &o)) == NULL) {
		free_opts(&o);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "check") == 0)
		rc = cmd_check(file, &o);
	else
		rc = cmd_run(file, &o);
	free_opts(&o);
	return rc;
}
