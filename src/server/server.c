/* server.c: the run's socket: clients, their requests, the broadcast. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "ordinal.h"
#include "proto.h"
#include "run.h"
#include "sockdir.h"
#include "wire.h"
#include "xmalloc.h"

/* What a client may send in one frame (keystrokes, a command): far
 * less than what the server sends. */
#define SERVER_IN_MAX (64u << 10)
/* A dashboard this far behind is sent a fresh snapshot instead. */
#define SERVER_OUT_MAX (16u << 20)
/* While a dashboard is being sent the scrollback, the buffer is refilled
 * once it is below this: the scrollback of a big run is never all in
 * memory twice. */
#define SERVER_DUMP_LOW (256u << 10)
#define SERVER_DUMP_LINES 1024
/* The first pass: the newest lines of each sequence, enough to fill a
 * pane of a big terminal. */
#define SERVER_DUMP_TAIL 500
/* New lines go to the dashboards at most this many times a second (the
 * rate they draw at): a flood comes in big bursts, of which a dashboard
 * is sent the newest SERVER_DUMP_TAIL lines of each sequence and, for
 * the others, where they are in the logs (PASSED), which it reads only
 * if it scrolls back to them. A lone line goes at once. */
#define SERVER_FPS 30
#define SERVER_TTY_MAX 256

struct server_client {
	struct server *srv;
	struct server_client *next;
	int fd;
	ev_io rio, wio;
	char *in;                /* bytes received, not yet a whole frame */
	size_t in_len;
	struct proto_buf out;
	size_t head_len, head_off; /* the frame at out's head: its size,
	                              and how much of it went already */
	char *who;               /* "USER on TTY" */
	bool hello;              /* HELLO was answered */
	bool attached;           /* a dashboard: gets every change */
	bool waiting;            /* wants END */
	bool closing;            /* close once out is sent */
	bool draining;           /* out sent, write side shut: reading
	                            what the peer still sends until it
	                            closes (a close with unread bytes would
	                            reset the connection before the peer
	                            read why it was refused) */
	ev_timer drain_timer;    /* ... for at most this long */
	/* The scrollback is sent in two passes: the newest lines of every
	 * sequence first (a dashboard has enough for its first frame), then
	 * the older ones, newest first, for it to put before them. */
	bool dumping;            /* the first pass is not over */
	bool backfill;           /* the second pass is not over */
	size_t dump_seq;         /* sequences before this one are done */
	uint64_t dump_line;      /* first pass: the next line to send */
	bool dump_fresh;         /* first pass: dump_seq not begun yet */
	uint64_t *dump_back;     /* per sequence: the oldest line sent */
	uint64_t *sent;          /* per sequence, once the first pass is
	                            past it: the next line to send */
	uint64_t *pgen;          /* per sequence: the outbuf's generation
	                            when its partial line was last looked at */
	size_t *psent;           /* per sequence: the length of the partial
	                            line it has */
	size_t n;                /* the sequences of these arrays */
	bool behind;             /* a flush passed it by (its buffer was
	                            full): all its sequences, once it has
	                            taken what it has */
};

struct server {
	struct run *run;
	struct server_options opt;
	char *path;
	int fd;
	ev_io accept_w;
	/* The output the dashboards do not have yet goes before the loop
	 * sleeps (flush_w), or, if that was less than 1/SERVER_FPS s ago,
	 * when it is that long ago (flush_timer). */
	ev_prepare flush_w;
	ev_timer flush_timer;
	double last_flush;
	bool *dirty;             /* per sequence: output since the flush */
	size_t *dirty_list;      /* those sequences, n_dirty of them */
	size_t n_dirty;
	size_t n;
	struct server_client *clients;
	const char *warning;     /* as last sent to the dashboards */
	bool ended;
	int exit_code;
	char *status;
};

static void server_client_close(struct server_client *c);

/* --- writing ------------------------------------------------------------ */

static uint32_t
server_be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

static void server_dump_more(struct server_client *c);
static void server_client_output(struct server_client *c, size_t i);

static void
server_write_cb(EV_P_ ev_io *w, int revents)
{
	struct server_client *c = container_of(w, struct server_client, wio);
	ssize_t r;
	size_t pos = 0;

	(void)revents;
	if ((c->dumping || c->backfill) && c->out.len < SERVER_DUMP_LOW)
		server_dump_more(c);
	if (c->out.len > 0) {
		r = write(c->fd, c->out.data, c->out.len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			server_client_close(c);
			return;
		}
		/* Where the frame at the head ends, for a resync. */
		while (pos < (size_t)r) {
			size_t take;
			if (c->head_len == 0)
				c->head_len = PROTO_HEADER +
				    server_be32(c->out.data + pos);
			take = c->head_len - c->head_off;
			if (take > (size_t)r - pos)
				take = (size_t)r - pos;
			c->head_off += take;
			pos += take;
			if (c->head_off == c->head_len)
				c->head_len = c->head_off = 0;
		}
		proto_buf_consume(&c->out, (size_t)r);
	}
	if (c->behind && c->out.len <= SERVER_DUMP_LOW) {
		/* A flush passed it by: what it has not got, now that it
		 * took the rest. */
		c->behind = false;
		for (size_t i = 0; i < c->srv->n; i++)
			server_client_output(c, i);
	}
	if (c->out.len == 0 && !c->dumping && !c->backfill) {
		ev_io_stop(EV_A_ w);
		if (c->closing && !c->draining) {
			c->draining = true;
			shutdown(c->fd, SHUT_WR);
			ev_io_start(EV_A_ &c->rio);
			ev_timer_start(EV_A_ &c->drain_timer);
		}
	}
}

