/* test_vocab.c: the vocabularies (status.h, action.h, event.h) read back
 * what they write, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "action.h"
#include "event.h"
#include "status.h"
#include "testutil.h"

/* Each of the count values of a vocabulary reads back from its name. */
#define READS_BACK(count, name, parse, type) do {			\
	for (int i_ = 0; i_ < (count); i_++) {				\
		type v_;						\
									\
		assert_true(parse(name((type)i_), &v_));		\
		assert_int_equal(v_, i_);				\
	}								\
} while (0)

static void
test_statuses(void **state)
{
	enum step_status st;
	enum seq_state sq;

	(void)state;
	READS_BACK(STEP_STATUS_COUNT, step_status_name, step_status_parse,
	    enum step_status);
	READS_BACK(SEQ_STATE_COUNT, seq_state_name, seq_state_parse,
	    enum seq_state);
	assert_string_equal(step_status_name(STEP_RETRY_WAIT), "retry-wait");
	assert_string_equal(seq_state_name(SEQ_BLOCKED), "blocked");
	assert_false(step_status_parse("OK", &st));
	assert_false(step_status_parse(NULL, &st));
	assert_false(seq_state_parse("", &sq));
	assert_true(step_status_done(STEP_SKIPPED));
	assert_false(step_status_done(STEP_RETRY_WAIT));
	assert_true(seq_state_over(SEQ_BLOCKED));
	assert_false(seq_state_over(SEQ_PAUSED));
}

static void
test_actions(void **state)
{
	enum run_action act;

	(void)state;
	READS_BACK(RUN_ACTION_COUNT, run_action_name, run_action_parse,
	    enum run_action);
	assert_string_equal(run_action_name(RUN_ACT_RETRY), "retry");
	assert_string_equal(run_action_done(RUN_ACT_HOLD),
	    "held after this step");
	assert_false(run_action_parse("notice", &act));
}

static void
test_events(void **state)
{
	enum rec_event ev;
	enum run_action act = RUN_ACT_RETRY;

	(void)state;
	assert_true(rec_event_parse("step_end", &ev, &act));
	assert_int_equal(ev, REC_STEP_END);
	assert_true(rec_event_parse("notice", &ev, &act));
	assert_int_equal(ev, REC_NOTICE);
	/* An action's event is named by its verb. */
	assert_true(rec_event_parse("kill", &ev, &act));
	assert_int_equal(ev, REC_ACTION);
	assert_int_equal(act, RUN_ACT_KILL);
	assert_false(rec_event_parse("step_middle", &ev, &act));
	assert_string_equal(rec_event_name(REC_RUN_START), "run_start");
	assert_string_equal(rec_field(REC_F_SEQ_INDEX), "seq_index");
	assert_string_equal(rec_field(REC_F_EXIT_CODE), "exit_code");
}

TU_MAIN(
	cmocka_unit_test(test_statuses),
	cmocka_unit_test(test_actions),
	cmocka_unit_test(test_events),
)
