/* report.c: plain prefixed lines for runs without a terminal. */
#include "report.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "container_of.h"
#include "duration.h"
#include "run.h"
#include "run_resume.h"
#include "secret.h"
#include "vis.h"
#include "xmalloc.h"

struct report {
	struct run *run;
	FILE *fp;
	bool color;
	bool visible;        /* a terminal: control characters shown */
	bool raw;            /* --raw: a step's bytes as they are */
	struct strbuf vis;   /* scratch for that */
	int width;           /* of the sequence column */
	ev_prepare flush;    /* flush fp before the loop sleeps */
	char **prefix;       /* per sequence: "name  | ", coloured or not */
	size_t *prefix_len;
	size_t n_prefix;
	char *scratch;
	size_t scratch_cap;
	/* Output is gathered here and written in large pieces: stdio's
	 * small-write path cost more than the rest of a line's handling. */
	int fd;
	char out[65536];
	size_t out_len;
};

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"

/* Sequence names cycle through these so neighbours stand apart. */
static const char *const report_palette[] = {
	"\033[36m", "\033[35m", "\033[34m", "\033[33m", "\033[32m",
	"\033[96m", "\033[95m", "\033[94m",
};

/* Write all of data. A terminal or pipe that is full is waited for: the
 * output is what the user asked for. A reader that went away (EPIPE)
 * loses the rest, and the run goes on: the logs still have it. */
static void
report_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, -1);
		} else
			return;
	}
}

static void
report_flush(struct report *rp)
{
	report_write_all(rp->fd, rp->out, rp->out_len);
	rp->out_len = 0;
}

static void
report_put(struct report *rp, const char *data, size_t len)
{
	/* On a terminal, what a step printed or a name holds must not
	 * drive it (a clipboard write, a title, a cleared screen): each
	 * piece is whole text, shown visibly but for colours. */
	if (rp->visible && vis_needed(data, len, rp->color)) {
		strbuf_reset(&rp->vis);
		vis_add(&rp->vis, data, len, rp->color);
		data = rp->vis.buf;
		len = rp->vis.len;
	}
	if (rp->out_len + len > sizeof rp->out)
		report_flush(rp);
	if (len > sizeof rp->out)
		report_write_all(rp->fd, data, len);
	else {
		memcpy(rp->out + rp->out_len, data, len);
		rp->out_len += len;
	}
}

static void __attribute__((format(printf, 2, 3)))
report_printf(struct report *rp, const char *fmt, ...)
{
	va_list ap;
	char buf[1024], *big = NULL, *shown;
	size_t len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf) {
		va_start(ap, fmt);
		big = xvasprintf(fmt, ap);
		va_end(ap);
	}
	/* drove's own lines (commands, names) never show a --secret. */
	if (secret_any() && (shown = secret_redact(big ? big : buf,
	    (size_t)n, &len)) != NULL) {
		report_put(rp, shown, len);
		free(shown);
	} else
		report_put(rp, big ? big : buf, (size_t)n);
	free(big);
}

size_t
report_strip(char *text, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		if (c == 0x1b) {
			i++;
			if (i < len && text[i] == '[') {
				/* CSI: parameters, then one final byte. */
				for (i++; i < len; i++)
					if (text[i] >= 0x40 && text[i] <= 0x7e) {
						i++;
						break;
					}
			} else if (i < len && (text[i] == ']' ||
			    text[i] == 'P' || text[i] == '_' ||
			    text[i] == '^')) {
				/* OSC/DCS/APC/PM: up to BEL or ST. */
				for (i++; i < len; i++) {
					if (text[i] == '\a') {
						i++;
						break;
					}
					if (text[i] == 0x1b && i + 1 < len &&
					    text[i + 1] == '\\') {
						i += 2;
						break;
					}
				}
			} else if (i < len)
				i++;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			i++;
			continue;
		}
		text[o++] = text[i++];
	}
	return o;
}

