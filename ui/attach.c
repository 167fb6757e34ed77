/* attach.c: drove attach: a dashboard on a run's socket. */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "cli.h"
#include "client.h"
#include "proto.h"
#include "replica.h"
#include "run.h"
#include "say.h"
#include "logback.h"
#include "ui.h"
#include "xmalloc.h"

enum attach_end {
	ATTACH_RUNNING,
	ATTACH_DETACHED,     /* d, SIGHUP, SIGTERM */
	ATTACH_ENDED,        /* END came */
	ATTACH_LOST,         /* the server went away */
	ATTACH_FAILED,       /* it said something that is not the protocol */
};

struct attach {
	struct client *c;
	struct replica *rep;
	struct logback *lb;  /* lines beyond the budget, from the logs */
	struct ui *ui;
	struct attach_options opt;
	struct ui_remote remote;
	size_t n;            /* sequences (from the snapshot) */
	bool ready;          /* the whole scrollback came: show it */
	enum attach_end end;
	char *err;
	struct proto_buf out;    /* to the server */
	/* The requests the server will answer (RESULT), in order: how to
	 * say a refusal, as the dashboard says one of its own run's ("why
	 * (retry build)", "input: why"); "" for a stop. */
	char asked[64][96];
	size_t asked_head, asked_len;
	ev_io rio, wio;
	ev_signal sig_hup, sig_term, sig_int;
	bool stop_sent;
	int interrupts;       /* stops for a signal sent: the second cuts */
};

static void
attach_kick(struct attach *a)
{
	if (a->out.len > 0 && !ev_is_active(&a->wio))
		ev_io_start(EV_DEFAULT_ &a->wio);
}

#define ATTACH_ASKED (sizeof ((struct attach *)0)->asked / \
	sizeof ((struct attach *)0)->asked[0])

/* A request that RESULT answers was queued; fmt says a refusal. */
static void __attribute__((format(printf, 2, 3)))
attach_ask(struct attach *a, const char *fmt, ...)
{
	va_list ap;

	if (a->asked_len == ATTACH_ASKED)
		return;     /* said generically */
	va_start(ap, fmt);
	vsnprintf(a->asked[(a->asked_head + a->asked_len++) % ATTACH_ASKED],
	    sizeof a->asked[0], fmt, ap);
	va_end(ap);
}

static void
attach_write_cb(EV_P_ ev_io *w, int revents)
{
	struct attach *a = w->data;
	ssize_t r;

	(void)revents;
	r = send(client_fd(a->c), a->out.data, a->out.len,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r < 0) {
		/* The read side sees the end and says so. */
		ev_io_stop(EV_A_ w);
		return;
	}
	proto_buf_consume(&a->out, (size_t)r);
	if (a->out.len == 0)
		ev_io_stop(EV_A_ w);
}

/* --- what the operator does, to the server ------------------------------ */

static void
attach_act(void *arg, size_t i, enum run_action act)
{
	struct attach *a = arg;
	char seq[32];

	/* By number: a name may have changed meaning, a number not. */
	snprintf(seq, sizeof seq, "%zu", i + 1);
	/* The words ctl uses: p pauses, releases or resumes. */
	attach_ask(a, "(%s %s)", act == RUN_ACT_HOLD ||
	    act == RUN_ACT_RELEASE ? "pause" : run_action_name(act),
	    run_seq(replica_run(a->rep), i)->name);
	proto_begin(&a->out, PROTO_ACT);
	proto_cstr(&a->out, run_action_name(act));
	proto_cstr(&a->out, seq);
	proto_cstr(&a->out, "");
	proto_cstr(&a->out, "");
	proto_end(&a->out);
	attach_kick(a);
}

/* An action with its argument: e's edited command, c's note. */
static void
attach_act_arg(struct attach *a, size_t i, enum run_action act,
    const char *text)
{
	char seq[32];

	snprintf(seq, sizeof seq, "%zu", i + 1);
	attach_ask(a, "(%s %s)", run_action_name(act),
	    run_seq(replica_run(a->rep), i)->name);
	proto_begin(&a->out, PROTO_ACT);
	proto_cstr(&a->out, run_action_name(act));
	proto_cstr(&a->out, seq);
	proto_cstr(&a->out, "");
	proto_cstr(&a->out, text);
	proto_end(&a->out);
	attach_kick(a);
}

/* e: the edited command, for the server to run as the next attempt. */
static void
attach_edit(void *arg, size_t i, const char *command)
{
	attach_act_arg(arg, i, RUN_ACT_EDIT, command);
}

