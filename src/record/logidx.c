/* logidx.c: indexing a sequence's logs into lines. */
#include "logidx.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsat.h"
#include "outbuf.h"
#include "run.h"
#include "runread.h"
#include "vis.h"
#include "xmalloc.h"

/* A piece of text lines point into: a mapped log, or a mark. */
struct li_file {
	const char *base;
	size_t size;
	bool mapped;         /* munmap it, else free it */
	unsigned step;
	/* When bytes arrived: offsets ascending, from the .times file. */
	uint64_t *t_off;
	double *t_when;
	size_t n_times;
};

struct li_line {
	uint32_t off;
	uint32_t len;
	uint16_t file;
	uint16_t flags;
};

struct logidx {
	struct li_file *files;
	size_t n_files, cap_files;
	struct li_line *lines;
	size_t n_lines, cap_lines;
};

/*
 * A log truncated while it is mapped (a step of another run rewriting it,
 * someone's `: > log`) turns every read of the lost pages into SIGBUS.
 * The mapped logs are listed here; a SIGBUS inside one of them gets a
 * page of zeros in place of the lost one, and is noted, so the review
 * goes on and says the log changed. Any other SIGBUS goes to the handler
 * there was before (main's: restore the terminal, report).
 */
static struct li_map { const char *base; size_t size; } *li_maps;
static size_t li_n_maps, li_cap_maps;
static volatile sig_atomic_t li_changed;
static bool li_handling;
static struct sigaction li_old_bus;

static void
li_sigbus(int sig, siginfo_t *si, void *uc)
{
	const char *addr = si->si_addr;
	long page = sysconf(_SC_PAGESIZE);

	(void)uc;
	for (size_t i = 0; i < li_n_maps; i++) {
		if (addr < li_maps[i].base ||
		    addr >= li_maps[i].base + li_maps[i].size)
			continue;
		if (mmap((void *)((uintptr_t)addr & ~((uintptr_t)page - 1)),
		    (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_FIXED, -1, 0) != MAP_FAILED) {
			li_changed = 1;
			return;
		}
	}
	/* Not ours: as if this handler had never been; the access faults
	 * again into the previous one. */
	(void)sig;
	sigaction(SIGBUS, &li_old_bus, NULL);
}

static void
li_watch(const char *base, size_t size)
{
	struct sigaction sa;

	if (!li_handling) {
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = li_sigbus;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, &li_old_bus) == 0)
			li_handling = true;
	}
	li_maps = xreallocarray_grow(li_maps, &li_cap_maps, li_n_maps + 1,
	    sizeof *li_maps);
	li_maps[li_n_maps].base = base;
	li_maps[li_n_maps].size = size;
	li_n_maps++;
}

static void
li_unwatch(const char *base)
{
	for (size_t i = 0; i < li_n_maps; i++)
		if (li_maps[i].base == base) {
			li_maps[i] = li_maps[--li_n_maps];
			break;
		}
	if (li_n_maps == 0) {
		free(li_maps);
		li_maps = NULL;
		li_cap_maps = 0;
	}
}

bool
logidx_changed(void)
{
	return li_changed != 0;
}

static size_t
li_add_file(struct logidx *li, const char *base, size_t size, bool mapped,
    unsigned step)
{
	struct li_file *f;

	li->files = xreallocarray_grow(li->files, &li->cap_files,
	    li->n_files + 1, sizeof *li->files);
	f = &li->files[li->n_files];
	memset(f, 0, sizeof *f);
	f->base = base;
	f->size = size;
	f->mapped = mapped;
	f->step = step;
	return li->n_files++;
}

static void
li_add_line(struct logidx *li, size_t file, size_t off, size_t len,
    unsigned flags)
{
	struct li_line *l;

	/* 65535 pieces and 4 GiB logs are far beyond any review. */
	if (file > UINT16_MAX || off > UINT32_MAX)
		return;
	li->lines = xreallocarray_grow(li->lines, &li->cap_lines,
	    li->n_lines + 1, sizeof *li->lines);
	l = &li->lines[li->n_lines++];
	l->off = (uint32_t)off;
	l->len = (uint32_t)len;
	l->file = (uint16_t)file;
	l->flags = (uint16_t)flags;
}

