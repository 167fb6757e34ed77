/* proc.c: one child process group: started through the keeper, read,
 * reaped (as the keeper reports), killed. */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "keeper.h"
#include "strbuf.h"
#include "xmalloc.h"

extern char **environ;

/* A growing request. */
struct proc_req {
	char *buf;
	size_t len, cap;
};

struct proc {
	ev_io io;            /* output readable */
	ev_io out_io;        /* the stdout pipe readable (split procs) */
	ev_timer grace;      /* SIGKILL after SIGTERM */
	ev_timer eof;        /* the wait for a shared output's end */
	unsigned id;         /* the keeper's name for it (its slot + 1) */
	pid_t pid;           /* also the process group id; 0 until the
	                        keeper has started it */
	int fd;              /* pipe read end or pty master; -1 once closed */
	int out_fd;          /* split procs: the stdout pipe's read end;
	                        else, or once closed, -1 */
	int in_fd;           /* write end of a stdin pipe, or -1 */
	bool tty;
	bool reaped;         /* the keeper said how it ended (or that it
	                        could not start it): nothing more will come */
	bool finished;       /* exited() was called */
	bool group_gone;     /* the keeper found its group empty at the
	                        reap: the id may be another's now */
	bool term_sent;
	bool kill_sent;
	bool detached;       /* proc_free was called while it still ran, or
	                        while the grace timer ran */
	bool held;           /* waiting for descriptors to start */
	bool stdin_pipe;
	bool shared_output;
	bool split;          /* stdout on a pipe of its own (stdout_data) */
	bool roomy;          /* its pipes were made roomier (a flood) */
	unsigned short cols, rows;
	int status;
	double kill_grace;
	struct proc_callbacks cb;
	struct proc_req req;  /* the keeper's request, until sent */
	struct strbuf typed;  /* written to a tty proc not yet running */
	struct proc *held_next;
	size_t group_slot;   /* its group's slot in proc_groups + 1, or 0 */
};

/*
 * Process groups alive, for proc_kill_all_now() from a signal handler: a
 * fixed array needs no allocation there. A slot is 0 when free. Should more
 * groups run at once than it holds, the extra ones are simply not tracked
 * for the crash path (they are still killed on every ordinary path).
 */
#define PROC_MAX_GROUPS 8192
static volatile pid_t proc_groups[PROC_MAX_GROUPS];
/* Where to look for a free slot first: just past the last one taken, so
 * that taking one stays cheap however many groups run. */
static size_t proc_groups_next;

static void
proc_track(struct proc *p)
{
	if (p->pid <= 0 || p->group_slot != 0)
		return;
	for (size_t i = 0; i < PROC_MAX_GROUPS; i++) {
		size_t k = (proc_groups_next + i) % PROC_MAX_GROUPS;
		if (proc_groups[k] == 0) {
			proc_groups[k] = p->pid;
			p->group_slot = k + 1;
			proc_groups_next = k + 1;
			return;
		}
	}
}

static void
proc_untrack(struct proc *p)
{
	if (p->group_slot == 0)
		return;
	proc_groups[p->group_slot - 1] = 0;
	p->group_slot = 0;
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

	/* stderr is already the step's output. The child may share the
	 * keeper's memory (see proc_spawn): format on the stack, no stdio. */
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

/* The limit on open descriptors drove was started with, when it raised
 * its own (before the keeper was forked, which thus knows it too). */
static struct rlimit proc_nofile_given;
static bool proc_nofile_raised;

/* Descriptors drove holds for a running step at most: its output pipe (or
 * pty), its stdin pipe, its log and its .times file; and those drove keeps
 * for itself (the loop, the record, the terminal, ssh). A step that
 * captures its stdout holds one pipe more: should that run short, it
 * waits for a descriptor (proc_hold) rather than fail. */
#define PROC_FDS_PER_STEP 4
#define PROC_FDS_RESERVE 64

void
proc_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	proc_nofile_given = rl;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		proc_nofile_raised = true;
}

unsigned long
proc_max_running(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (rl.rlim_cur < PROC_FDS_RESERVE + PROC_FDS_PER_STEP)
		return 1;
	return (unsigned long)((rl.rlim_cur - PROC_FDS_RESERVE) /
	    PROC_FDS_PER_STEP);
}

/* --- in the keeper: the child ---------------------------------------------- */