static void
attach_note(void *arg, size_t i, const char *text)
{
	attach_act_arg(arg, i, RUN_ACT_NOTE, text);
}

static int
attach_input(void *arg, size_t i, const char *data, size_t len)
{
	struct attach *a = arg;

	proto_begin(&a->out, PROTO_INPUT);
	proto_u32(&a->out, (uint32_t)i);
	proto_str(&a->out, data, len);
	proto_end(&a->out);
	attach_ask(a, "input:");
	attach_kick(a);
	return 0;
}

static void
attach_resize(void *arg, size_t i, unsigned short cols, unsigned short rows)
{
	struct attach *a = arg;

	proto_begin(&a->out, PROTO_RESIZE);
	proto_u32(&a->out, (uint32_t)i);
	proto_u16(&a->out, cols);
	proto_u16(&a->out, rows);
	proto_end(&a->out);
	attach_kick(a);
}

/* $: the server says how to open the shell (SHELL_AT), and records it. */
static void
attach_shell(void *arg, size_t i)
{
	struct attach *a = arg;

	proto_begin(&a->out, PROTO_SHELL);
	proto_u32(&a->out, (uint32_t)i);
	proto_end(&a->out);
	attach_kick(a);
}

/* q (confirmed), or Ctrl-C: the run stops, as a run of this process
 * does; END comes once it has. A second Ctrl-C goes too: as for a run
 * in this process, it cuts the cleanup and kills at once. */
static void
attach_stop(struct attach *a, int sig)
{
	if (a->stop_sent && (sig == 0 || a->interrupts >= 2))
		return;
	a->stop_sent = true;
	if (sig != 0)
		a->interrupts++;
	proto_begin(&a->out, PROTO_STOP);
	proto_u8(&a->out, (uint8_t)sig);
	proto_end(&a->out);
	attach_ask(a, "%s", "");
	attach_kick(a);
}

/* q, confirmed. Once more while the run stops: as a second Ctrl-C, the
 * cleanup is cut short (the server cuts on its second interrupt). */
static void
attach_quit(void *arg)
{
	struct attach *a = arg;

	if (!a->stop_sent || run_settled(replica_run(a->rep))) {
		attach_stop(a, 0);
		return;
	}
	while (a->interrupts < 2) {
		int before = a->interrupts;
		attach_stop(a, SIGINT);
		if (a->interrupts == before)
			break;
	}
}

static void
attach_detach(void *arg)
{
	struct attach *a = arg;

	a->end = ATTACH_DETACHED;
}

static void
attach_signal_cb(EV_P_ ev_signal *w, int revents)
{
	struct attach *a = w->data;

	(void)EV_A;
	(void)revents;
	if (w->signum == SIGINT)
		attach_stop(a, SIGINT);
	else
		a->end = ATTACH_DETACHED;
}

/* --- what the server says ----------------------------------------------- */

static void
attach_fail(struct attach *a, enum attach_end end, char *err)
{
	if (a->end == ATTACH_RUNNING) {
		a->end = end;
		a->err = err;
	} else
		free(err);
}

/* The dashboard, once the replica holds everything. */
static const char *
attach_warning(void *arg)
{
	struct attach *a = arg;

	return replica_warning(a->rep);
}

static void
attach_show(struct attach *a)
{
	struct ui_options uo = {
		.run_dir = client_info(a->c)->run_dir,
		.exit_when_done = a->opt.exit_when_done,
		.quit = attach_quit, .detach = attach_detach, .arg = a,
		.remote = &a->remote, .warning = attach_warning,
		.warning_arg = a,
	};
	char *err = NULL;

	a->ready = true;
	a->ui = ui_create(replica_run(a->rep), &uo, &err);
	if (a->ui == NULL)
		attach_fail(a, ATTACH_FAILED, err);
}

/* A list of strings of SHELL_AT (NULL-terminated; caller frees with
 * xstrv_free), or NULL when the message is bad. */
static char **
attach_get_strv(struct proto_msg *m)
{
	uint32_t n = proto_get_u32(m);
	char **v;

	/* Each takes 4 bytes at least: a count beyond that is a lie. */
	if (m->bad || n > m->left / 4) {
		m->bad = true;
		return NULL;
	}
	v = xcalloc((size_t)n + 1, sizeof *v);
	for (uint32_t k = 0; k < n; k++)
		v[k] = proto_get_cstr(m);
	return v;
}

