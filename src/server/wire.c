/* wire.c: a run's state to and from the protocol's payloads. */
#include "wire.h"

#include <string.h>

#include "outbuf.h"
#include "run.h"
#include "xmalloc.h"

enum {
	WIRE_SEQ_FAILED_PAUSE = 1,
	WIRE_SEQ_HOLD = 2,
	WIRE_SEQ_HAD_FAILURE = 4,
	WIRE_SEQ_CLEANUP = 8,
	WIRE_SEQ_PLACEHOLDER = 16,
	WIRE_SEQ_GROWN = 32,
	WIRE_STEP_TTY = 1,
	WIRE_STEP_COMMAND = 2,
	WIRE_STEP_MARKED = 4,
	WIRE_STEP_WAITING_INPUT = 8,
};

static void
wire_run_fields(struct proto_buf *b, const struct run *run)
{
	proto_u8(b, run_settled(run));
	proto_f64(b, run_started(run));
	proto_f64(b, run_settled_at(run));
	proto_u32(b, run_config(run)->scrollback > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)run_config(run)->scrollback);
	proto_f64(b, run_config(run)->kill_grace);
}

static void
wire_seq_fields(struct proto_buf *b, const struct run *run,
    const struct run_seq *seq)
{
	const struct cfg_seq *cs = &run_config(run)->seqs[seq->index];
	size_t n = seq->n_all;

	proto_u32(b, (uint32_t)seq->index);
	proto_cstr(b, seq->name);
	proto_cstr(b, seq_state_name(seq->state));
	proto_u32(b, (uint32_t)seq->current);
	proto_f64(b, seq->started);
	proto_f64(b, seq->ended);
	proto_u8(b, (uint8_t)((seq->pause == RUN_PAUSE_FAILURE ?
	    WIRE_SEQ_FAILED_PAUSE : 0) |
	    (seq->hold ? WIRE_SEQ_HOLD : 0) |
	    (seq->had_failure ? WIRE_SEQ_HAD_FAILURE : 0) |
	    (seq->cleanup ? WIRE_SEQ_CLEANUP : 0) |
	    (seq->placeholder ? WIRE_SEQ_PLACEHOLDER : 0) |
	    (seq->grown ? WIRE_SEQ_GROWN : 0)));
	proto_u32(b, (uint32_t)seq->first);
	proto_u32(b, (uint32_t)seq->count);
	proto_u32(b, (uint32_t)n);
	for (size_t k = 0; k < n; k++) {
		const struct run_step *st = &seq->steps[k];

		proto_cstr(b, st->name);
		proto_u8(b, (uint8_t)((cs->steps[k].tty ? WIRE_STEP_TTY : 0) |
		    (cs->steps[k].kind == CFG_STEP_RUN ? WIRE_STEP_COMMAND :
		    0) | (st->marked ? WIRE_STEP_MARKED : 0) |
		    (st->waiting_input ? WIRE_STEP_WAITING_INPUT : 0)));
		proto_u32(b, st->retries);
		proto_cstr(b, step_role_name(st->role));
		proto_u32(b, (uint32_t)st->of);
		proto_cstr(b, st->command);
		proto_cstr(b, step_status_name(st->status));
		proto_u32(b, st->attempt);
		proto_i32(b, st->exit_code);
		proto_i32(b, st->signal);
		proto_f64(b, st->started);
		proto_f64(b, st->ended);
		proto_f64(b, st->retry_at);
	}
}

void
wire_put_run(struct proto_buf *b, const struct run *run)
{
	proto_begin(b, PROTO_RUN);
	wire_run_fields(b, run);
	proto_end(b);
}

void
wire_put_seq(struct proto_buf *b, const struct run *run, size_t i)
{
	proto_begin(b, PROTO_SEQ);
	wire_run_fields(b, run);
	wire_seq_fields(b, run, run_seq(run, i));
	proto_end(b);
}

void
wire_put_snapshot(struct proto_buf *b, const struct run *run)
{
	size_t n = run_seq_count(run);

	proto_begin(b, PROTO_SNAPSHOT);
	wire_run_fields(b, run);
	proto_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		wire_seq_fields(b, run, run_seq(run, i));
	proto_end(b);
}

int
wire_get_run(struct proto_msg *m, struct wire_run *out)
{
	out->settled = proto_get_u8(m) != 0;
	out->started = proto_get_f64(m);
	out->settled_at = proto_get_f64(m);
	out->scrollback = proto_get_u32(m);
	out->kill_grace = proto_get_f64(m);
	return m->bad ? -1 : 0;
}

