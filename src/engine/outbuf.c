/* outbuf.c: line splitting, the lines kept in memory, and the index of
 * those that left it. */
#include "outbuf.h"

#include <stdbool.h>
#include <string.h>

#include "xmalloc.h"

struct outbuf_pool {
	size_t budget;
	size_t members;
	size_t share;        /* budget / members, asked for every line */
	outbuf_reader *read;
	void *read_arg;
};

/* One entry of the index of lines that left memory (struct
 * outbuf_spilled, owning its text). */
struct outbuf_spill {
	uint64_t first;
	uint32_t count;
	uint32_t aline;
	uint16_t step, attempt, flags;
	uint32_t len;
	double time;
	char *text;
};

struct outbuf {
	struct outbuf_line *ring;
	size_t ring_cap;     /* slots allocated */
	size_t max_lines;
	size_t head;         /* index of the oldest line */
	size_t count;
	size_t bytes;        /* what the kept lines cost */
	uint64_t total;
	uint64_t generation;

	struct outbuf_pool *pool;
	size_t seq;

	/* Lines that left memory, oldest first, contiguous up to the
	 * oldest kept line. */
	struct outbuf_spill *spill;
	size_t n_spill, cap_spill;

	/* The log line numbers: the attempt being fed, and how many of
	 * its lines were completed. */
	unsigned fstep, fattempt;
	uint32_t faline;

	char *partial;       /* OUTBUF_LINE_MAX bytes, made on first use */
	size_t plen;
	unsigned pstep;
	bool pcont;          /* the partial line continues a cut line */
	bool cr;             /* last byte was a carriage return */

	outbuf_line_cb *cb;
	void *arg;
};

/* --- the pool ---------------------------------------------------------- */

struct outbuf_pool *
outbuf_pool_create(size_t bytes)
{
	struct outbuf_pool *pool = xcalloc(1, sizeof *pool);

	pool->budget = bytes ? bytes : 1;
	pool->share = pool->budget;
	return pool;
}

void
outbuf_pool_free(struct outbuf_pool *pool)
{
	free(pool);
}

size_t
outbuf_pool_budget(const struct outbuf_pool *pool)
{
	return pool->budget;
}

void
outbuf_pool_set_reader(struct outbuf_pool *pool, outbuf_reader *fn,
    void *arg)
{
	pool->read = fn;
	pool->read_arg = arg;
}

static void
outbuf_pool_count(struct outbuf_pool *pool, int delta)
{
	pool->members = delta > 0 ? pool->members + 1 : pool->members - 1;
	pool->share = pool->budget / (pool->members ? pool->members : 1);
}

/* --- the ring ---------------------------------------------------------- */

/* The slot of kept line i (0: the oldest). Not `%`: a division per line
 * costs more than the rest of keeping it. */
static size_t
outbuf_slot(const struct outbuf *ob, size_t i)
{
	size_t k = ob->head + i;

	return k >= ob->ring_cap ? k - ob->ring_cap : k;
}

struct outbuf *
outbuf_create(size_t max_lines, outbuf_line_cb *cb, void *arg)
{
	struct outbuf *ob = xcalloc(1, sizeof *ob);

	ob->max_lines = max_lines ? max_lines : 1;
	ob->cb = cb;
	ob->arg = arg;
	return ob;
}

static void
outbuf_spill_clear(struct outbuf *ob)
{
	for (size_t i = 0; i < ob->n_spill; i++)
		free(ob->spill[i].text);
	ob->n_spill = 0;
}

void
outbuf_free(struct outbuf *ob)
{
	if (ob == NULL)
		return;
	for (size_t i = 0; i < ob->count; i++)
		free(ob->ring[(ob->head + i) % ob->ring_cap].text);
	free(ob->ring);
	outbuf_spill_clear(ob);
	free(ob->spill);
	free(ob->partial);
	if (ob->pool != NULL)
		outbuf_pool_count(ob->pool, -1);
	free(ob);
}

