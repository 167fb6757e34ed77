/* test_duration.c: durations in the three ways drove writes them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"

static const char *
fmt(double seconds, enum duration_style style)
{
	static char buf[64];

	return duration_format(seconds, style, buf, sizeof buf);
}

static void
test_short(void **state)
{
	(void)state;
	assert_string_equal(fmt(0, DURATION_SHORT), "0.0s");
	assert_string_equal(fmt(-3, DURATION_SHORT), "0.0s");
	assert_string_equal(fmt(1.234, DURATION_SHORT), "1.2s");
	assert_string_equal(fmt(59.9, DURATION_SHORT), "59.9s");
	assert_string_equal(fmt(185, DURATION_SHORT), "3m05s");
	assert_string_equal(fmt(185.5, DURATION_SHORT), "3m06s");
	assert_string_equal(fmt(3720, DURATION_SHORT), "1h02m");
}

static void
test_clock(void **state)
{
	(void)state;
	assert_string_equal(fmt(-1, DURATION_CLOCK), "0:00");
	assert_string_equal(fmt(NAN, DURATION_CLOCK), "0:00");
	assert_string_equal(fmt(7.9, DURATION_CLOCK), "0:07");
	assert_string_equal(fmt(754, DURATION_CLOCK), "12:34");
	assert_string_equal(fmt(3725.9, DURATION_CLOCK), "1:02:05");
}

static void
test_config(void **state)
{
	(void)state;
	assert_string_equal(fmt(0, DURATION_CONFIG), "0s");
	assert_string_equal(fmt(0.5, DURATION_CONFIG), "500ms");
	assert_string_equal(fmt(3, DURATION_CONFIG), "3s");
	assert_string_equal(fmt(1.5, DURATION_CONFIG), "1.5s");
	assert_string_equal(fmt(90, DURATION_CONFIG), "1m30s");
	assert_string_equal(fmt(3600, DURATION_CONFIG), "1h");
	assert_string_equal(fmt(3661.25, DURATION_CONFIG), "1h1m1.25s");
	assert_string_equal(fmt(1e12, DURATION_CONFIG), "277777h46m40s");
}

static void
test_truncated(void **state)
{
	char buf[4];

	(void)state;
	assert_string_equal(duration_format(3661.25, DURATION_CONFIG, buf,
	    sizeof buf), "1h1");
	assert_string_equal(duration_format(3725, DURATION_CLOCK, buf,
	    sizeof buf), "1:0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
