/* test_ui_keys.c: the key table, and keys dispatched to engine actions and
 * dashboard state (focus, zoom, scroll, search, input, quit) through a
 * fake engine. Also the view: scrolling and searching a line source. */
#include <curses.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl.h"
#include "keys.h"
#include "outbuf.h"
#include "strbuf.h"
#include "testutil.h"
#include "view.h"
#include "xmalloc.h"

#define NSEQ 4
#define NLINES 100

/* The fake engine. */
static struct fake {
	enum seq_state state[NSEQ];
	bool tty[NSEQ];
	bool replaced[NSEQ];         /* a placeholder that grew */
	const char *reason;          /* what act() answers */
	size_t busy;
	/* Calls seen. */
	enum run_action acts[16];
	size_t act_seq[16];
	size_t nacts;
	char input[64];
	size_t ninput;
	/* Lines: first .. first+count-1 are "line N" (some say "error"). */
	uint64_t first;
	size_t count;
	char partial[32];
	char buf[64];
} F;

static enum seq_state
fake_state(void *arg, size_t i)
{
	(void)arg;
	return F.state[i];
}

static const char *
fake_name(void *arg, size_t i)
{
	static const char *names[NSEQ] = { "alpha", "beta", "gamma", "delta" };

	(void)arg;
	return names[i];
}

static size_t
fake_n_steps(void *arg, size_t i)
{
	(void)arg;
	return i + 1;
}

static bool
fake_takes_input(void *arg, size_t i)
{
	(void)arg;
	return F.tty[i];
}

static const char *
fake_act(void *arg, size_t i, enum run_action act)
{
	(void)arg;
	F.acts[F.nacts] = act;
	F.act_seq[F.nacts] = i;
	F.nacts++;
	return F.reason;
}

/* Resume applies to a paused sequence; the rest is up to act(). */
static const char *
fake_can(void *arg, size_t i, enum run_action act)
{
	(void)arg;
	if (act == RUN_ACT_RESUME)
		return F.state[i] == SEQ_PAUSED ? NULL : "not held";
	if (act == RUN_ACT_RELEASE)
		return "not held";
	return NULL;
}

static const char *
fake_input(void *arg, size_t i, const char *data, size_t len)
{
	(void)arg;
	(void)i;
	memcpy(F.input + F.ninput, data, len);
	F.ninput += len;
	return NULL;
}

static const char *
fake_step_name(void *arg, size_t i)
{
	(void)arg;
	return i % 2 ? "install" : "mount";
}

static size_t
fake_busy(void *arg)
{
	(void)arg;
	return F.busy;
}

static uint64_t
src_first(void *arg)
{
	(void)arg;
	return F.first;
}

static size_t
src_count(void *arg)
{
	(void)arg;
	return F.count;
}

static const char *
src_line(void *arg, uint64_t n, size_t *len, unsigned *flags)
{
	(void)arg;
	if (n < F.first || n >= F.first + F.count)
		return NULL;
	/* Every tenth line has an error, in red. */
	if (n % 10 == 5)
		snprintf(F.buf, sizeof F.buf, "line %llu \033[31mError\033[m",
		    (unsigned long long)n);
	else
		snprintf(F.buf, sizeof F.buf, "line %llu", (unsigned long long)n);
	*len = strlen(F.buf);
	*flags = 0;
	return F.buf;
}

static const char *
src_partial(void *arg, size_t *len)
{
	(void)arg;
	*len = strlen(F.partial);
	return F.partial;
}

static void
fake_source(void *arg, size_t i, struct view_source *src)
{
	(void)i;
	src->first = src_first;
	src->count = src_count;
	src->line = src_line;
	src->partial = src_partial;
	src->time = NULL;
	src->arg = arg;
}

static bool
fake_replaced(void *arg, size_t i)
{
	(void)arg;
	return F.replaced[i];
}

static const struct ctl_engine fake_engine = {
	.state = fake_state,
	.name = fake_name,
	.n_steps = fake_n_steps,
	.takes_input = fake_takes_input,
	.act = fake_act,
	.can = fake_can,
	.input = fake_input,
	.step_name = fake_step_name,
	.busy = fake_busy,
	.source = fake_source,
	.replaced = fake_replaced,
};