void
outbuf_join(struct outbuf *ob, struct outbuf_pool *pool, size_t seq)
{
	ob->pool = pool;
	ob->seq = seq;
	outbuf_pool_count(pool, +1);
}

/* Allocation size class of a line: lines are stored in buffers of 64-byte
 * steps, so a full ring mostly reuses the dropped line's buffer. */
static size_t
outbuf_class(size_t len)
{
	return (len + 63) & ~(size_t)63;
}

/* What keeping a line costs: its text, its slot, the allocator's word. */
static size_t
outbuf_cost(size_t len)
{
	return outbuf_class(len ? len : 1) + sizeof(struct outbuf_line) + 16;
}

static size_t
outbuf_share(const struct outbuf *ob)
{
	if (ob->pool == NULL)
		return SIZE_MAX;
	return ob->pool->share;
}

/* A zeroed spill entry starts at line n with line l alone: a mark keeps
 * its text (it is in no log), any other line its place in its log. */
static void
outbuf_spill_start(struct outbuf_spill *e, uint64_t n,
    const struct outbuf_line *l)
{
	bool mark = (l->flags & OUTBUF_MARK) != 0;

	e->first = n;
	e->count = 1;
	e->aline = mark ? OUTBUF_NO_LINE : l->aline;
	e->step = l->step;
	e->attempt = l->attempt;
	e->flags = mark ? OUTBUF_MARK : 0;
	e->time = l->time;
	if (mark) {
		e->text = xmalloc(l->len ? l->len : 1);
		memcpy(e->text, l->text, l->len);
		e->len = l->len;
	}
}

/* Remember a line that leaves memory, after those that left before. */
static void
outbuf_spill_push(struct outbuf *ob, uint64_t n, const struct outbuf_line *l)
{
	struct outbuf_spill *last = ob->n_spill ? &ob->spill[ob->n_spill - 1] :
	    NULL;
	struct outbuf_spill *e;
	bool mark = (l->flags & OUTBUF_MARK) != 0;

	if (!mark && last != NULL && !(last->flags & OUTBUF_MARK) &&
	    last->step == l->step && last->attempt == l->attempt &&
	    last->first + last->count == n && last->count < UINT32_MAX &&
	    (l->aline == OUTBUF_NO_LINE ? last->aline == OUTBUF_NO_LINE :
	    last->aline != OUTBUF_NO_LINE &&
	    (uint64_t)last->aline + last->count == l->aline)) {
		last->count++;
		return;
	}
	ob->spill = xreallocarray_grow(ob->spill, &ob->cap_spill,
	    ob->n_spill + 1, sizeof *ob->spill);
	e = &ob->spill[ob->n_spill++];
	memset(e, 0, sizeof *e);
	outbuf_spill_start(e, n, l);
}

/* The oldest kept line leaves memory. Returns its buffer when it has the
 * size class of `len` (for the caller to reuse), else frees it. */
static char *
outbuf_evict(struct outbuf *ob, size_t len)
{
	struct outbuf_line *slot = &ob->ring[ob->head];
	char *reuse = NULL;

	outbuf_spill_push(ob, ob->total - ob->count, slot);
	if (outbuf_class(slot->len) == outbuf_class(len))
		reuse = slot->text;
	else
		free(slot->text);
	ob->bytes -= outbuf_cost(slot->len);
	ob->head = outbuf_slot(ob, 1);
	ob->count--;
	return reuse;
}

/* Room for one more slot: the ring doubles, oldest line first. */
static void
outbuf_grow(struct outbuf *ob)
{
	size_t cap = ob->ring_cap ? ob->ring_cap * 2 : 16;
	struct outbuf_line *ring;

	if (cap > ob->max_lines)
		cap = ob->max_lines;
	ring = xcalloc(cap, sizeof *ring);
	for (size_t i = 0; i < ob->count; i++)
		ring[i] = ob->ring[(ob->head + i) % ob->ring_cap];
	free(ob->ring);
	ob->ring = ring;
	ob->ring_cap = cap;
	ob->head = 0;
}