/* What the keeper's child is to become, decoded from drove's request. */
struct proc_child_args {
	bool tty;
	bool argv_only;       /* argv is exec'd as it is, no shell fallback */
	int out_fd, slave_fd, in_fd;
	int stdout_fd;        /* stdout's own pipe, or -1: out_fd */
	const char *shell, *command, *cwd;
	char **env;           /* NULL: the keeper's (drove's) own */
	char **argv;          /* NULL: SHELL -c COMMAND */
};

/* In the child, between clone and exec. Only async-signal-safe calls, and
 * nothing that writes the keeper's memory but environ (which proc_spawn
 * puts back): under CLONE_VM the child shares it. */
static void
proc_child(const struct proc_child_args *a)
{
	sigset_t all;
	struct sigaction sa;
	int devnull;

	/* The keeper's handling of signals must not survive into the step.
	 * It has no handler (keeper_main set every signal to its default,
	 * whatever drove was started with), and the one it ignores,
	 * SIGPIPE, must be default again: one call, not one per signal,
	 * while the keeper waits for this child to exec. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	if (a->tty) {
		setsid();
		ioctl(a->slave_fd, TIOCSCTTY, 0);
		dup2(a->slave_fd, 0);
		dup2(a->slave_fd, 1);
		dup2(a->slave_fd, 2);
	} else {
		setpgid(0, 0);
		if (a->in_fd >= 0)
			dup2(a->in_fd, 0);
		else if ((devnull = open("/dev/null", O_RDONLY)) >= 0)
			dup2(devnull, 0);
		dup2(a->stdout_fd >= 0 ? a->stdout_fd : a->out_fd, 1);
		dup2(a->out_fd, 2);
	}
	/* Everything else the keeper holds stays with it. */
	close_range(3, ~0U, 0);
	/* The step gets the limit drove was given, not the one it raised
	 * for itself (a program may loop over every possible descriptor, or
	 * use select()). */
	if (proc_nofile_raised)
		setrlimit(RLIMIT_NOFILE, &proc_nofile_given);
	/* If the keeper is killed outright, at least the step's own
	 * process hears of it. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);

	if (a->cwd != NULL && chdir(a->cwd) != 0)
		proc_child_fail("cannot change directory to", a->cwd);
	if (a->env != NULL)
		environ = a->env;
	if (a->argv != NULL && a->argv_only) {
		execvp(a->argv[0], a->argv);
		proc_child_say("cannot run", a->argv[0]);
		_exit(127);
	}
	if (a->argv != NULL) {
		execvp(a->argv[0], a->argv);
		/* Not found or not executable: let the shell say why, in its
		 * own words, with its own exit status. */
	}
	execlp(a->shell, a->shell, "-c", a->command, (char *)NULL);
	proc_child_fail("cannot run shell", a->shell);
}

static int
proc_child_main(void *arg)
{
	proc_child(arg);
	return 127;
}

/*
 * Start the child. fork() copies the parent's page tables and makes every
 * page copy-on-write, which the parent then pays for in faults.
 * clone(CLONE_VM|CLONE_VFORK) is what posix_spawn does inside: the child
 * borrows the keeper's memory on a stack of its own until it execs, while
 * the keeper waits. posix_spawn itself cannot set PR_SET_PDEATHSIG nor
 * fall back to the shell, hence this. Sanitizer builds keep fork(): their
 * runtimes do not expect a second task in the same memory.
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
	 * under CLONE_VM it would run on the keeper's data. */
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

/*
 * A request, as drove sends it to the keeper: this header, then SHELL,
 * COMMAND, CWD (when has_cwd), the N_ARGV words of argv and the N_ENV
 * entries of the environment, each ending in NUL. The descriptors: the
 * pipe's write end (or the pty's slave), then the stdin pipe's read end,
 * then the stdout pipe's write end.
 */
struct proc_wire {
	uint8_t tty;
	uint8_t stdin_pipe;
	uint8_t argv_only;
	uint8_t has_cwd;
	uint8_t split;       /* stdout on a pipe of its own */
	uint8_t pad[3];
	uint32_t n_argv;     /* 0: through the shell */
	int32_t n_env;       /* -1: the keeper's environment (drove's) */
};

/* The next string of a request, or NULL when it is malformed. */
static const char *
proc_wire_str(const char **p, const char *end)
{
	const char *s = *p, *nul;

	if (s >= end || (nul = memchr(s, '\0', (size_t)(end - s))) == NULL)
		return NULL;
	*p = nul + 1;
	return s;
}