static int
setup(void **state)
{
	struct ctl *c;

	memset(&F, 0, sizeof F);
	F.count = NLINES;
	for (size_t i = 0; i < NSEQ; i++)
		F.state[i] = SEQ_RUNNING;
	c = ctl_create(NSEQ, &fake_engine, NULL);
	ctl_resize(c, 120, 40);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	ctl_free(*state);
	return 0;
}

static void
keys(struct ctl *c, const char *s)
{
	while (*s)
		ctl_key(c, (unsigned char)*s++);
}

static void
test_table(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(keys_lookup('r'), KEYS_RETRY);
	assert_int_equal(keys_lookup(KEYS_FN(KEY_LEFT)), KEYS_FOCUS_LEFT);
	assert_int_equal(keys_lookup('\n'), KEYS_ZOOM);
	assert_int_equal(keys_lookup(KEYS_CTRL('u')), KEYS_HALF_UP);
	assert_int_equal(keys_lookup('Z'), KEYS_NONE);
	/* A wide character that has the number of a curses key is still a
	 * character. */
	assert_int_equal(keys_lookup(KEY_LEFT), KEYS_NONE);
	assert_string_equal(keys_names(KEYS_FOCUS_LEFT, buf, sizeof buf),
	    "Left h");
	assert_string_equal(keys_names(KEYS_ZOOM, buf, sizeof buf),
	    "z Enter");
	assert_string_equal(keys_name(KEYS_FOCUS_ATTENTION),
	    "focus-attention");
	/* The help lists every request, and every request has a key. */
	size_t n = keys_help_line(0, buf, sizeof buf, 12);
	assert_true(n > KEYS_NONE);
	for (size_t i = 0; i < KEYS_NONE; i++) {
		keys_names((enum keys_request)i, buf, sizeof buf);
		assert_true(buf[0] != '\0');
		keys_help_line(i, buf, sizeof buf, 12);
		assert_true(strstr(buf, keys_help((enum keys_request)i)) !=
		    NULL);
	}
	keys_help_line(KEYS_RETRY, buf, sizeof buf, 6);
	assert_string_equal(buf, "r      retry the failed or paused step");
}

/* The status bar's hints come from the key table, as they read before it
 * made them. */
static void
test_hints(void **state)
{
	char buf[256], small[12];

	(void)state;
	assert_string_equal(keys_hints(KEYS_MOMENT_LIVE, 999, buf, sizeof buf),
	    "? help  q quit  r retry  s skip  ! next paused  z zoom  "
	    "R retry all  e edit  $ shell  v log  d detach  x kill  a abort  "
	    "p pause  / search  m mark  t times");
	assert_string_equal(keys_hints(KEYS_MOMENT_DONE, 999, buf, sizeof buf),
	    "q quit  ? help  r retry  R retry all  z zoom  / search  t times  "
	    "PgUp scroll  e edit  $ shell  v log  H hide ok");
	assert_string_equal(keys_hints(KEYS_MOMENT_PAST, 999, buf, sizeof buf),
	    "q quit  ? help  z zoom  / search  t times  PgUp scroll  v log");
	/* Whole hints only, most important first; a shorter one after a
	 * long one that does not fit still does. */
	assert_string_equal(keys_hints(KEYS_MOMENT_LIVE, 40, buf, sizeof buf),
	    "? help  q quit  r retry  s skip  z zoom");
	assert_string_equal(keys_hints(KEYS_MOMENT_LIVE, 999, small,
	    sizeof small), "? help");
	assert_string_equal(keys_hints(KEYS_MOMENT_LIVE, 3, buf, sizeof buf),
	    "");
}

/* Whether name is one of the words of the space-separated list. */
static bool
word_in(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return true;
	return false;
}

/* The table of keys in doc (a path in the source tree)
 * names every key of the key table, and no other: the keys of its first
 * column, each between two marks (` or **). */