/* Room for a line of len bytes: the oldest lines leave memory (the
 * newest always stays). Returns the buffer for its text. */
static char *
outbuf_room(struct outbuf *ob, size_t len)
{
	size_t share = outbuf_share(ob), cost = outbuf_cost(len);
	char *reuse = NULL;

	while (ob->count > 0 && (ob->count >= ob->max_lines ||
	    ob->bytes + cost > share)) {
		free(reuse);
		reuse = outbuf_evict(ob, len);
	}
	if (ob->count == ob->ring_cap)
		outbuf_grow(ob);
	return reuse ? reuse : xmalloc(outbuf_class(len ? len : 1));
}

/* Line l, whose text is in a buffer outbuf_room gave, is complete: the
 * callback hears of it, then the ring has it. */
static void
outbuf_keep(struct outbuf *ob, const struct outbuf_line *l)
{
	if (ob->cb != NULL)
		ob->cb(ob->arg, l);
	ob->ring[outbuf_slot(ob, ob->count)] = *l;
	ob->count++;
	ob->bytes += outbuf_cost(l->len);
	ob->total++;
	ob->generation++;
}

static void
outbuf_push(struct outbuf *ob, const struct outbuf_line *in)
{
	struct outbuf_line line = *in;

	line.text = outbuf_room(ob, in->len);
	memcpy(line.text, in->text, in->len);
	outbuf_keep(ob, &line);
}

/* A line ends: `len` bytes at `text` (the partial line, or a whole line
 * still in the bytes being fed). */
static void
outbuf_end_line(struct outbuf *ob, const char *text, size_t len, double now)
{
	/* Not through outbuf_push: a copy of a line just stored field by
	 * field would load it wider than it was stored, and wait for the
	 * stores to land (every line a step prints). */
	struct outbuf_line l = {
		.text = outbuf_room(ob, len), .len = (uint32_t)len,
		.flags = ob->pcont ? OUTBUF_CONTINUED : 0,
		.step = (uint16_t)ob->pstep, .time = now,
		.aline = ob->faline, .attempt = (uint16_t)ob->fattempt,
	};

	memcpy(l.text, text, len);
	if (ob->faline < OUTBUF_NO_LINE - 1)
		ob->faline++;
	outbuf_keep(ob, &l);
	ob->plen = 0;
	ob->pcont = false;
}

static void
outbuf_need_partial(struct outbuf *ob)
{
	if (ob->partial == NULL)
		ob->partial = xmalloc(OUTBUF_LINE_MAX);
}

