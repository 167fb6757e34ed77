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
	/* Carriage returns in a row are one, in one read or several: a
	 * terminal that adds one to a CRLF must not empty the line. */
	s.len = 0;
	s.buf[0] = '\0';
	feed(ob, "a terminal\r\r\ngot yes\r");
	feed(ob, "\r");
	feed(ob, "\r\nbar 1\r\rbar 2\r\r\r\n");
	assert_string_equal(s.buf, "a terminal|got yes|bar 2|");
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

/* Every line as seen by the callback, whole: text, flags, log line. */
struct full {
	char *buf;
	size_t len, cap;
};

static void
full_cb(void *arg, const struct outbuf_line *line)
{
	struct full *f = arg;
	char head[64];
	int n = snprintf(head, sizeof head, "[%u %u %u]", line->flags,
	    line->aline, line->len);

	f->buf = xreallocarray_grow(f->buf, &f->cap, f->len + (size_t)n +
	    line->len + 1, 1);
	memcpy(f->buf + f->len, head, (size_t)n);
	memcpy(f->buf + f->len + (size_t)n, line->text, line->len);
	f->len += (size_t)n + line->len;
}

/* Whole lines are taken from the bytes fed, others through the partial
 * line: the lines must not depend on how the bytes were split into
 * reads, whatever carriage returns and line lengths (around the cut at
 * OUTBUF_LINE_MAX) they hold. */
static void
test_lines_do_not_depend_on_reads(void **state)
{
	static const size_t lens[] = { 0, 1, 79, OUTBUF_LINE_MAX - 1,
		OUTBUF_LINE_MAX, OUTBUF_LINE_MAX + 1, 2 * OUTBUF_LINE_MAX };
	static const char *const ends[] = { "\n", "\r\n", "\r", "\r\r\n" };
	static const size_t pieces[] = { 1, 3, 80, 4096, 100000 };
	size_t len = 0, cap = 0;
	char *data = NULL;
	struct full whole = { 0 };

	(void)state;
	for (size_t i = 0; i < 60; i++) {
		size_t n = lens[i % (sizeof lens / sizeof lens[0])];
		const char *e = ends[i / 7 % (sizeof ends / sizeof ends[0])];
		data = xreallocarray_grow(data, &cap, len + n + 4, 1);
		for (size_t k = 0; k < n; k++)
			data[len + k] = (char)('a' + (i + k) % 26);
		memcpy(data + len + n, e, strlen(e));
		len += n + strlen(e);
	}
	for (size_t pi = 0; pi < sizeof pieces / sizeof pieces[0]; pi++) {
		struct full f = { 0 };
		struct outbuf *ob = outbuf_create(4, full_cb, &f);
		for (size_t at = 0; at < len; at += pieces[pi])
			outbuf_feed(ob, data + at, len - at < pieces[pi] ?
			    len - at : pieces[pi], 0, 1, 1.0);
		outbuf_flush(ob, 2.0);
		if (pi == 0)
			whole = f;
		else {
			assert_int_equal(f.len, whole.len);
			assert_memory_equal(f.buf, whole.buf, whole.len);
			free(f.buf);
		}
		outbuf_free(ob);
	}
	assert_true(whole.len > 0);
	free(whole.buf);
	free(data);
}

TU_MAIN(
	cmocka_unit_test(test_lines_do_not_depend_on_reads),
	cmocka_unit_test(test_split_lines_across_chunks),
	cmocka_unit_test(test_carriage_return),
	cmocka_unit_test(test_long_line_is_cut),
	cmocka_unit_test(test_ring_keeps_newest),
	cmocka_unit_test(test_binary_and_marks),
)
