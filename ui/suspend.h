/* suspend.h: lending the terminal to an interactive program (an editor,
 * a shell, a pager) while the run goes on. The program runs in a process
 * group of its own, made the terminal's foreground group as a shell does
 * for a job, so Ctrl-C and Ctrl-Z reach it and not drove; the loop keeps
 * turning (steps are read and logged meanwhile), and the terminal comes
 * back to drove when the program exits. The caller leaves curses first
 * and comes back to it in `done`. */
#ifndef DROVE_SUSPEND_H
#define DROVE_SUSPEND_H

struct suspend;

/* status: a waitpid status. */
typedef void suspend_done_fn(void *arg, int status);

/* Start argv (argv[0] looked up in PATH) in cwd (NULL: drove's own) with
 * env (NULL: drove's own), on the terminal of stdin. done(arg, status) is
 * called once from the loop when it has exited, after the terminal is
 * drove's again; the suspend is freed then. Returns NULL and *err (caller
 * frees) when it cannot start. */
struct suspend *suspend_start(char *const argv[], const char *cwd,
    char *const env[], suspend_done_fn *done, void *arg, char **err);

#endif