void
outbuf_feed(struct outbuf *ob, const char *data, size_t len, unsigned step,
    unsigned attempt, double now)
{
	const char *p = data, *end = data + len, *cr;

	if (len == 0)
		return;
	outbuf_need_partial(ob);
	/* Another attempt's bytes: its log counts lines from 0. */
	if (step != ob->fstep || attempt != ob->fattempt) {
		ob->fstep = step;
		ob->fattempt = attempt;
		ob->faline = 0;
	}
	if (ob->plen == 0)
		ob->pstep = step;
	/* Where the next carriage return is: looked for once for all the
	 * lines before it, not once per line (most output has none). */
	cr = memchr(p, '\r', len);
	while (p < end) {
		if (ob->cr) {
			/* "\r\n" ends the line; "\r" then anything else
			 * starts it over. More carriage returns change
			 * nothing, as on a terminal: "\r\r\n" is what a
			 * terminal that still turns "\n" into "\r\n" (ssh -t
			 * before it made its own raw) makes of a line's end,
			 * and must not lose the line. */
			if (*p == '\r') {
				p++;
				cr = memchr(p, '\r', (size_t)(end - p));
				continue;
			}
			ob->cr = false;
			if (*p != '\n')
				ob->plen = 0;
		}
		/* Copy the run of ordinary bytes in one go; memchr is far
		 * quicker than looking at each byte. */
		const char *stop = memchr(p, '\n', (size_t)(end - p));
		if (stop == NULL)
			stop = end;
		if (cr != NULL && cr < stop)
			stop = cr;
		if (ob->plen == 0 && stop < end && *stop == '\n' &&
		    (size_t)(stop - p) < OUTBUF_LINE_MAX) {
			/* A whole line in these bytes (the usual case): it
			 * is kept from here, not copied to the partial line
			 * first. */
			outbuf_end_line(ob, p, (size_t)(stop - p), now);
			p = stop + 1;
			continue;
		}
		while (p < stop) {
			size_t room = OUTBUF_LINE_MAX - ob->plen;
			size_t n = (size_t)(stop - p);
			if (n > room)
				n = room;
			memcpy(ob->partial + ob->plen, p, n);
			ob->plen += n;
			p += n;
			if (ob->plen == OUTBUF_LINE_MAX) {
				outbuf_end_line(ob, ob->partial, ob->plen, now);
				ob->pcont = true;
			}
		}
		if (p == end)
			break;
		if (*p == '\n')
			outbuf_end_line(ob, ob->partial, ob->plen, now);
		else {
			ob->cr = true;
			cr = memchr(p + 1, '\r', (size_t)(end - p - 1));
		}
		p++;
	}
	ob->generation++;
}

void
outbuf_flush(struct outbuf *ob, double now)
{
	ob->cr = false;
	if (ob->plen > 0)
		outbuf_end_line(ob, ob->partial, ob->plen, now);
	ob->pcont = false;
}

void
outbuf_add_mark(struct outbuf *ob, const char *text, unsigned step,
    double now)
{
	struct outbuf_line l = { .text = (char *)(uintptr_t)text,
		.flags = OUTBUF_MARK, .step = (uint16_t)step, .time = now,
		.aline = OUTBUF_NO_LINE };
	size_t len = strlen(text);

	outbuf_flush(ob, now);
	l.len = (uint32_t)(len > OUTBUF_LINE_MAX ? OUTBUF_LINE_MAX : len);
	outbuf_push(ob, &l);
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
	return &ob->ring[outbuf_slot(ob, i)];
}

uint64_t
outbuf_total(const struct outbuf *ob)
{
	return ob->total;
}

uint64_t
outbuf_first(const struct outbuf *ob)
{
	if (ob->n_spill > 0)
		return ob->spill[0].first;
	return ob->total - ob->count;
}

/* The index entry holding line n (which is older than all kept), or NULL
 * (a gap: nothing known about it). */
static const struct outbuf_spill *
outbuf_spill_find(const struct outbuf *ob, uint64_t n)
{
	size_t lo = 0, hi = ob->n_spill;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct outbuf_spill *e = &ob->spill[mid];
		if (n < e->first)
			hi = mid;
		else if (n - e->first >= e->count)
			lo = mid + 1;
		else
			return e;
	}
	return NULL;
}

const char *
outbuf_line_at(const struct outbuf *ob, uint64_t n, size_t *len,
    unsigned *flags, double *time)
{
	static const char gone[] = "[drove: this line left memory and "
	    "its log cannot be read]";
	uint64_t kept = ob->total - ob->count;
	const struct outbuf_spill *e;
	const char *s = NULL;
	double t = 0;

	if (n >= ob->total || n < outbuf_first(ob))
		return NULL;
	if (n >= kept) {
		const struct outbuf_line *l = outbuf_get(ob, (size_t)(n -
		    kept));
		*len = l->len;
		*flags = l->flags;
		if (time)
			*time = l->time;
		return l->text;
	}
	*flags = 0;
	if ((e = outbuf_spill_find(ob, n)) != NULL) {
		if (e->flags & OUTBUF_MARK) {
			*len = e->len;
			*flags = OUTBUF_MARK;
			s = e->text;
			t = e->time;
		} else {
			if (e->aline != OUTBUF_NO_LINE && ob->pool != NULL &&
			    ob->pool->read != NULL)
				s = ob->pool->read(ob->pool->read_arg, ob->seq,
				    e->step, e->attempt, (uint64_t)e->aline +
				    (n - e->first), len, flags);
			/* The first line of a run of them knows its time;
			 * the others read back do not. */
			if (n == e->first)
				t = e->time;
		}
	}
	if (s == NULL) {
		s = gone;
		*len = sizeof gone - 1;
		*flags = OUTBUF_MARK;
	}
	if (time)
		*time = t;
	return s;
}