static void
server_drain_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct server_client *c = container_of(w, struct server_client,
	    drain_timer);

	(void)EV_A;
	(void)revents;
	server_client_close(c);
}

/* Something was appended to c->out: send it when the socket takes it. */
static void
server_kick(struct server_client *c)
{
	if (!ev_is_active(&c->wio))
		ev_io_start(EV_DEFAULT_ &c->wio);
}

static void
server_refuse(struct server_client *c, const char *why)
{
	proto_begin(&c->out, PROTO_REFUSED);
	proto_cstr(&c->out, why);
	proto_end(&c->out);
	c->closing = true;
	c->attached = c->waiting = c->dumping = c->backfill = false;
	ev_io_stop(EV_DEFAULT_ &c->rio);
	server_kick(c);
}

static void
server_result(struct server_client *c, bool ok, const char *msg,
    const char *why)
{
	proto_begin(&c->out, PROTO_RESULT);
	proto_u8(&c->out, ok);
	proto_cstr(&c->out, msg);
	proto_cstr(&c->out, why);
	proto_end(&c->out);
	server_kick(c);
}

static void
server_end_msg(struct server_client *c)
{
	struct server *s = c->srv;

	proto_begin(&c->out, PROTO_END);
	proto_i32(&c->out, s->exit_code);
	proto_cstr(&c->out, s->status);
	proto_end(&c->out);
	server_kick(c);
}

/* --- a dashboard's scrollback ------------------------------------------- */

/* Room in c's per-sequence arrays for every sequence of the run (a
 * fan-out adds some); the new ones have nothing yet. */
static void
server_client_size(struct server_client *c)
{
	size_t n = c->srv->n ? c->srv->n : 1, old = c->n;

	if (old >= n)
		return;
	c->dump_back = xrealloc(c->dump_back, n * sizeof *c->dump_back);
	c->sent = xrealloc(c->sent, n * sizeof *c->sent);
	c->pgen = xrealloc(c->pgen, n * sizeof *c->pgen);
	c->psent = xrealloc(c->psent, n * sizeof *c->psent);
	memset(c->dump_back + old, 0, (n - old) * sizeof *c->dump_back);
	memset(c->sent + old, 0, (n - old) * sizeof *c->sent);
	memset(c->pgen + old, 0, (n - old) * sizeof *c->pgen);
	memset(c->psent + old, 0, (n - old) * sizeof *c->psent);
	c->n = n;
}

/* Start over: the whole state, then every sequence's lines. */
static void
server_snapshot(struct server_client *c)
{
	wire_put_snapshot(&c->out, c->srv->run);
	c->dumping = c->srv->n > 0;
	c->backfill = false;
	c->behind = false;
	c->dump_seq = 0;
	c->dump_fresh = true;
	server_client_size(c);
	server_kick(c);
}

/* Too far behind: finish the frame on its way, drop the rest, and send
 * the state as it is now. */
static void
server_resync(struct server_client *c)
{
	c->out.len = c->head_len - c->head_off;
	server_snapshot(c);
}

static void
server_put_partial(struct proto_buf *b, const struct run *run, size_t i)
{
	size_t len;
	const char *p = outbuf_partial(run_seq(run, i)->out, &len);

	proto_begin(b, PROTO_PARTIAL);
	proto_u32(b, (uint32_t)i);
	proto_str(b, p, len);
	proto_end(b);
}

/* SPILLED frames of sequence i: where the lines that left its memory
 * are, newest first (the peer puts each frame before what it has). */
static void
server_put_spilled(struct proto_buf *b, const struct outbuf *ob, size_t i)
{
	size_t end = outbuf_spilled_count(ob);
	struct outbuf_spilled e;

	while (end > 0) {
		size_t from = end > SERVER_DUMP_LINES ? end - SERVER_DUMP_LINES :
		    0;
		proto_begin(b, PROTO_SPILLED);
		proto_u32(b, (uint32_t)i);
		proto_u32(b, (uint32_t)(end - from));
		for (size_t k = from; k < end; k++) {
			outbuf_spilled_get(ob, k, &e);
			wire_put_entry(b, &e);
		}
		proto_end(b);
		end = from;
	}
}

/* A LINES frame of sequence i: its lines from..from+n-1 (kept). */
static void
server_put_lines(struct proto_buf *b, const struct outbuf *ob, size_t i,
    uint64_t from, size_t n)
{
	uint64_t first = outbuf_total(ob) - outbuf_count(ob);

	proto_begin(b, PROTO_LINES);
	proto_u32(b, (uint32_t)i);
	proto_u64(b, from);
	proto_u32(b, (uint32_t)n);
	for (size_t k = 0; k < n; k++) {
		wire_put_line(b, outbuf_get(ob,
		    (size_t)(from - first) + k));
	}
	proto_end(b);
}