static void
check_doc_keys(const char *doc, const char *mark)
{
	const char *src = getenv("DROVE_SOURCE_DIR");
	char *path, *text, *p, *end, names[128], key[32];
	struct strbuf listed = STRBUF_INIT;
	size_t ml = strlen(mark);

	assert_non_null(src);
	path = xasprintf("%s/%s", src, doc);
	text = tu_read_file(path, NULL);
	free(path);
	assert_non_null(text);
	p = strstr(text, "\n| key | action |\n");
	assert_non_null(p);
	p = strchr(p + 1, '\n') + 1;       /* the header */
	p = strchr(p, '\n') + 1;           /* |-----|--------| */
	for (; *p == '|'; p = strchr(p, '\n') + 1) {
		end = strchr(p + 1, '|');  /* the end of the first column */
		assert_non_null(end);
		*end = '\0';
		for (char *q = p; (q = strstr(q, mark)) != NULL;) {
			char *close = strstr(q + ml, mark);
			assert_non_null(close);
			snprintf(key, sizeof key, "%.*s",
			    (int)(close - q - (ptrdiff_t)ml), q + ml);
			/* A Markdown escape (\$: pandoc's math otherwise)
			 * names the character after it. */
			if (key[0] == '\\' && key[1] != '\0')
				memmove(key, key + 1, strlen(key));
			/* Each key the document names is bound. */
			bool bound = false;
			for (size_t i = 0; i < KEYS_NONE && !bound; i++)
				bound = word_in(keys_names((enum keys_request)i,
				    names, sizeof names), key);
			if (!bound)
				fail_msg("%s names key '%s': not bound", doc,
				    key);
			strbuf_printf(&listed, " %s", key);
			q = close + ml;
		}
		*end = '|';
	}
	/* Each key bound is in the document. */
	for (size_t i = 0; i < KEYS_NONE; i++) {
		char *w, *save = NULL;
		keys_names((enum keys_request)i, names, sizeof names);
		for (w = strtok_r(names, " ", &save); w != NULL;
		    w = strtok_r(NULL, " ", &save))
			if (!word_in(strbuf_str(&listed), w))
				fail_msg("key '%s' (%s) is not in %s's table",
				    w, keys_name((enum keys_request)i), doc);
	}
	strbuf_free(&listed);
	free(text);
}

/* The README's and the man page's tables of keys. */
static void
test_doc_keys(void **state)
{
	(void)state;
	check_doc_keys("README.md", "`");
	check_doc_keys("doc/drove.1.md", "**");
}

static void
test_actions(void **state)
{
	struct ctl *c = *state;

	keys(c, "rsxayp");
	assert_int_equal(F.nacts, 5);
	assert_int_equal(F.acts[0], RUN_ACT_RETRY);
	assert_int_equal(F.acts[1], RUN_ACT_SKIP);
	assert_int_equal(F.acts[2], RUN_ACT_KILL);
	assert_int_equal(F.acts[3], RUN_ACT_ABORT);
	assert_int_equal(F.acts[4], RUN_ACT_HOLD);
	assert_int_equal(F.act_seq[4], 0);
	/* In the action table's past tense, as ctl says it. */
	assert_string_equal(c->message, "held after this step alpha");
	assert_false(c->message_error);
	/* On the focused sequence, and the reason is shown. */
	ctl_key(c, '\t');
	F.reason = "no failed or paused step";
	F.state[1] = SEQ_PAUSED;
	keys(c, "r");
	assert_int_equal(F.act_seq[5], 1);
	assert_string_equal(c->message, "no failed or paused step (retry beta)");
	assert_true(c->message_error);
	keys(c, "p");
	assert_int_equal(F.acts[6], RUN_ACT_RESUME);
	assert_string_equal(c->message,
	    "no failed or paused step (resume beta)");
	/* The next key clears it. */
	ctl_key(c, 'j');
	assert_string_equal(c->message, "");
}

/* a asks first; R and S ask too, naming how many, and act on each
 * sequence one by one (one action each in the record). */