const char *
outbuf_partial(const struct outbuf *ob, size_t *len)
{
	*len = ob->plen;
	return ob->partial ? ob->partial : "";
}

uint64_t
outbuf_generation(const struct outbuf *ob)
{
	return ob->generation;
}

/* --- a copy ------------------------------------------------------------ */

void
outbuf_add_line(struct outbuf *ob, const struct outbuf_line *line)
{
	struct outbuf_line l = *line;

	if (l.len > OUTBUF_LINE_MAX)
		l.len = OUTBUF_LINE_MAX;
	/* A line ends whatever was unfinished: the copy says the rest. */
	ob->plen = 0;
	ob->cr = false;
	outbuf_push(ob, &l);
}

/* Make room for k entries at the front of the index. */
static void
outbuf_spill_open_front(struct outbuf *ob, size_t k)
{
	ob->spill = xreallocarray_grow(ob->spill, &ob->cap_spill,
	    ob->n_spill + k, sizeof *ob->spill);
	memmove(ob->spill + k, ob->spill, ob->n_spill * sizeof *ob->spill);
	memset(ob->spill, 0, k * sizeof *ob->spill);
	ob->n_spill += k;
}

/* A line older than everything, when memory is full: to the front of the
 * index (into its first entry when it continues it downwards). */
static void
outbuf_spill_unshift(struct outbuf *ob, uint64_t n,
    const struct outbuf_line *l)
{
	struct outbuf_spill *e = ob->n_spill ? &ob->spill[0] : NULL;
	bool mark = (l->flags & OUTBUF_MARK) != 0;

	if (!mark && e != NULL && !(e->flags & OUTBUF_MARK) &&
	    e->first == n + 1 && e->step == l->step &&
	    e->attempt == l->attempt && e->count < UINT32_MAX &&
	    (l->aline == OUTBUF_NO_LINE ? e->aline == OUTBUF_NO_LINE :
	    e->aline != OUTBUF_NO_LINE && e->aline == l->aline + 1)) {
		e->first = n;
		e->count++;
		if (e->aline != OUTBUF_NO_LINE)
			e->aline--;
		e->time = l->time;
		return;
	}
	outbuf_spill_open_front(ob, 1);
	outbuf_spill_start(&ob->spill[0], n, l);
}

void
outbuf_prepend_line(struct outbuf *ob, const struct outbuf_line *line)
{
	struct outbuf_line *slot;
	size_t len = line->len > OUTBUF_LINE_MAX ? OUTBUF_LINE_MAX : line->len;
	uint64_t n = outbuf_first(ob);

	if (n == 0)
		return;
	n--;
	/* Memory is full, or older lines already left it: remembered as
	 * those that left it are. */
	if (ob->n_spill > 0 || ob->count >= ob->max_lines ||
	    (ob->count > 0 && ob->bytes + outbuf_cost(len) >
	    outbuf_share(ob))) {
		outbuf_spill_unshift(ob, n, line);
		ob->generation++;
		return;
	}
	if (ob->count == ob->ring_cap)
		outbuf_grow(ob);
	ob->head = (ob->head + ob->ring_cap - 1) % ob->ring_cap;
	slot = &ob->ring[ob->head];
	*slot = *line;
	slot->text = xmalloc(outbuf_class(len ? len : 1));
	memcpy(slot->text, line->text, len);
	slot->len = (uint32_t)len;
	ob->count++;
	ob->bytes += outbuf_cost(len);
	ob->generation++;
}