/* Refill c->out with the next lines of the scrollback being sent. */
static void
server_dump_more(struct server_client *c)
{
	struct server *s = c->srv;

	while (c->dumping && c->out.len < SERVER_DUMP_LOW) {
		const struct outbuf *ob = run_seq(s->run, c->dump_seq)->out;
		uint64_t total = outbuf_total(ob), first;
		size_t n;

		first = total - outbuf_count(ob);
		if (c->dump_fresh) {
			/* A sequence begins: its newest lines. */
			c->dump_fresh = false;
			c->dump_line = total > SERVER_DUMP_TAIL ?
			    total - SERVER_DUMP_TAIL : 0;
			c->dump_back[c->dump_seq] = c->dump_line;
		}
		if (c->dump_line < first)
			c->dump_line = first;   /* scrolled out meanwhile */
		if (c->dump_back[c->dump_seq] < first)
			c->dump_back[c->dump_seq] = first;
		n = (size_t)(total - c->dump_line);
		if (n > SERVER_DUMP_LINES)
			n = SERVER_DUMP_LINES;
		if (n > 0) {
			server_put_lines(&c->out, ob, c->dump_seq,
			    c->dump_line, n);
			c->dump_line += n;
			continue;
		}
		server_put_partial(&c->out, s->run, c->dump_seq);
		/* From now on its new lines go as they come. */
		c->sent[c->dump_seq] = c->dump_line;
		c->pgen[c->dump_seq] = outbuf_generation(ob);
		outbuf_partial(ob, &c->psent[c->dump_seq]);
		c->dump_seq++;
		c->dump_fresh = true;
		if (c->dump_seq >= s->n) {
			c->dumping = false;
			c->backfill = true;
			c->dump_seq = 0;
		}
	}
	while (c->backfill && c->out.len < SERVER_DUMP_LOW) {
		const struct outbuf *ob = run_seq(s->run, c->dump_seq)->out;
		uint64_t first = outbuf_total(ob) - outbuf_count(ob);
		uint64_t back = c->dump_back[c->dump_seq];
		size_t n;

		if (back <= first) {
			/* Then where the lines that left memory are. */
			server_put_spilled(&c->out, ob, c->dump_seq);
			if (++c->dump_seq >= s->n)
				c->backfill = false;
			continue;
		}
		n = back - first > SERVER_DUMP_LINES ? SERVER_DUMP_LINES :
		    (size_t)(back - first);
		server_put_lines(&c->out, ob, c->dump_seq, back - n, n);
		c->dump_back[c->dump_seq] = back - n;
	}
}

static void server_client_lines(struct server_client *c, size_t i);
static void server_flush(struct server *s, bool force);

/* Queue a frame for every dashboard. The frame is built once, by `put`,
 * and copied. */
static void
server_broadcast(struct server *s, size_t seq,
    void (*put)(struct proto_buf *, const struct server *, const void *),
    const void *arg)
{
	struct proto_buf one = { 0 };
	bool built = false;

	/* A change of the run comes after all the output before it (a
	 * dashboard that exits once the run settled has it all). */
	if (seq >= s->n && s->n_dirty > 0)
		server_flush(s, true);
	for (struct server_client *c = s->clients; c != NULL; c = c->next) {
		if (!c->attached)
			continue;
		/* A change comes after the lines before it. */
		if (seq < s->n)
			server_client_lines(c, seq);
		if (!built) {
			put(&one, s, arg);
			built = true;
		}
		if (c->out.len + one.len > SERVER_OUT_MAX) {
			server_resync(c);
			continue;
		}
		proto_append(&c->out, one.data, one.len);
		server_kick(c);
	}
	proto_buf_free(&one);
}

static void
server_put_seq(struct proto_buf *b, const struct server *s, const void *arg)
{
	wire_put_seq(b, s->run, *(const size_t *)arg);
}

static void
server_put_run(struct proto_buf *b, const struct server *s, const void *arg)
{
	(void)arg;
	wire_put_run(b, s->run);
}

static void
server_put_grow(struct proto_buf *b, const struct server *s, const void *arg)
{
	wire_put_grow(b, s->run, ((const struct run_event *)arg)->seq);
}

static void
server_put_line(struct proto_buf *b, const struct server *s, const void *arg)
{
	const struct run_event *ev = arg;

	(void)s;
	proto_begin(b, PROTO_LINE);
	proto_u32(b, (uint32_t)ev->seq);
	wire_put_line(b, ev->line);
	proto_end(b);
}

static void
server_put_notice(struct proto_buf *b, const struct server *s,
    const void *arg)
{
	const struct run_event *ev = arg;

	(void)s;
	proto_begin(b, PROTO_NOTICE);
	proto_u32(b, (uint32_t)ev->seq);
	proto_cstr(b, ev->text);
	proto_end(b);
}

/* Whether every line the run's outbufs hold is in its log too, so that a
 * dashboard can read it there: not when max_log cuts the logs' middle
 * out, nor once a write to the run directory failed. */
static bool
server_logs_whole(const struct server *s)
{
	return run_config(s->run)->max_log == 0 && (s->opt.warning == NULL ||
	    s->opt.warning(s->opt.arg) == NULL);
}

/* Sequence i's lines a dashboard does not have yet: the newest as text,
 * in LINES frames from the outbuf (one frame for a burst, LINE for a
 * lone line); those before the newest SERVER_DUMP_TAIL, and any that
 * left the server's memory, by reference (PASSED): a flood costs the
 * dashboard what it draws, not what went by. One whose buffer is over
 * its bound starts over from a snapshot. */
