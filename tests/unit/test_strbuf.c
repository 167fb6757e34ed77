/* test_strbuf.c: the growing string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "testutil.h"

static void
test_append(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	(void)state;
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_add(&sb, "ab\0c", 4);
	assert_int_equal(sb.len, 4);
	assert_memory_equal(sb.buf, "ab\0c", 5);
	strbuf_reset(&sb);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_puts(&sb, "x=");
	strbuf_printf(&sb, "%d/%s", 42, "y");
	strbuf_putc(&sb, '!');
	strbuf_add(&sb, NULL, 0);
	assert_string_equal(sb.buf, "x=42/y!");
	assert_int_equal(sb.len, 7);
	s = strbuf_detach(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_string_equal(s, "x=42/y!");
	free(s);
	/* Detaching an empty one gives "", never NULL. */
	s = strbuf_detach(&sb);
	assert_string_equal(s, "");
	free(s);
	strbuf_free(&sb);
}

static void
test_grows(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < 10000; i++)
		strbuf_printf(&sb, "%04d", i % 10000);
	assert_int_equal(sb.len, 40000);
	assert_memory_equal(sb.buf + 4 * 9999, "9999", 5);
	strbuf_free(&sb);
	assert_null(sb.buf);
}

static void
test_shell_quote(void **state)
{
	static const char *const cases[][2] = {
		{ "plain", "'plain'" },
		{ "it's $HOME \"x\"", "'it'\\''s $HOME \"x\"'" },
		{ "", "''" },
		{ "''", "''\\'''\\'''" },
	};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf_reset(&sb);
		strbuf_shell_quote(&sb, cases[i][0]);
		assert_string_equal(strbuf_str(&sb), cases[i][1]);
	}
	strbuf_free(&sb);
}

TU_MAIN(
	cmocka_unit_test(test_append),
	cmocka_unit_test(test_grows),
	cmocka_unit_test(test_shell_quote),
)