static void
attach_shell_at(struct attach *a, struct proto_msg *m)
{
	uint32_t i = proto_get_u32(m);
	char *why = proto_get_cstr(m), *host = proto_get_cstr(m),
	    *cwd = proto_get_cstr(m);
	char **argv = attach_get_strv(m), **env = attach_get_strv(m);

	if (!proto_done(m) || i >= a->n)
		attach_fail(a, ATTACH_FAILED, xstrdup("a malformed shell "
		    "message"));
	else if (a->ui != NULL)
		ui_shell_open(a->ui, i, *why != '\0' ? why : NULL, host,
		    argv[0] != NULL ? argv : NULL, cwd, env);
	free(why);
	free(host);
	free(cwd);
	xstrv_free(argv);
	xstrv_free(env);
}

static void
attach_message(struct attach *a, struct proto_msg *m)
{
	char *err = NULL;
	int code;

	if (m->type == PROTO_RESULT) {
		bool ok = proto_get_u8(m) != 0;
		char *text = proto_get_cstr(m), *why = proto_get_cstr(m);
		char said[96] = "";
		if (a->asked_len > 0) {
			memcpy(said, a->asked[a->asked_head], sizeof said);
			a->asked_head = (a->asked_head + 1) % ATTACH_ASKED;
			a->asked_len--;
		}
		/* The dashboard said what it asked for, as it does for a run
		 * of its own; a refusal as it says one. */
		if (!ok && proto_done(m) && a->ui != NULL && *why != '\0') {
			char msg[300];
			if (strncmp(said, "input:", 6) == 0)
				snprintf(msg, sizeof msg, "input: %s", why);
			else if (*said == '(')
				snprintf(msg, sizeof msg, "%s %s", why, said);
			else
				snprintf(msg, sizeof msg, "%s", text);
			ui_message(a->ui, true, msg);
		}
		free(text);
		free(why);
		return;
	}
	if (m->type == PROTO_SHELL_AT) {
		attach_shell_at(a, m);
		return;
	}
	if (replica_apply(a->rep, m, &err) != 0) {
		attach_fail(a, ATTACH_FAILED, err);
		return;
	}
	if (m->type == PROTO_SNAPSHOT || m->type == PROTO_GROW) {
		a->n = run_seq_count(replica_run(a->rep));
		/* The logs are this user's too: read them, rather than ask
		 * the server for lines it does not keep either. */
		run_set_line_reader(replica_run(a->rep), logback_line, a->lb);
	}
	if (replica_ended(a->rep, &code))
		a->end = ATTACH_ENDED;
}

