/* test_logback.c: lines that left memory under a tiny scrollback budget
 * read back from real log files, exactly as outbuf split them as they
 * came: carriage returns, cut long lines, several attempts, marks between
 * them, no newline at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "logback.h"
#include "outbuf.h"
#include "proto.h"
#include "testutil.h"
#include "wire.h"
#include "xmalloc.h"

/* Every line as it came (the callback), to compare with what is read
 * back later. */
struct copy {
	char **text;
	size_t *len;
	unsigned *flags;
	size_t n, cap, cap2, cap3;
};

static void
copy_cb(void *arg, const struct outbuf_line *l)
{
	struct copy *c = arg;

	c->text = xreallocarray_grow(c->text, &c->cap, c->n + 1,
	    sizeof *c->text);
	c->len = xreallocarray_grow(c->len, &c->cap2, c->n + 1,
	    sizeof *c->len);
	c->flags = xreallocarray_grow(c->flags, &c->cap3, c->n + 1,
	    sizeof *c->flags);
	c->text[c->n] = xmalloc(l->len + 1);
	memcpy(c->text[c->n], l->text, l->len);
	c->len[c->n] = l->len;
	c->flags[c->n] = l->flags;
	c->n++;
}

/* Append bytes to a log and feed them, in pieces of `chunk`. */
static void
emit(struct outbuf *ob, const char *path, const char *data, size_t len,
    unsigned step, unsigned attempt, size_t chunk)
{
	FILE *fp = fopen(path, "ab");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	for (size_t at = 0; at < len; at += chunk)
		outbuf_feed(ob, data + at, len - at < chunk ? len - at : chunk,
		    step, attempt, 1.0);
}

/* Apply the PASSED frames of b to cp as a dashboard does (replica.c),
 * and empty b. */
static void
apply_passed(struct outbuf *cp, struct proto_buf *b)
{
	size_t off = 0, used, len;
	struct proto_msg m;
	const char *why;

	while (proto_next(b->data + off, b->len - off, &m, &used, &why) > 0) {
		uint32_t n;
		struct outbuf_spilled *e;

		off += used;
		assert_int_equal(m.type, PROTO_PASSED);
		assert_int_equal(proto_get_u32(&m), 1);
		n = proto_get_u32(&m);
		e = xcalloc(n ? n : 1, sizeof *e);
		for (uint32_t k = 0; k < n; k++) {
			e[k].first = proto_get_u64(&m);
			e[k].count = proto_get_u32(&m);
			e[k].aline = proto_get_u32(&m);
			e[k].step = proto_get_u16(&m);
			e[k].attempt = proto_get_u16(&m);
			e[k].flags = proto_get_u16(&m);
			e[k].time = proto_get_f64(&m);
			e[k].text = proto_get_str(&m, &len);
			e[k].len = (uint32_t)len;
		}
		assert_true(n == 0 || e[0].first == outbuf_total(cp) ||
		    outbuf_total(cp) == 0);
		outbuf_spilled_put_after(cp, e, n);
		free(e);
		for (n = proto_get_u32(&m); n > 0; n--) {
			struct outbuf_line l = { 0 };
			l.step = proto_get_u16(&m);
			l.flags = proto_get_u16(&m);
			l.time = proto_get_f64(&m);
			l.attempt = proto_get_u16(&m);
			l.aline = proto_get_u32(&m);
			l.text = (char *)(uintptr_t)proto_get_str(&m, &len);
			l.len = (uint32_t)len;
			outbuf_add_line(cp, &l);
		}
		assert_true(proto_done(&m));
	}
	assert_int_equal(off, b->len);
	proto_buf_consume(b, b->len);
}

