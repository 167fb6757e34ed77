/* test_replica.c: a run's state through the protocol (wire.c) and the
 * copy a dashboard keeps of it (replica.c): what a real run announces
 * reads back the same on the other side, lines come after the newest or
 * before the oldest by their numbers, and what does not fit is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outbuf.h"
#include "proto.h"
#include "replica.h"
#include "run.h"
#include "testutil.h"
#include "wire.h"

/* The first frame of b, read. */
static struct proto_msg
one_frame(const struct proto_buf *b)
{
	struct proto_msg m;
	size_t used;
	const char *err = NULL;

	assert_int_equal(proto_next(b->data, b->len, &m, &used, &err), 1);
	return m;
}

/* Feed every frame of b to the replica; the first error's text, or NULL
 * (caller frees). */
static char *
feed(struct replica *r, struct proto_buf *b)
{
	size_t off = 0, used;
	struct proto_msg m;
	const char *why;
	char *err = NULL;

	while (proto_next(b->data + off, b->len - off, &m, &used, &why) > 0) {
		off += used;
		if (replica_apply(r, &m, &err) != 0)
			break;
	}
	proto_buf_consume(b, b->len);
	return err;
}

static bool
w_settled(struct tu_world *w)
{
	return run_settled(w->run);
}

/* A run whose one sequence prints six lines. */
static const char talk_yaml[] =
    "sequences:\n"
    "  - name: talk\n"
    "    steps: ['for i in 1 2 3 4 5 6; do echo line $i; done']\n";

/* The fields of a line of step 0's first attempt that says text. */
static void
put_text(struct proto_buf *b, double time, const char *text)
{
	struct outbuf_line l = { .text = (char *)text,
		.len = (uint32_t)strlen(text), .time = time, .attempt = 1 };

	wire_put_line(b, &l);
}

/* The header of a LINES frame of sequence 0: n lines, the first of them
 * numbered first. */
static void
put_lines(struct proto_buf *b, uint64_t first, uint32_t n)
{
	proto_begin(b, PROTO_LINES);
	proto_u32(b, 0);
	proto_u64(b, first);
	proto_u32(b, n);
}

static const char *
line_text(const struct outbuf *ob, size_t i, char *buf, size_t size)
{
	const struct outbuf_line *l = outbuf_get(ob, i);

	snprintf(buf, size, "%.*s", (int)l->len, l->text);
	return buf;
}

/* A real run's state, encoded and read back: names, states, attempts,
 * exit codes. */
static void
test_snapshot_roundtrip(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: good\n"
	    "    steps: [echo hi, {name: second, run: 'exit 0', retries: 2}]\n"
	    "  - name: bad\n"
	    "    steps: [{name: breaks, run: 'exit 7', tty: true}]\n", false);
	struct proto_buf b = { 0 };
	struct proto_msg m;
	struct wire_run wr;
	struct wire_seq *seqs;
	size_t n;

	(void)state;
	run_start(w->run);
	tu_world_until(w, w_settled);
	wire_put_snapshot(&b, w->run);
	m = one_frame(&b);
	assert_int_equal(m.type, PROTO_SNAPSHOT);
	assert_int_equal(wire_get_snapshot(&m, &wr, &seqs, &n), 0);
	assert_true(wr.settled);
	assert_true(wr.started > 0);
	assert_int_equal(n, 2);
	assert_string_equal(seqs[0].name, "good");
	assert_int_equal(seqs[0].state, SEQ_OK);
	assert_int_equal(seqs[0].n_steps, 2);
	assert_string_equal(seqs[0].steps[1].name, "second");
	assert_int_equal(seqs[0].steps[1].retries, 2);
	assert_int_equal(seqs[0].steps[1].status, STEP_OK);
	assert_int_equal(seqs[1].state, SEQ_FAILED);
	assert_int_equal(seqs[1].steps[0].exit_code, 7);
	assert_int_equal(seqs[1].steps[0].attempt, 1);
	assert_true(seqs[1].steps[0].tty);
	assert_true(seqs[1].steps[0].command);
	wire_seqs_free(seqs, n);

	/* Cut short anywhere, it is refused, and nothing leaks. */
	for (size_t cut = 0; cut + 1 < b.len - PROTO_HEADER; cut += 7) {
		m = one_frame(&b);
		m.left = cut;
		assert_int_equal(wire_get_snapshot(&m, &wr, &seqs, &n), -1);
		assert_null(seqs);
	}
	proto_buf_free(&b);
	tu_world_free(w);
}

/* The fixture (cmocka's setup and teardown) of the tests of a replica's
 * scrollback: a run of talk_yaml, run to its end, a buffer for the frames
 * that tell it, and the replica they feed. */
static struct tu_world *talk_w;
static struct proto_buf talk_b;
static struct replica *talk_r;

static int
talk_setup(void **state)
{
	(void)state;
	talk_w = tu_world_new(talk_yaml, false);
	memset(&talk_b, 0, sizeof talk_b);
	talk_r = replica_create();
	run_start(talk_w->run);
	tu_world_until(talk_w, w_settled);
	return 0;
}