/* The big-endian u32 a message's payload starts with, or 0. */
static uint32_t
attach_first_u32(const struct proto_msg *m)
{
	const unsigned char *u = (const unsigned char *)m->p;

	if (m->left < 4)
		return 0;
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

static void
attach_read_cb(EV_P_ ev_io *w, int revents)
{
	struct attach *a = w->data;
	struct proto_msg m;
	char *err = NULL;
	int r, got;

	(void)EV_A;
	(void)revents;
	if ((r = client_read(a->c, &err)) < 0) {
		attach_fail(a, ATTACH_LOST, err);
		return;
	}
	while (a->end == ATTACH_RUNNING &&
	    (got = client_next(a->c, &m, &err)) > 0) {
		unsigned type = m.type;
		uint32_t seq = attach_first_u32(&m);

		attach_message(a, &m);
		/* The scrollback comes sequence by sequence, each ending
		 * with its unfinished line: after the last one's, it is all
		 * there, and the first frame shows everything. */
		if (!a->ready && a->end == ATTACH_RUNNING &&
		    replica_run(a->rep) != NULL &&
		    (a->n == 0 || (type == PROTO_PARTIAL && seq + 1 == a->n)))
			attach_show(a);
	}
	if (a->end == ATTACH_RUNNING && got < 0)
		attach_fail(a, ATTACH_FAILED, err);
	else if (a->end == ATTACH_RUNNING && r == 0)
		attach_fail(a, ATTACH_LOST, NULL);
}

/* drove attach without a run: with more than one live run, which one is
 * not guessed (the newest may be someone else's run of this user's, and
 * q there stops it): they are listed, as drove ps does, and -1. */
static int
attach_which(void)
{
	char *list = NULL;
	size_t len = 0, n;
	FILE *out = open_memstream(&list, &len);

	if (out == NULL)
		return 0;
	n = cli_ps_write(out, false);
	fclose(out);
	if (n > 1)
		fprintf(stderr, "drove: %zu runs are live: name one, drove "
		    "attach RUN (an id, or a unique prefix of one)\n%s", n,
		    list);
	free(list);
	return n > 1 ? -1 : 0;
}

int
attach_run(const char *spec, const struct attach_options *opt)
{
	struct attach a = { .opt = *opt };
	enum client_error why;
	char *over = NULL, *err = NULL, *id, *run_dir, *config;
	int code = 0, rc;

	/* Before anything: without a terminal there is nothing to show. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		say_err("drove: attach needs a terminal; without one, "
		    "'drove ctl RUN status' says how a run stands\n");
		return 2;
	}
	if (spec == NULL && attach_which() != 0)
		return 2;
	a.c = client_open(spec, &why, &over, &err);
	if (a.c == NULL) {
		if (why == CLIENT_OVER)
			say_err("drove: %s; 'drove review %s' shows "
			    "what it did\n", err, over);
		else
			say_err("drove: %s\n", err);
		free(over);
		free(err);
		return why == CLIENT_NO_RUN ? 2 : 1;
	}
	id = xstrdup(client_info(a.c)->id);
	run_dir = xstrdup(client_info(a.c)->run_dir);
	config = xstrdup(client_info(a.c)->config);
	fcntl(client_fd(a.c), F_SETFL,
	    fcntl(client_fd(a.c), F_GETFL) | O_NONBLOCK);
	a.rep = replica_create();
	a.lb = logback_create(run_dir);
	a.remote = (struct ui_remote){ .act = attach_act, .edit = attach_edit,
		.shell = attach_shell, .note = attach_note,
		.input = attach_input, .resize = attach_resize, .arg = &a };
	proto_begin(&a.out, PROTO_ATTACH);
	proto_end(&a.out);

	ev_io_init(&a.rio, attach_read_cb, client_fd(a.c), EV_READ);
	a.rio.data = &a;
	ev_io_start(EV_DEFAULT_ &a.rio);
	ev_io_init(&a.wio, attach_write_cb, client_fd(a.c), EV_WRITE);
	a.wio.data = &a;
	attach_kick(&a);
	ev_signal_init(&a.sig_hup, attach_signal_cb, SIGHUP);
	ev_signal_init(&a.sig_term, attach_signal_cb, SIGTERM);
	ev_signal_init(&a.sig_int, attach_signal_cb, SIGINT);
	a.sig_hup.data = a.sig_term.data = a.sig_int.data = &a;
	ev_signal_start(EV_DEFAULT_ &a.sig_hup);
	ev_signal_start(EV_DEFAULT_ &a.sig_term);
	ev_signal_start(EV_DEFAULT_ &a.sig_int);
	signal(SIGPIPE, SIG_IGN);

	while (a.end == ATTACH_RUNNING)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);

	ui_free(a.ui);
	ev_io_stop(EV_DEFAULT_ &a.rio);
	ev_io_stop(EV_DEFAULT_ &a.wio);
	ev_signal_stop(EV_DEFAULT_ &a.sig_hup);
	ev_signal_stop(EV_DEFAULT_ &a.sig_term);
	ev_signal_stop(EV_DEFAULT_ &a.sig_int);
	if (spec == NULL)
		/* The run was not named: say which it was. */
		printf("attached to run %s (config %s)\n", id, config);
	switch (a.end) {
	case ATTACH_DETACHED:
		if (a.stop_sent && !run_settled(replica_run(a.rep))) {
			/* It will not succeed: it was stopped. Its end is
			 * what a stop gives, known now. */
			printf("detached from run %s: the run is stopping; "
			    "cleanup continues in the background: drove "
			    "attach %s\n", id, id);
			rc = a.interrupts > 0 ? 128 + SIGINT : 1;
			break;
		}
		printf("detached from run %s: drove attach %s\n", id, id);
		rc = 0;
		break;
	case ATTACH_ENDED:
		/* As a run of this process says once it is over. */
		say_err("drove: logs in %s\n", run_dir);
		replica_ended(a.rep, &code);
		rc = code;
		break;
	case ATTACH_LOST:
		say_err("drove: the run %s is over: its server is "
		    "gone%s%s; 'drove review %s' shows what it did\n", id,
		    a.err ? ": " : "", a.err ? a.err : "", id);
		rc = 1;
		break;
	default:
		say_err("drove: %s\n", a.err ? a.err : "?");
		rc = 1;
		break;
	}
	free(a.err);
	free(id);
	free(config);
	free(run_dir);
	logback_free(a.lb);
	proto_buf_free(&a.out);
	replica_free(a.rep);
	client_free(a.c);
	return rc;
}