static void
test_every_line_read_back(void **state)
{
	char *dir = tu_tmpdir(), *p, *big;
	struct outbuf_pool *pool = outbuf_pool_create(2000);
	struct logback *lb = logback_create(dir);
	struct copy c = { 0 };
	struct outbuf *ob = outbuf_create(SIZE_MAX, copy_cb, &c), *other;
	char line[64];
	size_t len;
	unsigned flags;
	const char *s;

	(void)state;
	/* Another sequence shares the budget. */
	other = outbuf_create(SIZE_MAX, NULL, NULL);
	outbuf_join(ob, pool, 1);
	outbuf_join(other, pool, 0);
	outbuf_pool_set_reader(pool, logback_line, lb);
	p = xasprintf("%s/001-x", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/002-the-seq", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);

	outbuf_add_mark(ob, "-- step 1/2: one --", 0, 1.0);
	p = xasprintf("%s/002-the-seq/01-one.1.log", dir);
	for (int i = 0; i < 3000; i++) {
		int n = snprintf(line, sizeof line, i % 7 == 0 ?
		    "bar %d\r50%%\r100%% %d\r\n" : "line %d of one\n", i, i);
		emit(ob, p, line, (size_t)n, 0, 1, 5);
	}
	free(p);
	outbuf_flush(ob, 1.0);
	outbuf_add_mark(ob, "-- failed (exit 1) --", 0, 1.0);
	outbuf_add_mark(ob, "-- step 1/2: one (try 2) --", 0, 1.0);
	/* Long lines are cut; the last one has no newline. */
	big = xmalloc(3 * OUTBUF_LINE_MAX);
	memset(big, 'y', 3 * OUTBUF_LINE_MAX);
	p = xasprintf("%s/002-the-seq/01-one.2.log", dir);
	emit(ob, p, big, 3 * OUTBUF_LINE_MAX - 5, 0, 2, 1000);
	emit(ob, p, "\nz\n", 3, 0, 2, 3);
	for (int i = 0; i < 600; i++) {
		int n = snprintf(line, sizeof line, "again %d\n", i);
		emit(ob, p, line, (size_t)n, 0, 2, 64);
	}
	emit(ob, p, "tail without newline", 20, 0, 2, 64);
	free(p);
	outbuf_flush(ob, 1.0);
	outbuf_add_mark(ob, "-- step 2/2: two --", 1, 1.0);
	p = xasprintf("%s/002-the-seq/02-two.1.log", dir);
	emit(ob, p, "last\n", 5, 1, 1, 5);
	free(p);

	/* Memory kept a sliver; everything is still there. */
	assert_true(outbuf_count(ob) < 50);
	assert_int_equal(outbuf_first(ob), 0);
	assert_int_equal(outbuf_total(ob), c.n);
	for (size_t n = 0; n < c.n; n++) {
		s = outbuf_line_at(ob, n, &len, &flags, NULL);
		assert_non_null(s);
		if (len != c.len[n] || memcmp(s, c.text[n], len) != 0)
			fail_msg("line %zu: \"%.*s\", not \"%s\"", n, (int)len,
			    s, c.text[n]);
		assert_int_equal(flags, c.flags[n]);
	}
	/* Backwards too (a search going up), and at random. */
	for (size_t n = c.n; n-- > 0;) {
		s = outbuf_line_at(ob, n, &len, &flags, NULL);
		assert_int_equal(len, c.len[n]);
		assert_memory_equal(s, c.text[n], len);
	}
	srand(7);
	for (int k = 0; k < 2000; k++) {
		size_t n = (size_t)rand() % c.n;
		s = outbuf_line_at(ob, n, &len, &flags, NULL);
		assert_int_equal(len, c.len[n]);
		assert_memory_equal(s, c.text[n], len);
	}
	/* The index of what left memory is small: runs, not lines. */
	assert_true(outbuf_spilled_count(ob) < 10);

	/* A copy (drove attach) that gets the newest lines and then the
	 * index reads the same. */
	{
		struct outbuf *cp = outbuf_create(SIZE_MAX, NULL, NULL);
		struct outbuf_pool *pool2 = outbuf_pool_create(1000);
		struct outbuf_spilled *e;
		size_t ne = outbuf_spilled_count(ob);

		outbuf_join(cp, pool2, 1);
		outbuf_pool_set_reader(pool2, logback_line, lb);
		outbuf_restart(cp, outbuf_total(ob) - outbuf_count(ob));
		for (size_t k = 0; k < outbuf_count(ob); k++)
			outbuf_add_line(cp, outbuf_get(ob, k));
		e = xcalloc(ne, sizeof *e);
		for (size_t k = 0; k < ne; k++)
			outbuf_spilled_get(ob, k, &e[k]);
		outbuf_spilled_put_before(cp, e, ne);
		free(e);
		assert_int_equal(outbuf_first(cp), 0);
		for (size_t n = 0; n < c.n; n++) {
			s = outbuf_line_at(cp, n, &len, &flags, NULL);
			assert_int_equal(len, c.len[n]);
			assert_memory_equal(s, c.text[n], len);
		}
		outbuf_free(cp);
		outbuf_pool_free(pool2);
	}

	/* A dashboard a flood passed by: the lines it was not sent by
	 * reference (PASSED), the newest as text, twice (the second time
	 * the lines it had as text leave its memory): it reads the same. */
	{
		struct outbuf *cp = outbuf_create(SIZE_MAX, NULL, NULL);
		struct outbuf_pool *pool2 = outbuf_pool_create(1 << 20);
		struct proto_buf b = { 0 };
		uint64_t kept = outbuf_total(ob) - outbuf_count(ob);

		assert_true(outbuf_count(ob) >= 4);
		outbuf_join(cp, pool2, 1);
		outbuf_pool_set_reader(pool2, logback_line, lb);
		assert_true(wire_put_passed(&b, ob, 1, 0, kept, 2));
		apply_passed(cp, &b);
		assert_int_equal(outbuf_count(cp), 2);
		assert_true(wire_put_passed(&b, ob, 1, kept + 2,
		    outbuf_total(ob) - 1, 1));
		apply_passed(cp, &b);
		assert_int_equal(outbuf_count(cp), 1);
		assert_int_equal(outbuf_total(cp), c.n);
		for (size_t n = 0; n < c.n; n++) {
			s = outbuf_line_at(cp, n, &len, &flags, NULL);
			if (len != c.len[n] || memcmp(s, c.text[n], len) != 0)
				fail_msg("line %zu: \"%.*s\", not \"%s\"", n,
				    (int)len, s, c.text[n]);
		}
		/* Nothing is known of the lines before a copy's first. */
		outbuf_restart(cp, 5);
		outbuf_add_line(cp, outbuf_get(ob, 0));
		assert_false(wire_put_passed(&b, cp, 1, 0, 5, 0));
		assert_int_equal(b.len, 0);
		proto_buf_free(&b);
		outbuf_free(cp);
		outbuf_pool_free(pool2);
	}

	for (size_t n = 0; n < c.n; n++)
		free(c.text[n]);
	free(c.text);
	free(c.len);
	free(c.flags);
	free(big);
	outbuf_free(ob);
	outbuf_free(other);
	outbuf_pool_free(pool);
	logback_free(lb);
	tu_rmrf(dir);
	free(dir);
}

/* PASSED tells lines in runs: each an attempt's lines of one read (one
 * time), in the log's order, marks alone; every line told once, and no
 * two runs that could be one. */
static void
test_passed_runs(void **state)
{
	struct outbuf *ob = outbuf_create(SIZE_MAX, NULL, NULL);
	struct outbuf *cp = outbuf_create(SIZE_MAX, NULL, NULL);
	struct proto_buf b = { 0 };
	struct outbuf_spilled e, prev = { 0 };
	uint64_t total, from = 3, n;
	char *big = xmalloc(OUTBUF_LINE_MAX + 100);

	(void)state;
	memset(big, 'x', OUTBUF_LINE_MAX + 99);
	big[OUTBUF_LINE_MAX + 99] = '\n';
	srand(11);
	for (int r = 0; r < 60; r++) {
		/* Reads of 1 to 300 lines; some share a time, each step has
		 * two attempts, a mark now and then, a line cut in two. */
		double now = 1.0 + r / 3;
		unsigned step = (unsigned)r / 20, attempt = 1 + (unsigned)r / 10 % 2;
		int lines = 1 + rand() % 300;
		if (r % 7 == 3)
			outbuf_add_mark(ob, "-- a mark --", step, now);
		for (int k = 0; k < lines; k++) {
			char line[32];
			int len = snprintf(line, sizeof line, "r%d l%d\n", r, k);
			outbuf_feed(ob, line, (size_t)len, step, attempt, now);
		}
		if (r % 13 == 5)
			outbuf_feed(ob, big, OUTBUF_LINE_MAX + 100, step,
			    attempt, now);
	}
	total = outbuf_total(ob);
	assert_true(wire_put_passed(&b, ob, 1, from, total - 2, 2));
	outbuf_restart(cp, from);
	apply_passed(cp, &b);
	assert_true(outbuf_total(cp) == total);
	n = from;
	for (size_t k = 0; k < outbuf_spilled_count(cp); k++) {
		outbuf_spilled_get(cp, k, &e);
		assert_true(e.first == n);
		for (uint32_t j = 0; j < e.count; j++) {
			const struct outbuf_line *l = outbuf_get(ob, n + j);
			if (e.flags & OUTBUF_MARK) {
				assert_int_equal(e.count, 1);
				assert_true(l->flags & OUTBUF_MARK);
				assert_memory_equal(e.text, l->text, l->len);
				continue;
			}
			assert_false(l->flags & OUTBUF_MARK);
			assert_int_equal(l->step, e.step);
			assert_int_equal(l->attempt, e.attempt);
			assert_int_equal(l->aline, e.aline + j);
			assert_true(l->time == e.time);
		}
		/* Runs as long as they can be. */
		if (k > 0 && !(e.flags & OUTBUF_MARK) &&
		    !(prev.flags & OUTBUF_MARK))
			assert_false(prev.step == e.step &&
			    prev.attempt == e.attempt && prev.time == e.time &&
			    prev.aline + prev.count == e.aline);
		prev = e;
		n += e.count;
	}
	assert_true(n == total - 2);
	assert_true(outbuf_spilled_count(cp) < 100);
	proto_buf_free(&b);
	outbuf_free(ob);
	outbuf_free(cp);
	free(big);
}

/* A log that is gone reads as a line saying so, never as nothing. */
static void
test_missing_log(void **state)
{
	char *dir = tu_tmpdir();
	struct outbuf_pool *pool = outbuf_pool_create(100);
	struct logback *lb = logback_create(dir);
	struct outbuf *ob = outbuf_create(SIZE_MAX, NULL, NULL);
	size_t len;
	unsigned flags;
	const char *s;

	(void)state;
	outbuf_join(ob, pool, 0);
	outbuf_pool_set_reader(pool, logback_line, lb);
	for (int i = 0; i < 100; i++)
		outbuf_feed(ob, "lost line\n", 10, 0, 1, 1.0);
	s = outbuf_line_at(ob, 0, &len, &flags, NULL);
	assert_non_null(s);
	assert_int_equal(flags, OUTBUF_MARK);
	assert_non_null(memmem(s, len, "cannot be read", 14));
	outbuf_free(ob);
	outbuf_pool_free(pool);
	logback_free(lb);
	tu_rmrf(dir);
	free(dir);
}

TU_MAIN(
	cmocka_unit_test(test_every_line_read_back),
	cmocka_unit_test(test_passed_runs),
	cmocka_unit_test(test_missing_log),
)
