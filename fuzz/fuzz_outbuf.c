/* fuzz_outbuf.c: the line splitter on arbitrary bytes in arbitrary
 * chunks. Its bounds must hold whatever comes: no line longer than
 * OUTBUF_LINE_MAX, never more lines kept than the scrollback. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "outbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(void *arg, const struct outbuf_line *line)
{
	(void)arg;
	if (line->len > OUTBUF_LINE_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outbuf *ob;
	size_t i = 0, len;

	if (size < 2)
		return 0;
	ob = outbuf_create((size_t)data[0] % 16 + 1, check_line, NULL);
	/* The second byte picks the chunk size: splitting must not depend
	 * on where the reads happened to end. */
	len = (size_t)data[1] % 64 + 1;
	for (i = 2; i < size; i += len)
		outbuf_feed(ob, (const char *)data + i,
		    size - i < len ? size - i : len, 0, 1, 1.0);
	outbuf_flush(ob, 2.0);
	if (outbuf_count(ob) > (size_t)data[0] % 16 + 1)
		abort();
	for (i = 0; i < outbuf_count(ob); i++)
		if (outbuf_get(ob, i)->len > OUTBUF_LINE_MAX)
			abort();
	outbuf_free(ob);
	return 0;
}