static char **
proc_wire_list(const char **p, const char *end, size_t n)
{
	char **v = xcalloc(n + 1, sizeof *v);

	for (size_t i = 0; i < n; i++) {
		if ((v[i] = (char *)proc_wire_str(p, end)) == NULL) {
			free(v);
			return NULL;
		}
	}
	return v;
}

/* keeper_spawn_fn: in the keeper, start what drove asked for. */
static pid_t
proc_keeper_spawn(const char *req, size_t len, const int *fds, size_t n_fds)
{
	struct proc_wire w;
	struct proc_child_args a = { .out_fd = -1, .slave_fd = -1,
		                     .in_fd = -1, .stdout_fd = -1 };
	const char *p = req + sizeof w, *end = req + len;
	pid_t pid;
	int err;

	if (len < sizeof w)
		return -EPROTO;
	memcpy(&w, req, sizeof w);
	if (n_fds != 1u + (w.stdin_pipe ? 1u : 0u) + (w.split ? 1u : 0u) ||
	    w.n_argv > len || (w.n_env >= 0 && (size_t)w.n_env > len))
		return -EPROTO;
	a.tty = w.tty;
	a.argv_only = w.argv_only;
	if (w.tty)
		a.slave_fd = fds[0];
	else
		a.out_fd = fds[0];
	if (w.stdin_pipe)
		a.in_fd = fds[1];
	if (w.split && !w.tty)
		a.stdout_fd = fds[n_fds - 1];
	a.shell = proc_wire_str(&p, end);
	a.command = proc_wire_str(&p, end);
	if (w.has_cwd)
		a.cwd = proc_wire_str(&p, end);
	if (a.shell == NULL || a.command == NULL || (w.has_cwd &&
	    a.cwd == NULL))
		return -EPROTO;
	if (w.n_argv > 0 && (a.argv = proc_wire_list(&p, end,
	    w.n_argv)) == NULL)
		return -EPROTO;
	if (w.n_env >= 0 && (a.env = proc_wire_list(&p, end,
	    (size_t)w.n_env)) == NULL) {
		free(a.argv);
		return -EPROTO;
	}
	pid = proc_spawn(&a);
	err = errno;
	free(a.argv);
	free(a.env);
	if (pid < 0)
		return -err;
	/* Set the group from here too, so that it exists before drove
	 * hears of the pid. */
	if (!w.tty)
		setpgid(pid, pid);
	return pid;
}

/* --- in drove ---------------------------------------------------------------- */

/* The procs the keeper may still say something about, by id - 1. */
static struct proc **proc_slots;
static size_t proc_n_slots, proc_cap_slots;
static unsigned *proc_free_ids;
static size_t proc_n_free, proc_cap_free;

static unsigned
proc_slot_take(struct proc *p)
{
	unsigned id;

	if (proc_n_free > 0)
		id = proc_free_ids[--proc_n_free];
	else {
		proc_slots = xreallocarray_grow(proc_slots, &proc_cap_slots,
		    proc_n_slots + 1, sizeof *proc_slots);
		id = (unsigned)++proc_n_slots;
	}
	proc_slots[id - 1] = p;
	return id;
}

static void
proc_slot_release(struct proc *p)
{
	if (p->id == 0)
		return;
	proc_slots[p->id - 1] = NULL;
	proc_free_ids = xreallocarray_grow(proc_free_ids, &proc_cap_free,
	    proc_n_free + 1, sizeof *proc_free_ids);
	proc_free_ids[proc_n_free++] = p->id;
	p->id = 0;
}

/* Signal the process group, once the keeper said which it is. */
static void
proc_signal(struct proc *p, int sig)
{
	if (p->pid > 0 && !p->group_gone)
		kill(-p->pid, sig);
}

static void
proc_close_in(struct proc *p)
{
	if (p->in_fd >= 0) {
		close(p->in_fd);
		p->in_fd = -1;
	}
}

/* Stop reading one of the output descriptors (fd, or out_fd with its
 * watcher). */
static void
proc_close_one(ev_io *io, int *fd)
{
	if (*fd < 0)
		return;
	ev_io_stop(EV_DEFAULT_UC_ io);
	close(*fd);
	*fd = -1;
}

static void
proc_close_fd(struct proc *p)
{
	proc_close_one(&p->io, &p->fd);
	proc_close_one(&p->out_io, &p->out_fd);
}

static void proc_held_remove(struct proc *p);

