/* ui.h: the ncurses dashboard. It is one more observer of the run (it
 * marks what changed and draws at most ~30 frames a second), plus libev
 * watchers for the keyboard, SIGWINCH and a clock. It reads engine state
 * and calls engine actions; the engine never calls into ui/. The same
 * dashboard shows a past run for `drove review` (opt->replay). main.c owns
 * the loop, signals and shutdown; the UI asks for a quit via opt->quit. */
#ifndef DROVE_UI_H
#define DROVE_UI_H

#include <stdbool.h>

#include <stddef.h>

#include "action.h"

struct replay;
struct run;
struct ui;

/* A run hosted by another process (drove attach): the dashboard shows
 * its replica, and what the operator does goes there. */
struct ui_remote {
	/* Do `act` on sequence i; the answer comes later (ui_message). */
	void (*act)(void *arg, size_t i, enum run_action act);
	/* e: retry sequence i's stopped step with `command`; the same. */
	void (*edit)(void *arg, size_t i, const char *command);
	/* $: ask how to open a shell where sequence i runs; the answer
	 * comes later (ui_shell_open). */
	void (*shell)(void *arg, size_t i);
	/* c: a note on sequence i; the answer comes later (ui_message). */
	void (*note)(void *arg, size_t i, const char *text);
	/* Keystrokes for sequence i's tty step: 0 sent, -1 not. */
	int (*input)(void *arg, size_t i, const char *data, size_t len);
	/* The size of the pane showing sequence i. */
	void (*resize)(void *arg, size_t i, unsigned short cols,
	    unsigned short rows);
	void *arg;
};

struct ui_options {
	bool exit_when_done;  /* call quit() once the run has settled */
	/* The review: the run is replay_run(replay), a past one, frozen.
	 * Panes show each sequence's complete output from its logs
	 * (replay_output) instead of the scrollback, and nothing acts.
	 * NULL for a live run. Borrowed: it must outlive the UI. */
	struct replay *replay;
	/* A live run's record directory, for v (the pager reads the step's
	 * log there), or NULL. Borrowed. */
	const char *run_dir;
	/* First on the status bar, e.g. "review 20261126-093800: failed,
	 * read only"; NULL for none. Borrowed. */
	const char *banner;
	/* The user asked to quit (and confirmed, if anything still ran).
	 * main stops every step and ends the loop. */
	void (*quit)(void *arg);
	/* The user pressed d: leave the run as it is. NULL: there is
	 * nothing to detach from (the run is this process's own). */
	void (*detach)(void *arg);
	void *arg;            /* for quit and detach */
	/* A run hosted elsewhere, or NULL. Borrowed. */
	const struct ui_remote *remote;
	/* A warning that stays on the status bar for as long as it returns
	 * one (e.g. the record is incomplete: the disk is full), or NULL.
	 * Asked at every redraw of the bar. */
	const char *(*warning)(void *warning_arg);
	void *warning_arg;
};

/* Take over the terminal (stdin/stdout must be a tty), register as an
 * observer of `run` and start the watchers on EV_DEFAULT. Returns NULL and
 * sets *err (caller frees) if the terminal cannot be used. */
struct ui *ui_create(struct run *run, const struct ui_options *opt,
    char **err);
/* Say text on the status bar (an error in its colour). */
void ui_message(struct ui *ui, bool error, const char *text);
/* $: lend the terminal to a shell for sequence i: argv (ssh to host), or
 * when NULL the shell of env ($SHELL) in cwd; why: it cannot open (said
 * on the status bar). Everything is copied or used at once. */
void ui_shell_open(struct ui *ui, size_t i, const char *why,
    const char *host, char *const argv[], const char *cwd,
    char *const env[]);
/* Stop the watchers and restore the terminal. NULL is a no-op. */
void ui_free(struct ui *ui);
/* Restore the terminal from a fatal-signal handler (best effort). */
void ui_emergency_restore(void);
/* The curses library the UI runs on, e.g. "ncurses 6.4.20221231" (for
 * drove --version). Static storage. */
const char *ui_curses_version(void);

#endif
