/* test_logcap.c: a step attempt's log bounded by max_log: the head and
 * the tail kept in a real file, the exact count dropped, nothing changed
 * under the limit or without one. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "logcap.h"
#include "testutil.h"
#include "xmalloc.h"

/* n bytes of a stream that never repeats within a few MB: byte i. */
static char
stream_byte(size_t i)
{
	return (char)('a' + (i * 7 + i / 26) % 26);
}

/* Feed `total` stream bytes in writes of `chunk` (varying) to a log
 * capped at max; return the final log (logcap_copy when bytes were
 * dropped, else the file) and its length. */
static char *
feed(size_t max, size_t total, size_t chunk, unsigned long long *dropped,
    size_t *len)
{
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/log", dir), *out = xasprintf("%s/out", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	char *buf = xmalloc(total + 1), *text;
	struct logcap c;
	size_t done = 0;

	assert_true(fd >= 0);
	for (size_t i = 0; i < total; i++)
		buf[i] = stream_byte(i);
	logcap_init(&c, fd, max);
	for (size_t k = 1; done < total; k++) {
		size_t n = chunk + k % 5;  /* never aligned with the ring */
		if (n > total - done)
			n = total - done;
		assert_int_equal(logcap_write(&c, buf + done, n), 0);
		done += n;
	}
	*dropped = logcap_dropped(&c);
	if (*dropped > 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(o >= 0);
		assert_int_equal(logcap_copy(&c, o), 0);
		close(o);
		text = tu_read_file(out, len);
	} else
		text = tu_read_file(path, len);
	close(fd);
	tu_rmrf(dir);
	free(dir);
	free(path);
	free(out);
	free(buf);
	return text;
}

static void
test_no_limit(void **state)
{
	unsigned long long dropped;
	size_t len, total = 3 << 20;
	char *log = feed(0, total, 65536, &dropped, &len);

	(void)state;
	assert_int_equal(dropped, 0);
	assert_int_equal(len, total);
	for (size_t i = 0; i < total; i++)
		if (log[i] != stream_byte(i))
			fail_msg("byte %zu differs", i);
	free(log);
}

static void
test_under_limit(void **state)
{
	unsigned long long dropped;
	size_t len;
	char *log;

	(void)state;
	/* Below, and exactly at, the limit: the log is what was written. */
	for (size_t total = 4000; total <= 4096; total += 96) {
		log = feed(4096, total, 100, &dropped, &len);
		assert_int_equal(dropped, 0);
		assert_int_equal(len, total);
		for (size_t i = 0; i < total; i++)
			assert_int_equal(log[i], stream_byte(i));
		free(log);
	}
}

static void
check_capped(size_t max, size_t total, size_t chunk)
{
	unsigned long long dropped;
	size_t len, head = max / 2, tail = max - head;
	char *log = feed(max, total, chunk, &dropped, &len), *marker, *nl;
	char want[128];

	assert_int_equal(dropped, total - max);
	/* The head as written. */
	for (size_t i = 0; i < head; i++)
		if (log[i] != stream_byte(i))
			fail_msg("head byte %zu differs", i);
	/* The marker, on a line of its own (the stream has no newlines). */
	snprintf(want, sizeof want, "\n[drove: %zu bytes dropped here; "
	    "max_log %zu]\n", total - max, max);
	marker = log + head;
	assert_memory_equal(marker, want, strlen(want));
	nl = marker + strlen(want);
	/* The tail: the last bytes, in order. */
	assert_int_equal(len, head + strlen(want) + tail);
	for (size_t i = 0; i < tail; i++)
		if (nl[i] != stream_byte(total - tail + i))
			fail_msg("tail byte %zu differs", i);
	free(log);
}

static void
test_capped(void **state)
{
	(void)state;
	/* Just over, wrapped a little, wrapped many times, odd sizes. */
	check_capped(4096, 4097, 100);
	check_capped(4096, 7000, 1);
	check_capped(4096, 1 << 20, 333);
	check_capped(1025, 100000, 4096);
	check_capped(65536, 5 << 20, 65536);
}

static void
test_marker_after_newline(void **state)
{
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/log", dir), *out = xasprintf("%s/out", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600), o;
	struct logcap c;
	char line[16], *text;
	size_t len;
	bool dropped;

	(void)state;
	logcap_init(&c, fd, 1024);
	/* Lines of 8 bytes: the head (512) ends with a newline. */
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof line, "%07d\n", i);
		assert_int_equal(logcap_write(&c, line, 8), 0);
	}
	assert_int_equal(logcap_dropped(&c), 8000 - 1024);
	o = open(out, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_int_equal(logcap_copy(&c, o), 0);
	close(o);
	text = tu_read_file(out, &len);
	assert_true(strstr(text, "0000063\n[drove: 6976 bytes dropped here; "
	    "max_log 1024]\n0000936\n") != NULL);
	assert_true(len >= 8 && strcmp(text + len - 8, "0000999\n") == 0);
	/* Offsets for the .times: head as is, the middle at the marker, the
	 * tail after it. */
	assert_int_equal(logcap_map(&c, 8, &dropped), 8);
	assert_false(dropped);
	assert_int_equal(logcap_map(&c, 600, &dropped), 512);
	assert_true(dropped);
	assert_int_equal(logcap_map(&c, 7488, &dropped),
	    512 + strlen("[drove: 6976 bytes dropped here; max_log 1024]\n"));
	assert_false(dropped);
	assert_int_equal(text[logcap_map(&c, 7488, &dropped)], '0');
	free(text);
	close(fd);
	tu_rmrf(dir);
	free(dir);
	free(path);
	free(out);
}

TU_MAIN(
	cmocka_unit_test(test_no_limit),
	cmocka_unit_test(test_under_limit),
	cmocka_unit_test(test_capped),
	cmocka_unit_test(test_marker_after_newline),
)