static void
server_client_lines(struct server_client *c, size_t i)
{
	const struct outbuf *ob = run_seq(c->srv->run, i)->out;
	uint64_t total = outbuf_total(ob);
	uint64_t kept = total - outbuf_count(ob), text;

	if (!c->attached || (c->dumping && i >= c->dump_seq) ||
	    c->sent[i] >= total)
		return;
	if (c->out.len > SERVER_OUT_MAX) {
		server_resync(c);
		return;
	}
	text = total > SERVER_DUMP_TAIL ? total - SERVER_DUMP_TAIL : 0;
	if (text < kept || !server_logs_whole(c->srv))
		text = kept;
	if (c->sent[i] < text) {
		/* The newest with them, unless too many for a frame (the
		 * logs lack lines: what memory has goes as text). */
		size_t newest = total - text <= SERVER_DUMP_LINES ?
		    (size_t)(total - text) : 0;
		if (!wire_put_passed(&c->out, ob, i, c->sent[i], text,
		    newest)) {
			server_resync(c);
			return;
		}
		c->sent[i] = text + newest;
	}
	if (total - c->sent[i] == 1) {
		/* A lone line (a step that prints now and then): LINE, the
		 * smaller frame. */
		struct run_event ev = { .seq = i,
			.line = outbuf_get(ob, outbuf_count(ob) - 1) };
		server_put_line(&c->out, c->srv, &ev);
		c->sent[i] = total;
	}
	while (c->sent[i] < total) {
		size_t n = total - c->sent[i] > SERVER_DUMP_LINES ?
		    SERVER_DUMP_LINES : (size_t)(total - c->sent[i]);
		server_put_lines(&c->out, ob, i, c->sent[i], n);
		c->sent[i] += n;
	}
	/* A line ends the unfinished one, there as here. */
	c->psent[i] = 0;
	server_kick(c);
}

/* Sequence i's new lines, then its unfinished line if it changed. */
static void
server_client_output(struct server_client *c, size_t i)
{
	const struct outbuf *ob = run_seq(c->srv->run, i)->out;
	uint64_t gen;
	size_t len;

	if (!c->attached || (c->dumping && i >= c->dump_seq))
		return;
	server_client_lines(c, i);
	if (!c->attached || (c->dumping && i >= c->dump_seq) ||
	    (gen = outbuf_generation(ob)) == c->pgen[i])
		return;
	c->pgen[i] = gen;
	outbuf_partial(ob, &len);
	if (len == 0 && c->psent[i] == 0)
		return;
	server_put_partial(&c->out, c->srv->run, i);
	c->psent[i] = len;
	server_kick(c);
}

/* The output dashboards do not have: of the sequences that printed
 * since the last flush, or of all of them for one a flush passed by. A
 * dashboard that has not taken what it was sent yet is passed by (unless
 * `force`: the run ends): its lines wait, and go by reference if many
 * more come, once it has caught up (server_write_cb). */
static void
server_flush(struct server *s, bool force)
{
	ev_prepare_stop(EV_DEFAULT_ &s->flush_w);
	ev_timer_stop(EV_DEFAULT_ &s->flush_timer);
	s->last_flush = ev_now(EV_DEFAULT);
	for (struct server_client *c = s->clients; c != NULL; c = c->next) {
		if (!c->attached)
			continue;
		if (!force && c->out.len > SERVER_DUMP_LOW) {
			c->behind = true;
			continue;
		}
		if (c->behind || force) {
			c->behind = false;
			for (size_t i = 0; i < s->n; i++)
				server_client_output(c, i);
		} else
			for (size_t k = 0; k < s->n_dirty; k++)
				server_client_output(c, s->dirty_list[k]);
	}
	for (size_t k = 0; k < s->n_dirty; k++)
		s->dirty[s->dirty_list[k]] = false;
	s->n_dirty = 0;
}

static void
server_flush_cb(EV_P_ ev_prepare *w, int revents)
{
	(void)EV_A;
	(void)revents;
	server_flush(container_of(w, struct server, flush_w), false);
}

static void
server_flush_timer_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)revents;
	server_flush(container_of(w, struct server, flush_timer), false);
}

/* Sequence i printed: flush before the loop sleeps, or at the frame
 * rate. */
static void
server_dirty(struct server *s, size_t i)
{
	double wait;

	if (!s->dirty[i]) {
		s->dirty[i] = true;
		s->dirty_list[s->n_dirty++] = i;
	}
	if (ev_is_active(&s->flush_w) || ev_is_active(&s->flush_timer))
		return;
	wait = s->last_flush + 1. / SERVER_FPS - ev_now(EV_DEFAULT);
	if (wait <= 0) {
		ev_prepare_start(EV_DEFAULT_ &s->flush_w);
		return;
	}
	ev_timer_set(&s->flush_timer, wait, 0.);
	ev_timer_start(EV_DEFAULT_ &s->flush_timer);
}

static void
server_put_warning(struct proto_buf *b, const struct server *s,
    const void *arg)
{
	(void)arg;
	proto_begin(b, PROTO_WARNING);
	proto_cstr(b, s->warning);
	proto_end(b);
}

/* A new warning (the record became incomplete): to every dashboard. */
static void
server_check_warning(struct server *s)
{
	const char *w = s->opt.warning ? s->opt.warning(s->opt.arg) : NULL;

	if (w == s->warning)
		return;
	s->warning = w;
	server_broadcast(s, (size_t)-1, server_put_warning, NULL);
}

