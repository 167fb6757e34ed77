/* test_ui_view.c: the view's line sources beyond the live scrollback: a
 * past run's complete output (view_source_logidx) over a run directory
 * written here by hand, the time each line arrived (live and past), the
 * timestamp column's text, and scrolling and searching all of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "ansi.h"
#include "logidx.h"
#include "outbuf.h"
#include "runread.h"
#include "testutil.h"
#include "view.h"
#include "xmalloc.h"

struct fixture {
	char *dir;
	struct rr_run *run;
	struct logidx *li;
	struct view_source src;
};

#define EV(fmt) "{\"seq\":\"s\",\"seq_index\":0,\"step\":\"mount\"," \
	"\"step_index\":0," fmt "}\n"

/* A run of one sequence whose one step failed, was retried by the
 * operator 9 s later and then succeeded; attempt 2 has no final newline
 * and a line long enough to be cut. Times are seconds after the epoch,
 * read in UTC. */
static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *p, *err = NULL, *big;

	f->dir = tu_tmpdir();
	p = xasprintf("%s/01-s", f->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/events.jsonl", f->dir);
	tu_write_file(p,
	    "{\"event\":\"run_start\",\"ts\":1000,\"config\":\"x.yaml\"}\n"
	    EV("\"event\":\"step_start\",\"attempt\":1,\"ts\":1000,"
	    "\"log\":\"01-s/01-mount.1.log\"")
	    EV("\"event\":\"step_end\",\"attempt\":1,\"ts\":1001,"
	    "\"status\":\"failed\",\"exit_code\":3")
	    EV("\"event\":\"retry\",\"attempt\":1,\"ts\":1010,"
	    "\"operator\":true")
	    EV("\"event\":\"step_start\",\"attempt\":2,\"ts\":1010,"
	    "\"log\":\"01-s/01-mount.2.log\"")
	    EV("\"event\":\"step_end\",\"attempt\":2,\"ts\":1012,"
	    "\"status\":\"ok\",\"exit_code\":0")
	    "{\"event\":\"run_end\",\"ts\":1012,\"status\":\"ok\","
	    "\"exit_code\":0}\n");
	free(p);
	p = xasprintf("%s/01-s/01-mount.1.log", f->dir);
	tu_write_file(p, "one\ntwo\n");
	free(p);
	/* "one\n" came in the first read, "two\n" in the second. */
	p = xasprintf("%s/01-s/01-mount.1.times", f->dir);
	tu_write_file(p, "0 1000.250\n4 1000.900\n");
	free(p);
	big = xcalloc(1, OUTBUF_LINE_MAX + 64);
	memset(big, 'x', OUTBUF_LINE_MAX + 10);
	p = xasprintf("%s/01-s/01-mount.2.log", f->dir);
	{
		char *text = xasprintf("%s\nERROR: disk /dev/xvdb\nlast", big);
		tu_write_file(p, text);
		free(text);
	}
	free(p);
	free(big);
	p = xasprintf("%s/01-s/01-mount.2.times", f->dir);
	tu_write_file(p, "0 1011\n4110 1011.5\n");
	free(p);

	f->run = runread_load(f->dir, &err);
	assert_non_null(f->run);
	f->li = logidx_build(f->run, 0);
	view_source_logidx(&f->src, f->li);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	logidx_free(f->li);
	runread_free(f->run);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static char *
text_of(const struct view_source *src, uint64_t n, unsigned *flags)
{
	size_t len;
	const char *s = view_line(src, n, &len, flags);

	return s ? xstrndup(s, len) : NULL;
}

/* Every attempt, drove's marks between them, nothing partial. */
static void
test_logidx_lines(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		unsigned flags;
	} want[] = {
		{ "-- step 1/1: mount --", OUTBUF_MARK },
		{ "one", 0 },
		{ "two", 0 },
		{ "-- failed (exit 3) after 1.0s --", OUTBUF_MARK },
		{ "-- retried by operator at 00:16:50 --", OUTBUF_MARK },
		{ "-- step 1/1: mount (try 2) --", OUTBUF_MARK },
		{ NULL, 0 },            /* the long line's first piece */
		{ "xxxxxxxxxx", OUTBUF_CONTINUED },
		{ "ERROR: disk /dev/xvdb", 0 },
		{ "last", 0 },
	};
	size_t n = sizeof want / sizeof want[0];
	unsigned flags;
	char *s;

	assert_int_equal(f->src.first(f->src.arg), 0);
	assert_int_equal(f->src.count(f->src.arg), n);
	/* The line without a newline is a line, not a partial one. */
	assert_int_equal(view_end(&f->src), n);
	for (size_t i = 0; i < n; i++) {
		s = text_of(&f->src, i, &flags);
		assert_non_null(s);
		if (want[i].text != NULL)
			assert_string_equal(s, want[i].text);
		else
			assert_int_equal(strlen(s), OUTBUF_LINE_MAX);
		assert_int_equal(flags, want[i].flags);
		free(s);
	}
	assert_null(text_of(&f->src, n, &flags));
}

/* When each line arrived: the read that brought its newline. */
static void
test_logidx_times(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	assert_true(view_time(&f->src, 0) == 1000.);     /* step mark */
	assert_true(view_time(&f->src, 1) == 1000.25);
	assert_true(view_time(&f->src, 2) == 1000.9);
	assert_true(view_time(&f->src, 3) == 1001.);     /* how it ended */
	assert_true(view_time(&f->src, 4) == 1010.);     /* the retry */
	/* A long line's pieces: each when its end arrived. */
	assert_true(view_time(&f->src, 6) == 1011.);
	assert_true(view_time(&f->src, 7) == 1011.);
	assert_true(view_time(&f->src, 8) == 1011.5);
	assert_true(view_time(&f->src, 9) == 1011.5);
	assert_true(view_time(&f->src, 99) == 0.);
	view_time_text(view_time(&f->src, 2), buf, sizeof buf);
	assert_string_equal(buf, "00:16:40 ");
	assert_int_equal(strlen(buf), VIEW_TIME_COLS);
}

