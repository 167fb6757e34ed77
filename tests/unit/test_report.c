/* test_report.c: the headless reporter's line handling. Includes the
 * module to reach its static fast path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/cmd/report.c"
#include "testutil.h"

/* The block-at-a-time check must agree with a byte-by-byte one for every
 * byte value at every position, in lines of every length around its
 * block sizes (16 and 8 bytes, a tail overlapping the last block). */
static void
test_needs_strip_matches_bytewise(void **state)
{
	char line[40];

	(void)state;
	for (size_t len = 0; len <= sizeof line; len++) {
		memset(line, 'a', sizeof line);
		assert_false(report_needs_strip(line, len));
		for (int c = 0; c < 256; c++) {
			bool want = (c < 0x20 && c != '\t') || c == 0x7f;
			for (size_t pos = 0; pos < len; pos++) {
				memset(line, 'a', sizeof line);
				line[pos] = (char)c;
				if (report_needs_strip(line, len) != want)
					fail_msg("byte 0x%02x at %zu of %zu", c,
					    pos, len);
			}
		}
		/* Tabs alone, anywhere, need nothing stripped. */
		memset(line, '\t', sizeof line);
		assert_false(report_needs_strip(line, len));
		/* A control byte just past the end is not looked at. */
		if (len < sizeof line) {
			memset(line, 'a', sizeof line);
			line[len] = '\033';
			assert_false(report_needs_strip(line, len));
		}
	}
}

TU_MAIN(
	cmocka_unit_test(test_needs_strip_matches_bytewise),
)