static bool
server_has_dashboards(const struct server *s)
{
	for (const struct server_client *c = s->clients; c; c = c->next)
		if (c->attached)
			return true;
	return false;
}

/* A fan-out added sequences: room for what is sent of them. */
static void
server_grow(struct server *s)
{
	size_t n = run_seq_count(s->run);

	s->dirty = xrealloc(s->dirty, n * sizeof *s->dirty);
	s->dirty_list = xrealloc(s->dirty_list, n * sizeof *s->dirty_list);
	memset(&s->dirty[s->n], 0, (n - s->n) * sizeof *s->dirty);
	s->n = n;
	for (struct server_client *c = s->clients; c != NULL; c = c->next)
		if (c->sent != NULL)
			server_client_size(c);
}

static void
server_observe(void *arg, struct run *run, const struct run_event *ev)
{
	struct server *s = arg;

	(void)run;
	/* The hottest path: a line of a sequence whose output goes at the
	 * next flush anyway (one event for each line a step prints). */
	if (ev->type == RUN_EV_LINE && ev->seq < s->n && s->dirty[ev->seq])
		return;
	if (ev->type == RUN_EV_END) {
		server_flush(s, true);
		s->ended = true;
		s->exit_code = ev->exit_code;
		free(s->status);
		s->status = xstrdup(ev->text ? ev->text :
		    (run_exit_status(s->run) == 0 ? "ok" : "failed"));
		for (struct server_client *c = s->clients; c; c = c->next)
			if (c->waiting || c->attached)
				server_end_msg(c);
		return;
	}
	if (ev->type == RUN_EV_GROW)
		server_grow(s);
	/* The hot path, with nobody attached: nothing to do. */
	if (!server_has_dashboards(s))
		return;
	if (ev->type != RUN_EV_OUTPUT && ev->type != RUN_EV_LINE)
		server_check_warning(s);
	switch (ev->type) {
	case RUN_EV_OUTPUT:
	case RUN_EV_LINE:
		/* Sent from the outbuf, at the frame rate at most. */
		server_dirty(s, ev->seq);
		break;
	case RUN_EV_SEQ:
	case RUN_EV_STEP_START:
	case RUN_EV_STEP_END:
	case RUN_EV_ACTION:
		server_broadcast(s, ev->seq, server_put_seq, &ev->seq);
		break;
	case RUN_EV_NOTICE:
		if (ev->seq < s->n && ev->text != NULL)
			server_broadcast(s, ev->seq, server_put_notice,
			    ev);
		break;
	case RUN_EV_START:
	case RUN_EV_IDLE:
		server_broadcast(s, (size_t)-1, server_put_run, NULL);
		break;
	case RUN_EV_GROW:
		server_broadcast(s, (size_t)-1, server_put_grow, ev);
		break;
	case RUN_EV_END:
	case RUN_EV_CAPTURE:
		break;
	}
}

/* --- requests ----------------------------------------------------------- */

/* A sequence by name, else by 1-based number: its index or n. */
static size_t
server_find_seq(const struct run *run, const char *name)
{
	size_t n = run_seq_count(run);

	for (size_t i = 0; i < n; i++)
		if (strcmp(run_seq(run, i)->name, name) == 0)
			return i;
	return ordinal_parse(name, n);
}

/* A step of seq, a handler's and a cleanup step too, by its name or as
 * step_ref names it ("2", "2.handler:1", "cleanup:1"): its index, or
 * n_all. A name several steps have names the current one if it is one of
 * them (skip mount: if the sequence is at a step called mount). */
static size_t
server_find_step(const struct run_seq *seq, const char *name)
{
	size_t found = seq->n_all;
	char ref[64];

	for (size_t k = 0; k < seq->n_all; k++) {
		const struct run_step *st = &seq->steps[k];
		if (strcmp(st->name, name) != 0 && strcmp(step_ref(st->role,
		    k, st->nth, st->of, ref, sizeof ref), name) != 0)
			continue;
		if (k == seq->current)
			return k;
		if (found == seq->n_all)
			found = k;
	}
	if (found < seq->n_all)
		return found;
	found = ordinal_parse(name, seq->n_steps);
	return found < seq->n_steps ? found : seq->n_all;
}

/* ctl's verbs: the actions' own (action.h), and pause and resume as the
 * p key has them: resume a held sequence or take back a hold not reached
 * yet. */
static bool
server_verb(const struct run *run, size_t i, const char *verb,
    enum run_action *act)
{
	if (strcmp(verb, "pause") == 0) {
		*act = RUN_ACT_HOLD;
		return true;
	}
	if (strcmp(verb, "resume") == 0) {
		*act = RUN_ACT_RESUME;
		if (run_can(run, i, RUN_ACT_RESUME) != NULL &&
		    run_can(run, i, RUN_ACT_RELEASE) == NULL)
			*act = RUN_ACT_RELEASE;
		return true;
	}
	/* A shell is a dashboard's ($): it lends its terminal. */
	return run_action_parse(verb, act) && *act != RUN_ACT_STOP &&
	    *act != RUN_ACT_SHELL;
}

