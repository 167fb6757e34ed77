/* test_outbuf.c: line splitting and the scrollback ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "outbuf.h"
#include "xmalloc.h"
#include "testutil.h"

/* Lines handed to the callback, joined as "text|" (flags as a prefix). */
struct seen {
	char buf[65536];
	size_t len;
	unsigned lines;
};

static void
seen_cb(void *arg, const struct outbuf_line *line)
{
	struct seen *s = arg;
	int n = snprintf(s->buf + s->len, sizeof s->buf - s->len, "%s%.*s|",
	    (line->flags & OUTBUF_CONTINUED) ? "+" :
	    (line->flags & OUTBUF_MARK) ? "#" : "",
	    (int)(line->len > 40 ? 40 : line->len), line->text);
	s->len += (size_t)n;
	s->lines++;
}

static void
feed(struct outbuf *ob, const char *s)
{
	outbuf_feed(ob, s, strlen(s), 0, 1, 1.0);
}

static void
test_split_lines_across_chunks(void **state)
{
	struct seen s = { .len = 0 };
	struct outbuf *ob = outbuf_create(10, seen_cb, &s);
	size_t plen;
	const char *p;

	(void)state;
	feed(ob, "hel");
	feed(ob, "lo\nwor");
	assert_string_equal(s.buf, "hello|");
	p = outbuf_partial(ob, &plen);
	assert_int_equal(plen, 3);
	assert_memory_equal(p, "wor", 3);
	feed(ob, "ld\n\nend");
	outbuf_flush(ob, 2.0);
	assert_string_equal(s.buf, "hello|world||end|");
	assert_int_equal(outbuf_count(ob), 4);
	assert_int_equal(outbuf_total(ob), 4);
	outbuf_free(ob);
}

static void
test_carriage_return(void **state)
{
	struct seen s = { .len = 0 };
	struct outbuf *ob = outbuf_create(10, seen_cb, &s);

	(void)state;
	/* A progress bar keeps its latest state; CRLF is a line end, even
	 * when the CR and LF arrive in different reads. */
	feed(ob, "10%\r50%\r100%\ndos\r");
	feed(ob, "\nnext\r");
	outbuf_flush(ob, 2.0);
	assert_string_equal(s.buf, "100%|dos|next|");
	outbuf_free(ob);
}

static void
test_long_line_is_cut(void **state)
{
	struct seen s = { .len = 0 };
	struct outbuf *ob = outbuf_create(100, seen_cb, &s);
	char *big = xmalloc(OUTBUF_LINE_MAX * 2 + 11);

	(void)state;
	memset(big, 'x', OUTBUF_LINE_MAX * 2 + 10);
	big[OUTBUF_LINE_MAX * 2 + 10] = '\n';
	outbuf_feed(ob, big, OUTBUF_LINE_MAX * 2 + 11, 0, 1, 1.0);
	assert_int_equal(outbuf_count(ob), 3);
	assert_int_equal(outbuf_get(ob, 0)->len, OUTBUF_LINE_MAX);
	assert_int_equal(outbuf_get(ob, 0)->flags, 0);
	assert_int_equal(outbuf_get(ob, 1)->flags, OUTBUF_CONTINUED);
	assert_int_equal(outbuf_get(ob, 2)->len, 10);
	assert_int_equal(outbuf_get(ob, 2)->flags, OUTBUF_CONTINUED);
	free(big);
	outbuf_free(ob);
}

static void
test_ring_keeps_newest(void **state)
{
	struct outbuf *ob = outbuf_create(3, NULL, NULL);
	char line[32];

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		feed(ob, line);
	}
	assert_int_equal(outbuf_count(ob), 3);
	assert_int_equal(outbuf_total(ob), 10);
	assert_memory_equal(outbuf_get(ob, 0)->text, "line 7", 6);
	assert_memory_equal(outbuf_get(ob, 2)->text, "line 9", 6);
	assert_null(outbuf_get(ob, 3));
	outbuf_free(ob);
}

static void
test_binary_and_marks(void **state)
{
	struct seen s = { .len = 0 };
	struct outbuf *ob = outbuf_create(10, seen_cb, &s);
	static const char junk[] = { 'a', 0, (char)0xff, 'b', '\n' };
	uint64_t gen;

	(void)state;
	outbuf_feed(ob, junk, sizeof junk, 2, 1, 1.0);
	assert_int_equal(outbuf_get(ob, 0)->len, 4);
	assert_memory_equal(outbuf_get(ob, 0)->text, junk, 4);
	assert_int_equal(outbuf_get(ob, 0)->step, 2);
	feed(ob, "partial");
	gen = outbuf_generation(ob);
	outbuf_add_mark(ob, "-- step 2 --", 3, 2.0);
	assert_true(outbuf_generation(ob) > gen);
	/* The partial line is ended before the mark. */
	assert_int_equal(outbuf_count(ob), 3);
	assert_memory_equal(outbuf_get(ob, 1)->text, "partial", 7);
	assert_int_equal(outbuf_get(ob, 2)->flags, OUTBUF_MARK);
	assert_true(outbuf_get(ob, 2)->time == 2.0);
	outbuf_free(ob);
}

TU_MAIN(
	cmocka_unit_test(test_split_lines_across_chunks),
	cmocka_unit_test(test_carriage_return),
	cmocka_unit_test(test_long_line_is_cut),
	cmocka_unit_test(test_ring_keeps_newest),
	cmocka_unit_test(test_binary_and_marks),
)
