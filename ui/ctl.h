/* ctl.h: the dashboard's state and what keys and the mouse do to it,
 * with no terminal involved: focus, zoom, grid or list, the overlay or
 * prompt in use, each pane's view, the message on the status bar, and
 * the calls to engine actions. The engine is reached through ctl_engine,
 * a table of functions (ncdu's interface style): ui.c backs it with a
 * struct run, the unit tests with a fake. */
#ifndef DROVE_CTL_H
#define DROVE_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "ansi.h"
#include "layout.h"
#include "run_view.h"
#include "view.h"

enum ctl_mode {
	CTL_NORMAL,
	CTL_HELP,            /* the key list is shown */
	CTL_CONFIRM_QUIT,    /* "quit? y/n" */
	CTL_CONFIRM,         /* an action that asks first (confirm_*) */
	CTL_SEARCH,          /* typing a search pattern */
	CTL_NOTE,            /* typing a note on the focused sequence */
	CTL_INPUT,           /* keys go to the focused tty step */
};

/* A key asked for the terminal to be lent to another program, which ui.c
 * does (ctl has no terminal). */
enum ctl_lend {
	CTL_LEND_NONE,
	CTL_LEND_EDIT,       /* the focused step's command in an editor */
	CTL_LEND_SHELL,      /* a shell where the sequence runs */
	CTL_LEND_PAGER,      /* the focused step's log in a pager */
	CTL_LEND_COPY,       /* a line to the terminal's clipboard */
};

enum ctl_mouse {
	CTL_CLICK,
	CTL_WHEEL_UP,
	CTL_WHEEL_DOWN,
};

#define CTL_WHEEL_LINES 3

struct ctl_engine {
	enum seq_state (*state)(void *arg, size_t i);
	/* Sequence i's name, as shown (a secret in it as ***): valid
	 * until the next call. */
	const char *(*name)(void *arg, size_t i);
	size_t (*n_steps)(void *arg, size_t i);
	/* Whether sequence i runs a step that reads keystrokes (tty). */
	bool (*takes_input)(void *arg, size_t i);
	/* Do `act` on sequence i: NULL when done, else why not. */
	const char *(*act)(void *arg, size_t i, enum run_action act);
	/* A note on sequence i: NULL when taken (or sent), else why not. */
	const char *(*note)(void *arg, size_t i, const char *text);
	/* Why `act` does not apply to sequence i now, or NULL. */
	const char *(*can)(void *arg, size_t i, enum run_action act);
	/* Keystrokes for sequence i's step: NULL when sent, else why not. */
	const char *(*input)(void *arg, size_t i, const char *data,
	    size_t len);
	/* The name of the step sequence i is at (stopped at, running), or
	 * NULL when it is at none. */
	const char *(*step_name)(void *arg, size_t i);
	/* How many sequences a quit would stop (running or paused). */
	size_t (*busy)(void *arg);
	/* The lines of sequence i. */
	void (*source)(void *arg, size_t i, struct view_source *src);
	/* Whether sequence i is a fan-out's placeholder that its sequences
	 * replaced (it grew): never shown. NULL: none is. */
	bool (*replaced)(void *arg, size_t i);
};

struct ctl {
	const struct ctl_engine *eng;
	void *arg;
	size_t n;

	size_t focus;
	bool zoom;
	enum layout_kind want;  /* GRID or LIST, as toggled */
	enum ctl_mode mode;
	struct layout lo;
	int width, height;
	unsigned layout_gen;    /* bumped when lo changes */

	struct view *views;     /* one per sequence */
	bool times;             /* show when each line arrived */
	bool hide_ok;           /* the sequences that finished ok are not
	                           shown (H) */
	size_t *shown;          /* scratch: the order being made (n) */
	/* Why nothing can be acted on (the review of a past run), or NULL.
	 * The engine refuses actions itself; this is for the keys that
	 * ctl answers alone (input). */
	const char *read_only;
	wchar_t prompt[VIEW_PATTERN_MAX]; /* the search or note being
	                                     typed */
	size_t prompt_len;
	char message[200];      /* for the status bar; "" for none */
	bool message_error;
	size_t help_top;        /* first help line shown */

	/* CTL_CONFIRM, CTL_CONFIRM_QUIT: the question (lines of the
	 * overlay); for CTL_CONFIRM, what each
	 * answer does: 'y' acts on confirm_all, 'o' on confirm_step (the
	 * sequences stopped at the focused one's step), when there are. */
	char confirm_text[3][160];
	enum run_action confirm_act;
	bool confirm_bulk;      /* else the focused sequence alone */
	size_t n_confirm_all, n_confirm_step;
	char confirm_step[96];  /* that step's name */

	enum ctl_lend lend;     /* asked for, for the focused sequence; ui.c
	                           clears it */

	bool quit;              /* the user asked to quit, and confirmed
	                           (ui.c clears it once acted on) */
	bool stopping;          /* a quit was acted on: the run stops, its
	                           cleanup may run (set by ui.c); a quit
	                           now cuts that short */
	bool detach;            /* the user asked to detach (d) */
	bool redraw;            /* repaint the whole terminal (Ctrl-L) */
	struct ansi_line scratch;
};

/* Owned by the caller; eng and arg are borrowed. */
struct ctl *ctl_create(size_t n, const struct ctl_engine *eng, void *arg);
void ctl_free(struct ctl *c);
/* The run has n sequences now (a fan-out made more): panes for them. */
void ctl_grow(struct ctl *c, size_t n);

/* The screen is w x h now. */
void ctl_resize(struct ctl *c, int w, int h);
/* A key (a character, or KEYS_FN(curses key)). Returns true when
 * something on the screen may have changed. */
bool ctl_key(struct ctl *c, int key);
/* A mouse event at (x, y). */
bool ctl_mouse(struct ctl *c, int x, int y, enum ctl_mouse what);
/* Something happened in the run: leave input mode if the step that took
 * it ended. */
void ctl_check(struct ctl *c);

void ctl_message(struct ctl *c, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Rows of output the focused pane shows. */
size_t ctl_page(const struct ctl *c);
/* Move the focus to sequence i. */
void ctl_focus(struct ctl *c, size_t i);

/* Bytes a terminal would send for key (input mode); returns the length
 * (0: nothing to send). buf holds at least 8 bytes. */
size_t ctl_key_bytes(int key, char *buf);

#endif
