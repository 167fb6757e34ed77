/* test_proto.c: frames of the server protocol: what is written reads
 * back the same, and nothing read past its bounds is trusted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"
#include "testutil.h"

static void
test_roundtrip(void **state)
{
	struct proto_buf b = { 0 };
	struct proto_msg m;
	size_t used;
	const char *err = NULL, *s;
	size_t len;
	char *c;

	(void)state;
	proto_begin(&b, PROTO_LINE);
	proto_u8(&b, 0xab);
	proto_u16(&b, 0xbeef);
	proto_u32(&b, 0xdeadbeefu);
	proto_i32(&b, -7);
	proto_u64(&b, UINT64_C(0x0102030405060708));
	proto_f64(&b, 1795689076.671);
	proto_str(&b, "a\0b", 3);
	proto_cstr(&b, NULL);
	proto_cstr(&b, "tty");
	assert_int_equal(proto_end(&b), 0);
	/* Big-endian length first, then the type. */
	assert_int_equal((unsigned char)b.data[3], b.len - PROTO_HEADER);
	assert_int_equal(b.data[4], PROTO_LINE);

	assert_int_equal(proto_next(b.data, b.len, &m, &used, &err), 1);
	assert_int_equal(used, b.len);
	assert_int_equal(m.type, PROTO_LINE);
	assert_int_equal(proto_get_u8(&m), 0xab);
	assert_int_equal(proto_get_u16(&m), 0xbeef);
	assert_int_equal(proto_get_u32(&m), 0xdeadbeefu);
	assert_int_equal(proto_get_i32(&m), -7);
	assert_true(proto_get_u64(&m) == UINT64_C(0x0102030405060708));
	assert_true(proto_get_f64(&m) == 1795689076.671);
	s = proto_get_str(&m, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 3);
	c = proto_get_cstr(&m);
	assert_string_equal(c, "");
	free(c);
	c = proto_get_cstr(&m);
	assert_string_equal(c, "tty");
	free(c);
	assert_true(proto_done(&m));
	proto_buf_free(&b);
}

/* Bytes arrive in any pieces: a frame is there only when all of it is,
 * and two frames back to back come out one at a time. */
static void
test_pieces(void **state)
{
	struct proto_buf b = { 0 };
	struct proto_msg m;
	size_t used, first;
	const char *err = NULL;

	(void)state;
	proto_begin(&b, PROTO_STATUS);
	assert_int_equal(proto_end(&b), 0);
	first = b.len;
	proto_begin(&b, PROTO_NOTICE);
	proto_u32(&b, 3);
	proto_cstr(&b, "hello");
	assert_int_equal(proto_end(&b), 0);
	for (size_t n = 0; n < first; n++)
		assert_int_equal(proto_next(b.data, n, &m, &used, &err), 0);
	assert_int_equal(proto_next(b.data, b.len, &m, &used, &err), 1);
	assert_int_equal(m.type, PROTO_STATUS);
	assert_int_equal(used, first);
	assert_true(proto_done(&m));
	proto_buf_consume(&b, used);
	for (size_t n = 0; n < b.len; n++)
		assert_int_equal(proto_next(b.data, n, &m, &used, &err), 0);
	assert_int_equal(proto_next(b.data, b.len, &m, &used, &err), 1);
	assert_int_equal(m.type, PROTO_NOTICE);
	assert_int_equal(proto_get_u32(&m), 3);
	proto_buf_consume(&b, used);
	assert_int_equal(b.len, 0);
	proto_buf_free(&b);
}

/* Ends the frame in b and reads it back, whole, into m. */
static void
read_back(struct proto_buf *b, struct proto_msg *m)
{
	size_t used;
	const char *err = NULL;

	assert_int_equal(proto_end(b), 0);
	assert_int_equal(proto_next(b->data, b->len, m, &used, &err), 1);
	assert_int_equal(used, b->len);
}

/* A field past the end of its frame, a string longer than what is left,
 * a string with a NUL where text is wanted, bytes left over: all bad. */