static const char *
report_seq_color(const struct report *rp, size_t i)
{
	if (!rp->color)
		return "";
	return report_palette[i % (sizeof report_palette /
	    sizeof report_palette[0])];
}

static void
report_prefix(struct report *rp, size_t seq)
{
	report_put(rp, rp->prefix[seq], rp->prefix_len[seq]);
}

/* Is there a byte report_strip would remove (below 0x20 but a tab, or
 * DEL) in the 8 bytes of x? */
static bool
report_word_needs_strip(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t del = x ^ (ones * 0x7f);

	/* The tests for "a byte below 0x20" and "a zero byte" (here: a
	 * DEL) are exact about whether there is one, if not which. */
	return (((x - ones * 0x20) & ~x) | ((del - ones) & ~del)) & highs;
}

#if defined(__SSE2__)
/* The bytes of the 16 at p that report_strip would remove: 0xff each. */
static __m128i
report_block_strip(const char *p)
{
	__m128i v = _mm_loadu_si128((const void *)p);
	/* v <= 0x1f, unsigned, but not a tab; or DEL. */
	__m128i c = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);

	c = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), c);
	return _mm_or_si128(c, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
}
#endif

/* Does text hold anything report_strip would remove? Every line a step
 * prints is asked, and most hold no control byte at all: 16 bytes at a
 * time with SSE2 (x86-64 always has it), the last block ending at the
 * end (overlapping what was looked at), and one answer for them all.
 * Without SSE2, 8 bytes at a time, and byte by byte from a word that may
 * hold one (or only tabs). */
