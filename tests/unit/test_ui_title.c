/* test_ui_title.c: pane titles, list lines and step rows fitted to their
 * width, from a hand-made read model (plain data, no plan). */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "title.h"

static struct run_step steps[3];
static struct run_seq seq;
static char buf[1024];

static int
setup(void **state)
{
	static char names[3][32] = { "fetch", "compile everything", "link" };
	static char seqname[] = "build";

	(void)state;
	memset(steps, 0, sizeof steps);
	memset(&seq, 0, sizeof seq);
	for (int i = 0; i < 3; i++) {
		steps[i].name = names[i];
		steps[i].exit_code = -1;
	}
	seq.name = seqname;
	seq.n_steps = 3;
	seq.n_all = 3;
	seq.steps = steps;
	return 0;
}

static void
title(size_t cols, bool bar)
{
	title_seq(&seq, 100., cols, bar, NULL, buf, sizeof buf);
	assert_int_equal(title_width(buf), cols);
}

/* Sequence in state st (started at 10 s) at its second step, the first
 * done: the step in status ss, its attempt (started at 88 s when one). */
static void
at_second_step(enum seq_state st, enum step_status ss, unsigned attempt)
{
	seq.state = st;
	seq.started = 10.;
	seq.current = 1;
	steps[0].status = STEP_OK;
	steps[1].status = ss;
	steps[1].attempt = attempt;
	steps[1].started = attempt > 0 ? 88. : 0;
}

static void
test_waiting(void **state)
{
	(void)state;
	title(40, true);
	assert_string_equal(buf, "build  waiting                          ");
	assert_int_equal(title_seq_status(&seq), TITLE_WAITING);
}

static void
test_running(void **state)
{
	(void)state;
	at_second_step(SEQ_RUNNING, STEP_RUNNING, 2);
	steps[1].retries = 5;
	assert_true(title_seq(&seq, 100., 70, true, NULL, buf, sizeof buf));
	assert_string_equal(buf, "build  step 2/3  compile everything  try 2/6"
	    "             0:12         ");
	assert_int_equal(title_bar_fill(&seq), 2);
	/* Short of room: the bar goes, then the step's name, then more. */
	assert_false(title_seq(&seq, 100., 50, true, NULL, buf, sizeof buf));
	assert_string_equal(buf, "build  step 2/3  compile everything  try 2/6"
	    "  0:12");
	title(30, true);
	assert_string_equal(buf, "build  step 2/3  try 2/6  0:12");
	title(16, true);
	assert_string_equal(buf, "build  step 2/3 ");
	title(4, true);
	assert_string_equal(buf, "bui\xe2\x80\xa6");
	/* Narrow, the step's name is cut short before the try, even a
	 * first one, or the time goes. */
	steps[1].attempt = 1;
	title(40, false);
	assert_string_equal(buf, "build  step 2/3  compile\xe2\x80\xa6  try 1/6  "
	    "0:12");
	steps[1].attempt = 2;
	title(44, true);
	assert_string_equal(buf, "build  step 2/3  compile eve\xe2\x80\xa6  try 2/6  "
	    "0:12");
	/* A note (the view is scrolled). */
	title_seq(&seq, 100., 60, false, "[scrolled]", buf, sizeof buf);
	assert_non_null(strstr(buf, "[scrolled]"));
	/* Held (p): it says so until the step ends. */
	seq.hold = true;
	title(72, false);
	assert_string_equal(buf, "build  step 2/3  compile everything  try 2/6"
	    "  HELD after this step  0:12");
	seq.hold = false;
}

static void
test_paused_and_done(void **state)
{
	(void)state;
	at_second_step(SEQ_PAUSED, STEP_FAILED, 1);
	seq.pause = RUN_PAUSE_FAILURE;
	steps[1].exit_code = 3;
	assert_int_equal(title_seq_status(&seq), TITLE_PAUSED);
	title(90, false);
	assert_string_equal(buf, "build  PAUSED  step 2/3  compile everything  "
	    "exit 3  r retry, s skip, a abort         1:30");
	title(56, false);
	assert_string_equal(buf, "build  PAUSED  step 2/3  compile everythi\xe2\x80\xa6  "
	    "exit 3  1:30");
	title(30, false);
	assert_string_equal(buf, "build  PAUSED  step 2/3       ");

	/* Held before a step. */
	seq.pause = RUN_PAUSE_HOLD;
	steps[1].status = STEP_PENDING;
	assert_int_equal(title_seq_status(&seq), TITLE_HELD);
	title(60, false);
	assert_non_null(strstr(buf, "paused before step 2/3"));

	/* Failed, with a signal. */
	seq.state = SEQ_FAILED;
	seq.ended = 70.;
	steps[1].status = STEP_FAILED;
	steps[1].signal = 9;
	title(70, false);
	assert_string_equal(buf, "build  failed at step 2/3  compile everything"
	    "  (SIGKILL)          1:00");
	/* Narrow, its name is cut short before the signal or the time go. */
	title(52, false);
	assert_string_equal(buf, "build  failed at step 2/3  compile\xe2\x80\xa6  "
	    "(SIGKILL)  1:00");
	/* Done, one step skipped. */
	seq.state = SEQ_OK;
	seq.current = 3;
	steps[1].status = STEP_SKIPPED;
	steps[2].status = STEP_OK;
	title(40, false);
	assert_string_equal(buf, "build  ok 2/3, 1 skipped            1:00");
	assert_int_equal(title_bar_fill(&seq), 8);
}

