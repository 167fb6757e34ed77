/* ui.c: the dashboard's life: the terminal, the run observer, the libev
 * watchers (keyboard, SIGWINCH, frame and clock timers) and the frame
 * that pushes dirty parts to the screen. Nothing is drawn from an event:
 * events mark parts dirty and start the frame timer, which draws at most
 * UI_FPS times a second and only what changed. */
#include <curses.h>

#include "ui.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "ctl.h"
#include "debug.h"
#include "draw.h"
#include "keys.h"
#include "replay.h"
#include "run.h"
#include "runread.h"
#include "secret.h"
#include "strbuf.h"
#include "suspend.h"
#include "xmalloc.h"

#define UI_FPS 30

enum {
	UI_DIRTY_TITLE = 0x1,
	UI_DIRTY_BODY = 0x2,
	UI_DIRTY_CLOCK = 0x4,   /* only time went by: its elapsed time */
};

struct ui_pane {
	unsigned dirty;
	bool belled;         /* rang for the pause it is in */
};

struct ui {
	struct run *run;
	char *name_shown;       /* ui_eng_name's last redacted name; owned */
	struct ui_options opt;
	SCREEN *screen;
	struct ctl *ctl;
	struct draw draw;
	struct ui_pane *panes;
	size_t n;

	bool dirty_all;      /* the layout changed, or an overlay closed */
	bool dirty_status;
	bool bell;           /* ring at the next frame */
	unsigned layout_gen; /* of ctl's layout when last drawn */
	bool overlay_shown;
	WINDOW *overlay;
	bool raw;            /* input mode: raw(), keys reach the step */
	bool quit_asked;     /* opt->quit was called */
	bool done_pending;   /* exit_when_done: quit after the next frame */
	bool lent;           /* the terminal is another program's: draw
	                        nothing, read no key */
	size_t lent_seq;     /* the sequence it was lent for */
	char *edit_file;     /* CTL_LEND_EDIT: the command's file (owned) */
	char *edit_before;   /* and the command as it was (owned) */
	double last_frame;

	ev_io input;
	ev_signal winch;
	ev_timer frame;
	ev_timer clock;
};

/* One dashboard per process: curses is global anyway. */
static struct ui *ui_current;

/* For ui_emergency_restore: prepared at ui_create, used from a signal
 * handler, so only plain data and async-signal-safe calls. */
static volatile sig_atomic_t ui_term_active;
static struct termios ui_saved_termios;
static char ui_restore_seq[256];
static size_t ui_restore_len;

static void ui_schedule(struct ui *ui);
static void ui_edit(struct ui *ui, size_t i);
static void ui_shell(struct ui *ui, size_t i);
static void ui_pager(struct ui *ui, size_t i);
static void ui_copy(struct ui *ui, size_t i);

/* --- the engine, as ctl sees it ---------------------------------------- */

static enum seq_state
ui_eng_state(void *arg, size_t i)
{
	struct ui *ui = arg;

	return run_seq(ui->run, i)->state;
}

static const char *
ui_eng_name(void *arg, size_t i)
{
	struct ui *ui = arg;
	const char *name = run_seq(ui->run, i)->name;
	char *shown;
	size_t len;

	/* A name made from a secret: *** (valid until the next call). */
	if (!secret_any() ||
	    (shown = secret_redact(name, strlen(name), &len)) == NULL)
		return name;
	free(ui->name_shown);
	ui->name_shown = shown;
	return shown;
}

static size_t
ui_eng_n_steps(void *arg, size_t i)
{
	struct ui *ui = arg;

	return run_seq(ui->run, i)->n_all;
}

static bool
ui_eng_takes_input(void *arg, size_t i)
{
	struct ui *ui = arg;
	const struct run_seq *seq = run_seq(ui->run, i);
	const struct run_step *st;

	if (seq->state != SEQ_RUNNING || seq->current >= seq->n_all)
		return false;
	st = &seq->steps[seq->current];
	return st->status == STEP_RUNNING && st->tty;
}

static const char *
ui_eng_act(void *arg, size_t i, enum run_action act)
{
	struct ui *ui = arg;

	if (ui->opt.remote != NULL) {
		/* Its server answers, and ui_message says it. */
		ui->opt.remote->act(ui->opt.remote->arg, i, act);
		return NULL;
	}
	return run_act(ui->run, i, act);
}

/* e's edited command for sequence i: NULL when taken (or, for a run
 * elsewhere, sent: its server answers), else why not. */
static const char *
ui_eng_edit(struct ui *ui, size_t i, const char *command)
{
	if (ui->opt.remote != NULL) {
		ui->opt.remote->edit(ui->opt.remote->arg, i, command);
		return NULL;
	}
	return run_edit_by(ui->run, i, command, NULL);
}

static const char *
ui_eng_note(void *arg, size_t i, const char *text)
{
	struct ui *ui = arg;

	if (ui->opt.remote != NULL) {
		ui->opt.remote->note(ui->opt.remote->arg, i, text);
		return NULL;
	}
	return run_note_by(ui->run, i, text, NULL);
}

