/* suspend.c: an interactive program in the foreground of drove's terminal.
 * Its end is an ev_child watcher's: libev's default loop reaps drove's
 * children itself (SIGCHLD), so a waitpid of our own would find none. */
#include "suspend.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "xmalloc.h"

extern char **environ;

struct suspend {
	ev_child child;
	suspend_done_fn *done;
	void *arg;
};

/* Make group pgid the terminal's foreground. SIGTTOU is blocked: a
 * background process that does this would otherwise be stopped. */
static void
suspend_foreground(pid_t pgid)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, &old);
	(void)tcsetpgrp(STDIN_FILENO, pgid);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
suspend_child_cb(EV_P_ ev_child *w, int revents)
{
	struct suspend *s = container_of(w, struct suspend, child);

	(void)revents;
	ev_child_stop(EV_A_ w);
	suspend_foreground(getpgrp());
	s->done(s->arg, w->rstatus);
	free(s);
}

struct suspend *
suspend_start(char *const argv[], const char *cwd, char *const env[],
    suspend_done_fn *done, void *arg, char **err)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN,
		SIGTTOU, SIGPIPE, SIGTERM, SIGHUP, SIGCHLD, SIGWINCH };
	struct suspend *s;
	sigset_t none;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		*err = xasprintf("fork: %s", strerror(errno));
		return NULL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		suspend_foreground(getpid());
		for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
			signal(sigs[i], SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (cwd != NULL && chdir(cwd) != 0)
			_exit(126);
		if (env != NULL)
			environ = (char **)env;
		execvp(argv[0], argv);
		_exit(127);
	}
	/* Both sides set it: whichever runs first, the group exists before
	 * the terminal is given to it. */
	setpgid(pid, pid);
	suspend_foreground(pid);
	s = xcalloc(1, sizeof *s);
	s->done = done;
	s->arg = arg;
	/* Started at once: libev reaps from its SIGCHLD watcher, in the
	 * loop, so the child's status cannot be missed before this. */
	ev_child_init(&s->child, suspend_child_cb, pid, 0);
	ev_child_start(EV_DEFAULT_ &s->child);
	return s;
}