/* Nobody holds P any more, nor will the keeper speak of it. */
static void
proc_destroy(struct proc *p)
{
	if (p->held)
		proc_held_remove(p);
	free(p->req.buf);
	strbuf_free(&p->typed);
	proc_close_fd(p);
	proc_close_in(p);
	ev_timer_stop(EV_DEFAULT_UC_ &p->grace);
	ev_timer_stop(EV_DEFAULT_UC_ &p->eof);
	proc_untrack(p);
	proc_slot_release(p);
	free(p);
}

static void
proc_maybe_finish(struct proc *p)
{
	if (p->finished || !p->reaped || p->fd >= 0 || p->out_fd >= 0)
		return;
	if (ev_is_active(&p->grace) && (p->pid <= 0 || p->group_gone ||
	    kill(-p->pid, 0) != 0)) {
		/* Leftovers went quietly on SIGTERM: no SIGKILL needed. */
		ev_timer_stop(EV_DEFAULT_UC_ &p->grace);
		proc_untrack(p);
	}
	ev_timer_stop(EV_DEFAULT_UC_ &p->eof);
	p->finished = true;
	proc_close_in(p);
	p->cb.exited(p->cb.arg, p->status);
}

/* Read what is there of fd, for `out` (output or stdout_data). Returns 1
 * at EOF, 0 when it would block. */