static const char *
ui_eng_can(void *arg, size_t i, enum run_action act)
{
	struct ui *ui = arg;
	const struct run_seq *seq;

	if (ui->opt.remote == NULL)
		return run_can(ui->run, i, act);
	/* A replica cannot tell everything its server can: enough for p to
	 * choose between pause and resume; the server judges the rest. */
	seq = run_seq(ui->run, i);
	switch (act) {
	case RUN_ACT_RESUME:
		return seq->state == SEQ_PAUSED &&
		    seq->pause != RUN_PAUSE_FAILURE ? NULL :
		    "not held";
	case RUN_ACT_RELEASE:
		return seq->state == SEQ_RUNNING && seq->hold ? NULL :
		    "no hold";
	case RUN_ACT_ABORT:
		/* a asks first: not for what the server would refuse. */
		return seq_state_over(seq->state) ? "the sequence is over" :
		    NULL;
	case RUN_ACT_EDIT:
	case RUN_ACT_MARK:
		/* e opens an editor: not for a step the server would
		 * refuse to run again. */
		if (seq->current >= seq->n_all || !(seq_state_failed(seq->state) ||
		    (seq->state == SEQ_PAUSED &&
		    seq->pause == RUN_PAUSE_FAILURE) ||
		    (seq->state == SEQ_ABORTED && seq->started > 0)))
			return "no failed or paused step";
		return act == RUN_ACT_EDIT &&
		    seq->steps[seq->current].command == NULL ?
		    "only a command can be edited" : NULL;
	default:
		return NULL;
	}
}

static const char *
ui_eng_input(void *arg, size_t i, const char *data, size_t len)
{
	struct ui *ui = arg;

	if (ui->opt.remote != NULL ?
	    ui->opt.remote->input(ui->opt.remote->arg, i, data, len) < 0 :
	    run_write_input(ui->run, i, data, len) < 0)
		return "the step does not take input";
	return NULL;
}

static const char *
ui_eng_step_name(void *arg, size_t i)
{
	struct ui *ui = arg;
	const struct run_seq *seq = run_seq(ui->run, i);

	if (seq->current >= seq->n_all)
		return NULL;
	return seq->steps[seq->current].name;
}

static size_t
ui_eng_busy(void *arg)
{
	struct ui *ui = arg;
	size_t busy = 0;

	/* A past run: nothing to stop, quitting needs no confirmation. */
	if (ui->opt.replay != NULL || run_settled(ui->run))
		return 0;
	for (size_t i = 0; i < ui->n; i++) {
		enum seq_state st = run_seq(ui->run, i)->state;
		if (run_seq(ui->run, i)->grown)
			continue;       /* its sequences are counted */
		if (st == SEQ_WAITING || st == SEQ_RUNNING || st == SEQ_PAUSED)
			busy++;
	}
	return busy;
}

static void
ui_eng_source(void *arg, size_t i, struct view_source *src)
{
	struct ui *ui = arg;

	/* A past run: everything its logs hold, not a scrollback's worth.
	 * Indexed the first time the pane is drawn or searched. */
	if (ui->opt.replay != NULL)
		view_source_logidx(src, replay_output(ui->opt.replay, i));
	else
		view_source_outbuf(src, run_seq(ui->run, i)->out);
}

static bool
ui_eng_replaced(void *arg, size_t i)
{
	struct ui *ui = arg;

	return run_seq(ui->run, i)->grown;
}

static const struct ctl_engine ui_engine = {
	.state = ui_eng_state,
	.name = ui_eng_name,
	.n_steps = ui_eng_n_steps,
	.takes_input = ui_eng_takes_input,
	.act = ui_eng_act,
	.can = ui_eng_can,
	.note = ui_eng_note,
	.input = ui_eng_input,
	.step_name = ui_eng_step_name,
	.busy = ui_eng_busy,
	.source = ui_eng_source,
	.replaced = ui_eng_replaced,
};

/* --- drawing ----------------------------------------------------------- */

static void
ui_draw_pane(struct ui *ui, size_t i, unsigned what)
{
	const struct layout *lo = &ui->ctl->lo;
	bool focused = i == ui->ctl->focus;
	struct layout_rect title, body;

	switch (lo->kind) {
	case LAYOUT_GRID:
		layout_split(&lo->cells[i], &title, &body);
		if (what & UI_DIRTY_TITLE)
			draw_title(&ui->draw, i, &title, focused);
		if (what & UI_DIRTY_BODY)
			draw_body(&ui->draw, i, &body);
		break;
	case LAYOUT_LIST:
		if ((what & (UI_DIRTY_TITLE | UI_DIRTY_CLOCK)) &&
		    lo->slot[i] >= lo->list_first &&
		    lo->slot[i] < lo->list_first + (size_t)lo->list.h &&
		    lo->slot[i] < lo->n_shown) {
			size_t k = lo->slot[i] - lo->list_first;
			struct layout_rect row = { lo->list.x, lo->list.y +
				(int)k, lo->list.w, 1 };
			if (what & UI_DIRTY_TITLE)
				draw_list_row(&ui->draw, i, k, &row, focused);
			else
				draw_list_clock(&ui->draw, i, k, &row,
				    focused);
		}
		if (what & UI_DIRTY_CLOCK)
			what |= UI_DIRTY_TITLE;   /* the focused one's title */
		/* FALLTHROUGH */
	case LAYOUT_ZOOM:
		if (!focused)
			break;
		if (what & UI_DIRTY_TITLE) {
			draw_title(&ui->draw, i, &lo->title, false);
			if (lo->kind == LAYOUT_ZOOM)
				draw_steps(&ui->draw, i, &lo->steps);
		}
		if (what & UI_DIRTY_BODY)
			draw_body(&ui->draw, i, &lo->body);
		break;
	}
}

/* A tty step gets the size of the pane that shows it (the list and zoom
 * show one pane: the others keep the size they had). */