static bool
report_needs_strip(const char *text, size_t len)
{
	size_t i = 0;

#if defined(__SSE2__)
	if (len >= 16) {
		__m128i any = _mm_setzero_si128();
		for (; i + 16 < len; i += 16)
			any = _mm_or_si128(any, report_block_strip(text + i));
		any = _mm_or_si128(any, report_block_strip(text + len - 16));
		return _mm_movemask_epi8(any) != 0;
	}
#endif
	if (len >= 8) {
		for (;;) {
			uint64_t x;
			memcpy(&x, text + i, 8);
			if (report_word_needs_strip(x))
				break;
			if (i + 8 == len)
				return false;
			i = i + 16 <= len ? i + 8 : len - 8;
		}
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

static void
report_line(struct report *rp, const struct run_event *ev)
{
	const struct outbuf_line *line = ev->line;
	size_t len = line->len;

	if (line->flags & OUTBUF_MARK)
		return; /* drove's own banners: the step events say it */
	if (!rp->visible && (rp->color || rp->raw ||
	    !report_needs_strip(line->text, len))) {
		/* The common line, into the buffer in one go: its prefix,
		 * its text as it is, and its end (colours reset). */
		static const char reset[] = C_RESET "\n";
		size_t plen = rp->prefix_len[ev->seq];
		size_t need = plen + len + (rp->color ? sizeof reset - 1 : 1);
		if (rp->out_len + need > sizeof rp->out)
			report_flush(rp);
		if (need <= sizeof rp->out) {
			char *o = rp->out + rp->out_len;
			memcpy(o, rp->prefix[ev->seq], plen);
			memcpy(o + plen, line->text, len);
			if (rp->color)
				memcpy(o + plen + len, reset, sizeof reset - 1);
			else
				o[plen + len] = '\n';
			rp->out_len += need;
			return;
		}
	}
	report_prefix(rp, ev->seq);
	if (rp->color) {
		report_put(rp, line->text, len);
		report_put(rp, C_RESET "\n", sizeof(C_RESET "\n") - 1);
		return;
	}
	if (rp->raw || !report_needs_strip(line->text, len)) {
		report_put(rp, line->text, len);
		report_put(rp, "\n", 1);
		return;
	}
	rp->scratch = xreallocarray_grow(rp->scratch, &rp->scratch_cap,
	    len + 1, 1);
	memcpy(rp->scratch, line->text, len);
	len = report_strip(rp->scratch, len);
	rp->scratch[len] = '\n';
	report_put(rp, rp->scratch, len + 1);
}

static const char *
report_status_color(const struct report *rp, enum step_status st)
{
	if (!rp->color)
		return "";
	switch (st) {
	case STEP_OK:
		return C_GREEN;
	case STEP_SKIPPED:
		return C_YELLOW;
	default:
		return C_RED;
	}
}

/* "connection to HOST lost", "HOST unreachable": as the pane says it. */
static const char *
report_host_why(const struct report *rp, size_t i, enum step_status st,
    char *buf, size_t size)
{
	const struct config *cfg = run_config(rp->run);
	return step_host_why(st, cfg->seqs[i].host >= 0 ?
	    cfg->hosts[cfg->seqs[i].host].name : NULL, buf, size);
}

static void
report_step_end(struct report *rp, const struct run_event *ev)
{
	const struct run_seq *seq = run_seq(rp->run, ev->seq);
	const struct run_step *step = &seq->steps[ev->step];
	char dur[32], why[192] = "", label[64], host[160];

	duration_format(step->ended - step->started, DURATION_SHORT, dur,
	    sizeof dur);
	if (step_status_unreachable(step->status))
		snprintf(why, sizeof why, "%s, ", report_host_why(rp, ev->seq,
		    step->status, host, sizeof host));
	else if (step->signal > 0)
		snprintf(why, sizeof why, "signal %s, ",
		    sigabbrev_np(step->signal) ? sigabbrev_np(step->signal) :
		    "?");
	else if (step->exit_code > 0)
		snprintf(why, sizeof why, "exit %d, ", step->exit_code);
	report_prefix(rp, ev->seq);
	if (ev->attempt == 0 && step->resumed) {
		/* Not run here: no time, no exit code of its own. */
		report_printf(rp, "%s<== %s %s: %s%s%s in run %s, "
		    "not run again\n", rp->color ? C_DIM : "",
		    run_step_label(seq, ev->step, label, sizeof label),
		    step->name,
		    rp->color ? C_RESET : "",
		    report_status_color(rp, step->status),
		    step_status_name(step->status),
		    run_resumed_from(rp->run) ? run_resumed_from(rp->run) : "?");
		if (rp->color)
			report_put(rp, C_RESET, sizeof C_RESET - 1);
		return;
	}
	/* A wait step says how it ended: what answered, or why not. */
	report_printf(rp, "%s<== %s %s: %s%s%s (%s%s)%s%s\n",
	    rp->color ? C_DIM : "",
	    run_step_label(seq, ev->step, label, sizeof label), step->name, rp->color ? C_RESET : "",
	    report_status_color(rp, step->status),
	    step_status_name(step->status), why, dur,
	    step->why != NULL ? ": " : "", step->why != NULL ? step->why : "");
	if (rp->color)
		report_put(rp, C_RESET, sizeof C_RESET - 1);
}

/* The prefixes of the sequences it has none for yet: all at first, then
 * those a fan-out makes. */
static void
report_add_prefixes(struct report *rp)
{
	size_t n = run_seq_count(rp->run);

	rp->prefix = xrealloc(rp->prefix, (n + 1) * sizeof *rp->prefix);
	rp->prefix_len = xrealloc(rp->prefix_len,
	    (n + 1) * sizeof *rp->prefix_len);
	for (size_t i = rp->n_prefix; i < n; i++) {
		const char *name = run_seq(rp->run, i)->name;
		size_t len = 0;
		/* A name made from a --secret shows *** here too. */
		char *shown = secret_redact(name, strlen(name), &len);
		rp->prefix[i] = xasprintf("%s%-*s%s | ",
		    report_seq_color(rp, i), rp->width,
		    shown != NULL ? shown : name, rp->color ? C_RESET : "");
		rp->prefix_len[i] = strlen(rp->prefix[i]);
		free(shown);
	}
	rp->n_prefix = n;
}

/* A placeholder grew: its sequences are said by name. */
static void
report_grow(struct report *rp, const struct run_event *ev)
{
	report_add_prefixes(rp);
	if (ev->count == 0)
		return;         /* its notice says so */
	report_prefix(rp, ev->seq);
	report_printf(rp, "%s-- %zu sequence%s made:", rp->color ? C_BOLD : "",
	    ev->count, ev->count == 1 ? "" : "s");
	for (size_t i = ev->first; i < ev->first + ev->count; i++) {
		if (i - ev->first == 8 && ev->count > 9) {
			report_printf(rp, " ... (%zu more)",
			    ev->first + ev->count - i);
			break;
		}
		report_printf(rp, "%s %s", i > ev->first ? "," : "",
		    run_seq(rp->run, i)->name);
	}
	report_printf(rp, " --%s\n", rp->color ? C_RESET : "");
}

static void
report_observe(void *arg, struct run *run, const struct run_event *ev)
{
	struct report *rp = arg;
	const struct run_seq *seq;
	char label[64];

	(void)run;
	switch (ev->type) {
	case RUN_EV_LINE:
		report_line(rp, ev);
		break;
	case RUN_EV_STEP_START:
		seq = run_seq(rp->run, ev->seq);
		report_prefix(rp, ev->seq);
		report_printf(rp, "%s==> %s %s", rp->color ? C_BOLD : "",
		    run_step_label(seq, ev->step, label, sizeof label),
		    seq->steps[ev->step].name);
		if (ev->attempt > 1)
			report_printf(rp, " (try %u)", ev->attempt);
		report_printf(rp, "%s\n", rp->color ? C_RESET : "");
		break;
	case RUN_EV_STEP_END:
		report_step_end(rp, ev);
		break;
	case RUN_EV_SEQ:
		seq = run_seq(rp->run, ev->seq);
		if (seq->state == SEQ_BLOCKED) {
			report_prefix(rp, ev->seq);
			/* "blocked: waits for setup vm3 (failed)", as its
			 * pane says. */
			if (seq->blocked_by != NULL && *seq->blocked_by)
				report_printf(rp, "%sblocked%s: waits for %s\n",
				    rp->color ? C_RED : "",
				    rp->color ? C_RESET : "", seq->blocked_by);
			else
				report_printf(rp, "%sblocked%s: a sequence it "
				    "needs did not succeed\n", rp->color ?
				    C_RED : "", rp->color ? C_RESET : "");
		}
		break;
	case RUN_EV_NOTICE:
		report_prefix(rp, ev->seq);
		report_printf(rp, "%s!! %s%s\n", rp->color ? C_YELLOW : "",
		    ev->text, rp->color ? C_RESET : "");
		break;
	case RUN_EV_ACTION:
		report_prefix(rp, ev->seq);
		report_printf(rp, "-- %s%s%s --\n",
		    run_action_name(ev->action),
		    ev->text ? ": " : "", ev->text ? ev->text : "");
		break;
	case RUN_EV_GROW:
		report_grow(rp, ev);
		break;
	case RUN_EV_START:
	case RUN_EV_OUTPUT:
	case RUN_EV_IDLE:
	case RUN_EV_END:
	case RUN_EV_CAPTURE:    /* its stdout was shown as it came */
		break;
	}
}

static void
report_flush_cb(EV_P_ ev_prepare *w, int revents)
{
	struct report *rp = container_of(w, struct report, flush);

	(void)EV_A;
	(void)revents;
	report_flush(rp);
}

struct report *
report_create(struct run *run, FILE *fp, bool color)
{
	struct report *rp = xcalloc(1, sizeof *rp);
	int w;

	rp->run = run;
	rp->fp = fp;
	/* Whatever stdio holds goes first; from here on the reporter
	 * writes the descriptor itself. */
	fflush(fp);
	rp->fd = fileno(fp);
	rp->color = color;
	for (size_t i = 0; i < run_seq_count(run); i++) {
		const char *name = run_seq(run, i)->name;
		size_t len = strlen(name), shown_len = 0;
		char *shown = secret_redact(name, len, &shown_len);
		w = (int)(shown != NULL ? shown_len : len);
		free(shown);
		if (w > rp->width)
			rp->width = w;
	}
	if (rp->width > 24)
		rp->width = 24;
	report_add_prefixes(rp);
	/* Lines are written in bulk and flushed once per loop iteration,
	 * before the loop sleeps: timely for a person tailing a CI log,
	 * cheap for a step that floods. */
	ev_prepare_init(&rp->flush, report_flush_cb);
	ev_prepare_start(EV_DEFAULT_ &rp->flush);
	run_add_observer(run, report_observe, rp);
	return rp;
}

void
report_set_raw(struct report *rp, bool raw)
{
	rp->raw = raw;
}

void
report_set_visible(struct report *rp, bool visible)
{
	rp->visible = visible;
}

void
report_free(struct report *rp)
{
	if (rp == NULL)
		return;
	ev_prepare_stop(EV_DEFAULT_ &rp->flush);
	report_flush(rp);
	xstrs_free(rp->prefix, rp->n_prefix);
	free(rp->prefix_len);
	free(rp->scratch);
	strbuf_free(&rp->vis);
	free(rp);
}

void
report_summary(struct report *rp, const char *run_dir)
{
	struct run *run = rp->run;
	size_t nseq = run_seq_count(run), counts[SEQ_STATE_COUNT] = { 0 };
	size_t shown = nseq;
	int w = 8;
	char dur[32], unreach[48] = "";
	double now = ev_now(EV_DEFAULT);

	for (size_t i = 0; i < nseq; i++) {
		int l = (int)strlen(run_seq(run, i)->name);
		if (l > w)
			w = l;
	}
	report_printf(rp, "\n%s%-*s  %-11s %4s %6s %7s %9s%s\n",
	    rp->color ? C_BOLD : "", w, "SEQUENCE", "RESULT", "OK", "FAILED",
	    "SKIPPED", "DURATION", rp->color ? C_RESET : "");
	for (size_t i = 0; i < nseq; i++) {
		const struct run_seq *seq = run_seq(run, i);
		size_t ok, failed, skipped;
		const char *col = "";

		/* A fan-out's placeholder that grew: its sequences say it. */
		if (seq->grown) {
			shown--;
			continue;
		}
		run_seq_counts(seq, &ok, &failed, &skipped);
		counts[seq->state]++;
		if (seq->started > 0)
			duration_format((seq->ended > 0 ? seq->ended : now) -
			    seq->started, DURATION_SHORT, dur, sizeof dur);
		else
			snprintf(dur, sizeof dur, "-");
		if (rp->color)
			col = seq->state == SEQ_OK ? C_GREEN : C_RED;
		report_printf(rp, "%-*s  %s%-11s%s %4zu %6zu %7zu %9s\n", w,
		    seq->name, col, seq_state_name(seq->state),
		    rp->color ? C_RESET : "", ok, failed, skipped, dur);
	}
	duration_format(now - run_started(run), DURATION_SHORT, dur, sizeof dur);
	/* The recap: a host that could not be reached is not a command
	 * that failed (said when there is one, as Ansible's recap does). */
	if (counts[SEQ_UNREACHABLE] > 0)
		snprintf(unreach, sizeof unreach, "%zu unreachable, ",
		    counts[SEQ_UNREACHABLE]);
	report_printf(rp, "\n%zu sequence%s: %zu ok, %zu failed, %s%zu "
	    "blocked, %zu aborted in %s\n", shown, shown == 1 ? "" : "s",
	    counts[SEQ_OK], counts[SEQ_FAILED], unreach,
	    counts[SEQ_BLOCKED], counts[SEQ_ABORTED] + counts[SEQ_WAITING] +
	    counts[SEQ_RUNNING] + counts[SEQ_PAUSED], dur);
	if (run_dir != NULL)
		report_printf(rp, "logs: %s\n", run_dir);
	report_flush(rp);
}
