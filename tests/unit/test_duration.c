/* test_duration.c: durations in the three ways drove writes them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "duration.h"
#include "testutil.h"

static const struct {
	double seconds;
	enum duration_style style;
	const char *want;
} cases[] = {
	{ 0, DURATION_SHORT, "0.0s" },
	{ -3, DURATION_SHORT, "0.0s" },
	{ 1.234, DURATION_SHORT, "1.2s" },
	{ 59.9, DURATION_SHORT, "59.9s" },
	{ 185, DURATION_SHORT, "3m05s" },
	{ 185.5, DURATION_SHORT, "3m06s" },
	{ 3720, DURATION_SHORT, "1h02m" },
	{ -1, DURATION_CLOCK, "0:00" },
	{ NAN, DURATION_CLOCK, "0:00" },
	{ 7.9, DURATION_CLOCK, "0:07" },
	{ 754, DURATION_CLOCK, "12:34" },
	{ 3725.9, DURATION_CLOCK, "1:02:05" },
	{ 0, DURATION_CONFIG, "0s" },
	{ 0.5, DURATION_CONFIG, "500ms" },
	{ 3, DURATION_CONFIG, "3s" },
	{ 1.5, DURATION_CONFIG, "1.5s" },
	{ 90, DURATION_CONFIG, "1m30s" },
	{ 3600, DURATION_CONFIG, "1h" },
	{ 3661.25, DURATION_CONFIG, "1h1m1.25s" },
	/* Longer than a config may say: the longest it may. */
	{ 1e12, DURATION_CONFIG, "277777h46m40s" },
};

static void
test_styles(void **state)
{
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		duration_format(cases[i].seconds, cases[i].style, buf,
		    sizeof buf);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%g in style %d: '%s', not '%s'",
			    cases[i].seconds, (int)cases[i].style, buf,
			    cases[i].want);
	}
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

/* A moment, in local time (UTC here), to the second; none is "-". */
static void
test_when(void **state)
{
	char buf[32];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(duration_when(1795855917.9, buf, sizeof buf),
	    "2026-11-28 08:51:57");
	assert_string_equal(duration_when(0, buf, sizeof buf), "-");
	assert_string_equal(duration_when(-5, buf, sizeof buf), "-");
}

TU_MAIN(
	cmocka_unit_test(test_styles),
	cmocka_unit_test(test_truncated),
	cmocka_unit_test(test_when),
)