static void
test_confirmations(void **state)
{
	struct ctl *c = *state;

	keys(c, "a");
	assert_int_equal(c->mode, CTL_CONFIRM);
	assert_string_equal(c->confirm_text[0], "Abort alpha?");
	keys(c, "n");
	assert_int_equal(F.nacts, 0);
	assert_string_equal(c->message, "abort: cancelled");
	/* Nothing stopped: R says so and asks nothing. */
	keys(c, "R");
	assert_int_equal(c->mode, CTL_NORMAL);
	assert_true(c->message_error);
	/* Three stopped: alpha (mount), beta and delta (install). */
	F.state[0] = SEQ_FAILED;
	F.state[1] = SEQ_PAUSED;
	F.state[2] = SEQ_RUNNING;
	F.state[3] = SEQ_ABORTED;
	ctl_key(c, '\t');           /* beta */
	keys(c, "R");
	assert_int_equal(c->mode, CTL_CONFIRM);
	assert_string_equal(c->confirm_text[0],
	    "Retry 3 failed or paused sequences?");
	assert_string_equal(c->confirm_text[1],
	    "o: only the 2 stopped at step 'install'");
	keys(c, "o");
	assert_int_equal(F.nacts, 2);
	assert_int_equal(F.acts[0], RUN_ACT_RETRY);
	assert_int_equal(F.act_seq[0], 1);
	assert_int_equal(F.act_seq[1], 3);
	assert_string_equal(c->message, "retried 2 sequences");
	keys(c, "Sy");
	assert_int_equal(F.nacts, 5);
	assert_int_equal(F.acts[2], RUN_ACT_SKIP);
	assert_int_equal(F.act_seq[2], 0);
	assert_string_equal(c->message, "skipped 3 sequences");
}

/* Press key once for each of want's entries: the focus is on that one. */
static void
focus_after_each(struct ctl *c, int key, const size_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ctl_key(c, key);
		assert_int_equal(c->focus, want[i]);
	}
}

static void
test_focus(void **state)
{
	struct ctl *c = *state;
	/* 2x2 grid: each key in turn, and the pane it focuses. */
	static const struct {
		int key;
		size_t focus;
	} moves[] = {
		{ 'l', 1 }, { KEYS_FN(KEY_DOWN), 3 }, { 'h', 2 }, { 'k', 0 },
		{ KEYS_FN(KEY_BTAB), 3 }, { '\t', 0 },
	};

	assert_int_equal(c->lo.kind, LAYOUT_GRID);
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		ctl_key(c, moves[i].key);
		assert_int_equal(c->focus, moves[i].focus);
	}
	/* The next one waiting for the operator, wrapping around. */
	F.state[2] = SEQ_PAUSED;
	focus_after_each(c, '!', (const size_t[]){ 2, 2 }, 2);
	/* A failed (aborted, unreachable) one needs the operator too: r
	 * retries it. Paused ones first, then those, in order. */
	F.state[2] = SEQ_FAILED;
	ctl_key(c, '!');
	assert_int_equal(c->focus, 2);
	F.state[1] = SEQ_ABORTED;
	F.state[3] = SEQ_PAUSED;
	focus_after_each(c, '!', (const size_t[]){ 3, 1, 2, 3 }, 4);
	F.state[1] = F.state[3] = SEQ_RUNNING;
	F.state[2] = SEQ_OK;
	ctl_key(c, '!');
	assert_string_equal(c->message, "no sequence is waiting for you");
	F.state[2] = SEQ_FAILED;
	/* Mouse: a click focuses, the wheel scrolls what it is over. */
	ctl_mouse(c, 119, 0, CTL_CLICK);
	assert_int_equal(c->focus, 1);
	ctl_mouse(c, 0, 38, CTL_WHEEL_UP);
	assert_int_equal(c->focus, 2);
	assert_false(c->views[2].follow);
	assert_int_equal(c->views[2].bottom, NLINES - 1 - CTL_WHEEL_LINES);
	ctl_mouse(c, 0, 38, CTL_WHEEL_DOWN);
	assert_true(c->views[2].follow);
}

/* A fan-out's placeholder that grew is replaced by its sequences: not
 * shown, not focused, not counted by the bulk actions, whatever its
 * state sums up. */
static void
test_replaced(void **state)
{
	struct ctl *c = *state;

	ctl_key(c, '\t');
	assert_int_equal(c->focus, 1);
	F.replaced[1] = true;
	F.state[1] = SEQ_FAILED;
	ctl_grow(c, NSEQ);          /* the grow: no new sequence here */
	assert_int_equal(c->lo.n_shown, NSEQ - 1);
	for (size_t k = 0; k < c->lo.n_shown; k++)
		assert_int_not_equal(c->lo.order[k], 1);
	assert_int_not_equal(c->focus, 1);
	ctl_key(c, '\t');
	ctl_key(c, '\t');
	ctl_key(c, '\t');
	assert_int_not_equal(c->focus, 1);
	/* Nothing else stopped: R has nothing to retry. */
	keys(c, "R");
	assert_int_equal(c->mode, CTL_NORMAL);
	assert_int_equal(F.nacts, 0);
	/* The list too. */
	ctl_key(c, 'L');
	assert_int_equal(c->lo.kind, LAYOUT_LIST);
	assert_int_equal(c->lo.n_shown, NSEQ - 1);
}