static void
test_bounds(void **state)
{
	struct proto_buf b = { 0 };
	struct proto_msg m;
	size_t len;
	char *c;

	(void)state;
	proto_begin(&b, PROTO_RESULT);
	proto_u8(&b, 1);
	read_back(&b, &m);
	assert_int_equal(proto_get_u8(&m), 1);
	assert_true(proto_done(&m));
	assert_int_equal(proto_get_u32(&m), 0);   /* nothing there */
	assert_true(m.bad);
	assert_false(proto_done(&m));

	/* A string claiming 1000 bytes in a frame of 8. */
	proto_buf_consume(&b, b.len);
	proto_begin(&b, PROTO_NOTICE);
	proto_u32(&b, 1000);
	proto_u32(&b, 0);
	read_back(&b, &m);
	proto_get_str(&m, &len);
	assert_true(m.bad);
	assert_int_equal(len, 0);

	proto_buf_consume(&b, b.len);
	proto_begin(&b, PROTO_REFUSED);
	proto_str(&b, "x\0y", 3);
	read_back(&b, &m);
	c = proto_get_cstr(&m);
	free(c);
	assert_false(proto_done(&m));

	/* Left over: a u32 where the reader wanted a u8. */
	proto_buf_consume(&b, b.len);
	proto_begin(&b, PROTO_RESULT);
	proto_u32(&b, 1);
	read_back(&b, &m);
	proto_get_u8(&m);
	assert_false(proto_done(&m));
	proto_buf_free(&b);
}

/* What can never be a frame is refused as soon as it shows, whatever
 * follows: a zero or huge length, an unknown type. */
static void
test_refused_frames(void **state)
{
	static const unsigned char empty[] = { 0, 0, 0, 0, 1 };
	static const unsigned char huge[] = { 0x7f, 0xff, 0xff, 0xff };
	static const unsigned char unknown[] = { 0, 0, 0, 1, 200 };
	static const unsigned char zero_type[] = { 0, 0, 0, 1, 0 };
	struct proto_msg m;
	size_t used;
	const char *err = NULL;

	(void)state;
	assert_int_equal(proto_next((const char *)empty, sizeof empty, &m,
	    &used, &err), -1);
	assert_string_equal(err, "an empty frame");
	assert_int_equal(proto_next((const char *)huge, sizeof huge, &m,
	    &used, &err), -1);
	assert_string_equal(err, "a frame over the size limit");
	assert_int_equal(proto_next((const char *)unknown, sizeof unknown, &m,
	    &used, &err), -1);
	assert_string_equal(err, "an unknown message type");
	assert_int_equal(proto_next((const char *)zero_type,
	    sizeof zero_type, &m, &used, &err), -1);
	assert_null(proto_type_name(0));
	assert_null(proto_type_name(200));
	assert_string_equal(proto_type_name(PROTO_HELLO), "hello");
	assert_string_equal(proto_type_name(PROTO_LINES), "lines");
}

/* A frame that would pass PROTO_MAX is taken back out whole: what was
 * in the buffer before it is left as it was. */
static void
test_too_big(void **state)
{
	struct proto_buf b = { 0 };
	char *big = calloc(1, PROTO_MAX);
	size_t before;

	(void)state;
	assert_non_null(big);
	proto_begin(&b, PROTO_STATUS);
	assert_int_equal(proto_end(&b), 0);
	before = b.len;
	proto_begin(&b, PROTO_LINE);
	proto_str(&b, big, PROTO_MAX);
	assert_int_equal(proto_end(&b), -1);
	assert_int_equal(b.len, before);
	/* Exactly PROTO_MAX fits: type 1 + length 4 + the rest. */
	proto_begin(&b, PROTO_LINE);
	proto_str(&b, big, PROTO_MAX - 5);
	assert_int_equal(proto_end(&b), 0);
	assert_int_equal(b.len, before + PROTO_HEADER + PROTO_MAX);
	free(big);
	proto_buf_free(&b);
}

/* Both sides say the same thing, with both numbers. */
static void
test_version_mismatch(void **state)
{
	char *s = proto_version_mismatch(1, 2, true);

	(void)state;
	assert_non_null(strstr(s, "protocol version mismatch"));
	assert_non_null(strstr(s, "server speaks version 1"));
	assert_non_null(strstr(s, "client version 2"));
	free(s);
	s = proto_version_mismatch(1, 3, false);
	assert_non_null(strstr(s, "this drove speaks version 1"));
	assert_non_null(strstr(s, "server version 3"));
	free(s);
}

TU_MAIN(
	cmocka_unit_test(test_roundtrip),
	cmocka_unit_test(test_pieces),
	cmocka_unit_test(test_bounds),
	cmocka_unit_test(test_refused_frames),
	cmocka_unit_test(test_too_big),
	cmocka_unit_test(test_version_mismatch),
)
