/* proc.c: spawning, reading, reaping and killing one child process group. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "xmalloc.h"

extern char **environ;

struct proc {
	ev_io io;            /* output readable */
	ev_child child;      /* exit status */
	ev_timer grace;      /* SIGKILL after SIGTERM */
	pid_t pid;           /* also the process group id */
	int fd;              /* pipe read end or pty master; -1 once closed */
	int in_fd;           /* write end of a stdin pipe, or -1 */
	bool tty;
	bool reaped;
	bool finished;       /* exited() was called */
	bool term_sent;
	bool detached;       /* proc_free was called while the grace timer ran */
	int status;
	double kill_grace;
	struct proc_callbacks cb;
};

/*
 * Process groups alive, for proc_kill_all_now() from a signal handler: a
 * fixed array needs no allocation there. A slot is 0 when free. Should more
 * groups run at once than it holds, the extra ones are simply not tracked
 * for the crash path (they are still killed on every ordinary path).
 */
#define PROC_MAX_GROUPS 8192
static volatile pid_t proc_groups[PROC_MAX_GROUPS];

static void
proc_track(pid_t pgid)
{
	for (size_t i = 0; i < PROC_MAX_GROUPS; i++) {
		if (proc_groups[i] == 0) {
			proc_groups[i] = pgid;
			return;
		}
	}
}

static void
proc_untrack(pid_t pgid)
{
	for (size_t i = 0; i < PROC_MAX_GROUPS; i++) {
		if (proc_groups[i] == pgid) {
			proc_groups[i] = 0;
			return;
		}
	}
}

void
proc_kill_all_now(void)
{
	for (size_t i = 0; i < PROC_MAX_GROUPS; i++) {
		pid_t pg = proc_groups[i];
		if (pg > 0)
			kill(-pg, SIGKILL);
	}
}

bool
proc_needs_shell(const char *command)
{
	/* Like make: anything the shell would interpret sends the command
	 * through the shell; so do a leading assignment and newlines. */
	static const char special[] = "#;\"'*?[]&|<>(){}$`^~!\\=%\n";
	const char *p;

	for (p = command; *p != '\0'; p++)
		if (strchr(special, *p) != NULL)
			return true;
	/* A command made of blanks only is the shell's problem too. */
	for (p = command; *p == ' ' || *p == '\t'; p++)
		;
	return *p == '\0';
}

/* Split a command without shell syntax into words. Caller frees both the
 * array and *buf. */
static char **
proc_split(const char *command, char **buf)
{
	size_t n = 0, cap = 0;
	char **argv = NULL, *p, *save = NULL;

	*buf = xstrdup(command);
	for (p = strtok_r(*buf, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		argv = xreallocarray_grow(argv, &cap, n + 2, sizeof *argv);
		argv[n++] = p;
	}
	argv = xreallocarray_grow(argv, &cap, n + 1, sizeof *argv);
	argv[n] = NULL;
	return argv;
}

static void
proc_child_say(const char *what, const char *arg)
{
	char msg[1024];
	int n;

	/* stderr is already the step's output. The child may share drove's
	 * memory (see proc_spawn): format on the stack, no stdio. */
	n = snprintf(msg, sizeof msg, "drove: %s %s: %s\n", what, arg,
	    strerror(errno));
	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof msg ? (size_t)n :
		    sizeof msg - 1);
}

static void
proc_child_fail(const char *what, const char *arg)
{
	proc_child_say(what, arg);
	_exit(126);
}

/* In the child, between clone and exec. Only async-signal-safe calls, and
 * nothing that writes drove's memory but environ (which proc_spawn puts
 * back): under CLONE_VM the child shares it. */
static void
proc_child(const struct proc_spec *spec, int out_fd, int slave_fd,
    int in_fd, char *const *argv)
{
	sigset_t all;
	struct sigaction sa;
	int devnull;

	/* libev's handlers and drove's own must not survive into the step,
	 * and SIGPIPE must be default again (we may have ignored it). */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	if (spec->tty) {
		setsid();
		ioctl(slave_fd, TIOCSCTTY, 0);
		dup2(slave_fd, 0);
		dup2(slave_fd, 1);
		dup2(slave_fd, 2);
	} else {
		setpgid(0, 0);
		if (in_fd >= 0)
			dup2(in_fd, 0);
		else if ((devnull = open("/dev/null", O_RDONLY)) >= 0)
			dup2(devnull, 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
	}
	/* Everything else drove holds stays with drove. */
	close_range(3, ~0U, 0);
	/* If drove is killed outright, at least the step's own process
	 * hears of it. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);

	if (spec->cwd != NULL && chdir(spec->cwd) != 0)
		proc_child_fail("cannot change directory to", spec->cwd);
	if (spec->env != NULL)
		environ = spec->env;
	if (spec->argv != NULL) {
		execvp(spec->argv[0], spec->argv);
		proc_child_say("cannot run", spec->argv[0]);
		_exit(127);
	}
	if (argv != NULL) {
		execvp(argv[0], argv);
		/* Not found or not executable: let the shell say why, in its
		 * own words, with its own exit status. */
	}
	execlp(spec->shell, spec->shell, "-c", spec->command, (char *)NULL);
	proc_child_fail("cannot run shell", spec->shell);
}