static void
test_zoom_and_layout(void **state)
{
	struct ctl *c = *state;
	unsigned gen = c->layout_gen;

	ctl_key(c, 'z');
	assert_true(c->zoom);
	assert_int_equal(c->lo.kind, LAYOUT_ZOOM);
	assert_true(c->layout_gen != gen);
	ctl_key(c, '\t');               /* zoom follows the focus */
	assert_int_equal(c->lo.focus, 1);
	assert_int_equal(c->lo.steps.h, 2);
	ctl_key(c, '\n');
	assert_false(c->zoom);
	ctl_key(c, 'z');
	ctl_key(c, 0x1b);               /* Esc leaves zoom */
	assert_false(c->zoom);
	ctl_key(c, 'L');
	assert_int_equal(c->lo.kind, LAYOUT_LIST);
	ctl_key(c, 'j');
	assert_int_equal(c->focus, 2);
	ctl_key(c, 'L');
	assert_int_equal(c->lo.kind, LAYOUT_GRID);
	/* Too small for a grid: v says why. */
	ctl_resize(c, 30, 6);
	assert_int_equal(c->lo.kind, LAYOUT_LIST);
	ctl_key(c, 'L');
	assert_int_equal(c->want, LAYOUT_GRID);
	assert_true(strstr(c->message, "too many") != NULL);
}

static void
test_scroll(void **state)
{
	struct ctl *c = *state;
	struct view *v = &c->views[0];
	size_t page = ctl_page(c);

	assert_int_equal(page, 19);
	ctl_key(c, KEYS_FN(KEY_PPAGE));
	assert_false(v->follow);
	assert_int_equal(v->bottom, NLINES - 1 - (page - 1));
	ctl_key(c, KEYS_CTRL('d'));
	assert_int_equal(v->bottom, NLINES - 1 - (page - 1) + page / 2);
	ctl_key(c, 'G');
	assert_true(v->follow);
	ctl_key(c, KEYS_CTRL('u'));
	assert_int_equal(v->bottom, NLINES - 1 - page / 2);
	/* The oldest lines fill the pane from its top: the bottom line is
	 * the page's last. */
	ctl_key(c, 'g');
	assert_int_equal(v->bottom, page - 1);
	ctl_key(c, KEYS_FN(KEY_PPAGE));  /* stays at the top */
	assert_int_equal(v->bottom, page - 1);
	/* Old lines fall out of the scrollback: the view stays within. */
	F.first = 50;
	F.count = 50;
	struct view_source src;
	fake_source(NULL, 0, &src);
	assert_int_equal(view_bottom(v, &src), 50);
	ctl_key(c, KEYS_FN(KEY_NPAGE));
	ctl_key(c, KEYS_FN(KEY_NPAGE));
	ctl_key(c, KEYS_FN(KEY_NPAGE));
	assert_true(v->follow);          /* reaching the end follows */
	/* The partial line is the last line. */
	strcpy(F.partial, "Password: ");
	assert_int_equal(view_end(&src), 101);
	assert_int_equal(view_bottom(v, &src), 100);
}