static void __attribute__((format(printf, 4, 5)))
li_mark(struct logidx *li, unsigned step, double when, const char *fmt, ...)
{
	va_list ap;
	char *text;
	size_t f;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	f = li_add_file(li, text, strlen(text), false, step);
	if (when > 0) {
		li->files[f].t_off = xmalloc(sizeof *li->files[f].t_off);
		li->files[f].t_when = xmalloc(sizeof *li->files[f].t_when);
		li->files[f].t_off[0] = 0;
		li->files[f].t_when[0] = when;
		li->files[f].n_times = 1;
	}
	li_add_line(li, f, 0, strlen(text), OUTBUF_MARK);
}

/* Split a log into lines the way outbuf does: "\r\n" ends a line (with
 * any carriage returns before it), a lone "\r" starts it over, long lines
 * are cut. */
static void
li_split(struct logidx *li, size_t file)
{
	const char *base = li->files[file].base;
	size_t size = li->files[file].size, start = 0, i = 0;

	while (start < size) {
		const char *nl = memchr(base + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - base) : size;
		size_t s = start, e = end;
		unsigned flags = 0;

		while (e > s && base[e - 1] == '\r')
			e--;
		/* The last "\r" inside the line: what follows overwrote
		 * what came before (a progress bar). */
		for (i = e; i > s; i--)
			if (base[i - 1] == '\r') {
				s = i;
				break;
			}
		while (e - s > OUTBUF_LINE_MAX) {
			li_add_line(li, file, s, OUTBUF_LINE_MAX, flags);
			s += OUTBUF_LINE_MAX;
			flags = OUTBUF_CONTINUED;
		}
		li_add_line(li, file, s, e - s, flags);
		start = end + 1;
	}
}

static void
li_load_times(struct li_file *f, int dirfd, const char *rel)
{
	int fd = fsat_open(dirfd, rel, O_RDONLY, 0);
	FILE *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
	unsigned long long off;
	double when;
	size_t cap = 0, cap2 = 0;

	if (fp == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fscanf(fp, "%llu %lf", &off, &when) == 2) {
		f->t_off = xreallocarray_grow(f->t_off, &cap, f->n_times + 1,
		    sizeof *f->t_off);
		f->t_when = xreallocarray_grow(f->t_when, &cap2,
		    f->n_times + 1, sizeof *f->t_when);
		f->t_off[f->n_times] = off;
		f->t_when[f->n_times] = when;
		f->n_times++;
	}
	fclose(fp);
}