static void
ui_resize_ttys(struct ui *ui)
{
	const struct layout *lo = &ui->ctl->lo;
	struct layout_rect title, body;

	for (size_t i = 0; i < ui->n; i++) {
		if (lo->kind == LAYOUT_GRID)
			layout_split(&lo->cells[i], &title, &body);
		else if (i == ui->ctl->focus)
			body = lo->body;
		else
			continue;
		/* As draw_body: the time column takes its share. */
		if (ui->ctl->times && body.w >= 2 * VIEW_TIME_COLS)
			body.w -= VIEW_TIME_COLS;
		if (body.w <= 0 || body.h <= 0)
			continue;
		if (ui->opt.remote != NULL)
			ui->opt.remote->resize(ui->opt.remote->arg, i,
			    (unsigned short)body.w, (unsigned short)body.h);
		else
			run_resize_tty(ui->run, i, (unsigned short)body.w,
			    (unsigned short)body.h);
	}
}

/* The CPU time this thread has used, in milliseconds. */
static double
ui_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
ui_draw(struct ui *ui)
{
	struct ctl *c = ui->ctl;
	/* With DROVE_DEBUG, what each frame cost (bench/panes.sh reads it):
	 * a frame's work must follow what is on the screen, not the size
	 * of the run. */
	double t0 = debug_enabled() ? ui_cpu_ms() : 0;
	size_t drawn = 0;
	bool overlay = c->mode == CTL_HELP || c->mode == CTL_CONFIRM_QUIT ||
	    c->mode == CTL_CONFIRM;
	/* An overlay that closes uncovers what was under it. */
	bool all = ui->dirty_all || c->layout_gen != ui->layout_gen ||
	    c->redraw || (ui->overlay_shown && !overlay);

	ui->draw.now = ev_now(EV_DEFAULT);
	if (c->redraw) {
		clearok(curscr, TRUE);
		c->redraw = false;
	}
	if (c->layout_gen != ui->layout_gen)
		ui_resize_ttys(ui);
	if (all) {
		erase();
		draw_separators(&ui->draw);
		if (c->lo.kind == LAYOUT_LIST)
			draw_list(&ui->draw, &c->lo.list);
	}
	for (size_t i = 0; i < ui->n; i++) {
		unsigned what = all ? UI_DIRTY_TITLE | UI_DIRTY_BODY :
		    ui->panes[i].dirty;
		if (what != 0) {
			ui_draw_pane(ui, i, what);
			drawn++;
		}
		ui->panes[i].dirty = 0;
	}
	if (all || ui->dirty_status)
		draw_status(&ui->draw, &c->lo.status);
	wnoutrefresh(stdscr);
	ui->overlay_shown = draw_overlay(&ui->draw, &ui->overlay);
	if (ui->overlay_shown) {
		/* stdscr may have been copied over it: copy it again. */
		touchwin(ui->overlay);
		wnoutrefresh(ui->overlay);
	}
	if (ui->bell) {
		beep();
		ui->bell = false;
	}
	doupdate();
	ui->dirty_all = false;
	ui->dirty_status = false;
	ui->layout_gen = c->layout_gen;
	ui->last_frame = ev_time();
	DEBUG_LOG("frame: %.3f ms of CPU, %zu of %zu panes marked%s",
	    ui_cpu_ms() - t0, drawn, ui->n, all ? ", all redrawn" : "");
}

static void
ui_frame_cb(EV_P_ ev_timer *w, int revents)
{
	struct ui *ui = w->data;

	(void)EV_A;
	(void)revents;
	if (ui->lent)
		return;
	ui_draw(ui);
	if (ui->done_pending && !ui->quit_asked) {
		ui->quit_asked = true;
		ui->opt.quit(ui->opt.arg);
	}
}

/* Draw soon: right away when the last frame is old enough, else when it
 * will be; an already scheduled frame covers everything marked since. */
static void
ui_schedule(struct ui *ui)
{
	double wait;

	if (ev_is_active(&ui->frame))
		return;
	wait = ui->last_frame + 1. / UI_FPS - ev_time();
	if (wait < 0)
		wait = 0;
	ev_timer_set(&ui->frame, wait, 0.);
	ev_timer_start(EV_DEFAULT_ &ui->frame);
}

static void
ui_dirty(struct ui *ui, size_t i, unsigned what)
{
	if (i < ui->n)
		ui->panes[i].dirty |= what;
	ui_schedule(ui);
}

static void
ui_dirty_all(struct ui *ui)
{
	ui->dirty_all = true;
	ui_schedule(ui);
}

/* --- clock ------------------------------------------------------------- */

static bool
ui_anything_runs(const struct ui *ui)
{
	for (size_t i = 0; i < ui->n; i++) {
		enum seq_state st = run_seq(ui->run, i)->state;
		/* A sequence waiting for the operator is part of the run:
		 * its clock goes on. */
		if (st == SEQ_RUNNING || st == SEQ_PAUSED)
			return true;
	}
	return false;
}

/* The clock ticks only while something runs or waits for the operator:
 * a finished dashboard sleeps. */
static void
ui_clock_update(struct ui *ui)
{
	bool runs = ui_anything_runs(ui);

	if (runs && !ev_is_active(&ui->clock)) {
		ev_timer_set(&ui->clock, 1., 1.);
		ev_timer_start(EV_DEFAULT_ &ui->clock);
	} else if (!runs && ev_is_active(&ui->clock))
		ev_timer_stop(EV_DEFAULT_ &ui->clock);
}