static void
test_search(void **state)
{
	struct ctl *c = *state;
	struct view *v = &c->views[0];
	uint64_t top;

	/* From the oldest lines (g), a search finds what is below. */
	ctl_key(c, 'g');
	ctl_key(c, '/');
	assert_int_equal(c->mode, CTL_SEARCH);
	keys(c, "errx");
	ctl_key(c, KEYS_FN(KEY_BACKSPACE));
	assert_int_equal(c->prompt_len, 3);
	keys(c, "or\n");
	assert_int_equal(c->mode, CTL_NORMAL);
	/* Forward from the view's top line, case-insensitive (all lower
	 * case), as less does. */
	assert_true(v->match_valid);
	assert_int_equal(v->match, 5);
	assert_false(v->follow);
	assert_string_equal(c->message, "");
	keys(c, "n");
	assert_int_equal(v->match, 15);
	keys(c, "nn");
	assert_int_equal(v->match, 35);
	keys(c, "N");
	assert_int_equal(v->match, 25);
	/* The match is highlighted where it is. */
	struct ansi_line l;
	size_t from[4], to[4];
	ansi_line_init(&l, 0);
	ansi_parse(&l, "x error ERROR", 13);
	assert_int_equal(view_matches(v, &l, from, to, 4), 2);
	assert_int_equal(from[0], 2);
	assert_int_equal(to[0], 7);
	/* An upper-case letter makes it case-sensitive. */
	ctl_key(c, '/');
	keys(c, "ERROR\n");
	assert_int_equal(view_matches(v, &l, from, to, 4), 1);
	assert_int_equal(from[0], 8);
	assert_true(c->message_error);   /* the fake says "Error" */
	assert_string_equal(c->message, "not found: ERROR");
	ansi_line_free(&l);
	assert_int_equal(v->match, 25);  /* the view stays */
	/* Past the newest line, round from the oldest: said, not an
	 * error. The only match, found again, wraps again. */
	ctl_key(c, '/');
	keys(c, "line 0\n");
	assert_int_equal(v->match, 0);
	assert_false(c->message_error);
	assert_string_equal(c->message,
	    "search wrapped to the oldest line: line 0");
	keys(c, "n");
	assert_int_equal(v->match, 0);
	assert_string_equal(c->message,
	    "search wrapped to the oldest line: line 0");
	keys(c, "N");
	assert_int_equal(v->match, 0);
	assert_string_equal(c->message,
	    "search wrapped to the newest line: line 0");
	/* Following the end, a search starts at the top of the pane: the
	 * first match shown, else round to the oldest. */
	ctl_key(c, 'G');
	ctl_key(c, '/');
	keys(c, "error\n");
	top = NLINES - ctl_page(c);
	assert_int_equal(v->match, top + (15 - top % 10) % 10);
	assert_string_equal(c->message, "");
	keys(c, "N");
	assert_int_equal(v->match, top + (15 - top % 10) % 10 - 10);
	/* Esc clears the search; Esc in the prompt cancels it. */
	ctl_key(c, 0x1b);
	assert_int_equal(v->plen, 0);
	ctl_key(c, '/');
	keys(c, "abc\033");
	assert_int_equal(c->mode, CTL_NORMAL);
	assert_int_equal(v->plen, 0);
	keys(c, "n");
	assert_true(c->message_error);
}

static void
test_input(void **state)
{
	struct ctl *c = *state;

	ctl_key(c, 'i');
	assert_int_equal(c->mode, CTL_NORMAL);
	assert_string_equal(c->message,
	    "input: alpha runs no tty: true step");
	F.tty[0] = true;
	ctl_key(c, 'i');
	assert_int_equal(c->mode, CTL_INPUT);
	/* Everything goes to the step, q and r included. */
	keys(c, "qr\n");
	ctl_key(c, 0xe9);
	ctl_key(c, KEYS_FN(KEY_UP));
	/* Recorded once, as the typing began: not the keys. */
	assert_int_equal(F.nacts, 1);
	assert_int_equal(F.acts[0], RUN_ACT_INPUT);
	assert_false(c->quit);
	assert_int_equal(F.ninput, 8);
	assert_memory_equal(F.input, "qr\r\xc3\xa9\033[A", 8);
	ctl_key(c, KEYS_INPUT_ESCAPE);
	assert_int_equal(c->mode, CTL_NORMAL);
	/* The step ends: input mode ends. */
	ctl_key(c, 'i');
	F.tty[0] = false;
	ctl_check(c);
	assert_int_equal(c->mode, CTL_NORMAL);
}

