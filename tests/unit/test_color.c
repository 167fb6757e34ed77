/* test_color.c: --color, NO_COLOR and FORCE_COLOR, as a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "color.h"
#include "testutil.h"

static void
test_parse(void **state)
{
	enum color_when w = COLOR_NEVER;

	(void)state;
	assert_int_equal(color_parse("auto", &w), 0);
	assert_int_equal(w, COLOR_AUTO);
	assert_int_equal(color_parse("always", &w), 0);
	assert_int_equal(w, COLOR_ALWAYS);
	assert_int_equal(color_parse("never", &w), 0);
	assert_int_equal(w, COLOR_NEVER);
	assert_int_equal(color_parse("yes", &w), -1);
	assert_int_equal(color_parse("", &w), -1);
	assert_int_equal(color_parse("Always", &w), -1);
}

static void
test_decide(void **state)
{
	static const struct {
		enum color_when when;
		bool tty;
		const char *term, *no_color, *force_color;
		bool want;
	} rows[] = {
		/* auto: a terminal that is not dumb */
		{ COLOR_AUTO, true, "xterm", NULL, NULL, true },
		{ COLOR_AUTO, false, "xterm", NULL, NULL, false },
		{ COLOR_AUTO, true, "dumb", NULL, NULL, false },
		{ COLOR_AUTO, true, NULL, NULL, NULL, false },
		/* NO_COLOR, when not empty */
		{ COLOR_AUTO, true, "xterm", "1", NULL, false },
		{ COLOR_AUTO, true, "xterm", "", NULL, true },
		/* FORCE_COLOR wins over NO_COLOR and no terminal */
		{ COLOR_AUTO, false, NULL, NULL, "1", true },
		{ COLOR_AUTO, false, "dumb", "1", "1", true },
		{ COLOR_AUTO, true, "xterm", NULL, "0", false },
		{ COLOR_AUTO, false, NULL, NULL, "", false },
		/* --color says so outright */
		{ COLOR_ALWAYS, false, NULL, "1", NULL, true },
		{ COLOR_ALWAYS, false, "dumb", "1", "0", true },
		{ COLOR_NEVER, true, "xterm", NULL, "1", false },
		{ COLOR_NEVER, true, "xterm", NULL, NULL, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		bool got = color_use(rows[i].when, rows[i].tty, rows[i].term,
		    rows[i].no_color, rows[i].force_color);
		if (got != rows[i].want)
			fail_msg("row %zu: got %d, want %d", i, got,
			    rows[i].want);
	}
}

TU_MAIN(
	cmocka_unit_test(test_parse),
	cmocka_unit_test(test_decide),
)
