/* test_report.c: the headless reporter's line handling. Includes the
 * module to reach its static fast path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/cmd/report.c"
#include "testutil.h"

/* The word-at-a-time check must agree with a byte-by-byte one for every
 * byte value at every position. */
static void
test_needs_strip_matches_bytewise(void **state)
{
	char line[24];

	(void)state;
	memset(line, 'a', sizeof line);
	assert_false(report_needs_strip(line, sizeof line));
	for (int c = 0; c < 256; c++) {
		bool want = (c < 0x20 && c != '\t') || c == 0x7f;
		for (size_t pos = 0; pos < sizeof line; pos++) {
			memset(line, 'a', sizeof line);
			line[pos] = (char)c;
			if (report_needs_strip(line, sizeof line) != want)
				fail_msg("byte 0x%02x at %zu", c, pos);
		}
	}
}

TU_MAIN(
	cmocka_unit_test(test_needs_strip_matches_bytewise),
)