static int
talk_teardown(void **state)
{
	(void)state;
	replica_free(talk_r);
	proto_buf_free(&talk_b);
	tu_world_free(talk_w);
	return 0;
}

/* The replica of that run: its sequences' state, and its scrollback
 * whole, the newest lines first and the older ones put before them. */
static void
test_replica_lines(void **state)
{
	const struct outbuf *src, *ob;
	char buf[64], *err;
	uint64_t total;
	size_t count;

	(void)state;
	src = run_seq(talk_w->run, 0)->out;
	total = outbuf_total(src);
	count = outbuf_count(src);
	assert_true(count >= 6);

	/* Lines before the snapshot are refused. */
	proto_begin(&talk_b, PROTO_LINE);
	proto_u32(&talk_b, 0);
	put_text(&talk_b, 1.0, "x");
	proto_end(&talk_b);
	err = feed(talk_r, &talk_b);
	assert_non_null(err);
	free(err);

	wire_put_snapshot(&talk_b, talk_w->run);
	/* The newest three lines, then the rest before them. */
	put_lines(&talk_b, total - 3, 3);
	for (size_t k = count - 3; k < count; k++)
		wire_put_line(&talk_b, outbuf_get(src, k));
	proto_end(&talk_b);
	put_lines(&talk_b, total - count, (uint32_t)(count - 3));
	for (size_t k = 0; k < count - 3; k++)
		wire_put_line(&talk_b, outbuf_get(src, k));
	proto_end(&talk_b);
	assert_null(feed(talk_r, &talk_b));
	ob = run_seq(replica_run(talk_r), 0)->out;
	assert_int_equal(outbuf_count(ob), count);
	assert_true(outbuf_total(ob) == total);
	for (size_t k = 0; k < count; k++) {
		char want[64];
		assert_string_equal(line_text(ob, k, buf, sizeof buf),
		    line_text(src, k, want, sizeof want));
	}
	assert_int_equal(run_seq(replica_run(talk_r), 0)->state, SEQ_OK);
	assert_true(run_settled(replica_run(talk_r)));

	/* A live line comes after the newest. */
	proto_begin(&talk_b, PROTO_LINE);
	proto_u32(&talk_b, 0);
	put_text(&talk_b, 2.0, "live");
	proto_end(&talk_b);
	assert_null(feed(talk_r, &talk_b));
	assert_string_equal(line_text(ob, outbuf_count(ob) - 1, buf,
	    sizeof buf), "live");

	/* Lines that fit neither end, a sequence out of range, a plan that
	 * is not this run's: refused. */
	put_lines(&talk_b, 1, 0);
	proto_end(&talk_b);
	err = feed(talk_r, &talk_b);
	assert_non_null(err);
	free(err);
	/* Past the newest: the lines between left the server's scrollback,
	 * and the copy starts there. */
	put_lines(&talk_b, total + 100, 1);
	put_text(&talk_b, 3.0, "after a flood");
	proto_end(&talk_b);
	assert_null(feed(talk_r, &talk_b));
	assert_int_equal(outbuf_count(ob), 1);
	assert_true(outbuf_total(ob) == total + 101);
	assert_string_equal(line_text(ob, 0, buf, sizeof buf),
	    "after a flood");
	proto_begin(&talk_b, PROTO_NOTICE);
	proto_u32(&talk_b, 5);
	proto_cstr(&talk_b, "no such sequence");
	proto_end(&talk_b);
	err = feed(talk_r, &talk_b);
	assert_non_null(err);
	free(err);
	proto_begin(&talk_b, PROTO_HELLO);
	proto_u32(&talk_b, 1);
	proto_cstr(&talk_b, "");
	proto_end(&talk_b);
	err = feed(talk_r, &talk_b);
	assert_non_null(strstr(err, "unexpected 'hello'"));
	free(err);
}

/* A PASSED frame of sequence 0: entries given as (first, count, aline,
 * flags), then `lines` lines "new". */
static void
put_passed(struct proto_buf *b, const uint64_t (*e)[4], uint32_t n,
    uint32_t lines)
{
	proto_begin(b, PROTO_PASSED);
	proto_u32(b, 0);
	proto_u32(b, n);
	for (uint32_t k = 0; k < n; k++) {
		proto_u64(b, e[k][0]);
		proto_u32(b, (uint32_t)e[k][1]);
		proto_u32(b, (uint32_t)e[k][2]);
		proto_u16(b, 0);
		proto_u16(b, 1);
		proto_u16(b, (uint16_t)e[k][3]);
		proto_f64(b, 1.0);
		proto_cstr(b, e[k][3] ? "-- a mark --" : "");
	}
	proto_u32(b, lines);
	for (uint32_t k = 0; k < lines; k++) {
		proto_u16(b, 0);
		proto_u16(b, 0);
		proto_f64(b, 2.0);
		proto_u16(b, 1);
		proto_u32(b, 100 + k);
		proto_cstr(b, "new");
	}
	proto_end(b);
}

