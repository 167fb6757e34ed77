/* test_ui_ansi.c: the line model: UTF-8, widths, tabs, \r, SGR colours,
 * ignored and unterminated sequences, folding, colour reduction. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ansi.h"
#include "testutil.h"

static struct ansi_line L;

static int
setup(void **state)
{
	(void)state;
	ansi_line_init(&L, 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ansi_line_free(&L);
	return 0;
}

static void
parse(const char *s)
{
	ansi_parse(&L, s, strlen(s));
}

/* The line's characters as UTF-8 (right halves skipped), for asserts. */
static const char *
text(void)
{
	static char buf[65536];
	size_t n = 0;

	for (size_t i = 0; i < L.len && n + 8 < sizeof buf; i++) {
		wchar_t wc = L.cells[i].wc[0];
		mbstate_t ps;

		if (L.cells[i].width == 0)
			continue;
		memset(&ps, 0, sizeof ps);
		n += wcrtomb(buf + n, wc, &ps);
		for (int k = 1; k < ANSI_CELL_CHARS && L.cells[i].wc[k]; k++) {
			memset(&ps, 0, sizeof ps);
			n += wcrtomb(buf + n, L.cells[i].wc[k], &ps);
		}
	}
	buf[n] = '\0';
	return buf;
}

/* s, parsed, reads as want. */
static void
parses_to(const char *s, const char *want)
{
	parse(s);
	assert_string_equal(text(), want);
}

static void
test_plain(void **state)
{
	(void)state;
	parses_to("hello", "hello");
	assert_int_equal(L.len, 5);
	assert_int_equal(L.cells[0].fg, ANSI_DEFAULT);
	assert_int_equal(L.cells[0].attr, 0);
	parse("");
	assert_int_equal(L.len, 0);
}

static void
test_utf8_and_width(void **state)
{
	(void)state;
	parse("h\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87!");   /* hé 中文! */
	assert_string_equal(text(), "h\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87!");
	assert_int_equal(L.len, 8);              /* 1+1+1+2+2+1 */
	assert_int_equal(L.cells[3].width, 2);
	assert_int_equal(L.cells[4].width, 0);
	assert_int_equal(L.cells[4].wc[0], 0);
	/* A combining acute joins the e. */
	parse("e\xcc\x81x");
	assert_int_equal(L.len, 2);
	assert_int_equal(L.cells[0].wc[0], L'e');
	assert_int_equal(L.cells[0].wc[1], 0x301);
	/* Invalid bytes, an overlong, a surrogate, a truncated tail. */
	parse("a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe4\xb8");
	assert_int_equal(L.cells[0].wc[0], L'a');
	assert_int_equal(L.cells[1].wc[0], 0xfffd);
	assert_int_equal(L.cells[2].wc[0], L'b');
	assert_int_equal(L.cells[3].wc[0], 0xfffd);
	assert_int_equal(L.cells[4].wc[0], 0xfffd);
	assert_int_equal(L.cells[5].wc[0], L'c');
	assert_int_equal(L.cells[L.len - 1].wc[0], 0xfffd);
}

static void
test_decode(void **state)
{
	wchar_t wc;

	(void)state;
	assert_int_equal(ansi_utf8_decode("\xf0\x9f\x98\x80", 4, &wc), 4);
	assert_int_equal(wc, 0x1f600);
	assert_int_equal(ansi_utf8_decode("\xf4\x90\x80\x80", 4, &wc), 1);
	assert_int_equal(wc, 0xfffd);
	assert_int_equal(ansi_utf8_decode("\xe0\x80\x80", 3, &wc), 1);
	assert_int_equal(ansi_utf8_decode("\xc3", 1, &wc), 1);
	assert_int_equal(wc, 0xfffd);
}

static void
test_tabs(void **state)
{
	(void)state;
	parses_to("a\tb", "a       b");
	assert_int_equal(L.len, 9);
	parse("12345678\tx");
	assert_int_equal(L.len, 17);
	parse("x\t");           /* a trailing tab draws nothing */
	assert_int_equal(L.len, 1);
}

static void
test_carriage_return(void **state)
{
	(void)state;
	parses_to("progress 10%\rprogress 100%", "progress 100%");
	parses_to("abcdef\rXY", "XYcdef");
	/* \r then erase to end of line: the usual progress bar. */
	parses_to("long old text\r\033[Knew", "new");
	/* Overwriting half of a wide character blanks the other half. */
	parse("\xe4\xb8\xad\xe6\x96\x87\r\033[1Cx");
	assert_int_equal(L.cells[0].wc[0], L' ');
	assert_int_equal(L.cells[1].wc[0], L'x');
	assert_int_equal(L.cells[2].width, 2);
	parses_to("ab\bc", "ac");
}