static void
server_act(struct server_client *c, struct proto_msg *m)
{
	struct server *s = c->srv;
	char *verb = proto_get_cstr(m), *seqname = proto_get_cstr(m),
	    *stepname = proto_get_cstr(m), *arg = proto_get_cstr(m), *msg;
	size_t i, k;
	enum run_action act;
	const char *why;
	const struct run_seq *seq;
	char ref[64];

	if (!proto_done(m)) {
		server_refuse(c, "a malformed act message");
		goto out;
	}
	i = server_find_seq(s->run, seqname);
	if (i >= s->n) {
		msg = xasprintf("no sequence '%s' in this run", seqname);
		server_result(c, false, msg, msg);
		free(msg);
		goto out;
	}
	seq = run_seq(s->run, i);
	if (!server_verb(s->run, i, verb, &act)) {
		msg = xasprintf("no action '%s' (retry, skip, kill, abort, "
		    "pause, resume, mark)", verb);
		server_result(c, false, msg, msg);
		free(msg);
		goto out;
	}
	if (*stepname != '\0') {
		k = server_find_step(seq, stepname);
		if (k >= seq->n_all)
			msg = xasprintf("%s has no step '%s' (a step's name, "
			    "its number, or as ctl status shows it: "
			    "2.handler:1, cleanup:1)", seq->name, stepname);
		else if (k != seq->current)
			msg = xasprintf("%s is not at step %s (%s)",
			    seq->name, step_ref(seq->steps[k].role, k,
			    seq->steps[k].nth, seq->steps[k].of, ref,
			    sizeof ref), seq->steps[k].name);
		else
			msg = NULL;
		if (msg != NULL) {
			server_result(c, false, msg, msg);
			free(msg);
			goto out;
		}
	}
	/* An edit is its new command: e on a dashboard sends it. */
	if (act == RUN_ACT_EDIT)
		why = *arg == '\0' ? "edit needs the new command (e on a "
		    "dashboard)" : run_edit_by(s->run, i, arg, c->who);
	else if (act == RUN_ACT_NOTE)
		why = run_note_by(s->run, i, arg, c->who);
	else
		why = run_act_by(s->run, i, act, c->who);
	if (why != NULL)
		msg = xasprintf("%s %s: %s", run_action_name(act),
		    seq->name, why);
	else
		msg = xasprintf("%s %s", run_action_done(act), seq->name);
	server_result(c, why == NULL, msg, why);
	free(msg);
out:
	free(verb);
	free(seqname);
	free(stepname);
	free(arg);
}

static void
server_input(struct server_client *c, struct proto_msg *m)
{
	uint32_t i = proto_get_u32(m);
	size_t len;
	const char *data = proto_get_str(m, &len);

	if (!proto_done(m)) {
		server_refuse(c, "a malformed input message");
		return;
	}
	if (run_write_input(c->srv->run, i, data, len) < 0)
		server_result(c, false, "the step does not take input",
		    "the step does not take input");
	else
		server_result(c, true, "", NULL);
}

static void
server_put_strv(struct proto_buf *b, char *const *v)
{
	uint32_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	proto_u32(b, n);
	for (uint32_t k = 0; k < n; k++)
		proto_cstr(b, v[k]);
}

/* $: how to open a shell where the sequence runs, for the client to run
 * (the same user); the run records that it opened. */
static void
server_shell(struct server_client *c, struct proto_msg *m)
{
	struct server *s = c->srv;
	uint32_t i = proto_get_u32(m);
	char **argv = NULL, **env = NULL, *cwd = NULL;
	const char *why, *host = "";
	const struct config *cfg = run_config(s->run);

	if (!proto_done(m)) {
		server_refuse(c, "a malformed shell message");
		return;
	}
	if (i >= s->n)
		why = "no such sequence";
	else
		why = run_shell_by(s->run, i, c->who, &argv, &cwd, &env);
	if (why == NULL && cfg->seqs[i].host >= 0)
		host = cfg->hosts[cfg->seqs[i].host].name;
	for (;;) {
		proto_begin(&c->out, PROTO_SHELL_AT);
		proto_u32(&c->out, i);
		proto_cstr(&c->out, why);
		proto_cstr(&c->out, host);
		proto_cstr(&c->out, cwd);
		server_put_strv(&c->out, argv);
		server_put_strv(&c->out, env);
		if (proto_end(&c->out) == 0 || why != NULL)
			break;
		/* Taken back out: say why instead. */
		why = "the shell's environment is too big to send";
		xstrv_free(argv);
		xstrv_free(env);
		argv = env = NULL;
	}
	server_kick(c);
	xstrv_free(argv);
	xstrv_free(env);
	free(cwd);
}

static void
server_hello(struct server_client *c, struct proto_msg *m)
{
	struct server *s = c->srv;
	uint32_t version = proto_get_u32(m);
	char *tty, *why;

	if (m->bad) {
		server_refuse(c, "a malformed hello");
		return;
	}
	if (version != PROTO_VERSION) {
		why = proto_version_mismatch(PROTO_VERSION, version, true);
		server_refuse(c, why);
		free(why);
		return;
	}
	tty = proto_get_cstr(m);
	if (!proto_done(m) || strlen(tty) > SERVER_TTY_MAX) {
		free(tty);
		server_refuse(c, "a malformed hello");
		return;
	}
	if (*tty != '\0') {
		char *who = xasprintf("%s on %s", c->who, tty);
		free(c->who);
		c->who = who;
	}
	free(tty);
	c->hello = true;
	proto_begin(&c->out, PROTO_WELCOME);
	proto_u32(&c->out, PROTO_VERSION);
	proto_cstr(&c->out, s->opt.id);
	proto_cstr(&c->out, s->opt.config);
	proto_cstr(&c->out, s->opt.run_dir);
	proto_u32(&c->out, (uint32_t)getpid());
	proto_f64(&c->out, run_started(s->run));
	proto_end(&c->out);
	server_kick(c);
}

