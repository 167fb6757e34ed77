/* say.c: messages for people, fitted to the terminal that shows them. */
#include "say.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "strbuf.h"
#include "xmalloc.h"

/* Columns text takes: its characters (UTF-8 continuation bytes do not
 * count; wide characters are rare in these messages). */
static size_t
say_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Rows a line of len bytes takes at cols columns (an empty line: 1). */
static size_t
say_rows(const char *s, size_t len, size_t cols)
{
	size_t w = say_width(s, len);

	return w == 0 ? 1 : (w + cols - 1) / cols;
}

/* Append s[0..len) on a row of its own, cut to `rows` rows at cols
 * columns, ending in "..." when cut. Returns the rows taken. */
static size_t
say_piece(struct strbuf *sb, const char *s, size_t len, size_t cols,
    size_t rows)
{
	size_t room = rows * cols, keep = room > 3 ? room - 3 : 0, w = 0, i;

	if (say_rows(s, len, cols) <= rows) {
		strbuf_add(sb, s, len);
		strbuf_add(sb, "\n", 1);
		return say_rows(s, len, cols);
	}
	/* Whole characters, and room for the dots. */
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++w > keep)
			break;
	}
	strbuf_add(sb, s, i);
	strbuf_add(sb, "...\n", 4);
	return rows;
}

/* Where the first clause of a line ends: before its first " (" or "; "
 * (what follows is a hint), else at its end. */
static size_t
say_clause(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if ((s[i] == ' ' && s[i + 1] == '(') ||
		    (s[i] == ';' && s[i + 1] == ' '))
			return i;
	return len;
}

char *
say_fit(const char *text, size_t cols, size_t rows)
{
	size_t len = strlen(text), need = 0, budget, used = 0;
	struct strbuf sb = STRBUF_INIT;
	const char *p, *end = text + len, *nl;

	if (cols == 0 || rows == 0)
		return xstrdup(text);
	for (p = text; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		need += say_rows(p, (size_t)(nl - p), cols);
	}
	budget = rows > 1 ? rows - 1 : 1;
	if (need <= budget)
		return xstrdup(text);
	/* The first line's first clause, then the rest of it, then the
	 * other lines, each on rows of its own while rows are left. */
	for (p = text; p < end && used < budget; p = nl + 1) {
		size_t n, c;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - p);
		c = p == text ? say_clause(p, n) : n;
		used += say_piece(&sb, p, c, cols, budget - used);
		if (c < n && used < budget) {
			const char *q = p + c + 1;   /* past the ' ' or ';' */
			while (q < nl && *q == ' ')
				q++;
			used += say_piece(&sb, q, (size_t)(nl - q), cols,
			    budget - used);
		}
	}
	return strbuf_detach(&sb);
}

void
say_err(const char *fmt, ...)
{
	va_list ap;
	char *text, *fitted;
	struct winsize ws;
	size_t cols = 0, rows = 0;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (isatty(STDERR_FILENO) &&
	    ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	fitted = say_fit(text, cols, rows);
	fputs(fitted, stderr);
	free(fitted);
	free(text);
}