static void
proc_close_in(struct proc *p)
{
	if (p->in_fd >= 0) {
		close(p->in_fd);
		p->in_fd = -1;
	}
}

static void
proc_close_fd(struct proc *p)
{
	if (p->fd < 0)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &p->io);
	close(p->fd);
	p->fd = -1;
}

static void
proc_maybe_finish(struct proc *p)
{
	if (p->finished || !p->reaped || p->fd >= 0)
		return;
	if (ev_is_active(&p->grace) && kill(-p->pid, 0) != 0) {
		/* Leftovers went quietly on SIGTERM: no SIGKILL needed. */
		ev_timer_stop(EV_DEFAULT_UC_ &p->grace);
		proc_untrack(p->pid);
	}
	p->finished = true;
	proc_close_in(p);
	p->cb.exited(p->cb.arg, p->status);
}

/* Read what is there. Returns 1 at EOF, 0 when it would block. */
static int
proc_read(struct proc *p, int max_reads)
{
	static char buf[256 * 1024];
	ssize_t n;

	while (max_reads-- > 0) {
		n = read(p->fd, buf, sizeof buf);
		if (n > 0) {
			p->cb.output(p->cb.arg, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		/* 0, or EIO from a pty master whose slave is closed, or a
		 * real error: no more output either way. */
		return 1;
	}
	return 0;
}

static void
proc_io_cb(EV_P_ ev_io *w, int revents)
{
	struct proc *p = container_of(w, struct proc, io);

	(void)revents;
	(void)EV_A;
	/* A few reads per wakeup keep throughput high without starving the
	 * other sequences' watchers. */
	if (proc_read(p, 4) == 1) {
		proc_close_fd(p);
		proc_maybe_finish(p);
	}
}

static void
proc_grace_cb(EV_P_ ev_timer *w, int revents)
{
	struct proc *p = container_of(w, struct proc, grace);

	(void)revents;
	(void)EV_A;
	kill(-p->pid, SIGKILL);
	if (p->reaped) {
		/* The group is gone now; a writer still holding the pipe lives
		 * outside it (a daemon that called setsid), and is not ours to
		 * wait for. */
		if (p->fd >= 0) {
			proc_read(p, 64);
			proc_close_fd(p);
		}
		proc_untrack(p->pid);
		if (p->detached) {
			free(p);
			return;
		}
		proc_maybe_finish(p);
	}
}

static void
proc_terminate_group(struct proc *p)
{
	if (p->term_sent)
		return;
	p->term_sent = true;
	kill(-p->pid, SIGTERM);
	kill(-p->pid, SIGCONT);
	ev_timer_set(&p->grace, p->kill_grace > 0 ? p->kill_grace : 0.001, 0.);
	ev_timer_start(EV_DEFAULT_UC_ &p->grace);
}

static void
proc_child_cb(EV_P_ ev_child *w, int revents)
{
	struct proc *p = container_of(w, struct proc, child);

	(void)revents;
	ev_child_stop(EV_A_ w);
	p->reaped = true;
	p->status = w->rstatus;

	if (kill(-p->pid, 0) == 0) {
		/* The main process is gone but left others in its group: they
		 * get the same treatment as a killed step, and their output is
		 * still read until they close it. */
		proc_terminate_group(p);
	} else {
		if (p->term_sent)
			ev_timer_stop(EV_A_ &p->grace);
		proc_untrack(p->pid);
		if (p->fd >= 0 && proc_read(p, 1 << 20) == 0) {
			/* Drained, and a process outside the group still holds
			 * the write end: do not wait for it. */
			proc_close_fd(p);
		}
		if (p->fd >= 0)
			proc_close_fd(p);
	}
	proc_maybe_finish(p);
}

struct proc_child_args {
	const struct proc_spec *spec;
	int out_fd, slave_fd, in_fd;
	char *const *argv;
};

static int
proc_child_main(void *arg)
{
	const struct proc_child_args *a = arg;

	proc_child(a->spec, a->out_fd, a->slave_fd, a->in_fd, a->argv);
	return 127;
}

/*
 * Start the child. fork() copies drove's page tables and makes every page
 * copy-on-write, which drove then pays for in faults: with many steps
 * that was most of drove's own start-up time. clone(CLONE_VM|CLONE_VFORK)
 * is what posix_spawn does inside: the child borrows drove's memory on a
 * stack of its own until it execs, while drove waits. posix_spawn itself
 * cannot set PR_SET_PDEATHSIG nor fall back to the shell, hence this.
 * Sanitizer builds keep fork(): their runtimes do not expect a second
 * task in the same memory.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define PROC_USE_FORK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROC_USE_FORK 1
#endif
#endif

static pid_t
proc_spawn(struct proc_child_args *a)
{
#ifndef PROC_USE_FORK
	static char stack[256 * 1024] __attribute__((aligned(16)));
#endif
	char **saved_env = environ;
	sigset_t all, old;
	pid_t pid;

	/* No signal handler may run in the child before it reset them all:
	 * under CLONE_VM it would run on drove's data. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
#ifdef PROC_USE_FORK
	pid = fork();
	if (pid == 0)
		proc_child_main(a);
#else
	pid = clone(proc_child_main, stack + sizeof stack,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
#endif
	environ = saved_env;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

struct proc *
proc_start(const struct proc_spec *spec, const struct proc_callbacks *cb,
    char **err)
{
	struct proc_child_args args;
	struct proc *p;
	int fds[2] = { -1, -1 }, in[2] = { -1, -1 }, master = -1, slave = -1;
	char **argv = NULL, *argbuf = NULL;
	pid_t pid;

	if (spec->tty) {
		struct winsize ws = { .ws_row = spec->rows ? spec->rows : 24,
			              .ws_col = spec->cols ? spec->cols : 80 };
		if (openpty(&master, &slave, NULL, NULL, &ws) != 0) {
			*err = xasprintf("openpty: %s", strerror(errno));
			return NULL;
		}
		fcntl(master, F_SETFD, FD_CLOEXEC);
		fcntl(slave, F_SETFD, FD_CLOEXEC);
	} else if (pipe2(fds, O_CLOEXEC) != 0) {
		*err = xasprintf("pipe: %s", strerror(errno));
		return NULL;
	} else if (spec->stdin_pipe && pipe2(in, O_CLOEXEC) != 0) {
		*err = xasprintf("pipe: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (spec->argv == NULL && !proc_needs_shell(spec->command))
		argv = proc_split(spec->command, &argbuf);

	args = (struct proc_child_args){ .spec = spec, .out_fd = fds[1],
		.slave_fd = slave, .in_fd = in[0], .argv = argv };
	pid = proc_spawn(&args);
	if (pid < 0) {
		*err = xasprintf("cannot start a process: %s",
		    strerror(errno));
		close(fds[0]);
		close(fds[1]);
		if (master >= 0) {
			close(master);
			close(slave);
		}
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		free(argv);
		free(argbuf);
		return NULL;
	}
	/* Parent. Set the group from here too, so a kill sent before the
	 * child ran its first instruction still reaches the whole group. */
	if (!spec->tty)
		setpgid(pid, pid);
	free(argv);
	free(argbuf);

	p = xcalloc(1, sizeof *p);
	p->pid = pid;
	p->in_fd = -1;
	if (in[0] >= 0) {
		close(in[0]);
		p->in_fd = in[1];
	}
	p->tty = spec->tty;
	p->kill_grace = spec->kill_grace;
	p->cb = *cb;
	if (spec->tty) {
		close(slave);
		p->fd = master;
	} else {
		close(fds[1]);
		p->fd = fds[0];
	}
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	/* A roomier pipe lets a step that floods write on while drove is
	 * busy, and lets drove take its output in fewer, larger reads. The
	 * kernel may refuse (pipe-max-size); 64 KiB is fine then too. */
	if (!spec->tty)
		fcntl(p->fd, F_SETPIPE_SZ, 1 << 20);
	proc_track(pid);

	ev_child_init(&p->child, proc_child_cb, pid, 0);
	ev_child_start(EV_DEFAULT_ &p->child);
	ev_io_init(&p->io, proc_io_cb, p->fd, EV_READ);
	ev_io_start(EV_DEFAULT_ &p->io);
	ev_init(&p->grace, proc_grace_cb);
	return p;
}

void
proc_kill(struct proc *p)
{
	if (p == NULL || p->finished)
		return;
	/* First the end of input: an ssh step's remote side stops on it,
	 * even if the signal then takes the local client before it could
	 * say anything (see remote.c). */
	proc_close_in(p);
	proc_terminate_group(p);
}

ssize_t
proc_write(struct proc *p, const char *data, size_t len)
{
	ssize_t n;

	if (!p->tty || p->fd < 0)
		return -1;
	do
		n = write(p->fd, data, len);
	while (n < 0 && errno == EINTR);
	return n;
}

void
proc_resize(struct proc *p, unsigned short cols, unsigned short rows)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	if (p->tty && p->fd >= 0)
		ioctl(p->fd, TIOCSWINSZ, &ws);
}

void
proc_free(struct proc *p)
{
	if (p == NULL)
		return;
	proc_close_fd(p);
	proc_close_in(p);
	if (!p->reaped) {
		/* Abandoned while running: nobody will wait for it, so no
		 * grace either. libev reaps it when it exits. */
		kill(-p->pid, SIGKILL);
		ev_child_stop(EV_DEFAULT_UC_ &p->child);
	} else if (ev_is_active(&p->grace)) {
		/* Leftovers of a finished step are still being terminated;
		 * the grace timer frees the proc when it fires. */
		p->detached = true;
		return;
	}
	ev_timer_stop(EV_DEFAULT_UC_ &p->grace);
	proc_untrack(p->pid);
	free(p);
}
