/* test_junit.c: what XML cannot hold becomes U+FFFD, the rest is
 * escaped, and valid UTF-8 passes as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/cmd/junit.c"
#include "testutil.h"

static char *
escaped(const char *text, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);

	junit_text(fp, text, len);
	fclose(fp);
	return buf;
}

static void
test_escapes(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} rows[] = {
		{ "plain", 5, "plain" },
		{ "a & b <c> \"d\"", 13, "a &amp; b &lt;c&gt; &quot;d&quot;" },
		{ "tab\tnl\n", 7, "tab\tnl\n" },
		{ "esc\033[31m", 8, "esc" JUNIT_REPLACEMENT "[31m" },
		{ "cr\r", 3, "cr" JUNIT_REPLACEMENT },
		{ "nul\0x", 5, "nul" JUNIT_REPLACEMENT "x" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "\xe2\x9c\x93 ok", 6, "\xe2\x9c\x93 ok" },
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
		/* not UTF-8: a lone byte, a cut sequence, an overlong '/',
		 * a surrogate, U+FFFF */
		{ "\xff", 1, JUNIT_REPLACEMENT },
		{ "\xc3", 1, JUNIT_REPLACEMENT },
		{ "\xc0\xaf", 2, JUNIT_REPLACEMENT JUNIT_REPLACEMENT },
		{ "\xed\xa0\x80", 3,
		  JUNIT_REPLACEMENT JUNIT_REPLACEMENT JUNIT_REPLACEMENT },
		{ "\xef\xbf\xbf", 3,
		  JUNIT_REPLACEMENT JUNIT_REPLACEMENT JUNIT_REPLACEMENT },
		{ "]]>", 3, "]]&gt;" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *got = escaped(rows[i].in, rows[i].len);

		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, got,
			    rows[i].want);
		free(got);
	}
}

TU_MAIN(
	cmocka_unit_test(test_escapes),
)
