/* test_vis.c: control characters shown visibly, colours kept when asked,
 * however a stream's writes split an escape sequence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vis.h"
#include "testutil.h"

static char *
vis(const char *in, bool sgr)
{
	struct strbuf sb = STRBUF_INIT;

	vis_add(&sb, in, strlen(in), sgr);
	return strbuf_detach(&sb);
}

static void
test_vis_add(void **state)
{
	static const struct { const char *in, *out; bool sgr; } cases[] = {
		{ "plain text\tand tab\n", "plain text\tand tab\n", true },
		{ "\033]52;c;UFdORUQ=\a", "\\e]52;c;UFdORUQ=\\x07", true },
		{ "\033[2J\033[32mgreen\033[0m", "\\e[2J\033[32mgreen\033[0m",
		  true },
		{ "\033[32mgreen", "\\e[32mgreen", false },
		{ "crlf\r\nbare\rcr\b\x7f", "crlf\r\nbare\\x0dcr\\x08\\x7f",
		  true },
		{ "c1 \xc2\x9b" "2J, \xc2\xa9 stays", "c1 \\u009b2J, \xc2\xa9 stays",
		  true },
		{ "\033", "\\e", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *out = vis(cases[i].in, cases[i].sgr);
		assert_string_equal(out, cases[i].out);
		assert_int_equal(vis_needed(cases[i].in, strlen(cases[i].in),
		    cases[i].sgr), strcmp(cases[i].in, cases[i].out) != 0);
		free(out);
	}
}

/* Written a byte at a time, the stream shows what vis_add shows. */
/* A command of a YAML block on one line, for a banner or a table. */
static void
test_vis_one_line(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "echo hi", "echo hi" },
		{ "echo hi\n", "echo hi" },
		{ "if x; then\n  exit 32\nfi\necho mounted\n\n",
		  "if x; then \xe2\x8f\x8e   exit 32 \xe2\x8f\x8e fi "
		  "\xe2\x8f\x8e echo mounted" },
		{ "a\r\nb\r\n", "a \xe2\x8f\x8e b" },
		{ "a\n\nb", "a \xe2\x8f\x8e  \xe2\x8f\x8e b" },
		{ "\n", "" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = vis_one_line(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void
test_vis_stream(void **state)
{
	const char *in = "a\033[1;32mb\033]0;title\a\r\nc\xc2\x9b\033";
	char *buf = NULL, *want;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len), *fp;

	(void)state;
	assert_non_null(mem);
	fp = vis_fopen(mem);
	assert_non_null(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	for (const char *p = in; *p; p++)
		fputc(*p, fp);
	fclose(fp);
	fclose(mem);
	want = vis(in, true);
	assert_string_equal(buf, want);
	free(want);
	free(buf);
}

TU_MAIN(
	cmocka_unit_test(test_vis_add),
	cmocka_unit_test(test_vis_stream),
	cmocka_unit_test(test_vis_one_line),
)