/* A control character in a name is drawn as one column ('?'): it is
 * measured so, and the time at the right end stays in its place. The
 * title is ASCII, so each byte is a column on the screen. */
static void
test_control_characters(void **state)
{
	static char name[] = "\x1b[31mred\x1b[m";
	static char step[] = "a\tb";

	(void)state;
	seq.name = name;
	steps[1].name = step;
	at_second_step(SEQ_RUNNING, STEP_RUNNING, 1);
	assert_int_equal(title_width(name), strlen(name));
	title_seq(&seq, 100., 40, false, NULL, buf, sizeof buf);
	assert_int_equal(strlen(buf), 40);
	assert_string_equal(buf + 36, "0:12");
	title_step(&seq, 1, 100., 60, buf, sizeof buf);
	assert_int_equal(strlen(buf), 60);
	/* Cut to fit, by the same measure. */
	strcpy(buf, "\x01\x02\x03\x04\x05");
	title_fit(buf, sizeof buf, 3);
	assert_string_equal(buf, "\x01\x02\xe2\x80\xa6");
}

static void
test_step_rows(void **state)
{
	(void)state;
	seq.state = SEQ_RUNNING;
	seq.current = 1;
	steps[0].status = STEP_OK;
	steps[0].attempt = 1;
	steps[0].exit_code = 0;
	steps[0].started = 1.;
	steps[0].ended = 4.5;
	steps[1].status = STEP_RUNNING;
	steps[1].attempt = 1;
	steps[1].started = 90.;
	title_step(&seq, 0, 100., 60, buf, sizeof buf);
	assert_int_equal(title_width(buf), 60);
	assert_string_equal(buf, " 1 fetch      ok          try "
	    "1/1    exit 0             0:03");
	title_step(&seq, 1, 100., 60, buf, sizeof buf);
	assert_string_equal(buf, " 2 compile e\xe2\x80\xa6 running     try"
	    " 1/1                       0:10");
	title_step(&seq, 2, 100., 60, buf, sizeof buf);
	assert_string_equal(buf, " 3 link       pending         "
	    "                              ");
	/* Marked done by hand (m) after it failed: neither its exit
	 * status nor its try is the step's result. */
	steps[0].marked = true;
	steps[0].exit_code = 32;
	title_step(&seq, 0, 100., 60, buf, sizeof buf);
	assert_string_equal(buf, " 1 fetch      marked      "
	    "                              0:03");
	steps[0].marked = false;
	steps[0].exit_code = 0;
	/* A step whose connection broke: room for its status and why. */
	steps[0].status = STEP_LOST;
	steps[0].exit_code = -1;
	title_step(&seq, 0, 100., 60, buf, sizeof buf);
	assert_string_equal(buf, " 1 fetch      lost        try "
	    "1/1    connection lost    0:03");
}

static void
test_fit(void **state)
{
	char s[32];

	(void)state;
	strcpy(s, "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97");   /* 6 columns */
	assert_int_equal(title_width(s), 6);
	title_fit(s, sizeof s, 5);
	assert_string_equal(s, "\xe4\xb8\xad\xe6\x96\x87\xe2\x80\xa6");
	strcpy(s, "abc");
	title_fit(s, sizeof s, 0);
	assert_string_equal(s, "");
	assert_string_equal(title_glyph(TITLE_OK, false), "+");
	assert_string_equal(title_glyph(TITLE_OK, true), "\xe2\x9c\x94");
	assert_string_equal(title_status_name(TITLE_BLOCKED), "blocked");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_waiting, setup),
		cmocka_unit_test_setup(test_running, setup),
		cmocka_unit_test_setup(test_paused_and_done, setup),
		cmocka_unit_test_setup(test_control_characters, setup),
		cmocka_unit_test_setup(test_step_rows, setup),
		cmocka_unit_test_setup(test_fit, setup),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