static void
ui_clock_cb(EV_P_ ev_timer *w, int revents)
{
	struct ui *ui = w->data;
	const struct layout *lo = &ui->ctl->lo;

	(void)EV_A;
	(void)revents;
	if (lo->kind == LAYOUT_LIST) {
		/* The rows in view, and the focused one (its title above
		 * its output): a thousand sequences cost what fifty do. */
		for (size_t k = lo->list_first; k < lo->n_shown &&
		    k < lo->list_first + (size_t)lo->list.h; k++) {
			size_t i = layout_at(lo, k);
			if (i < ui->n &&
			    run_seq(ui->run, i)->state == SEQ_RUNNING)
				ui->panes[i].dirty |= UI_DIRTY_CLOCK;
		}
		if (ui->ctl->focus < ui->n &&
		    run_seq(ui->run, ui->ctl->focus)->state == SEQ_RUNNING)
			ui->panes[ui->ctl->focus].dirty |= UI_DIRTY_CLOCK;
	} else
		for (size_t i = 0; i < ui->n; i++)
			if (run_seq(ui->run, i)->state == SEQ_RUNNING)
				ui->panes[i].dirty |= UI_DIRTY_TITLE;
	ui->dirty_status = true;
	ui_schedule(ui);
	ui_clock_update(ui);
}

/* --- the run ----------------------------------------------------------- */

/* A fan-out made sequences: a pane each, laid out anew. */
static void
ui_grow(struct ui *ui)
{
	size_t n = run_seq_count(ui->run);

	ui->panes = xrealloc(ui->panes, n * sizeof *ui->panes);
	memset(&ui->panes[ui->n], 0, (n - ui->n) * sizeof *ui->panes);
	ui->n = n;
	ctl_grow(ui->ctl, n);
	ui_resize_ttys(ui);
	ui_dirty_all(ui);
}

static void
ui_observe(void *arg, struct run *run, const struct run_event *ev)
{
	struct ui *ui = arg;
	const struct run_seq *seq;

	(void)run;
	switch (ev->type) {
	case RUN_EV_OUTPUT:
	case RUN_EV_LINE:
		/* The hot path: a flag, and a timer start at most. A
		 * scrolled pane's title counts the lines below its view. */
		ui->panes[ev->seq].dirty |= UI_DIRTY_BODY |
		    (ui->ctl->views[ev->seq].follow ? 0 : UI_DIRTY_TITLE);
		if (!ev_is_active(&ui->frame))
			ui_schedule(ui);
		return;
	case RUN_EV_SEQ:
	case RUN_EV_STEP_START:
	case RUN_EV_STEP_END:
	case RUN_EV_ACTION:
		seq = run_seq(ui->run, ev->seq);
		if (seq->state == SEQ_PAUSED &&
		    seq->pause == RUN_PAUSE_FAILURE) {
			if (!ui->panes[ev->seq].belled)
				ui->bell = true;
			ui->panes[ev->seq].belled = true;
		} else
			ui->panes[ev->seq].belled = false;
		ui->dirty_status = true;
		ui_dirty(ui, ev->seq, UI_DIRTY_TITLE);
		ctl_check(ui->ctl);
		break;
	case RUN_EV_NOTICE:
		if (ev->text != NULL && ev->seq < ui->n) {
			ctl_message(ui->ctl, false, "%s: %s",
			    run_seq(ui->run, ev->seq)->name, ev->text);
			ui->dirty_status = true;
			ui_schedule(ui);
		}
		break;
	case RUN_EV_IDLE:
		ui->dirty_status = true;
		if (ui->opt.exit_when_done && run_settled(ui->run) &&
		    !ui->done_pending) {
			/* The last frame, and out: not a frame's time later
			 * (a script waits for it). */
			ui->done_pending = true;
			ev_timer_stop(EV_DEFAULT_ &ui->frame);
			ev_timer_set(&ui->frame, 0., 0.);
			ev_timer_start(EV_DEFAULT_ &ui->frame);
			break;
		}
		ui_schedule(ui);
		break;
	case RUN_EV_GROW:
		ui_grow(ui);
		break;
	case RUN_EV_START:
	case RUN_EV_END:
		ui_dirty_all(ui);
		break;
	case RUN_EV_CAPTURE:    /* its stdout was shown as it came */
		break;
	}
	ui_clock_update(ui);
}

/* --- keyboard and mouse ------------------------------------------------ */

static void
ui_mouse(struct ui *ui)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
		ctl_mouse(ui->ctl, me.x, me.y, CTL_CLICK);
	else if (me.bstate & BUTTON4_PRESSED)
		ctl_mouse(ui->ctl, me.x, me.y, CTL_WHEEL_UP);
#ifdef BUTTON5_PRESSED
	else if (me.bstate & BUTTON5_PRESSED)
		ctl_mouse(ui->ctl, me.x, me.y, CTL_WHEEL_DOWN);
#endif
}