/* Map one attempt's log and index it. */
static void
li_attempt(struct logidx *li, const struct rr_run *run, unsigned step,
    const struct rr_attempt *a)
{
	char *times;
	struct stat st;
	void *map;
	size_t f;
	int fd;

	if (a->log == NULL)
		return;
	/* Only beneath the run directory: the record may be crafted. */
	fd = fsat_open(run->dirfd, a->log, O_RDONLY, 0);
	if (fd < 0 && errno == ENOENT && runread_log_absent_ok(a))
		return;   /* it printed nothing */
	if (fd < 0 || fstat(fd, &st) != 0) {
		li_mark(li, step, 0, "-- log %s: %s --", a->log,
		    !fsat_rel_ok(a->log) ? "not inside the run directory "
		    "(refused)" : errno == ENOENT ? "missing (deleted?)" :
		    errno == ELOOP || errno == ENOTDIR ? "a symlink (refused)" :
		    errno == EINVAL ? "not a regular file (refused)" :
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (st.st_size == 0) {
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		li_mark(li, step, 0, "-- log %s: cannot be read --", a->log);
		return;
	}
	li_watch(map, (size_t)st.st_size);
	f = li_add_file(li, map, (size_t)st.st_size, true, step);
	/* NN-step.A.log -> NN-step.A.times */
	if (strlen(a->log) > 4 &&
	    strcmp(a->log + strlen(a->log) - 4, ".log") == 0) {
		times = xasprintf("%.*stimes", (int)(strlen(a->log) - 3),
		    a->log);
		li_load_times(&li->files[f], run->dirfd, times);
		free(times);
	}
	li_split(li, f);
}

static void
li_clock(double t, char *buf, size_t size)
{
	time_t secs = (time_t)t;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(buf, size, "%H:%M:%S", &tm);
}

/* One thing in the sequence's history: an attempt or an action, in the
 * order the record has them (times can tie at its millisecond). */
struct li_event {
	size_t line;
	size_t step, attempt, action;
	bool is_action;
};

static int
li_event_cmp(const void *pa, const void *pb)
{
	const struct li_event *a = pa, *b = pb;

	return a->line < b->line ? -1 : a->line > b->line;
}

static void
li_action(struct logidx *li, const struct rr_action *act)
{
	unsigned step = act->step >= 0 ? (unsigned)act->step : 0;
	char clock[16];

	li_clock(act->time, clock, sizeof clock);
	if (act->event == REC_NOTICE)
		li_mark(li, step, act->time, "-- %s --",
		    act->reason ? act->reason : "");
	else if (act->action == RUN_ACT_NOTE)
		li_mark(li, step, act->time, "-- note by operator at %s: %s --",
		    clock, act->reason ? act->reason : "");
	else if (act->action == RUN_ACT_INPUT)
		return;     /* as live: the step's screen is its own */
	else
		li_mark(li, step, act->time, "-- %s by operator at %s --",
		    run_action_done(act->action), clock);
}

struct logidx *
logidx_build(const struct rr_run *run, size_t si)
{
	struct logidx *li = xcalloc(1, sizeof *li);
	const struct rr_seq *seq = &run->seqs[si];
	struct li_event *evs = NULL;
	size_t n = 0, cap = 0;
	bool *done;

	for (size_t s = 0; s < seq->n_steps; s++)
		for (size_t a = 0; a < seq->steps[s].n_attempts; a++) {
			evs = xreallocarray_grow(evs, &cap, n + 1, sizeof *evs);
			evs[n++] = (struct li_event){
				.line = seq->steps[s].attempts[a].line,
				.step = s, .attempt = a };
		}
	for (size_t i = 0; i < seq->n_actions; i++) {
		evs = xreallocarray_grow(evs, &cap, n + 1, sizeof *evs);
		evs[n++] = (struct li_event){ .line = seq->actions[i].line,
			.action = i, .is_action = true };
	}
	if (n > 0)
		qsort(evs, n, sizeof *evs, li_event_cmp);

	done = xcalloc(seq->n_actions ? seq->n_actions : 1, sizeof *done);
	/* Actions are in the record's order: `next` is the first one after
	 * the attempt being shown, and only moves forward. */
	size_t next = 0;
	for (size_t i = 0; i < n; i++) {
		const struct li_event *e = &evs[i];
		if (e->is_action) {
			if (!done[e->action])
				li_action(li, &seq->actions[e->action]);
			continue;
		}
		const struct rr_step *st = &seq->steps[e->step];
		const struct rr_attempt *a = &st->attempts[e->attempt];
		char label[64];
		runread_step_label(seq, e->step, label, sizeof label);
		/* The operator edited the command (e): as the live pane
		 * said it. */
		if (e->attempt > 0 && a->run != NULL &&
		    st->attempts[e->attempt - 1].run != NULL &&
		    strcmp(a->run, st->attempts[e->attempt - 1].run) != 0) {
			char *cmd = vis_one_line(a->run);

			li_mark(li, (unsigned)e->step, a->start,
			    "-- now runs: %s --", cmd);
			free(cmd);
		}
		if (a->attempt > 1)
			li_mark(li, (unsigned)e->step, a->start,
			    "-- %s: %s (try %u) --", label, st->name,
			    a->attempt);
		else
			li_mark(li, (unsigned)e->step, a->start,
			    "-- %s: %s --", label, st->name);
		/* A wait step: what it waited for, as the live pane said. */
		if (a->wait_for != NULL)
			li_mark(li, (unsigned)e->step, a->start,
			    "-- waiting for %s --", a->wait_for);
		li_attempt(li, run, (unsigned)e->step, a);
		/* What the operator did while it ran (a kill, a skip) comes
		 * before how it ended, as it happened: the actions after its
		 * start and before its end, and before the next attempt
		 * started (so each action is looked at once: linear). */
		size_t until = a->end_line != 0 ? a->end_line : (size_t)-1;
		for (size_t k = i + 1; k < n; k++)
			if (!evs[k].is_action) {
				if (evs[k].line < until)
					until = evs[k].line;
				break;
			}
		while (next < seq->n_actions && seq->actions[next].line <= a->line)
			next++;
		for (; next < seq->n_actions && seq->actions[next].line < until;
		    next++) {
			if (!done[next])
				li_action(li, &seq->actions[next]);
			done[next] = true;
		}
		/* And how that ended. */
		if (a->why != NULL)
			li_mark(li, (unsigned)e->step, a->end, "-- %s --",
			    a->why);
		/* A step marked done by hand had failed first: as the live
		 * pane said it, before the mark. */
		enum step_status ended = a->marked ? a->failed : a->status;
		if (!step_status_done(ended) && run->live && !run->ended)
			li_mark(li, (unsigned)e->step, 0,
			    "-- still running when read (drove attach %s "
			    "follows it) --", run->id);
		else if (!step_status_done(ended))
			li_mark(li, (unsigned)e->step, 0,
			    "-- did not finish (the run was interrupted) --");
		else if (step_status_unreachable(ended)) {
			char why[160];
			li_mark(li, (unsigned)e->step, a->end,
			    "-- %s after %.1fs --", step_host_why(ended,
			    a->host, why, sizeof why), a->end - a->start);
		} else if (ended != STEP_OK && a->signal > 0)
			li_mark(li, (unsigned)e->step, a->end,
			    "-- %s (signal %d) after %.1fs --",
			    step_status_name(ended),
			    a->signal, a->end - a->start);
		else if (ended != STEP_OK && a->exit_code >= 0)
			li_mark(li, (unsigned)e->step, a->end,
			    "-- %s (exit %d) after %.1fs --",
			    step_status_name(ended),
			    a->exit_code, a->end - a->start);
		else if (ended != STEP_OK)
			li_mark(li, (unsigned)e->step, a->end,
			    "-- %s after %.1fs --",
			    step_status_name(ended), a->end - a->start);
	}
	free(done);
	free(evs);
	return li;
}

void
logidx_free(struct logidx *li)
{
	if (li == NULL)
		return;
	for (size_t i = 0; i < li->n_files; i++) {
		if (li->files[i].mapped) {
			li_unwatch(li->files[i].base);
			munmap((void *)(uintptr_t)li->files[i].base,
			    li->files[i].size);
		} else
			free((void *)(uintptr_t)li->files[i].base);
		free(li->files[i].t_off);
		free(li->files[i].t_when);
	}
	free(li->files);
	free(li->lines);
	free(li);
}

size_t
logidx_count(const struct logidx *li)
{
	return li->n_lines;
}

/* When the byte at `off` of file f arrived: the last read that began at
 * or before it. */
static double
li_time(const struct li_file *f, uint64_t off)
{
	size_t lo = 0, hi = f->n_times;

	if (hi == 0)
		return 0;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (f->t_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return f->t_when[lo];
}

const char *
logidx_line(const struct logidx *li, size_t i, size_t *len, unsigned *flags,
    unsigned *step, double *time)
{
	const struct li_line *l;
	const struct li_file *f;

	if (i >= li->n_lines)
		return NULL;
	l = &li->lines[i];
	f = &li->files[l->file];
	*len = l->len;
	if (flags)
		*flags = l->flags;
	if (step)
		*step = f->step;
	if (time)
		/* A line is complete when its newline arrived. */
		*time = li_time(f, (uint64_t)l->off + l->len);
	return f->base + l->off;
}