static void
server_message(struct server_client *c, struct proto_msg *m)
{
	struct server *s = c->srv;
	char *why;

	if (!c->hello) {
		if (m->type == PROTO_HELLO)
			server_hello(c, m);
		else
			server_refuse(c, "hello first");
		return;
	}
	switch (m->type) {
	case PROTO_STATUS:
		wire_put_snapshot(&c->out, s->run);
		server_kick(c);
		break;
	case PROTO_ACT:
		server_act(c, m);
		break;
	case PROTO_STOP: {
		uint8_t sig = proto_get_u8(m);
		if (!proto_done(m) || sig >= 65) {
			server_refuse(c, "a malformed stop message");
			break;
		}
		server_result(c, true, s->ended ? "the run is over" :
		    "stopping the run", NULL);
		if (!s->ended && s->opt.stop != NULL)
			s->opt.stop(s->opt.arg, c->who, sig);
		break;
	}
	case PROTO_WAIT:
		c->waiting = true;
		if (s->ended)
			server_end_msg(c);
		break;
	case PROTO_ATTACH:
		if (!c->attached) {
			c->attached = true;
			server_snapshot(c);
			if (s->opt.warning != NULL &&
			    (s->warning = s->opt.warning(s->opt.arg)) != NULL)
				server_put_warning(&c->out, s, NULL);
			if (s->ended)
				server_end_msg(c);
			else if (s->opt.attached != NULL)
				s->opt.attached(s->opt.arg);
		}
		break;
	case PROTO_INPUT:
		server_input(c, m);
		break;
	case PROTO_SHELL:
		server_shell(c, m);
		break;
	case PROTO_RESIZE: {
		uint32_t i = proto_get_u32(m);
		uint16_t cols = proto_get_u16(m), rows = proto_get_u16(m);
		if (!proto_done(m))
			server_refuse(c, "a malformed resize message");
		else if (cols > 0 && rows > 0)
			run_resize_tty(s->run, i, cols, rows);
		break;
	}
	default:
		why = xasprintf("unexpected message '%s'",
		    proto_type_name(m->type));
		server_refuse(c, why);
		free(why);
		break;
	}
}

static void
server_read_cb(EV_P_ ev_io *w, int revents)
{
	struct server_client *c = container_of(w, struct server_client, rio);
	char buf[16384];
	ssize_t r;
	size_t off = 0, used;
	struct proto_msg m;
	const char *err;
	int got;

	(void)EV_A;
	(void)revents;
	r = read(c->fd, buf, sizeof buf);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		server_client_close(c);
		return;
	}
	if (c->draining)
		return;
	if (c->closing) {
		/* Refused: what it sends until the refusal is out is not
		 * read. */
		ev_io_stop(EV_A_ w);
		return;
	}
	if (c->in_len + (size_t)r > PROTO_HEADER + SERVER_IN_MAX) {
		server_refuse(c, "a message over the size limit");
		return;
	}
	if (c->in == NULL)
		c->in = xmalloc(PROTO_HEADER + SERVER_IN_MAX);
	memcpy(c->in + c->in_len, buf, (size_t)r);
	c->in_len += (size_t)r;
	while (!c->closing && (got = proto_next(c->in + off, c->in_len - off,
	    &m, &used, &err)) != 0) {
		char *why;
		if (got < 0) {
			why = xasprintf("not drove's protocol: %s", err);
			server_refuse(c, why);
			free(why);
			return;
		}
		off += used;
		server_message(c, &m);
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

/* --- clients ------------------------------------------------------------ */

static void
server_client_close(struct server_client *c)
{
	struct server *s = c->srv;
	struct server_client **pp;
	bool was_attached = c->attached;

	for (pp = &s->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ev_io_stop(EV_DEFAULT_ &c->rio);
	ev_io_stop(EV_DEFAULT_ &c->wio);
	ev_timer_stop(EV_DEFAULT_ &c->drain_timer);
	close(c->fd);
	proto_buf_free(&c->out);
	free(c->dump_back);
	free(c->sent);
	free(c->pgen);
	free(c->psent);
	free(c->in);
	free(c->who);
	free(c);
	if (was_attached && s->opt.detached != NULL)
		s->opt.detached(s->opt.arg);
}

static char *
server_user(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res != NULL)
		return xstrdup(pw.pw_name);
	return xasprintf("uid %lu", (unsigned long)uid);
}

static void
server_accept_cb(EV_P_ ev_io *w, int revents)
{
	struct server *s = container_of(w, struct server, accept_w);
	struct server_client *c;
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd;

	(void)revents;
	fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c = xcalloc(1, sizeof *c);
	c->srv = s;
	c->fd = fd;
	ev_io_init(&c->rio, server_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, server_write_cb, fd, EV_WRITE);
	ev_timer_init(&c->drain_timer, server_drain_timer_cb, 2., 0.);
	/* A dashboard's scrollback goes in big writes: fewer trips
	 * between the two processes (the kernel caps it). */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ 1 << 20 }, sizeof(int));
	c->next = s->clients;
	s->clients = c;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		c->who = xstrdup("?");
		server_refuse(c, "cannot tell who you are (SO_PEERCRED)");
		return;
	}
	c->who = server_user(cred.uid);
	/* Only the run's owner, whoever else could reach the socket (root
	 * can enter any directory). */
	if (cred.uid != getuid()) {
		char *why = xasprintf("refused %s (uid %lu, pid %ld): the run "
		    "belongs to uid %lu", c->who, (unsigned long)cred.uid,
		    (long)cred.pid, (unsigned long)getuid());
		if (s->opt.refused != NULL)
			s->opt.refused(s->opt.arg, why);
		server_refuse(c, "this run belongs to another user");
		free(why);
		return;
	}
	ev_io_start(EV_A_ &c->rio);
}