static void
test_sgr_basic(void **state)
{
	(void)state;
	parse("\033[1;31mR\033[0mn\033[4;42mU\033[24mx\033[mz");
	assert_int_equal(L.cells[0].fg, 1);
	assert_int_equal(L.cells[0].attr, ANSI_BOLD);
	assert_int_equal(L.cells[1].fg, ANSI_DEFAULT);
	assert_int_equal(L.cells[1].attr, 0);
	assert_int_equal(L.cells[2].bg, 2);
	assert_int_equal(L.cells[2].attr, ANSI_UNDERLINE);
	assert_int_equal(L.cells[3].attr, 0);
	assert_int_equal(L.cells[3].bg, 2);
	assert_int_equal(L.cells[4].bg, ANSI_DEFAULT);
	parse("\033[92;105;7;3;9mb\033[22;23;27;29;39;49mc");
	assert_int_equal(L.cells[0].fg, 10);
	assert_int_equal(L.cells[0].bg, 13);
	assert_int_equal(L.cells[0].attr,
	    ANSI_REVERSE | ANSI_ITALIC | ANSI_STRIKE);
	assert_int_equal(L.cells[1].attr, 0);
	assert_int_equal(L.cells[1].fg, ANSI_DEFAULT);
}

static void
test_sgr_256_and_rgb(void **state)
{
	(void)state;
	parse("\033[38;5;196ma\033[48;5;21mb");
	assert_int_equal(L.cells[0].fg, 196);
	assert_int_equal(L.cells[1].bg, 21);
	parse("\033[38;2;10;20;30ma\033[48:2::1:2:3mb\033[38:2:4:5:6mc");
	assert_int_equal(L.cells[0].fg, ANSI_RGB(10, 20, 30));
	assert_int_equal(L.cells[1].bg, ANSI_RGB(1, 2, 3));
	assert_int_equal(L.cells[2].fg, ANSI_RGB(4, 5, 6));
	assert_true(ANSI_IS_RGB(L.cells[2].fg));
	assert_false(ANSI_IS_RGB(ANSI_DEFAULT));
	/* Out of range or cut short: ignored, nothing else breaks. */
	parse("\033[38;5;999ma\033[38;2;1mb\033[38mc\033[1;38;5m\033[4md");
	assert_int_equal(L.cells[0].fg, ANSI_DEFAULT);
	assert_string_equal(text(), "abcd");
	assert_int_equal(L.cells[3].attr & ANSI_UNDERLINE, ANSI_UNDERLINE);
	/* Curly underline sub-parameter: underline, and 3 is not italic. */
	parse("\033[4:3mu");
	assert_int_equal(L.cells[0].attr, ANSI_UNDERLINE);
}

static void
test_ignored_sequences(void **state)
{
	(void)state;
	/* OSC title (BEL and ST), DCS, cursor moves, modes, charset, private
	 * SGR-looking sequences. */
	parse("a\033]0;title\007b\033]8;;http://x\033\\c\033Pqdata\033\\d"
	    "\033[2J\033[10;5H\033[?25l\033(Be\033[>4;2mf\0337\0338g");
	assert_string_equal(text(), "abcdefg");
	assert_int_equal(L.cells[5].attr, 0);
	/* Controls are dropped. */
	parses_to("a\007\001\177b", "ab");
	/* CAN aborts a sequence. */
	parses_to("\033[31\030x", "x");
	assert_int_equal(L.cells[0].fg, ANSI_DEFAULT);
}

static void
test_unterminated(void **state)
{
	char *s;
	size_t n = 100000;

	(void)state;
	parses_to("ok\033]0;never ends", "ok");
	parses_to("ok\033[12;34", "ok");
	parses_to("ok\033", "ok");
	parses_to("ok\033P unterminated dcs \033", "ok");
	/* An ESC ends an OSC and starts its own sequence. */
	parses_to("\033]0;t\033[1mB", "B");
	assert_int_equal(L.cells[0].attr, ANSI_BOLD);
	/* Huge parameters and parameter counts cost nothing. */
	s = malloc(n + 8);
	memcpy(s, "\033[", 2);
	for (size_t i = 2; i < n; i++)
		s[i] = (i % 3 == 0) ? ';' : '9';
	memcpy(s + n, "mX", 2);
	ansi_parse(&L, s, n + 2);
	assert_string_equal(text(), "X");
	free(s);
}