static void
ui_input_cb(EV_P_ ev_io *w, int revents)
{
	struct ui *ui = w->data;
	wint_t wc;
	int r, n = 0;

	(void)EV_A;
	(void)revents;
	/* Drain everything typed (a paste, a burst of wheel events). */
	while ((r = wget_wch(stdscr, &wc)) != ERR) {
		if (r == KEY_CODE_YES) {
			if (wc == KEY_RESIZE)
				continue;    /* SIGWINCH does it */
			if (wc == KEY_MOUSE)
				ui_mouse(ui);
			else
				ctl_key(ui->ctl, KEYS_FN((int)wc));
		} else
			ctl_key(ui->ctl, (int)wc);
		if (++n > 4096 || ui->ctl->quit)
			break;
	}
	/* Input mode gets Ctrl-C and friends as keys for the step. */
	if ((ui->ctl->mode == CTL_INPUT) != ui->raw) {
		ui->raw = ui->ctl->mode == CTL_INPUT;
		if (ui->raw)
			raw();
		else {
			noraw();
			cbreak();
		}
	}
	ui_dirty_all(ui);
	if (ui->ctl->detach) {
		ui->ctl->detach = false;
		/* During a stop too: the stop goes on without us. */
		if (ui->opt.detach != NULL)
			ui->opt.detach(ui->opt.arg);
		else
			ctl_message(ui->ctl, true, "detach: %s",
			    ui->ctl->read_only ? ui->ctl->read_only :
			    "this drove runs the run itself (drove -d, then "
			    "drove attach, for a run that outlives it)");
	}
	if (ui->ctl->lend != CTL_LEND_NONE) {
		enum ctl_lend what = ui->ctl->lend;
		ui->ctl->lend = CTL_LEND_NONE;
		if (what == CTL_LEND_EDIT)
			ui_edit(ui, ui->ctl->focus);
		else if (what == CTL_LEND_SHELL)
			ui_shell(ui, ui->ctl->focus);
		else if (what == CTL_LEND_PAGER)
			ui_pager(ui, ui->ctl->focus);
		else if (what == CTL_LEND_COPY)
			ui_copy(ui, ui->ctl->focus);
		return;
	}
	if (ui->ctl->quit && !ui->quit_asked) {
		ui->quit_asked = true;
		ui->ctl->quit = false;
		/* From now on a quit asks whether to cut the stop short. */
		ui->ctl->stopping = !run_settled(ui->run);
		/* Steps get kill_grace to go: say why the screen lingers. */
		if (!run_settled(ui->run))
			ctl_message(ui->ctl, false, "stopping every step "
			    "(SIGTERM, then SIGKILL after %gs)...",
			    run_config(ui->run)->kill_grace);
		ui->opt.quit(ui->opt.arg);
		ui_schedule(ui);
	} else if (ui->ctl->quit) {
		/* Asked again, and confirmed, while the run stops: as a
		 * second Ctrl-C, no more grace and no more cleanup. */
		ui->ctl->quit = false;
		ctl_message(ui->ctl, false, "killing every step now, cleanup "
		    "included...");
		ui->opt.quit(ui->opt.arg);
		ui_schedule(ui);
	}
}

void
ui_message(struct ui *ui, bool error, const char *text)
{
	ctl_message(ui->ctl, error, "%s", text);
	ui->dirty_status = true;
	ui_schedule(ui);
}

/* --- lending the terminal (e, $, v) ------------------------------------ */

static void
ui_take_back(struct ui *ui)
{
	ui->lent = false;
	reset_prog_mode();
	clearok(curscr, TRUE);
	ev_io_start(EV_DEFAULT_ &ui->input);
	ui_dirty_all(ui);
}

/* Lend the terminal to argv; done(ui, status) once it is back. banner
 * (NULL: none): a line said first on a clear screen, where the program
 * runs (a shell's prompt alone does not say it). */
static bool
ui_lend(struct ui *ui, char *const argv[], const char *cwd,
    char *const env[], suspend_done_fn *done, const char *banner)
{
	char *err = NULL, *clear;

	def_prog_mode();
	endwin();
	if (banner != NULL) {
		clear = tigetstr("clear");
		if (clear != NULL && clear != (char *)-1)
			fputs(clear, stdout);
		printf("%s\r\n", banner);
		fflush(stdout);
	}
	ev_io_stop(EV_DEFAULT_ &ui->input);
	ui->lent = true;
	if (suspend_start(argv, cwd, env, done, ui, &err) == NULL) {
		ui_take_back(ui);
		ctl_message(ui->ctl, true, "cannot start %s: %s", argv[0], err);
		free(err);
		return false;
	}
	return true;
}

/* Read back the edited command: the file without its trailing newlines.
 * NULL when it cannot be read. */