/* The whole output scrolls and searches, however long. */
static void
test_logidx_scroll_search(void **state)
{
	struct fixture *f = *state;
	struct view v;
	struct ansi_line scratch;

	view_init(&v);
	ansi_line_init(&scratch, 0);
	assert_int_equal(view_bottom(&v, &f->src), 9);
	/* The top of a 4-row pane: lines 0-3, line 3 at the bottom. */
	view_top(&v, &f->src, 4);
	assert_int_equal(view_bottom(&v, &f->src), 3);
	assert_false(v.follow);
	/* A pane taller than the output just follows it. */
	view_top(&v, &f->src, 50);
	assert_true(v.follow);
	view_follow(&v);
	/* Forward from the top of the pane (line 6), round from line 0. */
	view_set_pattern(&v, L"operator", 8);
	assert_int_equal(view_search(&v, &f->src, false, 4, &scratch),
	    VIEW_WRAPPED);
	assert_int_equal(v.match, 4);
	assert_false(v.follow);
	/* The view is lines 3-6 now: forward from line 3. */
	view_set_pattern(&v, L"xvdb", 4);
	assert_int_equal(view_search(&v, &f->src, false, 4, &scratch),
	    VIEW_FOUND);
	assert_int_equal(v.match, 8);
	/* Back from the view's bottom line, round from the last line. */
	view_set_pattern(&v, L"operator", 8);
	assert_int_equal(view_search(&v, &f->src, true, 4, &scratch),
	    VIEW_FOUND);
	assert_int_equal(v.match, 4);
	assert_int_equal(view_search(&v, &f->src, true, 4, &scratch),
	    VIEW_WRAPPED);
	assert_int_equal(v.match, 4);
	view_set_pattern(&v, L"One", 3);      /* upper case: exact */
	assert_int_equal(view_search(&v, &f->src, true, 4, &scratch),
	    VIEW_NOT_FOUND);
	assert_int_equal(v.match, 4);         /* the view stays */
	/* Everything fits in the pane (a zoom): a match hides no line. */
	view_follow(&v);
	view_set_pattern(&v, L"-- step 1/1", 11);
	while (view_search(&v, &f->src, true, 12, &scratch) && v.match > 0)
		;
	assert_int_equal(v.match, 0);
	assert_int_equal(view_bottom(&v, &f->src), 9);
	ansi_line_free(&scratch);
}

/* A big log: the index and the search reach its first lines. */
static void
test_logidx_big(void **state)
{
	struct fixture *f = *state;
	struct rr_run *run;
	struct logidx *li;
	struct view_source src;
	struct view v;
	struct ansi_line scratch;
	char *p, *err = NULL;
	FILE *fp;

	p = xasprintf("%s/01-s/01-mount.2.log", f->dir);
	fp = fopen(p, "w");
	assert_non_null(fp);
	for (int i = 1; i <= 50000; i++) {
		if (i == 3)
			fprintf(fp, "needle here\n");
		fprintf(fp, "%d\n", i);
	}
	fclose(fp);
	free(p);
	run = runread_load(f->dir, &err);
	li = logidx_build(run, 0);
	view_source_logidx(&src, li);
	view_init(&v);
	ansi_line_init(&scratch, 0);
	view_set_pattern(&v, L"needle", 6);
	/* From the end, round to the first lines. */
	assert_int_equal(view_search(&v, &src, false, 20, &scratch),
	    VIEW_WRAPPED);
	/* 6 lines before attempt 2, then "1", "2", the needle. */
	assert_int_equal(v.match, 6 + 2);
	assert_int_equal(v.bottom, 6 + 2 + 10);
	ansi_line_free(&scratch);
	logidx_free(li);
	runread_free(run);
}

/* Live lines carry their time too; the partial line has none. */
static void
test_outbuf_times(void **state)
{
	struct outbuf *ob = outbuf_create(2, NULL, NULL);
	struct view_source src;
	char buf[32];

	(void)state;
	view_source_outbuf(&src, ob);
	outbuf_feed(ob, "a\n", 2, 0, 1, 3600.);
	outbuf_add_mark(ob, "-- mark --", 0, 3661.);
	outbuf_feed(ob, "b\nc\npart", 8, 0, 1, 7322.);
	assert_int_equal(src.first(src.arg), 0);
	/* Out of memory: a mark keeps its time, and so does the first line
	 * of a run of output lines. */
	assert_true(view_time(&src, 0) == 3600.);
	assert_true(view_time(&src, 1) == 3661.);
	assert_true(view_time(&src, 2) == 7322.);
	assert_true(view_time(&src, 4) == 0.);       /* partial */
	view_time_text(3661., buf, sizeof buf);
	assert_string_equal(buf, "01:01:01 ");
	/* Unknown: blanks of the same width. */
	view_time_text(0., buf, sizeof buf);
	assert_string_equal(buf, "         ");
	/* A source without times. */
	src.time = NULL;
	assert_true(view_time(&src, 2) == 0.);
	outbuf_free(ob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_FIXED(test_logidx_lines),
		TU_FIXED(test_logidx_times),
		TU_FIXED(test_logidx_scroll_search),
		TU_FIXED(test_logidx_big),
		cmocka_unit_test(test_outbuf_times),
	};

	/* The time column shows local time: make it UTC here. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