/* A name field that must be one of a vocabulary's words. */
static bool
wire_name(struct proto_msg *m, char *buf, size_t size)
{
	size_t len;
	const char *s = proto_get_str(m, &len);

	if (m->bad || len >= size || memchr(s, '\0', len) != NULL) {
		m->bad = true;
		return false;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

static int
wire_seq_body(struct proto_msg *m, struct wire_seq *out)
{
	char word[32];
	uint32_t n;
	uint8_t flags;

	memset(out, 0, sizeof *out);
	out->index = proto_get_u32(m);
	out->name = proto_get_cstr(m);
	if (!wire_name(m, word, sizeof word) ||
	    !seq_state_parse(word, &out->state))
		goto bad;
	out->current = proto_get_u32(m);
	out->started = proto_get_f64(m);
	out->ended = proto_get_f64(m);
	flags = proto_get_u8(m);
	out->failed_pause = flags & WIRE_SEQ_FAILED_PAUSE;
	out->hold = flags & WIRE_SEQ_HOLD;
	out->had_failure = flags & WIRE_SEQ_HAD_FAILURE;
	out->cleanup = flags & WIRE_SEQ_CLEANUP;
	out->placeholder = flags & WIRE_SEQ_PLACEHOLDER;
	out->grown = flags & WIRE_SEQ_GROWN;
	out->first = proto_get_u32(m);
	out->count = proto_get_u32(m);
	n = proto_get_u32(m);
	/* Each step takes at least 64 bytes: a count beyond what is left
	 * is a lie, and nothing is allocated for it. */
	if (m->bad || n > WIRE_MAX_STEPS || n > m->left / 64 ||
	    out->current > n)
		goto bad;
	out->steps = xcalloc(n ? n : 1, sizeof *out->steps);
	out->n_steps = n;
	for (size_t k = 0; k < n; k++) {
		struct wire_step *st = &out->steps[k];

		st->name = proto_get_cstr(m);
		flags = proto_get_u8(m);
		st->tty = flags & WIRE_STEP_TTY;
		st->command = flags & WIRE_STEP_COMMAND;
		st->marked = flags & WIRE_STEP_MARKED;
		st->waiting_input = flags & WIRE_STEP_WAITING_INPUT;
		st->retries = proto_get_u32(m);
		if (!wire_name(m, word, sizeof word) ||
		    !step_role_parse(word, &st->role))
			goto bad;
		st->of = proto_get_u32(m);
		st->run = proto_get_cstr(m);
		/* Steps first, then the others; a handler's handles a step
		 * before it: the replica indexes by them. */
		if ((st->role == STEP_ROLE_MAIN && k > 0 &&
		    st[-1].role != STEP_ROLE_MAIN) ||
		    (st->role == STEP_ROLE_HANDLER && (st->of >= k ||
		    out->steps[st->of].role != STEP_ROLE_MAIN)))
			goto bad;
		if (!wire_name(m, word, sizeof word) ||
		    !step_status_parse(word, &st->status))
			goto bad;
		st->attempt = proto_get_u32(m);
		st->exit_code = proto_get_i32(m);
		st->signal = proto_get_i32(m);
		st->started = proto_get_f64(m);
		st->ended = proto_get_f64(m);
		st->retry_at = proto_get_f64(m);
	}
	if (m->bad)
		goto bad;
	return 0;
bad:
	m->bad = true;
	wire_seq_free(out);
	return -1;
}

int
wire_get_seq(struct proto_msg *m, struct wire_run *run, struct wire_seq *out)
{
	memset(out, 0, sizeof *out);
	if (wire_get_run(m, run) != 0 || wire_seq_body(m, out) != 0 ||
	    !proto_done(m)) {
		wire_seq_free(out);
		return -1;
	}
	return 0;
}

/* RUN, u32 n, n SEQ bodies: indexed 0, 1, ... (a snapshot), or the
 * first any, the others after the first's (a growth). */
static int
wire_get_seqs(struct proto_msg *m, struct wire_run *run,
    struct wire_seq **seqs, size_t *n, bool grow)
{
	uint32_t count;
	struct wire_seq *s;

	*seqs = NULL;
	*n = 0;
	if (wire_get_run(m, run) != 0)
		return -1;
	count = proto_get_u32(m);
	/* A sequence takes at least 47 bytes. */
	if (m->bad || count > WIRE_MAX_SEQS || count > m->left / 47 ||
	    (grow && count == 0))
		return -1;
	s = xcalloc(count ? count : 1, sizeof *s);
	for (size_t i = 0; i < count; i++) {
		if (wire_seq_body(m, &s[i]) != 0 || (!grow && s[i].index != i) ||
		    (grow && i > 1 && s[i].index != s[i - 1].index + 1)) {
			wire_seqs_free(s, i + 1);
			return -1;
		}
	}
	if (!proto_done(m)) {
		wire_seqs_free(s, count);
		return -1;
	}
	*seqs = s;
	*n = count;
	return 0;
}

int
wire_get_snapshot(struct proto_msg *m, struct wire_run *run,
    struct wire_seq **seqs, size_t *n)
{
	return wire_get_seqs(m, run, seqs, n, false);
}

int
wire_get_grow(struct proto_msg *m, struct wire_run *run,
    struct wire_seq **seqs, size_t *n)
{
	return wire_get_seqs(m, run, seqs, n, true);
}

void
wire_put_grow(struct proto_buf *b, const struct run *run, size_t p)
{
	const struct run_seq *ph = run_seq(run, p);

	proto_begin(b, PROTO_GROW);
	wire_run_fields(b, run);
	proto_u32(b, (uint32_t)(ph->count + 1));
	wire_seq_fields(b, run, ph);
	for (size_t i = ph->first; i < ph->first + ph->count; i++)
		wire_seq_fields(b, run, run_seq(run, i));
	proto_end(b);
}

void
wire_seq_free(struct wire_seq *s)
{
	if (s->steps != NULL)
		for (size_t k = 0; k < s->n_steps; k++) {
			free(s->steps[k].name);
			free(s->steps[k].run);
		}
	free(s->steps);
	free(s->name);
	memset(s, 0, sizeof *s);
}

void
wire_seqs_free(struct wire_seq *seqs, size_t n)
{
	if (seqs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		wire_seq_free(&seqs[i]);
	free(seqs);
}

/* --- output ------------------------------------------------------------ */

/* A line as LINE and LINES carry it. */
void
wire_put_line(struct proto_buf *b, const struct outbuf_line *l)
{
	proto_u16(b, l->step);
	proto_u16(b, l->flags);
	proto_f64(b, l->time);
	proto_u16(b, l->attempt);
	proto_u32(b, l->aline);
	proto_str(b, l->text, l->len);
}

/* Where lines are, as SPILLED and PASSED carry it. */
void
wire_put_entry(struct proto_buf *b, const struct outbuf_spilled *e)
{
	proto_u64(b, e->first);
	proto_u32(b, e->count);
	proto_u32(b, e->aline);
	proto_u16(b, e->step);
	proto_u16(b, e->attempt);
	proto_u16(b, e->flags);
	proto_f64(b, e->time);
	proto_str(b, e->text ? e->text : "", e->len);
}

/* Whether kept line j is in the run of output lines that line l begins,
 * d lines after it: of the same read (time) of the same attempt, and
 * d lines after it in its log. An attempt's lines are numbered one by
 * one and attempts never interleave, so then every line between is in
 * the run too. */
static bool
wire_same_run(const struct outbuf *ob, uint64_t kept,
    const struct outbuf_line *l, uint64_t j, uint64_t d)
{
	const struct outbuf_line *m = outbuf_get(ob, (size_t)(j - kept));

	return !(m->flags & OUTBUF_MARK) && m->step == l->step &&
	    m->attempt == l->attempt && m->time == l->time &&
	    m->aline != OUTBUF_NO_LINE && m->aline == (uint64_t)l->aline + d;
}

/* A mark (in no log: its text) or a run of lines of one read (one time)
 * of one attempt's log: what PASSED says of lines from..to-1 of `ob`,
 * appended to *v (caller frees; texts borrowed from ob). Lines that
 * left memory are told as its index tells them. */
static size_t
wire_passed_entries(const struct outbuf *ob, uint64_t from, uint64_t to,
    struct outbuf_spilled **v)
{
	uint64_t kept = outbuf_total(ob) - outbuf_count(ob), n = from;
	size_t nv = 0, cap = 0, k = outbuf_spilled_count(ob);
	struct outbuf_spilled e;

	*v = NULL;
	/* The entry holding line n, looking from the newest. */
	while (n < kept && k > 0) {
		outbuf_spilled_get(ob, k - 1, &e);
		if (e.first <= n)
			break;
		k--;
	}
	for (k = k > 0 ? k - 1 : 0; n < kept && n < to &&
	    k < outbuf_spilled_count(ob); k++) {
		uint64_t skip, end = to < kept ? to : kept;
		outbuf_spilled_get(ob, k, &e);
		if (e.first + e.count <= n)
			continue;
		skip = n > e.first ? n - e.first : 0;
		if (skip > 0) {
			/* Its first line, which the time is of, went. */
			e.count -= (uint32_t)skip;
			if (e.aline != OUTBUF_NO_LINE)
				e.aline += (uint32_t)skip;
			e.time = 0;
		}
		e.first = n;
		if (e.first + e.count > end)
			e.count = (uint32_t)(end - e.first);
		*v = xreallocarray_grow(*v, &cap, nv + 1, sizeof **v);
		(*v)[nv++] = e;
		n += e.count;
	}
	for (n = n > kept ? n : kept; n < to;) {
		const struct outbuf_line *l = outbuf_get(ob, (size_t)(n - kept));
		struct outbuf_spilled *last = nv > 0 ? &(*v)[nv - 1] : NULL;
		bool mark = (l->flags & OUTBUF_MARK) != 0;
		uint64_t run = 1, step = 1;

		if (!mark && l->aline != OUTBUF_NO_LINE) {
			/* The lines of its run: looked at by leaps, a
			 * flood's read of some thousand lines in a few
			 * looks. */
			while (n + run + step - 1 < to && wire_same_run(ob, kept,
			    l, n + run + step - 1, run + step - 1)) {
				run += step;
				step *= 2;
			}
			while (step > 1) {
				step /= 2;
				if (n + run + step - 1 < to && wire_same_run(ob,
				    kept, l, n + run + step - 1, run + step - 1))
					run += step;
			}
		}
		if (!mark && last != NULL && !(last->flags & OUTBUF_MARK) &&
		    last->step == l->step && last->attempt == l->attempt &&
		    last->time == l->time && last->count <= UINT32_MAX - run &&
		    last->aline != OUTBUF_NO_LINE &&
		    l->aline == last->aline + last->count) {
			last->count += (uint32_t)run;
			n += run;
			continue;
		}
		*v = xreallocarray_grow(*v, &cap, nv + 1, sizeof **v);
		(*v)[nv++] = (struct outbuf_spilled){ .first = n,
			.count = (uint32_t)run,
			.aline = mark ? OUTBUF_NO_LINE : l->aline,
			.step = l->step, .attempt = l->attempt,
			.flags = mark ? OUTBUF_MARK : 0, .time = l->time,
			.text = mark ? l->text : NULL, .len = mark ? l->len : 0 };
		n += run;
	}
	return nv;
}

/* PASSED frames of sequence i: lines from..to-1 by reference, oldest
 * first, and then, in the last frame, the `text` lines after them (kept)
 * as LINES has them: the dashboard has the newest lines in the same frame
 * as the references, and never draws from the logs in between. Entries
 * of up to 1 MiB a frame (the entries of a flood take far less: they
 * fit one). */
bool
wire_put_passed(struct proto_buf *b, const struct outbuf *ob, size_t i,
    uint64_t from, uint64_t to, size_t text)
{
	struct outbuf_spilled *v;
	size_t nv = wire_passed_entries(ob, from, to, &v), k = 0;
	uint64_t kept = outbuf_total(ob) - outbuf_count(ob);

	if (nv == 0 || v[0].first != from) {
		/* Lines nothing is known of (never in a server's own
		 * outbufs). */
		free(v);
		return false;
	}
	do {
		size_t m = 0, bytes = 0;
		while (k + m < nv && bytes < (1u << 20))
			bytes += 34 + v[k + m++].len;
		proto_begin(b, PROTO_PASSED);
		proto_u32(b, (uint32_t)i);
		proto_u32(b, (uint32_t)m);
		for (size_t j = k; j < k + m; j++)
			wire_put_entry(b, &v[j]);
		k += m;
		proto_u32(b, (uint32_t)(k == nv ? text : 0));
		for (size_t j = 0; k == nv && j < text; j++)
			wire_put_line(b, outbuf_get(ob,
			    (size_t)(to - kept) + j));
		proto_end(b);
	} while (k < nv);
	free(v);
	return true;
}