static char *
ui_read_command(const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		buf = xreallocarray_grow(buf, &cap, len + 4096, 1);
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

/* The file was written with the command and a newline, and is read back
 * without its trailing newlines: a command that ends in one (a YAML block,
 * `run: |`) is unchanged if it differs only there. */
static bool
ui_same_command(const char *edited, const char *before)
{
	size_t n = strlen(edited), m = strlen(before);

	while (m > 0 && (before[m - 1] == '\n' || before[m - 1] == '\r'))
		m--;
	return n == m && memcmp(edited, before, n) == 0;
}

static void
ui_edit_done(void *arg, int status)
{
	struct ui *ui = arg;
	const char *name = run_seq(ui->run, ui->lent_seq)->name, *why;
	char *cmd;

	ui_take_back(ui);
	cmd = ui_read_command(ui->edit_file);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		ctl_message(ui->ctl, true, "the editor exited %d: nothing "
		    "retried (edit %s)", WEXITSTATUS(status), name);
	else if (WIFSIGNALED(status))
		ctl_message(ui->ctl, true, "the editor was killed by signal "
		    "%d: nothing retried (edit %s)", WTERMSIG(status), name);
	else if (status != 0)
		ctl_message(ui->ctl, true, "the editor failed: nothing retried "
		    "(edit %s)", name);
	else if (cmd == NULL)
		ctl_message(ui->ctl, true, "the edited command cannot be read: "
		    "nothing retried (edit %s)", name);
	else if (ui_same_command(cmd, ui->edit_before))
		ctl_message(ui->ctl, false, "the command is unchanged: nothing "
		    "retried (edit %s)", name);
	else if ((why = ui_eng_edit(ui, ui->lent_seq, cmd)) != NULL)
		ctl_message(ui->ctl, true, "%s (edit %s)", why, name);
	else
		ctl_message(ui->ctl, false, "retried %s with the edited "
		    "command", name);
	unlink(ui->edit_file);
	free(ui->edit_file);
	free(ui->edit_before);
	ui->edit_file = ui->edit_before = NULL;
	free(cmd);
	ui_schedule(ui);
}

/* e: the stopped step's command in $VISUAL or $EDITOR (vi without
 * either), in a private file; saved changed, it is the next attempt's. */
static void
ui_edit(struct ui *ui, size_t i)
{
	const struct run_seq *seq = run_seq(ui->run, i);
	const char *tmp = getenv("TMPDIR");
	const char *cmd = seq->current < seq->n_all ?
	    seq->steps[seq->current].command : NULL;
	char *path = xasprintf("%s/drove-edit-XXXXXX.sh",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	const char *editor = getenv("VISUAL");
	char sh[] = "sh", c[] = "-c", name[] = "drove-edit";
	char *script, *argv[] = { sh, c, NULL, name, path, NULL };
	int fd;

	/* As git runs it: the variable is shell text ("code --wait", a
	 * path with spaces quoted), the file its last argument. */
	if (editor == NULL || editor[0] == '\0')
		editor = getenv("EDITOR");
	if (editor == NULL || editor[0] == '\0')
		editor = "vi";
	argv[2] = script = xasprintf("%s \"$@\"", editor);

	if (cmd == NULL) {
		ctl_message(ui->ctl, true, "only a command can be edited "
		    "(edit %s)", seq->name);
		free(script);
		free(path);
		return;
	}
	fd = mkstemps(path, 3);
	if (fd < 0 || write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
		ctl_message(ui->ctl, true, "edit: cannot write %s: %s", path,
		    strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(script);
		free(path);
		return;
	}
	close(fd);
	ui->edit_file = path;
	ui->edit_before = xstrdup(cmd);
	ui->lent_seq = i;
	if (!ui_lend(ui, argv, NULL, NULL, ui_edit_done, NULL)) {
		unlink(path);
		free(ui->edit_file);
		free(ui->edit_before);
		ui->edit_file = ui->edit_before = NULL;
	}
	free(script);
}

static void
ui_shell_done(void *arg, int status)
{
	struct ui *ui = arg;

	(void)status;
	ui_take_back(ui);
	ctl_message(ui->ctl, false, "back from the shell for %s",
	    run_seq(ui->run, ui->lent_seq)->name);
	ui_schedule(ui);
}

/* Where the shell of sequence i is: on its host, else in cwd (NULL:
 * drove's own directory); at which step. Caller frees. */
static char *
ui_shell_banner(struct ui *ui, size_t i, const char *host, const char *cwd)
{
	const struct run_seq *seq = run_seq(ui->run, i);
	char *here = cwd == NULL ? getcwd(NULL, 0) : NULL, *text;
	const char *where = host != NULL && host[0] != '\0' ? host :
	    cwd != NULL ? cwd : here != NULL ? here : ".";
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "drove: shell %s %s (sequence %s",
	    host != NULL && host[0] != '\0' ? "on" : "in", where, seq->name);
	if (seq->current < seq->n_steps)
		strbuf_printf(&sb, ", step %zu %s", seq->current + 1,
		    seq->steps[seq->current].name);
	else if (seq->current < seq->n_all)
		strbuf_printf(&sb, ", step %s", seq->steps[seq->current].name);
	strbuf_puts(&sb, "); exit to return to the dashboard");
	free(here);
	text = strbuf_detach(&sb);
	return text;
}

void
ui_shell_open(struct ui *ui, size_t i, const char *why, const char *host,
    char *const argv[], const char *cwd, char *const env[])
{
	char sh[] = "sh", c[] = "-c", name[] = "drove-shell";
	char script[] = "exec \"${SHELL:-/bin/sh}\"";
	char *const here[] = { sh, c, script, name, NULL };
	char *banner;

	if (i >= ui->n)
		return;
	if (why != NULL) {
		ctl_message(ui->ctl, true, "%s (shell %s)", why,
		    run_seq(ui->run, i)->name);
		ui->dirty_status = true;
		ui_schedule(ui);
		return;
	}
	if (ui->lent)
		return;     /* another program has the terminal */
	ui->lent_seq = i;
	banner = ui_shell_banner(ui, i, host, argv != NULL ? NULL : cwd);
	ui_lend(ui, argv != NULL ? argv : here, argv != NULL ? NULL : cwd,
	    env, ui_shell_done, banner);
	free(banner);
	ui_schedule(ui);
}

/* The host sequence i runs on; NULL for none. */
static const char *
ui_seq_host(struct ui *ui, size_t i)
{
	const struct config *cfg = run_config(ui->run);

	return i < cfg->n_seqs && cfg->seqs[i].host >= 0 ?
	    cfg->hosts[cfg->seqs[i].host].name : NULL;
}

/* $: a shell where the sequence runs; the run records it. */
static void
ui_shell(struct ui *ui, size_t i)
{
	char **argv, **env, *cwd;
	const char *why;

	if (ui->opt.remote != NULL) {
		/* Its server says how (SHELL_AT): ui_shell_open. */
		ui->opt.remote->shell(ui->opt.remote->arg, i);
		return;
	}
	why = run_shell_by(ui->run, i, NULL, &argv, &cwd, &env);
	ui_shell_open(ui, i, why, why == NULL ? ui_seq_host(ui, i) : NULL,
	    argv, cwd, env);
	xstrv_free(argv);
	xstrv_free(env);
	free(cwd);
}

static void
ui_pager_done(void *arg, int status)
{
	struct ui *ui = arg;

	(void)status;
	ui_take_back(ui);
	ui_schedule(ui);
}

/* The log of the step sequence i is at (or the last one that started),
 * its last attempt's, from the record: a path, or NULL. */
static char *
ui_log_path(const struct rr_run *rec, size_t i, size_t current)
{
	const struct rr_seq *rs;
	size_t k;

	if (rec == NULL || i >= rec->n_seqs)
		return NULL;
	rs = &rec->seqs[i];
	k = current < rs->n_steps ? current + 1 : rs->n_steps;
	while (k-- > 0) {
		const struct rr_step *st = &rs->steps[k];
		if (st->n_attempts > 0 &&
		    st->attempts[st->n_attempts - 1].log != NULL)
			return xasprintf("%s/%s", rec->dir,
			    st->attempts[st->n_attempts - 1].log);
	}
	return NULL;
}

/* v: the focused step's whole log in $PAGER (less -R without one). */
static void
ui_pager(struct ui *ui, size_t i)
{
	const struct run_seq *seq = run_seq(ui->run, i);
	struct rr_run *rec = NULL;
	char *path = NULL, *err = NULL;
	char sh[] = "sh", c[] = "-c", name[] = "drove-pager";
	char script[] = "exec ${PAGER:-less -R} \"$1\"";

	if (ui->opt.replay != NULL)
		path = ui_log_path(replay_record(ui->opt.replay), i,
		    seq->current);
	else if (ui->opt.run_dir != NULL) {
		/* The record says which file each attempt wrote. */
		rec = runread_load(ui->opt.run_dir, &err);
		path = ui_log_path(rec, i, seq->current);
		runread_free(rec);
		free(err);
	}
	if (path == NULL || access(path, R_OK) != 0) {
		ctl_message(ui->ctl, true, "%s has no log yet (pager)",
		    seq->name);
		free(path);
		return;
	}
	{
		char *const argv[] = { sh, c, script, name, path, NULL };
		ui_lend(ui, argv, NULL, NULL, ui_pager_done, NULL);
	}
	free(path);
}

/* The text of line n of sequence i's pane, without its escapes, as UTF-8
 * (caller frees), or NULL. */
static char *
ui_line_text(struct ui *ui, size_t i, uint64_t n)
{
	struct view_source src;
	struct ansi_line l;
	size_t len, cap;
	unsigned flags;
	const char *raw;
	wchar_t *wide;
	char *out = NULL;

	ui_eng_source(ui, i, &src);
	if ((raw = view_line(&src, n, &len, &flags)) == NULL)
		return NULL;
	ansi_line_init(&l, 0);
	ansi_parse(&l, raw, len);
	cap = l.len + 1;
	wide = xcalloc(cap, sizeof *wide);
	ansi_text(&l, wide, NULL, cap);
	len = wcstombs(NULL, wide, 0);
	if (len != (size_t)-1) {
		out = xmalloc(len + 1);
		wcstombs(out, wide, len + 1);
	}
	free(wide);
	ansi_line_free(&l);
	return out;
}

static const char ui_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* y: the search hit of the focused pane, else its bottom line, to the
 * terminal's clipboard (OSC 52), when its terminfo says it takes one
 * (Ms, as tmux reads it). */
static void
ui_copy(struct ui *ui, size_t i)
{
	const struct view *v = &ui->ctl->views[i];
	struct view_source src;
	char *ms = tigetstr("Ms"), *text;
	struct strbuf sb = STRBUF_INIT;
	size_t len;

	if (ms == NULL || ms == (char *)-1) {
		ctl_message(ui->ctl, true, "copy: this terminal does not take "
		    "a copy (no Ms in its terminfo)");
		return;
	}
	ui_eng_source(ui, i, &src);
	text = ui_line_text(ui, i, v->match_valid ? v->match :
	    view_bottom(v, &src));
	if (text == NULL || *text == '\0') {
		ctl_message(ui->ctl, true, "copy: no line to copy");
		free(text);
		return;
	}
	len = strlen(text);
	for (size_t k = 0; k < len; k += 3) {
		unsigned long w = (unsigned long)(unsigned char)text[k] << 16;
		if (k + 1 < len)
			w |= (unsigned long)(unsigned char)text[k + 1] << 8;
		if (k + 2 < len)
			w |= (unsigned char)text[k + 2];
		strbuf_putc(&sb, ui_b64[w >> 18 & 63]);
		strbuf_putc(&sb, ui_b64[w >> 12 & 63]);
		strbuf_putc(&sb, k + 1 < len ? ui_b64[w >> 6 & 63] : '=');
		strbuf_putc(&sb, k + 2 < len ? ui_b64[w & 63] : '=');
	}
	/* Between frames: curses has written all it had. */
	putp(tiparm(ms, "c", strbuf_str(&sb)));
	fflush(stdout);
	ctl_message(ui->ctl, false, "copied: %.60s%s", text,
	    len > 60 ? "..." : "");
	strbuf_free(&sb);
	free(text);
}

static void
ui_winch_cb(EV_P_ ev_signal *w, int revents)
{
	struct ui *ui = w->data;
	struct winsize ws;

	(void)EV_A;
	(void)revents;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ctl_resize(ui->ctl, COLS, LINES);
	ui_dirty_all(ui);
}

/* --- the terminal ------------------------------------------------------ */

static void
ui_restore_add(const char *s)
{
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (ui_restore_len + n < sizeof ui_restore_seq) {
		memcpy(ui_restore_seq + ui_restore_len, s, n);
		ui_restore_len += n;
	}
}

/* What endwin would send, computed now so that a signal handler can just
 * write it: mouse off, keypad off, cursor on, attributes off, the normal
 * screen back. */
static void
ui_prepare_restore(void)
{
	ui_restore_len = 0;
	ui_restore_add("\033[?1000l\033[?1002l\033[?1003l\033[?1006l");
	ui_restore_add(tigetstr("sgr0"));
	ui_restore_add(tigetstr("rmkx"));
	ui_restore_add(tigetstr("cnorm"));
	ui_restore_add(tigetstr("rmcup"));
}

void
ui_emergency_restore(void)
{
	ssize_t r;

	if (!ui_term_active)
		return;
	ui_term_active = 0;
	r = write(STDOUT_FILENO, ui_restore_seq, ui_restore_len);
	(void)r;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &ui_saved_termios);
}

struct ui *
ui_create(struct run *run, const struct ui_options *opt, char **err)
{
	struct ui *ui;
	const char *term = getenv("TERM");

	if (ui_current != NULL) {
		*err = xstrdup("the dashboard is already open");
		return NULL;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*err = xstrdup("the dashboard needs a terminal");
		return NULL;
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		*err = xstrdup("the dashboard needs a capable terminal (TERM)");
		return NULL;
	}
	setlocale(LC_ALL, "");
	if (tcgetattr(STDIN_FILENO, &ui_saved_termios) != 0) {
		*err = xasprintf("tcgetattr: %s", strerror(errno));
		return NULL;
	}

	ui = xcalloc(1, sizeof *ui);
	ui->run = run;
	ui->opt = *opt;
	ui->n = run_seq_count(run);
	ui->panes = xcalloc(ui->n ? ui->n : 1, sizeof *ui->panes);

	/* Our SIGWINCH handler first, so that curses does not install its
	 * own (it only does when there is none). */
	ev_signal_init(&ui->winch, ui_winch_cb, SIGWINCH);
	ui->winch.data = ui;
	ev_signal_start(EV_DEFAULT_ &ui->winch);

	ESCDELAY = 25;
	ui->screen = newterm(NULL, stdout, stdin);
	if (ui->screen == NULL) {
		ev_signal_stop(EV_DEFAULT_ &ui->winch);
		free(ui->panes);
		free(ui);
		*err = xasprintf("cannot use terminal type %s", term);
		return NULL;
	}
	set_term(ui->screen);
	ui_prepare_restore();
	ui_term_active = 1;
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	mouseinterval(0);

	ui->ctl = ctl_create(ui->n, &ui_engine, ui);
	if (opt->replay != NULL)
		ui->ctl->read_only = "read only: a past run";
	ctl_resize(ui->ctl, COLS, LINES);
	draw_init(&ui->draw, run, ui->ctl);
	ui->draw.banner = opt->banner;
	ui->draw.warning = opt->warning;
	ui->draw.warning_arg = opt->warning_arg;
	/* Before run_start: the first tty step already gets its pane's size. */
	ui_resize_ttys(ui);
	ui->layout_gen = ui->ctl->layout_gen;

	ev_io_init(&ui->input, ui_input_cb, STDIN_FILENO, EV_READ);
	ui->input.data = ui;
	ev_io_start(EV_DEFAULT_ &ui->input);
	ev_init(&ui->frame, ui_frame_cb);
	ui->frame.data = ui;
	ev_init(&ui->clock, ui_clock_cb);
	ui->clock.data = ui;

	/* A run attached to (drove attach) is shown as it is: what waits
	 * for the operator is focused and rung for, as it was when it
	 * began to wait, and one that is over may close at once. */
	if (opt->remote != NULL) {
		bool focused = false;
		for (size_t i = 0; i < ui->n; i++) {
			const struct run_seq *seq = run_seq(run, i);
			if (seq->state != SEQ_PAUSED)
				continue;
			if (!focused)
				ctl_focus(ui->ctl, i);
			focused = true;
			if (seq->pause == RUN_PAUSE_FAILURE) {
				ui->panes[i].belled = true;
				ui->bell = true;
			}
		}
		if (opt->exit_when_done && run_settled(run))
			ui->done_pending = true;
	}
	ui_current = ui;
	run_add_observer(run, ui_observe, ui);
	/* A run attached to is already under way: no event may come but
	 * output for a long time, and its clocks must go on meanwhile. */
	ui_clock_update(ui);
	ui->dirty_all = true;
	ui_schedule(ui);
	return ui;
}

void
ui_free(struct ui *ui)
{
	if (ui == NULL)
		return;
	run_remove_observer(ui->run, ui_observe, ui);
	ev_io_stop(EV_DEFAULT_ &ui->input);
	ev_signal_stop(EV_DEFAULT_ &ui->winch);
	ev_timer_stop(EV_DEFAULT_ &ui->frame);
	ev_timer_stop(EV_DEFAULT_ &ui->clock);
	if (ui->overlay != NULL)
		delwin(ui->overlay);
	mousemask(0, NULL);
	endwin();
	ui_term_active = 0;
	delscreen(ui->screen);
	draw_free(&ui->draw);
	ctl_free(ui->ctl);
	free(ui->panes);
	free(ui->name_shown);
	if (ui_current == ui)
		ui_current = NULL;
	free(ui);
}

const char *
ui_curses_version(void)
{
	return curses_version();
}