static void
test_key_bytes(void **state)
{
	char b[8];

	(void)state;
	assert_int_equal(ctl_key_bytes(0x1f600, b), 4);
	assert_memory_equal(b, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(ctl_key_bytes(KEYS_FN(KEY_BACKSPACE), b), 1);
	assert_int_equal(b[0], 0x7f);
	assert_int_equal(ctl_key_bytes(KEYS_FN(KEY_F(5)), b), 0);
	assert_int_equal(ctl_key_bytes(KEYS_CTRL('c'), b), 1);
	assert_int_equal(b[0], 3);
}

static void
test_help_and_quit(void **state)
{
	struct ctl *c = *state;

	ctl_key(c, '?');
	assert_int_equal(c->mode, CTL_HELP);
	ctl_key(c, 'j');
	assert_int_equal(c->help_top, 1);
	ctl_key(c, 'r');                 /* closes, does not retry */
	assert_int_equal(c->mode, CTL_NORMAL);
	assert_int_equal(F.nacts, 0);
	/* Busy: asks first; anything but y says no. */
	F.busy = 2;
	ctl_key(c, 'q');
	assert_int_equal(c->mode, CTL_CONFIRM_QUIT);
	ctl_key(c, 'n');
	assert_false(c->quit);
	assert_int_equal(c->mode, CTL_NORMAL);
	ctl_key(c, 'q');
	ctl_key(c, 'y');
	assert_true(c->quit);
	/* Idle: at once. */
	c->quit = false;
	F.busy = 0;
	ctl_key(c, 'q');
	assert_true(c->quit);
	/* Ctrl-L asks for a full repaint. */
	ctl_key(c, KEYS_CTRL('l'));
	assert_true(c->redraw);
}

/* t toggles the time column (and re-lays out: tty steps get narrower);
 * a read-only dashboard (the review) refuses input with the reason, and
 * passes actions to the engine, which refuses them itself. */
static void
test_times_and_read_only(void **state)
{
	struct ctl *c = *state;
	unsigned gen = c->layout_gen;
	char buf[256];

	assert_int_equal(keys_lookup('t'), KEYS_TIMES);
	assert_string_equal(keys_names(KEYS_TIMES, buf, sizeof buf), "t");
	assert_false(c->times);
	ctl_key(c, 't');
	assert_true(c->times);
	assert_true(c->layout_gen != gen);
	ctl_key(c, 't');
	assert_false(c->times);

	c->read_only = "read only: a past run";
	F.tty[0] = true;
	ctl_key(c, 'i');
	assert_int_equal(c->mode, CTL_NORMAL);
	assert_string_equal(c->message, "input: read only: a past run");
	assert_true(c->message_error);
	F.reason = "read only: a past run";
	keys(c, "r");
	assert_int_equal(F.nacts, 1);
	assert_string_equal(c->message, "read only: a past run (retry alpha)");
	/* Nothing runs: q quits at once. */
	ctl_key(c, 'q');
	assert_true(c->quit);
}

/* The outbuf source numbers lines absolutely. */
static void
test_outbuf_source(void **state)
{
	struct outbuf *ob = outbuf_create(3, NULL, NULL);
	struct view_source src;
	struct view v;
	size_t len;
	unsigned flags;
	const char *s;

	(void)state;
	view_source_outbuf(&src, ob);
	view_init(&v);
	assert_int_equal(view_end(&src), 0);
	assert_int_equal(view_bottom(&v, &src), 0);
	outbuf_feed(ob, "a\nb\nc\nd\ne\npart", 15, 0, 1, 0.);
	/* Three kept in memory; those before are still there (read
	 * back, here by no reader: a line says so). */
	assert_int_equal(outbuf_count(ob), 3);
	assert_int_equal(src.first(src.arg), 0);
	assert_int_equal(view_end(&src), 6);
	s = view_line(&src, 2, &len, &flags);
	assert_memory_equal(s, "c", 1);
	s = view_line(&src, 5, &len, &flags);
	assert_memory_equal(s, "part", 4);
	assert_non_null(view_line(&src, 1, &len, &flags));
	assert_int_equal(flags, OUTBUF_MARK);
	assert_null(view_line(&src, 6, &len, &flags));
	view_scroll(&v, &src, -1);
	assert_int_equal(view_bottom(&v, &src), 4);
	outbuf_feed(ob, "\nf\ng\nh\n", 7, 0, 1, 0.);
	/* Line 4 left memory but not the view: it stays on it. */
	assert_int_equal(view_bottom(&v, &src), 4);
	outbuf_free(ob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_doc_keys),
		TU_FIXED(test_actions),
		TU_FIXED(test_confirmations),
		TU_FIXED(test_focus),
		TU_FIXED(test_zoom_and_layout),
		TU_FIXED(test_replaced),
		TU_FIXED(test_scroll),
		TU_FIXED(test_search),
		TU_FIXED(test_input),
		cmocka_unit_test(test_key_bytes),
		TU_FIXED(test_help_and_quit),
		cmocka_unit_test(test_outbuf_source),
		TU_FIXED(test_times_and_read_only),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