static void
test_bounded(void **state)
{
	struct ansi_line small;
	char buf[5000];

	(void)state;
	ansi_line_init(&small, 10);
	memset(buf, 'x', sizeof buf);
	ansi_parse(&small, buf, sizeof buf);
	assert_int_equal(small.len, 10);
	ansi_parse(&small, "\033[99999Cy\033[99999Gz", 19);
	assert_int_equal(small.len, 0);
	ansi_parse(&small, "\t\t\tabc", 6);
	assert_int_equal(small.len, 0);
	ansi_parse(&small, "123456789\xe4\xb8\xad", 12); /* no room */
	assert_int_equal(small.len, 9);
	assert_true(small.cap <= 10);
	ansi_line_free(&small);
	/* Moving the cursor forward leaves blanks. */
	parses_to("a\033[3Cb\033[1Gc\033[Xd", "cd  b");
}

static void
test_erase(void **state)
{
	(void)state;
	parses_to("abcdef\033[3G\033[1K", "   def");
	parse("abcdef\033[2K");
	assert_int_equal(L.len, 0);
	parses_to("abcdef\033[2G\033[2X", "a  def");
}

static void
test_wrap(void **state)
{
	size_t starts[8];

	(void)state;
	parse("abcdefghij");
	assert_int_equal(ansi_wrap(&L, 4, starts, 8), 3);
	assert_int_equal(starts[1], 4);
	assert_int_equal(starts[2], 8);
	assert_int_equal(ansi_wrap(&L, 10, NULL, 0), 1);
	parse("");
	assert_int_equal(ansi_wrap(&L, 4, starts, 8), 1);
	/* A wide character does not straddle rows. */
	parse("abc\xe4\xb8\xad" "d");
	assert_int_equal(ansi_wrap(&L, 4, starts, 8), 2);
	assert_int_equal(starts[1], 3);
	/* Width 1 cannot hold a wide character: one per row anyway. */
	parse("\xe4\xb8\xad\xe6\x96\x87");
	assert_int_equal(ansi_wrap(&L, 1, starts, 8), 2);
}

static void
test_text(void **state)
{
	wchar_t buf[16];
	size_t col[16];

	(void)state;
	parse("\033[1ma\xe4\xb8\xad" "b");
	assert_int_equal(ansi_text(&L, buf, col, 16), 3);
	assert_int_equal(buf[1], 0x4e2d);
	assert_int_equal(col[2], 3);
	assert_int_equal(ansi_text(&L, buf, col, 2), 1);
	assert_int_equal(buf[1], 0);
}

static void
test_color_map(void **state)
{
	(void)state;
	assert_int_equal(ansi_color_map(ANSI_DEFAULT, 256), -1);
	assert_int_equal(ansi_color_map(3, 8), 3);
	assert_int_equal(ansi_color_map(11, 8), 3);     /* bright yellow */
	assert_int_equal(ansi_color_map(11, 16), 11);
	assert_int_equal(ansi_color_map(196, 256), 196);
	assert_int_equal(ansi_color_map(196, 16), 9);   /* pure red */
	assert_int_equal(ansi_color_map(196, 8), 1);
	assert_int_equal(ansi_color_map(ANSI_RGB(255, 0, 0), 256), 196);
	assert_int_equal(ansi_color_map(ANSI_RGB(0, 0, 0), 256), 16);
	assert_int_equal(ansi_color_map(ANSI_RGB(128, 128, 128), 256), 244);
	assert_int_equal(ansi_color_map(ANSI_RGB(0, 200, 0), 8), 2);
	assert_int_equal(ansi_color_map(ANSI_RGB(250, 250, 250), 16), 15);
	assert_int_equal(ansi_color_map(ANSI_RGB(1, 2, 3), 2), -1);
	assert_int_equal(ansi_color_map(240, 8), 0);    /* dark grey */
	for (int c = 0; c < 256; c++) {
		assert_true(ansi_color_map(c, 8) < 8);
		assert_true(ansi_color_map(c, 16) < 16);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_FIXED(test_plain),
		TU_FIXED(test_utf8_and_width),
		cmocka_unit_test(test_decode),
		TU_FIXED(test_tabs),
		TU_FIXED(test_carriage_return),
		TU_FIXED(test_sgr_basic),
		TU_FIXED(test_sgr_256_and_rgb),
		TU_FIXED(test_ignored_sequences),
		TU_FIXED(test_unterminated),
		TU_FIXED(test_bounded),
		TU_FIXED(test_erase),
		TU_FIXED(test_wrap),
		TU_FIXED(test_text),
		cmocka_unit_test(test_color_map),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
