/* proc.h: one child process on the libev default loop. It runs in its own
 * process group (its own session under a pty), with stdin from /dev/null,
 * stdout and stderr on one non-blocking pipe (or a pty master), or, when
 * its stdout is wanted apart (a step that captures it), on two. The keeper
 * (keeper.h) starts and reaps it, so that nothing it leaves behind outlives
 * drove; drove reads its output. A proc is finished when its output
 * reached EOF and it was reaped, in either order; whatever it left running
 * in its group is then terminated, so a step never leaves orphans behind. */
#ifndef DROVE_PROC_H
#define DROVE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc;

struct proc_spec {
	const char *shell;    /* run as SHELL -c COMMAND ... */
	const char *command;  /* ... or exec'd directly when it has no shell
	                         syntax (as make does) */
	char *const *argv;    /* when not NULL: exec'd as it is, no shell
	                         (command is then only what to show) */
	const char *cwd;      /* NULL: inherit */
	char **env;           /* full environment (NULL-terminated), or NULL */
	bool tty;             /* pseudo-terminal instead of a pipe */
	unsigned short cols, rows; /* pty size; 0 = 80x24 */
	double kill_grace;    /* seconds between SIGTERM and SIGKILL */
	bool stdin_pipe;      /* stdin is a pipe drove holds open, never
	                         writes to, and closes first thing in
	                         proc_kill: the end of input is how an ssh
	                         step tells the remote side to stop (pipe
	                         procs only) */
	bool shared_output;   /* the child hands its output on to a process
	                         outside its group that closes it soon after
	                         the child exits (a multiplexed ssh gives its
	                         descriptors to the master, which may write
	                         the last bytes after the client is gone):
	                         read on to the end of the output after the
	                         exit (PROC_SHARED_EOF at most), not only
	                         what is there */
};

/* How long a shared output's end is waited for after the exit: a bound
 * for a session that never closes, not a wait anyone meets. */
#define PROC_SHARED_EOF 10.0

struct proc_callbacks {
	/* Bytes the child wrote (stdout and stderr interleaved). */
	void (*output)(void *arg, const char *data, size_t len);
	/* Optional, pipe procs only: when set, the child's stdout is a pipe
	 * of its own and its bytes come here instead of to output(), which
	 * then has stderr alone. The two pipes are read as they become
	 * readable, so their interleaving is as fine as the reads. */
	void (*stdout_data)(void *arg, const char *data, size_t len);
	/* The child is finished: status is a waitpid status, or -1 when it
	 * could not be started (the reason was sent through output()). */
	void (*exited)(void *arg, int status);
	/* Optional: the child runs now (the keeper started it, which may be
	 * a while after proc_start when many start at once). Not called for
	 * a child killed before it ran. */
	void (*started)(void *arg);
	void *arg;
};

/* Start a child. Never fails for reasons of the command itself (a missing
 * command exits 127 with the shell's message); returns NULL and sets
 * *err (caller frees) only if a pipe or the keeper fail (when the keeper
 * cannot fork, exited() gets -1 later, the reason through output()). The
 * proc is owned by the
 * caller, who calls proc_free after exited() (or to abandon it, which
 * kills the group at once). */
struct proc *proc_start(const struct proc_spec *spec,
    const struct proc_callbacks *cb, char **err);

/* Close the stdin pipe (if any), SIGTERM the process group now, SIGKILL
 * after the grace. Idempotent. */
void proc_kill(struct proc *p);
/* Write to the child's terminal (tty procs only). Returns bytes written
 * or -1. Never blocks. */
ssize_t proc_write(struct proc *p, const char *data, size_t len);
/* Whether a tty proc waits for the keyboard: a process of its terminal's
 * foreground group is blocked in a read of that terminal (Linux: its
 * /proc syscall and descriptor). False when it cannot be told. */
bool proc_waits_for_input(const struct proc *p);
/* Tell a tty proc its window size. */
void proc_resize(struct proc *p, unsigned short cols, unsigned short rows);
void proc_free(struct proc *p);

/* The last thing drove does: end the keeper, which terminates whatever
 * steps left behind outside their groups (SIGTERM, SIGKILL after the
 * grace), and wait for it. */
void proc_shutdown(void);

/* SIGKILL every process group drove still has alive. Async-signal-safe:
 * the fatal-signal handler calls it before re-raising. */
void proc_kill_all_now(void);

/* Raise the soft limit on open descriptors to the hard limit, once, at
 * start; steps get the limit drove was given. */
void proc_raise_fd_limit(void);
/* How many steps may run at once within the limit on open descriptors
 * (each holds a few of drove's). Should more be started anyway and run
 * short, they wait for a descriptor rather than fail. */
unsigned long proc_max_running(void);

/* Does COMMAND need a shell? (quotes, expansions, redirections, ...) */
bool proc_needs_shell(const char *command);

#endif
