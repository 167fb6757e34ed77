/* view.c: scrolling and searching a sequence's output. */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wctype.h>

#include "logidx.h"
#include "outbuf.h"
#include "xmalloc.h"

static uint64_t
view_ob_first(void *arg)
{
	return outbuf_first(arg);
}

static size_t
view_ob_count(void *arg)
{
	const struct outbuf *ob = arg;

	return (size_t)(outbuf_total(ob) - outbuf_first(ob));
}

static const char *
view_ob_line(void *arg, uint64_t n, size_t *len, unsigned *flags)
{
	return outbuf_line_at(arg, n, len, flags, NULL);
}

static const char *
view_ob_partial(void *arg, size_t *len)
{
	return outbuf_partial(arg, len);
}

static double
view_ob_time(void *arg, uint64_t n)
{
	size_t len;
	unsigned flags;
	double t = 0;

	if (outbuf_line_at(arg, n, &len, &flags, &t) == NULL)
		return 0;
	return t;
}

void
view_source_outbuf(struct view_source *src, const struct outbuf *ob)
{
	src->first = view_ob_first;
	src->count = view_ob_count;
	src->line = view_ob_line;
	src->partial = view_ob_partial;
	src->time = view_ob_time;
	/* The interface is read-only; the cast only drops const for the
	 * generic argument. */
	src->arg = (void *)(uintptr_t)ob;
}

static uint64_t
view_li_first(void *arg)
{
	(void)arg;
	return 0;
}

static size_t
view_li_count(void *arg)
{
	return logidx_count(arg);
}

static const char *
view_li_line(void *arg, uint64_t n, size_t *len, unsigned *flags)
{
	if (n >= logidx_count(arg))
		return NULL;
	return logidx_line(arg, (size_t)n, len, flags, NULL, NULL);
}

static double
view_li_time(void *arg, uint64_t n)
{
	size_t len;
	double t = 0;

	if (n >= logidx_count(arg) ||
	    logidx_line(arg, (size_t)n, &len, NULL, NULL, &t) == NULL)
		return 0;
	return t;
}

void
view_source_logidx(struct view_source *src, const struct logidx *li)
{
	src->first = view_li_first;
	src->count = view_li_count;
	src->line = view_li_line;
	/* A past run's logs are complete: a last line without a newline
	 * is already a line of the index. */
	src->partial = NULL;
	src->time = view_li_time;
	src->arg = (void *)(uintptr_t)li;
}

void
view_init(struct view *v)
{
	memset(v, 0, sizeof *v);
	v->follow = true;
}

static bool
view_has_partial(const struct view_source *src)
{
	size_t len = 0;

	return src->partial != NULL && src->partial(src->arg, &len) != NULL &&
	    len > 0;
}

uint64_t
view_end(const struct view_source *src)
{
	return src->first(src->arg) + src->count(src->arg) +
	    (view_has_partial(src) ? 1 : 0);
}

const char *
view_line(const struct view_source *src, uint64_t n, size_t *len,
    unsigned *flags)
{
	uint64_t first = src->first(src->arg);
	size_t count = src->count(src->arg);

	if (n < first)
		return NULL;
	if (n - first < count)
		return src->line(src->arg, n, len, flags);
	if (n - first == count && view_has_partial(src)) {
		*flags = 0;
		return src->partial(src->arg, len);
	}
	return NULL;
}

double
view_time(const struct view_source *src, uint64_t n)
{
	uint64_t first = src->first(src->arg);

	if (src->time == NULL || n < first ||
	    n - first >= src->count(src->arg))
		return 0;
	return src->time(src->arg, n);
}

void
view_time_text(double t, char *buf, size_t size)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (t <= 0 || localtime_r(&secs, &tm) == NULL ||
	    strftime(buf, size, "%H:%M:%S ", &tm) == 0)
		snprintf(buf, size, "%*s", VIEW_TIME_COLS, "");
}

uint64_t
view_bottom(const struct view *v, const struct view_source *src)
{
	uint64_t first = src->first(src->arg), end = view_end(src);

	if (end == first)
		return end;
	if (v->follow || v->bottom >= end)
		return end - 1;
	if (v->bottom < first)
		return first;
	return v->bottom;
}

void
view_scroll(struct view *v, const struct view_source *src, long delta)
{
	uint64_t first = src->first(src->arg), end = view_end(src);
	uint64_t b = view_bottom(v, src);

	if (end == first)
		return;
	if (delta < 0) {
		uint64_t up = (uint64_t)-delta;
		b = b - first > up ? b - up : first;
		v->bottom = b;
		v->follow = false;
	} else if (delta > 0) {
		if (v->follow)
			return;
		b += (uint64_t)delta;
		if (b >= end - 1)
			view_follow(v);
		else
			v->bottom = b;
	}
}