/* PASSED: a flood's lines after the newest held, by reference (where
 * they are in the logs), then its newest lines; the lines held leave
 * memory for the index, which only holds lines older than those kept.
 * What does not follow on is refused. */
static void
test_replica_passed(void **state)
{
	const struct outbuf *src, *ob;
	struct outbuf_spilled sp;
	uint64_t total;
	char buf[64], *err;
	/* Not following on, a mark of two lines, an empty run. */
	static const uint64_t gap[][4] = { { 4, 1, 0, 0 } };
	static const uint64_t mark2[][4] = { { 0, 2, 0, OUTBUF_MARK } };
	static const uint64_t empty[][4] = { { 0, 0, 0, 0 } };
	static const uint64_t apart[][4] = { { 0, 2, 0, 0 }, { 3, 1, 2, 0 } };

	(void)state;
	src = run_seq(talk_w->run, 0)->out;
	total = outbuf_total(src);
	assert_true(outbuf_count(src) == total && total >= 6);

	/* The run as the server tells it: all but the newest two lines
	 * by reference, the newest as text. */
	wire_put_snapshot(&talk_b, talk_w->run);
	assert_true(wire_put_passed(&talk_b, src, 0, 0, total - 2, 2));
	assert_null(feed(talk_r, &talk_b));
	ob = run_seq(replica_run(talk_r), 0)->out;
	assert_true(outbuf_total(ob) == total);
	assert_int_equal(outbuf_count(ob), 2);
	assert_string_equal(line_text(ob, 1, buf, sizeof buf),
	    line_text(src, total - 1, buf + 32, 32));
	/* Each output line by its place in its attempt's log, a mark (the
	 * step's banner, if any) by its text. */
	for (size_t k = 0, n = 0; k < outbuf_spilled_count(ob); k++) {
		outbuf_spilled_get(ob, k, &sp);
		assert_true(sp.first == n);
		for (uint32_t j = 0; j < sp.count; j++) {
			const struct outbuf_line *l = outbuf_get(src, n + j);
			if (sp.flags & OUTBUF_MARK)
				assert_memory_equal(sp.text, l->text, l->len);
			else
				assert_int_equal(sp.aline + j, l->aline);
		}
		n += sp.count;
		assert_true(n <= total - 2);
	}

	/* More after them: the two held leave memory, as references. */
	{
		const uint64_t more[][4] = { { total, 3, 6, 0 } };
		put_passed(&talk_b, more, 1, 1);
		assert_null(feed(talk_r, &talk_b));
	}
	assert_true(outbuf_total(ob) == total + 4);
	assert_int_equal(outbuf_count(ob), 1);
	assert_string_equal(line_text(ob, 0, buf, sizeof buf), "new");
	outbuf_spilled_get(ob, outbuf_spilled_count(ob) - 1, &sp);
	assert_true(sp.first == total && sp.count == 3 && sp.aline == 6);

	/* Refused: before the newest, a mark of two lines, an empty run,
	 * entries apart, lines the frame does not hold. */
	put_passed(&talk_b, gap, 1, 0);
	err = feed(talk_r, &talk_b);
	assert_non_null(strstr(err, "malformed 'passed'"));
	free(err);
	put_passed(&talk_b, mark2, 1, 0);
	err = feed(talk_r, &talk_b);
	assert_non_null(err);
	free(err);
	put_passed(&talk_b, empty, 1, 0);
	err = feed(talk_r, &talk_b);
	assert_non_null(err);
	free(err);
	put_passed(&talk_b, apart, 2, 0);
	err = feed(talk_r, &talk_b);
	assert_non_null(err);
	free(err);
	{
		const uint64_t next[][4] = { { total + 5, 1, 7, 0 } };
		put_passed(&talk_b, next, 1, 0);
		talk_b.data[talk_b.len - 1] = 1;    /* one line, not there */
		err = feed(talk_r, &talk_b);
		assert_non_null(err);
		free(err);
	}
	assert_true(outbuf_total(ob) == total + 4);
}

/* END: the run is over, with its status. */
static void
test_replica_end(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n  - name: s\n    steps: ['exit 0']\n", false);
	struct proto_buf b = { 0 };
	struct replica *r = replica_create();
	int code = -1;

	(void)state;
	wire_put_snapshot(&b, w->run);
	proto_begin(&b, PROTO_END);
	proto_i32(&b, 3);
	proto_cstr(&b, "failed");
	proto_end(&b);
	assert_false(replica_ended(r, &code));
	assert_null(feed(r, &b));
	assert_true(replica_ended(r, &code));
	assert_int_equal(code, 3);
	replica_free(r);
	proto_buf_free(&b);
	tu_world_free(w);
}

TU_MAIN(
	cmocka_unit_test(test_snapshot_roundtrip),
	cmocka_unit_test_setup_teardown(test_replica_lines, talk_setup,
	    talk_teardown),
	cmocka_unit_test_setup_teardown(test_replica_passed, talk_setup,
	    talk_teardown),
	cmocka_unit_test(test_replica_end),
)
