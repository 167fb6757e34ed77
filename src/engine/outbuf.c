/* outbuf.c: line splitting and the scrollback ring of one sequence. */
#include "outbuf.h"

#include <stdbool.h>
#include <string.h>

#include "xmalloc.h"

struct outbuf {
	struct outbuf_line *ring;
	size_t cap;          /* scrollback */
	size_t head;         /* index of the oldest line */
	size_t count;
	uint64_t total;
	uint64_t generation;

	char partial[OUTBUF_LINE_MAX];
	size_t plen;
	unsigned pstep;
	bool pcont;          /* the partial line continues a cut line */
	bool cr;             /* last byte was a carriage return */

	outbuf_line_cb *cb;
	void *arg;
};

struct outbuf *
outbuf_create(size_t scrollback, outbuf_line_cb *cb, void *arg)
{
	struct outbuf *ob = xcalloc(1, sizeof *ob);

	ob->cap = scrollback ? scrollback : 1;
	ob->ring = xcalloc(ob->cap, sizeof *ob->ring);
	ob->cb = cb;
	ob->arg = arg;
	return ob;
}

void
outbuf_free(struct outbuf *ob)
{
	if (ob == NULL)
		return;
	for (size_t i = 0; i < ob->count; i++)
		free(ob->ring[(ob->head + i) % ob->cap].text);
	free(ob->ring);
	free(ob);
}

/* Allocation size class of a line: lines are stored in buffers of 64-byte
 * steps, so a full ring mostly reuses the dropped line's buffer. */
static size_t
outbuf_class(size_t len)
{
	return (len + 63) & ~(size_t)63;
}

static void
outbuf_push(struct outbuf *ob, const char *text, size_t len, unsigned flags,
    unsigned step, double now)
{
	struct outbuf_line line, *slot;
	char *reuse = NULL;

	if (ob->count == ob->cap) {
		/* Full: the oldest line makes room. */
		slot = &ob->ring[ob->head];
		if (outbuf_class(slot->len) == outbuf_class(len))
			reuse = slot->text;
		else
			free(slot->text);
		ob->head = (ob->head + 1) % ob->cap;
		ob->count--;
	}
	line.text = reuse ? reuse : xmalloc(outbuf_class(len ? len : 1));
	memcpy(line.text, text, len);
	line.len = (uint32_t)len;
	line.flags = (uint16_t)flags;
	line.step = (uint16_t)step;
	line.time = now;
	if (ob->cb != NULL)
		ob->cb(ob->arg, &line);

	slot = &ob->ring[(ob->head + ob->count) % ob->cap];
	*slot = line;
	ob->count++;
	ob->total++;
	ob->generation++;
}

static void
outbuf_end_line(struct outbuf *ob, double now)
{
	outbuf_push(ob, ob->partial, ob->plen, ob->pcont ? OUTBUF_CONTINUED : 0,
	    ob->pstep, now);
	ob->plen = 0;
	ob->pcont = false;
}

void
outbuf_feed(struct outbuf *ob, const char *data, size_t len, unsigned step,
    double now)
{
	const char *p = data, *end = data + len;

	if (len == 0)
		return;
	if (ob->plen == 0)
		ob->pstep = step;
	while (p < end) {
		if (ob->cr) {
			/* "\r\n" ends the line; "\r" then anything else
			 * starts it over. */
			ob->cr = false;
			if (*p != '\n')
				ob->plen = 0;
		}
		/* Copy the run of ordinary bytes in one go; memchr is far
		 * quicker than looking at each byte. */
		const char *stop = memchr(p, '\n', (size_t)(end - p));
		const char *cr;
		if (stop == NULL)
			stop = end;
		if ((cr = memchr(p, '\r', (size_t)(stop - p))) != NULL)
			stop = cr;
		while (p < stop) {
			size_t room = OUTBUF_LINE_MAX - ob->plen;
			size_t n = (size_t)(stop - p);
			if (n > room)
				n = room;
			memcpy(ob->partial + ob->plen, p, n);
			ob->plen += n;
			p += n;
			if (ob->plen == OUTBUF_LINE_MAX) {
				outbuf_end_line(ob, now);
				ob->pcont = true;
			}
		}
		if (p == end)
			break;
		if (*p == '\n')
			outbuf_end_line(ob, now);
		else
			ob->cr = true;
		p++;
	}
	ob->generation++;
}

void
outbuf_flush(struct outbuf *ob, double now)
{
	ob->cr = false;
	if (ob->plen > 0)
		outbuf_end_line(ob, now);
	ob->pcont = false;
}

void
outbuf_add_mark(struct outbuf *ob, const char *text, unsigned step,
    double now)
{
	size_t len = strlen(text);

	outbuf_flush(ob, now);
	if (len > OUTBUF_LINE_MAX)
		len = OUTBUF_LINE_MAX;
	outbuf_push(ob, text, len, OUTBUF_MARK, step, now);
}

size_t
outbuf_capacity(const struct outbuf *ob)
{
	return ob->cap;
}

size_t
outbuf_count(const struct outbuf *ob)
{
	return ob->count;
}

const struct outbuf_line *
outbuf_get(const struct outbuf *ob, size_t i)
{
	if (i >= ob->count)
		return NULL;
	return &ob->ring[(ob->head + i) % ob->cap];
}

uint64_t
outbuf_total(const struct outbuf *ob)
{
	return ob->total;
}

const char *
outbuf_partial(const struct outbuf *ob, size_t *len)
{
	*len = ob->plen;
	return ob->partial;
}

uint64_t
outbuf_generation(const struct outbuf *ob)
{
	return ob->generation;
}

void
outbuf_add_line(struct outbuf *ob, const char *text, size_t len,
    unsigned flags, unsigned step, double time)
{
	if (len > OUTBUF_LINE_MAX)
		len = OUTBUF_LINE_MAX;
	/* A line ends whatever was unfinished: the copy says the rest. */
	ob->plen = 0;
	ob->cr = false;
	outbuf_push(ob, text, len, flags, step, time);
}

void
outbuf_prepend_line(struct outbuf *ob, const char *text, size_t len,
    unsigned flags, unsigned step, double time)
{
	struct outbuf_line *slot;

	/* Full: the line is older than all it keeps. */
	if (ob->count == ob->cap)
		return;
	if (len > OUTBUF_LINE_MAX)
		len = OUTBUF_LINE_MAX;
	ob->head = (ob->head + ob->cap - 1) % ob->cap;
	slot = &ob->ring[ob->head];
	slot->text = xmalloc(outbuf_class(len ? len : 1));
	memcpy(slot->text, text, len);
	slot->len = (uint32_t)len;
	slot->flags = (uint16_t)flags;
	slot->step = (uint16_t)step;
	slot->time = time;
	ob->count++;
	ob->generation++;
}

void
outbuf_set_partial(struct outbuf *ob, const char *text, size_t len,
    unsigned step)
{
	if (len > OUTBUF_LINE_MAX)
		len = OUTBUF_LINE_MAX;
	memcpy(ob->partial, text, len);
	ob->plen = len;
	ob->pstep = step;
	ob->cr = false;
	ob->generation++;
}

void
outbuf_restart(struct outbuf *ob, uint64_t next)
{
	for (size_t i = 0; i < ob->count; i++)
		free(ob->ring[(ob->head + i) % ob->cap].text);
	ob->head = 0;
	ob->count = 0;
	ob->total = next;
	ob->plen = 0;
	ob->cr = false;
	ob->pcont = false;
	ob->generation++;
}