static int
proc_read_fd(struct proc *p, int fd, int max_reads,
    void (*out)(void *, const char *, size_t))
{
	static char buf[256 * 1024];
	ssize_t n;

	while (max_reads-- > 0) {
		n = read(fd, buf, sizeof buf);
		if (n > 0) {
			/* Half a pipe (64 KiB by default) at once: the step
			 * floods. A roomier pipe lets it write on while drove
			 * is busy, and lets drove take its output in fewer,
			 * larger reads, with fewer wake-ups on both sides.
			 * Only then: most steps print little, and resizing
			 * costs a spawn a tenth of drove's work for it. Not
			 * "a full pipe": its 16 pages hold less than 64 KiB
			 * unless every write fills its page (4 KiB writes of
			 * whole 80-byte lines leave 65,280 bytes). Once per
			 * step, both pipes; the kernel may refuse
			 * (pipe-max-size): 64 KiB is fine then too. */
			if (n > 32768 && !p->roomy && !p->tty) {
				p->roomy = true;
				if (p->fd >= 0)
					fcntl(p->fd, F_SETPIPE_SZ, 1 << 20);
				if (p->out_fd >= 0)
					fcntl(p->out_fd, F_SETPIPE_SZ, 1 << 20);
			}
			out(p->cb.arg, buf, (size_t)n);
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

/* Read what is there of both pipes: 1 when both are at EOF (or closed),
 * each closed at its EOF; 0 when one would block. */
static int
proc_read(struct proc *p, int max_reads)
{
	if (p->out_fd >= 0 && proc_read_fd(p, p->out_fd, max_reads,
	    p->cb.stdout_data) == 1)
		proc_close_one(&p->out_io, &p->out_fd);
	if (p->fd >= 0 && proc_read_fd(p, p->fd, max_reads,
	    p->cb.output) == 1)
		proc_close_one(&p->io, &p->fd);
	return p->fd < 0 && p->out_fd < 0;
}

/* What is left to read, when nothing will wait for the rest. */
static void
proc_drain(struct proc *p)
{
	proc_read(p, 64);
	proc_close_fd(p);
}

/* One of the output descriptors is readable. A few reads per wakeup
 * keep throughput high without starving the other sequences' watchers. */
static void
proc_readable(struct proc *p, ev_io *io, int *fd,
    void (*out)(void *, const char *, size_t))
{
	if (proc_read_fd(p, *fd, 4, out) == 1) {
		proc_close_one(io, fd);
		proc_maybe_finish(p);
	}
}

static void
proc_io_cb(EV_P_ ev_io *w, int revents)
{
	struct proc *p = container_of(w, struct proc, io);

	(void)revents;
	(void)EV_A;
	proc_readable(p, &p->io, &p->fd, p->cb.output);
}

static void
proc_out_io_cb(EV_P_ ev_io *w, int revents)
{
	struct proc *p = container_of(w, struct proc, out_io);

	(void)revents;
	(void)EV_A;
	proc_readable(p, &p->out_io, &p->out_fd, p->cb.stdout_data);
}

static void
proc_grace_cb(EV_P_ ev_timer *w, int revents)
{
	struct proc *p = container_of(w, struct proc, grace);

	(void)revents;
	(void)EV_A;
	p->kill_sent = true;
	proc_signal(p, SIGKILL);
	if (p->reaped) {
		/* The group is gone now; a writer still holding the pipe lives
		 * outside it (a daemon that called setsid), and is not ours to
		 * wait for. */
		proc_drain(p);
		proc_untrack(p);
		if (p->detached) {
			proc_destroy(p);
			return;
		}
		proc_maybe_finish(p);
	}
}

/* The shared output did not end in time: what is there is all. */
static void
proc_eof_cb(EV_P_ ev_timer *w, int revents)
{
	struct proc *p = container_of(w, struct proc, eof);

	(void)revents;
	(void)EV_A;
	proc_drain(p);
	proc_maybe_finish(p);
}

static void
proc_terminate_group(struct proc *p)
{
	if (p->term_sent)
		return;
	p->term_sent = true;
	proc_signal(p, SIGTERM);
	proc_signal(p, SIGCONT);
	ev_timer_set(&p->grace, p->kill_grace > 0 ? p->kill_grace : 0.001, 0.);
	ev_timer_start(EV_DEFAULT_UC_ &p->grace);
}

/* The keeper reaped the process: status is a waitpid status, or -1 when
 * it never ran. */
static void
proc_exited(struct proc *p, int status)
{
	proc_slot_release(p);
	p->reaped = true;
	p->status = status;
	if (p->detached) {
		/* Abandoned by its owner: whatever is left of the group goes
		 * at once. */
		proc_signal(p, SIGKILL);
		proc_destroy(p);
		return;
	}
	if (p->pid > 0 && !p->group_gone && kill(-p->pid, 0) == 0) {
		/* The main process is gone but left others in its group: they
		 * get the same treatment as a killed step, and their output is
		 * still read until they close it. */
		proc_terminate_group(p);
	} else {
		if (p->term_sent)
			ev_timer_stop(EV_DEFAULT_UC_ &p->grace);
		proc_untrack(p);
		if ((p->fd >= 0 || p->out_fd >= 0) &&
		    proc_read(p, 1 << 20) == 0) {
			if (p->shared_output && !p->kill_sent) {
				/* The rest comes from the process it handed
				 * its output to, which closes it when done
				 * (a pty's last bytes may not even be
				 * readable before that). */
				ev_timer_set(&p->eof, PROC_SHARED_EOF, 0.);
				ev_timer_start(EV_DEFAULT_UC_ &p->eof);
				return;
			}
			/* Drained, and a process outside the group still holds
			 * the write end: do not wait for it. */
			proc_close_fd(p);
		}
		proc_close_fd(p);
	}
	proc_maybe_finish(p);
}

static void
proc_say(struct proc *p, const char *what, int err)
{
	char *msg = xasprintf("drove: %s: %s\n", what, strerror(err));

	p->cb.output(p->cb.arg, msg, strlen(msg));
	free(msg);
}

/* Its keeper died (killed by someone): what it ran is lost to drove. */
static void
proc_lost(struct proc *p)
{
	proc_signal(p, SIGKILL);
	if (p->detached) {
		proc_destroy(p);
		return;
	}
	if (!p->finished)
		proc_say(p, "the keeper process ended", EPIPE);
	proc_drain(p);
	proc_exited(p, -1);
}

/* keeper_answer_fn: what became of a request. */
static void
proc_answer(unsigned id, enum keeper_answer what, int value)
{
	struct proc *p;

	if (id == 0 || id > proc_n_slots || (p = proc_slots[id - 1]) == NULL)
		return;
	switch (what) {
	case KEEPER_STARTED:
		p->pid = (pid_t)value;
		proc_track(p);
		/* A kill asked for before the pid was known. */
		if (p->kill_sent || p->detached)
			proc_signal(p, SIGKILL);
		else if (p->term_sent) {
			proc_signal(p, SIGTERM);
			proc_signal(p, SIGCONT);
		} else if (p->cb.started != NULL)
			p->cb.started(p->cb.arg);
		if (p->typed.len > 0 && !p->detached) {
			(void)proc_write(p, p->typed.buf, p->typed.len);
			strbuf_free(&p->typed);
		}
		break;
	case KEEPER_FAILED:
		if (!p->detached)
			proc_say(p, "cannot start a process", value);
		/* Nothing holds the pipe's other end now. */
		proc_drain(p);
		proc_exited(p, -1);
		break;
	case KEEPER_ENDED:
		p->group_gone = true;
		proc_exited(p, value);
		break;
	case KEEPER_EXITED:
		proc_exited(p, value);
		break;
	case KEEPER_LOST:
		proc_lost(p);
		break;
	}
}

static void
proc_req_add(struct proc_req *r, const void *data, size_t len)
{
	r->buf = xreallocarray_grow(r->buf, &r->cap, r->len + len, 1);
	memcpy(r->buf + r->len, data, len);
	r->len += len;
}

static void
proc_req_str(struct proc_req *r, const char *s)
{
	proc_req_add(r, s, strlen(s) + 1);
}

/* The request for SPEC (see struct proc_wire). Caller frees r->buf. */
static void
proc_req_build(struct proc_req *r, const struct proc_spec *spec,
    bool split_out)
{
	struct proc_wire w = { .tty = spec->tty,
		               .stdin_pipe = spec->stdin_pipe && !spec->tty,
		               .split = split_out,
		               .has_cwd = spec->cwd != NULL, .n_env = -1 };
	char **split = NULL, *splitbuf = NULL;
	char *const *argv = spec->argv;
	size_t n = 0;

	if (argv != NULL)
		w.argv_only = 1;
	else if (!proc_needs_shell(spec->command))
		argv = split = proc_split(spec->command, &splitbuf);
	while (argv != NULL && argv[n] != NULL)
		n++;
	w.n_argv = (uint32_t)n;
	if (spec->env != NULL)
		for (w.n_env = 0; spec->env[w.n_env] != NULL; w.n_env++)
			;
	proc_req_add(r, &w, sizeof w);
	proc_req_str(r, spec->shell);
	proc_req_str(r, spec->command);
	if (spec->cwd != NULL)
		proc_req_str(r, spec->cwd);
	for (size_t i = 0; i < n; i++)
		proc_req_str(r, argv[i]);
	for (int32_t i = 0; i < w.n_env; i++)
		proc_req_str(r, spec->env[i]);
	free(split);
	free(splitbuf);
}

/* Is this failure a want of descriptors, which passes? */
static bool
proc_short_of_fds(int err)
{
	return err == EMFILE || err == ENFILE || err == ETOOMANYREFS;
}

/* Create the child's descriptors and send the keeper its request. Returns
 * 0, or an errno with *err set (caller frees). */
static int
proc_launch(struct proc *p, char **err)
{
	int fds[2] = { -1, -1 }, in[2] = { -1, -1 }, so[2] = { -1, -1 };
	int master = -1, slave = -1, child_fds[3], e;
	size_t n_send = 0;

	if (keeper_ensure(proc_keeper_spawn, proc_answer, err) != 0)
		return errno;
	if (p->tty) {
		struct winsize ws = { .ws_row = p->rows ? p->rows : 24,
			              .ws_col = p->cols ? p->cols : 80 };
		if (openpty(&master, &slave, NULL, NULL, &ws) != 0) {
			e = errno;
			*err = xasprintf("openpty: %s", strerror(e));
			return e;
		}
		fcntl(master, F_SETFD, FD_CLOEXEC);
		fcntl(slave, F_SETFD, FD_CLOEXEC);
		child_fds[n_send++] = slave;
	} else if (pipe2(fds, O_CLOEXEC) != 0) {
		e = errno;
		*err = xasprintf("pipe: %s", strerror(e));
		return e;
	} else if ((p->stdin_pipe && pipe2(in, O_CLOEXEC) != 0) ||
	    (p->split && pipe2(so, O_CLOEXEC) != 0)) {
		e = errno;
		*err = xasprintf("pipe: %s", strerror(e));
		close(fds[0]);
		close(fds[1]);
		if (in[0] >= 0) {
			close(in[0]);
			close(in[1]);
		}
		return e;
	} else {
		child_fds[n_send++] = fds[1];
		if (in[0] >= 0)
			child_fds[n_send++] = in[0];
		if (so[1] >= 0)
			child_fds[n_send++] = so[1];
	}
	e = keeper_request(p->id, p->kill_grace, p->req.buf, p->req.len,
	    child_fds, n_send, err) != 0 ? errno : 0;
	/* The child's ends are the keeper's now (or nobody's). */
	for (size_t i = 0; i < n_send; i++)
		close(child_fds[i]);
	if (e != 0) {
		if (master >= 0)
			close(master);
		if (fds[0] >= 0)
			close(fds[0]);
		if (in[1] >= 0)
			close(in[1]);
		if (so[0] >= 0)
			close(so[0]);
		return e != 0 ? e : EIO;
	}
	free(p->req.buf);
	p->req = (struct proc_req){ NULL, 0, 0 };
	p->in_fd = in[1];
	p->fd = p->tty ? master : fds[0];
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	ev_io_init(&p->io, proc_io_cb, p->fd, EV_READ);
	ev_io_start(EV_DEFAULT_ &p->io);
	if (so[0] >= 0) {
		p->out_fd = so[0];
		fcntl(p->out_fd, F_SETFL, fcntl(p->out_fd, F_GETFL) |
		    O_NONBLOCK);
		ev_io_init(&p->out_io, proc_out_io_cb, p->out_fd, EV_READ);
		ev_io_start(EV_DEFAULT_ &p->out_io);
	}
	return 0;
}

/*
 * Procs held back for want of descriptors, oldest first. A step that
 * cannot have its pipe now waits until one is free rather than fail;
 * run.c keeps the number of steps within the limit (proc_max_running), so
 * this is for what it cannot foresee (another program's use of a
 * system-wide limit, a burst of ssh connections). A timer retries.
 */
static struct proc *proc_held_head, **proc_held_tail = &proc_held_head;
static ev_timer proc_held_timer;

static void
proc_held_remove(struct proc *p)
{
	struct proc **pp;

	for (pp = &proc_held_head; *pp != NULL; pp = &(*pp)->held_next) {
		if (*pp == p) {
			*pp = p->held_next;
			if (proc_held_tail == &p->held_next)
				proc_held_tail = pp;
			p->held_next = NULL;
			p->held = false;
			return;
		}
	}
}

static void
proc_held_cb(EV_P_ ev_timer *w, int revents)
{
	struct proc *p;
	char *err = NULL;
	int e;

	(void)revents;
	while ((p = proc_held_head) != NULL) {
		if (!p->term_sent) {
			e = proc_launch(p, &err);
			if (e != 0 && proc_short_of_fds(e)) {
				free(err);
				return;   /* still short: the timer comes back */
			}
		} else
			e = 0;
		proc_held_remove(p);
		if (p->term_sent) {
			/* Killed before it could start: as if by the
			 * signal. */
			p->reaped = true;
			p->status = SIGTERM;
			proc_slot_release(p);
			proc_maybe_finish(p);
		} else if (e != 0) {
			p->cb.output(p->cb.arg, err, strlen(err));
			p->cb.output(p->cb.arg, "\n", 1);
			free(err);
			err = NULL;
			proc_exited(p, -1);
		}
	}
	ev_timer_stop(EV_A_ w);
}

static void
proc_hold(struct proc *p)
{
	p->held = true;
	*proc_held_tail = p;
	proc_held_tail = &p->held_next;
	if (!ev_is_active(&proc_held_timer)) {
		ev_timer_init(&proc_held_timer, proc_held_cb, 0.02, 0.02);
		ev_timer_start(EV_DEFAULT_ &proc_held_timer);
	}
}

struct proc *
proc_start(const struct proc_spec *spec, const struct proc_callbacks *cb,
    char **err)
{
	struct proc *p = xcalloc(1, sizeof *p);
	int e;

	p->fd = p->in_fd = p->out_fd = -1;
	p->tty = spec->tty;
	p->stdin_pipe = spec->stdin_pipe && !spec->tty;
	p->shared_output = spec->shared_output;
	p->split = cb->stdout_data != NULL && !spec->tty;
	p->cols = spec->cols;
	p->rows = spec->rows;
	p->kill_grace = spec->kill_grace;
	p->cb = *cb;
	ev_init(&p->grace, proc_grace_cb);
	ev_init(&p->eof, proc_eof_cb);
	proc_req_build(&p->req, spec, p->split);
	p->id = proc_slot_take(p);
	if ((e = proc_launch(p, err)) == 0)
		return p;
	if (proc_short_of_fds(e)) {
		free(*err);
		*err = NULL;
		proc_hold(p);
		return p;
	}
	proc_slot_release(p);
	free(p->req.buf);
	free(p);
	return NULL;
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
	if (p->held) {
		/* It ends where it waits, without a process (proc_held_cb). */
		p->term_sent = true;
		return;
	}
	if (ev_is_active(&p->eof)) {
		/* Gone already, its output not over: stop waiting for the
		 * rest, from the loop (the caller is not done). */
		ev_timer_stop(EV_DEFAULT_UC_ &p->eof);
		ev_timer_set(&p->eof, 0., 0.);
		ev_timer_start(EV_DEFAULT_UC_ &p->eof);
		return;
	}
	proc_terminate_group(p);
}

ssize_t
proc_write(struct proc *p, const char *data, size_t len)
{
	ssize_t n;

	if (!p->tty || p->fd < 0)
		return -1;
	if (p->pid == 0) {
		/* Not running yet: what is typed waits for it, as it would
		 * have had the program been slow to read. */
		strbuf_add(&p->typed, data, len);
		return (ssize_t)len;
	}
	do
		n = write(p->fd, data, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* A small /proc file, NUL-terminated: its length, or -1. */
static ssize_t
proc_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return r;
}

/* Is process pid, of group pgrp, asleep in a read of the terminal pts? */
static bool
proc_reads_tty(const char *pid, pid_t pgrp, const char *pts)
{
	char path[64], buf[512], link[128];
	const char *p;
	char state;
	long ppid, grp, nr;
	unsigned long fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	if (proc_read_small(path, buf, sizeof buf) < 0 ||
	    (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %ld %ld", &state, &ppid, &grp) != 3 ||
	    grp != (long)pgrp || state != 'S')
		return false;
	/* "NR ARG0 ...": the system call it is blocked in, its first
	 * argument (for read, the descriptor). */
	snprintf(path, sizeof path, "/proc/%s/syscall", pid);
	if (proc_read_small(path, buf, sizeof buf) < 0 ||
	    sscanf(buf, "%ld %lx", &nr, &fd) != 2 || nr != SYS_read)
		return false;
	snprintf(path, sizeof path, "/proc/%s/fd/%lu", pid, fd);
	n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(link, pts) == 0;
}

/* The most processes of a step's tree looked at: a prompt is near its
 * top, and a quiet step is looked at twice a second. */
#define PROC_TREE_MAX 256

/* Whether a process of the tree under the group's leader (the children
 * files of /proc, where the kernel has them) reads the terminal: 1, 0,
 * or -1 when the tree cannot be read. */
static int
proc_tree_reads_tty(pid_t fg, const char *pts)
{
	long queue[PROC_TREE_MAX];
	size_t head = 0, tail = 0;
	char path[64], buf[4096], pid[24];

	queue[tail++] = (long)fg;
	while (head < tail) {
		long at = queue[head++];
		char *s, *end;

		snprintf(pid, sizeof pid, "%ld", at);
		if (proc_reads_tty(pid, fg, pts))
			return 1;
		snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", at,
		    at);
		if (proc_read_small(path, buf, sizeof buf) < 0)
			return head == 1 ? -1 : 0;
		for (s = buf; tail < PROC_TREE_MAX; s = end) {
			long child = strtol(s, &end, 10);
			if (end == s)
				break;
			queue[tail++] = child;
		}
	}
	return 0;
}

bool
proc_waits_for_input(const struct proc *p)
{
	char pts[64];
	pid_t fg;
	DIR *d;
	struct dirent *e;
	bool waits = false;
	int tree;

	if (!p->tty || p->fd < 0 || p->pid <= 0 ||
	    ptsname_r(p->fd, pts, sizeof pts) != 0 ||
	    (fg = tcgetpgrp(p->fd)) <= 0)
		return false;
	/* From the group's leader down (a shell's read, mostly, or its
	 * child's); every process of the machine only where the kernel
	 * does not list children. */
	if ((tree = proc_tree_reads_tty(fg, pts)) >= 0)
		return tree == 1;
	if ((d = opendir("/proc")) == NULL)
		return false;
	while (!waits && (e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			waits = proc_reads_tty(e->d_name, fg, pts);
	closedir(d);
	return waits;
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
	if (p->held) {
		/* Never started: nothing to kill, nothing will come. */
		proc_destroy(p);
		return;
	}
	proc_close_fd(p);
	proc_close_in(p);
	if (!p->reaped) {
		/* Abandoned while running: nobody will wait for it, so no
		 * grace either. Freed when the keeper says it ended. */
		ev_timer_stop(EV_DEFAULT_UC_ &p->grace);
		p->kill_sent = true;
		p->detached = true;
		proc_signal(p, SIGKILL);
		return;
	}
	if (ev_is_active(&p->grace)) {
		/* Leftovers of a finished step are still being terminated;
		 * the grace timer frees the proc when it fires. */
		p->detached = true;
		return;
	}
	proc_destroy(p);
}

void
proc_shutdown(void)
{
	keeper_end(false);
	/* Nothing more will come from the keeper. */
	for (size_t i = 0; i < proc_n_slots; i++)
		if (proc_slots[i] != NULL && proc_slots[i]->detached)
			proc_destroy(proc_slots[i]);
}
