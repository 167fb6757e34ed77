/* notify.c: settings.notify, run at the moments the operator wants to
 * hear about. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "run.h"
#include "status.h"
#include "xmalloc.h"

extern char **environ;

/* One command started, until it is reaped. */
struct notify_child {
	ev_child watcher;
	struct notify *n;
	pid_t pid;
	bool done;
};

struct notify {
	struct run *run;
	const char *command, *shell;
	char *run_dir;           /* absolute */
	const char *run_id;      /* in run_dir */
	bool failed_once;        /* "failed" goes out once per run */
	struct notify_child **kids;
	size_t n_kids, cap_kids;
};

/* A line in notify.log from drove itself. */
static void __attribute__((format(printf, 2, 3)))
notify_log(const struct notify *n, const char *fmt, ...)
{
	char *path = xasprintf("%s/notify.log", n->run_dir);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	FILE *fp;
	va_list ap;

	free(path);
	if (fd < 0 || (fp = fdopen(fd, "a")) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	fputs("-- drove: ", fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputs(" --\n", fp);
	fclose(fp);
}

static void
notify_child_cb(EV_P_ ev_child *w, int revents)
{
	struct notify_child *c = container_of(w, struct notify_child,
	    watcher);

	(void)revents;
	ev_child_stop(EV_A_ w);
	c->done = true;
	if (WIFEXITED(w->rstatus) && WEXITSTATUS(w->rstatus) != 0)
		notify_log(c->n, "the notify command exited %d",
		    WEXITSTATUS(w->rstatus));
	else if (WIFSIGNALED(w->rstatus))
		notify_log(c->n, "the notify command was killed by signal %d",
		    WTERMSIG(w->rstatus));
}

/* environ, less what we set, plus NAME=VALUE pairs (NULL-terminated
 * names and values, alternating). Caller frees the array and its new
 * entries (the first n_new). */
static char **
notify_env(const char *const *pairs, size_t *n_new)
{
	size_t n = 0, cap = 0, k;
	char **env = NULL;

	*n_new = 0;
	for (k = 0; pairs[k] != NULL; k += 2) {
		env = xreallocarray_grow(env, &cap, n + 1, sizeof *env);
		env[n++] = xasprintf("%s=%s", pairs[k], pairs[k + 1]);
	}
	*n_new = n;
	for (char **e = environ; *e != NULL; e++) {
		bool ours = false;
		for (k = 0; pairs[k] != NULL && !ours; k += 2) {
			size_t len = strlen(pairs[k]);
			ours = strncmp(*e, pairs[k], len) == 0 &&
			    (*e)[len] == '=';
		}
		if (ours)
			continue;
		env = xreallocarray_grow(env, &cap, n + 1, sizeof *env);
		env[n++] = *e;
	}
	env = xreallocarray_grow(env, &cap, n + 1, sizeof *env);
	env[n] = NULL;
	return env;
}

static void
notify_start(struct notify *n, const char *event, const char *seq,
    const char *step, const char *state, const char *message)
{
	const char *const pairs[] = {
		"DROVE_EVENT", event, "DROVE_RUN_ID", n->run_id,
		"DROVE_RUN_DIR", n->run_dir, "DROVE_SEQUENCE", seq,
		"DROVE_STEP", step, "DROVE_STATE", state,
		"DROVE_MESSAGE", message, NULL,
	};
	char *const argv[] = { (char *)n->shell, (char *)"-c",
		(char *)n->command, NULL };
	char *log = xasprintf("%s/notify.log", n->run_dir);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct notify_child *c;
	size_t n_new;
	char **env = notify_env(pairs, &n_new);
	pid_t pid;
	int rc;

	notify_log(n, "%s: %s", event, message);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log,
	    O_WRONLY | O_APPEND | O_CREAT, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&attr);
	/* Its own session: killed as a group, never by the terminal's
	 * Ctrl-C meant for drove. Default signal dispositions and mask, as
	 * for a step (drove ignores SIGPIPE). */
	{
		sigset_t all, none;

		sigfillset(&all);
		sigemptyset(&none);
		posix_spawnattr_setsigdefault(&attr, &all);
		posix_spawnattr_setsigmask(&attr, &none);
	}
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, n->shell, &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	xstrs_free(env, n_new);
	free(log);
	if (rc != 0) {
		notify_log(n, "cannot start %s: %s", n->shell, strerror(rc));
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->n = n;
	c->pid = pid;
	ev_child_init(&c->watcher, notify_child_cb, pid, 0);
	ev_child_start(EV_DEFAULT_ &c->watcher);
	n->kids = xreallocarray_grow(n->kids, &n->cap_kids, n->n_kids + 1,
	    sizeof *n->kids);
	n->kids[n->n_kids++] = c;
}

static void
notify_observe(void *arg, struct run *run, const struct run_event *ev)
{
	struct notify *n = arg;
	const struct run_seq *seq;
	const char *step, *state;
	char *msg;

	if (ev->type == RUN_EV_SEQ) {
		seq = run_seq(run, ev->seq);
		step = seq->current < seq->n_all ?
		    seq->steps[seq->current].name : "";
		if (seq->state == SEQ_PAUSED && seq->pause == RUN_PAUSE_FAILURE) {
			msg = xasprintf("drove %s: %s: step '%s' failed and "
			    "waits for you", n->run_id, seq->name, step);
			notify_start(n, "pause", seq->name, step,
			    "paused", msg);
			free(msg);
		} else if (seq_state_failed(seq->state) && !n->failed_once) {
			n->failed_once = true;
			msg = xasprintf("drove %s: %s failed at step '%s'",
			    n->run_id, seq->name, step);
			notify_start(n, "failed", seq->name, step,
			    "failed", msg);
			free(msg);
		}
	} else if (ev->type == RUN_EV_END) {
		state = ev->exit_code == 0 ? "ok" : ev->exit_code > 128 ?
		    "interrupted" : "failed";
		msg = xasprintf("drove %s: the run ended: %s", n->run_id,
		    state);
		notify_start(n, "end", "", "", state, msg);
		free(msg);
	}
}

struct notify *
notify_create(struct run *run, const char *command, const char *shell,
    const char *run_dir)
{
	struct notify *n = xcalloc(1, sizeof *n);
	const char *slash;

	n->run = run;
	n->command = command;
	n->shell = shell;
	/* Absolute: the command may cd anywhere. */
	if ((n->run_dir = realpath(run_dir, NULL)) == NULL)
		n->run_dir = xstrdup(run_dir);
	slash = strrchr(n->run_dir, '/');
	n->run_id = slash != NULL ? slash + 1 : n->run_dir;
	run_add_observer(run, notify_observe, n);
	return n;
}

static bool
notify_running(const struct notify *n)
{
	for (size_t i = 0; i < n->n_kids; i++)
		if (!n->kids[i]->done)
			return true;
	return false;
}

static void
notify_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)revents;
	*(bool *)w->data = true;
}

void
notify_free(struct notify *n, double grace)
{
	ev_timer timer;
	bool late = false;
	int st;

	if (n == NULL)
		return;
	run_remove_observer(n->run, notify_observe, n);
	if (notify_running(n)) {
		ev_timer_init(&timer, notify_timeout_cb, grace, 0);
		timer.data = &late;
		ev_timer_start(EV_DEFAULT_ &timer);
		while (notify_running(n) && !late)
			ev_run(EV_DEFAULT_ EVRUN_ONCE);
		ev_timer_stop(EV_DEFAULT_ &timer);
	}
	for (size_t i = 0; i < n->n_kids; i++) {
		struct notify_child *c = n->kids[i];

		if (!c->done) {
			ev_child_stop(EV_DEFAULT_ &c->watcher);
			kill(-c->pid, SIGKILL);
			while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
				;
			notify_log(n, "the notify command was still running "
			    "after %gs: killed", grace);
		}
		free(c);
	}
	free(n->kids);
	free(n->run_dir);
	free(n);
}
