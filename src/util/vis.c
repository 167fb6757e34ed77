/* vis.c: control characters shown visibly. */
#include "vis.h"

#include <string.h>

#include "xmalloc.h"

/* Length of the SGR sequence at s (ESC [ params m), or 0. */
static size_t
vis_sgr_len(const unsigned char *s, size_t len)
{
	size_t i;

	if (len < 3 || s[0] != 0x1b || s[1] != '[')
		return 0;
	for (i = 2; i < len && i < 64; i++) {
		if (s[i] == 'm')
			return i + 1;
		if ((s[i] < '0' || s[i] > '9') && s[i] != ';' && s[i] != ':')
			return 0;
	}
	return 0;
}

/* What the byte at s[i] needs: 0 nothing, else how many bytes the
 * control it starts takes (C1 in UTF-8 is two). */
static size_t
vis_control(const unsigned char *s, size_t i, size_t len)
{
	unsigned char c = s[i];

	if (c == '\t' || c == '\n')
		return 0;
	if (c == '\r')
		return i + 1 < len && s[i + 1] == '\n' ? 0 : 1;
	if (c < 0x20 || c == 0x7f)
		return 1;
	if (c == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
		return 2;
	return 0;
}

bool
vis_needed(const char *text, size_t len, bool keep_sgr)
{
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0; i < len; i++) {
		if (s[i] >= 0x20 && s[i] != 0x7f && s[i] != 0xc2)
			continue;
		if (vis_control(s, i, len) == 0)
			continue;
		if (keep_sgr && vis_sgr_len(s + i, len - i) > 0)
			continue;
		return true;
	}
	return false;
}

void
vis_add(struct strbuf *sb, const char *text, size_t len, bool keep_sgr)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, start = 0, n, sgr;
	char esc[16];

	while (i < len) {
		if ((s[i] >= 0x20 && s[i] != 0x7f && s[i] != 0xc2) ||
		    (n = vis_control(s, i, len)) == 0) {
			i++;
			continue;
		}
		if (keep_sgr && (sgr = vis_sgr_len(s + i, len - i)) > 0) {
			i += sgr;
			continue;
		}
		strbuf_add(sb, text + start, i - start);
		if (s[i] == 0x1b)
			snprintf(esc, sizeof esc, "\\e");
		else if (n == 2)
			snprintf(esc, sizeof esc, "\\u%04x", s[i + 1]);
		else
			snprintf(esc, sizeof esc, "\\x%02x", s[i]);
		strbuf_puts(sb, esc);
		i += n;
		start = i;
	}
	strbuf_add(sb, text + start, len - start);
}

char *
vis_one_line(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(text), n;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	while (len > 0) {
		const char *nl = memchr(text, '\n', len);

		n = nl != NULL ? (size_t)(nl - text) : len;
		strbuf_add(&sb, text, n > 0 && text[n - 1] == '\r' ? n - 1 : n);
		if (nl == NULL)
			break;
		strbuf_puts(&sb, " \xe2\x8f\x8e ");   /* ⏎ */
		len -= n + 1;
		text = nl + 1;
	}
	return strbuf_detach(&sb);
}

/* The stream: bytes are held back while they may be the start of an SGR
 * sequence, a "\r\n" or a C1 control that the next write completes. */
struct vis_cookie {
	FILE *to;
	char held[64];
	size_t n_held;
};

/* May the held bytes still become something vis_add treats whole? */
static bool
vis_incomplete(const unsigned char *s, size_t len)
{
	if (len == 0)
		return false;
	if (s[0] == '\r' || s[0] == 0xc2)
		return len == 1;
	if (s[0] != 0x1b || len >= 64)
		return false;
	if (len == 1)
		return true;
	if (s[1] != '[')
		return false;
	for (size_t i = 2; i < len; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != ';' && s[i] != ':')
			return false;
	return true;
}

static void
vis_emit(struct vis_cookie *c, const char *data, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	vis_add(&sb, data, len, true);
	fwrite(strbuf_str(&sb), 1, sb.len, c->to);
	strbuf_free(&sb);
}

static ssize_t
vis_write(void *arg, const char *data, size_t len)
{
	struct vis_cookie *c = arg;
	struct strbuf all = STRBUF_INIT;
	size_t keep = 0, from;

	strbuf_add(&all, c->held, c->n_held);
	strbuf_add(&all, data, len);
	/* The tail that may be cut: from the last ESC, CR or 0xc2 on. */
	for (from = all.len; from > 0 && all.len - from < sizeof c->held - 1;
	    from--) {
		unsigned char b = (unsigned char)all.buf[from - 1];
		if (b == 0x1b || b == '\r' || b == 0xc2) {
			if (vis_incomplete((const unsigned char *)all.buf +
			    from - 1, all.len - from + 1))
				keep = all.len - from + 1;
			break;
		}
	}
	vis_emit(c, all.buf, all.len - keep);
	memcpy(c->held, all.buf + all.len - keep, keep);
	c->n_held = keep;
	strbuf_free(&all);
	return (ssize_t)len;
}

static int
vis_close(void *arg)
{
	struct vis_cookie *c = arg;

	vis_emit(c, c->held, c->n_held);
	fflush(c->to);
	free(c);
	return 0;
}

FILE *
vis_fopen(FILE *to)
{
	cookie_io_functions_t io = { .write = vis_write, .close = vis_close };
	struct vis_cookie *c = xcalloc(1, sizeof *c);
	FILE *fp;

	c->to = to;
	if ((fp = fopencookie(c, "w", io)) == NULL)
		free(c);
	return fp;
}