/* --- the socket --------------------------------------------------------- */

/* Bind path, unless a live server is there: a stale socket (its server
 * was killed) is removed first. 0 bound, 1 a live server has it, -1 and
 * *err. */
static int
server_bind(int fd, const char *path, char **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int probe;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return 0;
	if (errno != EADDRINUSE) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sun,
	    sizeof sun) == 0) {
		close(probe);
		*err = xasprintf("%s: another run with this id is live", path);
		return 1;
	}
	if (probe >= 0)
		close(probe);
	if (unlink(path) != 0 || bind(fd, (struct sockaddr *)&sun,
	    sizeof sun) != 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct server *
server_create(struct run *run, const struct server_options *opt, char **err)
{
	struct server *s;
	char *dir = opt->dir ? xstrdup(opt->dir) : sockdir_default(), *path;
	int fd, r;
	mode_t old;

	if (sockdir_ensure(dir, err) != 0 ||
	    (path = sockdir_socket(dir, opt->id, err)) == NULL) {
		free(dir);
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = xasprintf("socket: %s", strerror(errno));
		free(path);
		free(dir);
		return NULL;
	}
	/* 0600 from the start: there is no moment when it is open. */
	old = umask(S_IRWXG | S_IRWXO | S_IXUSR);
	r = server_bind(fd, path, err);
	if (r > 0) {
		/* Run ids are unique in a log directory, not across them:
		 * the same id live from another log directory keeps its
		 * name, this one is told apart by its pid. */
		char *name = xasprintf("%s.%ld", opt->id, (long)getpid());
		free(*err);
		*err = NULL;
		free(path);
		path = sockdir_socket(dir, name, err);
		free(name);
		r = path ? server_bind(fd, path, err) : -1;
	}
	umask(old);
	free(dir);
	if (r != 0) {
		close(fd);
		free(path);
		return NULL;
	}
	if (listen(fd, 16) != 0) {
		*err = xasprintf("listen %s: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		free(path);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->run = run;
	s->opt = *opt;
	s->opt.id = xstrdup(opt->id);
	s->opt.config = xstrdup(opt->config ? opt->config : "");
	s->opt.run_dir = xstrdup(opt->run_dir ? opt->run_dir : "");
	s->opt.dir = NULL;
	s->path = path;
	s->fd = fd;
	s->n = run_seq_count(run);
	s->dirty = xcalloc(s->n ? s->n : 1, sizeof *s->dirty);
	s->dirty_list = xcalloc(s->n ? s->n : 1, sizeof *s->dirty_list);
	ev_io_init(&s->accept_w, server_accept_cb, fd, EV_READ);
	ev_io_start(EV_DEFAULT_ &s->accept_w);
	ev_prepare_init(&s->flush_w, server_flush_cb);
	ev_init(&s->flush_timer, server_flush_timer_cb);
	run_add_observer(run, server_observe, s);
	return s;
}

const char *
server_path(const struct server *s)
{
	return s->path;
}

size_t
server_dashboards(const struct server *s)
{
	size_t n = 0;

	for (const struct server_client *c = s->clients; c; c = c->next)
		n += c->attached;
	return n;
}

void
server_drain(struct server *s, double timeout)
{
	double until = ev_time() + timeout;

	if (s == NULL)
		return;
	/* Nobody new: the run is over. */
	ev_io_stop(EV_DEFAULT_ &s->accept_w);
	unlink(s->path);
	for (;;) {
		bool pending = false;
		for (struct server_client *c = s->clients; c; c = c->next)
			if (c->out.len > 0 || c->dumping || c->backfill)
				pending = true;
		if (!pending || ev_time() >= until)
			break;
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	}
}

void
server_free(struct server *s)
{
	if (s == NULL)
		return;
	run_remove_observer(s->run, server_observe, s);
	s->opt.detached = NULL;     /* nobody to tell any more */
	while (s->clients != NULL)
		server_client_close(s->clients);
	ev_io_stop(EV_DEFAULT_ &s->accept_w);
	ev_prepare_stop(EV_DEFAULT_ &s->flush_w);
	ev_timer_stop(EV_DEFAULT_ &s->flush_timer);
	close(s->fd);
	unlink(s->path);
	free(s->path);
	free((char *)s->opt.id);
	free((char *)s->opt.config);
	free((char *)s->opt.run_dir);
	free(s->dirty);
	free(s->dirty_list);
	free(s->status);
	free(s);
}