void
outbuf_set_partial(struct outbuf *ob, const char *text, size_t len,
    unsigned step)
{
	if (len > OUTBUF_LINE_MAX)
		len = OUTBUF_LINE_MAX;
	outbuf_need_partial(ob);
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
		free(ob->ring[(ob->head + i) % ob->ring_cap].text);
	outbuf_spill_clear(ob);
	ob->head = 0;
	ob->count = 0;
	ob->bytes = 0;
	ob->total = next;
	ob->plen = 0;
	ob->cr = false;
	ob->pcont = false;
	ob->generation++;
}

size_t
outbuf_spilled_count(const struct outbuf *ob)
{
	return ob->n_spill;
}

void
outbuf_spilled_get(const struct outbuf *ob, size_t i,
    struct outbuf_spilled *out)
{
	const struct outbuf_spill *e = &ob->spill[i];

	out->first = e->first;
	out->count = e->count;
	out->aline = e->aline;
	out->step = e->step;
	out->attempt = e->attempt;
	out->flags = e->flags;
	out->time = e->time;
	out->text = e->text;
	out->len = e->len;
}

void
outbuf_spilled_put_before(struct outbuf *ob, const struct outbuf_spilled *in,
    size_t n)
{
	uint64_t first = outbuf_first(ob);
	size_t k = 0;

	/* The entries wholly or partly older than what is here. */
	while (k < n && in[k].first < first)
		k++;
	if (k == 0)
		return;
	outbuf_spill_open_front(ob, k);
	for (size_t i = 0; i < k; i++) {
		struct outbuf_spill *e = &ob->spill[i];
		e->first = in[i].first;
		e->count = in[i].count;
		if (e->first + e->count > first)
			e->count = (uint32_t)(first - e->first);
		e->aline = in[i].aline;
		e->step = in[i].step;
		e->attempt = in[i].attempt;
		e->flags = in[i].flags & OUTBUF_MARK;
		e->time = in[i].time;
		if (e->flags & OUTBUF_MARK) {
			e->count = 1;
			e->len = in[i].len > OUTBUF_LINE_MAX ? OUTBUF_LINE_MAX :
			    in[i].len;
			e->text = xmalloc(e->len ? e->len : 1);
			memcpy(e->text, in[i].text, e->len);
		}
	}
	ob->generation++;
}

void
outbuf_spilled_put_after(struct outbuf *ob, const struct outbuf_spilled *in,
    size_t n)
{
	if (n == 0)
		return;
	while (ob->count > 0)
		free(outbuf_evict(ob, 0));
	ob->plen = 0;
	ob->cr = false;
	ob->pcont = false;
	ob->spill = xreallocarray_grow(ob->spill, &ob->cap_spill,
	    ob->n_spill + n, sizeof *ob->spill);
	for (size_t i = 0; i < n; i++) {
		bool mark = (in[i].flags & OUTBUF_MARK) != 0;
		struct outbuf_spill *e;

		if (!mark && in[i].count == 0)
			continue;
		e = &ob->spill[ob->n_spill++];
		memset(e, 0, sizeof *e);
		e->first = ob->total;
		e->count = mark ? 1 : in[i].count;
		e->aline = mark ? OUTBUF_NO_LINE : in[i].aline;
		e->step = in[i].step;
		e->attempt = in[i].attempt;
		e->flags = mark ? OUTBUF_MARK : 0;
		e->time = in[i].time;
		if (mark) {
			e->len = in[i].len > OUTBUF_LINE_MAX ? OUTBUF_LINE_MAX :
			    in[i].len;
			e->text = xmalloc(e->len ? e->len : 1);
			memcpy(e->text, in[i].text, e->len);
		}
		ob->total += e->count;
	}
	ob->generation++;
}