void
view_follow(struct view *v)
{
	v->follow = true;
	v->bottom = 0;
}

void
view_top(struct view *v, const struct view_source *src, size_t rows)
{
	uint64_t first = src->first(src->arg), end = view_end(src);

	/* The view is kept by its bottom line: put the oldest line at the
	 * top of a full pane, not alone above an empty one. */
	v->follow = false;
	v->bottom = first + (rows > 0 ? rows - 1 : 0);
	if (end == first || v->bottom >= end - 1)
		view_follow(v);
}

void
view_set_pattern(struct view *v, const wchar_t *pattern, size_t len)
{
	if (len >= VIEW_PATTERN_MAX)
		len = VIEW_PATTERN_MAX - 1;
	wmemcpy(v->pattern, pattern, len);
	v->pattern[len] = 0;
	v->plen = len;
	v->match_valid = false;
}

static bool
view_smartcase(const struct view *v)
{
	for (size_t i = 0; i < v->plen; i++)
		if (iswupper((wint_t)v->pattern[i]))
			return false;
	return true;   /* all lower case: ignore case */
}

size_t
view_matches(const struct view *v, const struct ansi_line *l, size_t *from,
    size_t *to, size_t max)
{
	wchar_t text[512];
	size_t col[512], n, found = 0;
	bool fold = view_smartcase(v);
	wchar_t *buf = text;
	size_t *cols = col;

	if (v->plen == 0 || l->len < v->plen)
		return 0;
	if (l->len + 1 > sizeof text / sizeof text[0]) {
		buf = xcalloc(l->len + 1, sizeof *buf);
		cols = xcalloc(l->len + 1, sizeof *cols);
	}
	n = ansi_text(l, buf, cols, l->len + 1);
	for (size_t i = 0; i + v->plen <= n; i++) {
		size_t k;

		for (k = 0; k < v->plen; k++) {
			wint_t a = (wint_t)buf[i + k], b = (wint_t)v->pattern[k];
			if (fold ? towlower(a) != towlower(b) : a != b)
				break;
		}
		if (k < v->plen)
			continue;
		if (found < max) {
			size_t last = cols[i + v->plen - 1];
			from[found] = cols[i];
			to[found] = last + (l->cells[last].width == 2 ? 2 : 1);
		}
		found++;
		i += v->plen - 1;
	}
	if (buf != text) {
		free(buf);
		free(cols);
	}
	return found;
}

/* The line after n in the search's direction, from one end to the other
 * past the last; *wrapped says it did. */
static uint64_t
view_search_step(uint64_t n, bool back, uint64_t first, uint64_t end,
    bool *wrapped)
{
	if (back) {
		if (n > first)
			return n - 1;
		*wrapped = true;
		return end - 1;
	}
	if (n + 1 < end)
		return n + 1;
	*wrapped = true;
	return first;
}

enum view_found
view_search(struct view *v, const struct view_source *src, bool back,
    size_t rows, struct ansi_line *scratch)
{
	uint64_t first = src->first(src->arg), end = view_end(src), n;
	size_t from, to;
	bool wrapped = false, found = false;

	if (v->plen == 0 || end == first)
		return VIEW_NOT_FOUND;
	if (v->match_valid && v->match >= first && v->match < end)
		n = view_search_step(v->match, back, first, end, &wrapped);
	else {
		/* The view: its bottom line, and the top line of a full
		 * pane above it (a folded line may take more than one row:
		 * then a little above what shows; never below). */
		n = view_bottom(v, src);
		if (!back)
			n = n - first >= rows && rows > 0 ? n - (rows - 1) :
			    first;
	}
	/* Every line once, the current match last. */
	for (uint64_t k = 0; k < end - first; k++) {
		size_t len;
		unsigned flags;
		const char *s = view_line(src, n, &len, &flags);

		if (s != NULL) {
			ansi_parse(scratch, s, len);
			if (view_matches(v, scratch, &from, &to, 1) > 0) {
				found = true;
				break;
			}
		}
		n = view_search_step(n, back, first, end, &wrapped);
	}
	if (!found)
		return VIEW_NOT_FOUND;
	v->match = n;
	v->match_valid = true;
	v->follow = false;
	/* The match in the middle of the pane, unless that is past the
	 * end, or everything fits in the pane: then nothing is hidden. */
	v->bottom = n + rows / 2;
	if (v->bottom >= end || end - first <= rows)
		v->bottom = end - 1;
	return wrapped ? VIEW_WRAPPED : VIEW_FOUND;
}
