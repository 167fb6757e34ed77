/* logback.c: finding a step attempt's log and reading its lines back. */
#include "logback.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsat.h"
#include "outbuf.h"
#include "xmalloc.h"

/* Line `aline` starts at byte `off`, just after a newline. */
struct lb_check {
	uint64_t aline;
	uint64_t off;
};

struct lb_file {
	size_t seq;
	unsigned step, attempt;
	char *rel;           /* beneath the run directory; NULL: none */
	struct lb_check *ck; /* ascending; ck[0] is line 0 at byte 0 */
	size_t n_ck, cap_ck;
};

struct lb_line {
	size_t off;
	uint32_t len;
	unsigned flags;
};

struct logback {
	char *dir;
	int dirfd;
	char **seq_dirs;     /* per sequence: NN-SEQ, once seen */
	size_t n_seq_dirs;
	struct lb_file *files;
	size_t n_files, cap_files;

	/* The block read last: lines b_first.. of file b_file (+1; 0:
	 * none). */
	size_t b_file;
	uint64_t b_first, b_end;
	struct lb_line *b_lines;
	size_t b_n, b_cap;
	char *b_text;
	size_t b_len, b_tcap;

	/* While scanning: the lines' numbers start at s_base, the block
	 * being filled holds [b_first, b_end). */
	uint64_t s_base;
};

struct logback *
logback_create(const char *run_dir)
{
	struct logback *lb = xcalloc(1, sizeof *lb);

	lb->dir = xstrdup(run_dir);
	lb->dirfd = -1;
	return lb;
}

void
logback_free(struct logback *lb)
{
	if (lb == NULL)
		return;
	if (lb->dirfd >= 0)
		close(lb->dirfd);
	xstrs_free(lb->seq_dirs, lb->n_seq_dirs);
	for (size_t i = 0; i < lb->n_files; i++) {
		free(lb->files[i].rel);
		free(lb->files[i].ck);
	}
	free(lb->files);
	free(lb->b_lines);
	free(lb->b_text);
	free(lb->dir);
	free(lb);
}

/* "12-name" -> 12; 0 when it does not start so. */
static unsigned long
lb_number(const char *name)
{
	char *end;
	unsigned long n;

	if (*name < '0' || *name > '9')
		return 0;
	errno = 0;
	n = strtoul(name, &end, 10);
	if (errno != 0 || *end != '-')
		return 0;
	return n;
}

/* The entries of directory rel beneath the run directory ("" for
 * itself), handed to fn one by one. */
static void
lb_list(struct logback *lb, const char *rel,
    void (*fn)(struct logback *, const char *, void *), void *arg)
{
	int fd = *rel ? fsat_open(lb->dirfd, rel, O_RDONLY | O_DIRECTORY, 0) :
	    openat(lb->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		fn(lb, de->d_name, arg);
	closedir(d);
}

static void
lb_seq_dir(struct logback *lb, const char *name, void *arg)
{
	unsigned long n = lb_number(name);
	size_t old = lb->n_seq_dirs;

	(void)arg;
	if (n == 0 || n > 1000000)
		return;
	if (n > lb->n_seq_dirs) {
		lb->seq_dirs = xrealloc(lb->seq_dirs, n *
		    sizeof *lb->seq_dirs);
		memset(lb->seq_dirs + old, 0, (n - old) * sizeof *lb->seq_dirs);
		lb->n_seq_dirs = n;
	}
	if (lb->seq_dirs[n - 1] == NULL)
		lb->seq_dirs[n - 1] = xstrdup(name);
}

struct lb_want {
	unsigned long step;
	char suffix[32];
	char *found;
};

static void
lb_log_file(struct logback *lb, const char *name, void *arg)
{
	struct lb_want *w = arg;
	size_t len = strlen(name), slen = strlen(w->suffix);

	(void)lb;
	if (w->found == NULL && lb_number(name) == w->step && len > slen &&
	    strcmp(name + len - slen, w->suffix) == 0)
		w->found = xstrdup(name);
}

/* Where sequence seq's step's attempt logged, beneath the run
 * directory; NULL if nowhere (yet). */
static char *
lb_find(struct logback *lb, size_t seq, unsigned step, unsigned attempt)
{
	struct lb_want w = { .step = step + 1UL };
	char *rel;

	if (seq >= lb->n_seq_dirs || lb->seq_dirs[seq] == NULL)
		lb_list(lb, "", lb_seq_dir, NULL);
	if (seq >= lb->n_seq_dirs || lb->seq_dirs[seq] == NULL)
		return NULL;
	snprintf(w.suffix, sizeof w.suffix, ".%u.log", attempt);
	lb_list(lb, lb->seq_dirs[seq], lb_log_file, &w);
	if (w.found == NULL)
		return NULL;
	rel = xasprintf("%s/%s", lb->seq_dirs[seq], w.found);
	free(w.found);
	return rel;
}

static struct lb_file *
lb_file(struct logback *lb, size_t seq, unsigned step, unsigned attempt)
{
	struct lb_file *f;

	for (size_t i = 0; i < lb->n_files; i++) {
		f = &lb->files[i];
		if (f->seq == seq && f->step == step && f->attempt == attempt)
			return f->rel ? f : NULL;
	}
	/* Only lines that were written are asked for: a log that is not
	 * there now never will be. */
	lb->files = xreallocarray_grow(lb->files, &lb->cap_files,
	    lb->n_files + 1, sizeof *lb->files);
	f = &lb->files[lb->n_files++];
	memset(f, 0, sizeof *f);
	f->seq = seq;
	f->step = step;
	f->attempt = attempt;
	f->rel = lb_find(lb, seq, step, attempt);
	if (f->rel == NULL)
		return NULL;
	f->ck = xcalloc(1, sizeof *f->ck);
	f->n_ck = f->cap_ck = 1;
	return f;
}

/* Each line the splitter completes: into the block when it is one of
 * those wanted. */
static void
lb_take(void *arg, const struct outbuf_line *l)
{
	struct logback *lb = arg;
	uint64_t n = lb->s_base + l->aline;
	struct lb_line *bl;

	if (n < lb->b_first || n >= lb->b_end)
		return;
	lb->b_lines = xreallocarray_grow(lb->b_lines, &lb->b_cap, lb->b_n + 1,
	    sizeof *lb->b_lines);
	lb->b_text = xreallocarray_grow(lb->b_text, &lb->b_tcap,
	    lb->b_len + l->len + 1, 1);
	bl = &lb->b_lines[lb->b_n++];
	bl->off = lb->b_len;
	bl->len = l->len;
	bl->flags = l->flags;
	memcpy(lb->b_text + lb->b_len, l->text, l->len);
	lb->b_len += l->len;
}

/* Read the block of f holding line `want`: split the log from the last
 * checkpoint before it, noting checkpoints on the way. */
static void
lb_scan(struct logback *lb, struct lb_file *f, uint64_t want)
{
	size_t lo = 0, hi = f->n_ck;
	struct outbuf *split;
	uint64_t off, lines;
	char buf[65536];
	int fd;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (f->ck[mid].aline <= want)
			lo = mid;
		else
			hi = mid;
	}
	off = f->ck[lo].aline;
	lb->s_base = f->ck[lo].aline;
	lb->b_first = off + (want - off) / LOGBACK_BLOCK * LOGBACK_BLOCK;
	lb->b_end = lb->b_first + LOGBACK_BLOCK;
	lb->b_n = lb->b_len = 0;
	lb->b_file = (size_t)(f - lb->files) + 1;
	off = f->ck[lo].off;
	if ((fd = fsat_open(lb->dirfd, f->rel, O_RDONLY, 0)) < 0)
		return;
	/* outbuf's own splitting, so that the numbers agree with it. */
	split = outbuf_create(1, lb_take, lb);
	for (;;) {
		ssize_t got = pread(fd, buf, sizeof buf, (off_t)off);
		size_t at = 0;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			/* The end of the log ends its last line. */
			outbuf_flush(split, 0);
			break;
		}
		while (at < (size_t)got) {
			const char *nl = memchr(buf + at, '\n',
			    (size_t)got - at);
			size_t end = nl ? (size_t)(nl - buf) + 1 : (size_t)got;

			outbuf_feed(split, buf + at, end - at, 0, 1, 0);
			at = end;
			if (nl == NULL)
				break;
			/* After a newline: a place to start from. */
			lines = lb->s_base + outbuf_total(split);
			if (lo + 1 == f->n_ck &&
			    lines - f->ck[lo].aline >= LOGBACK_BLOCK) {
				f->ck = xreallocarray_grow(f->ck, &f->cap_ck,
				    f->n_ck + 1, sizeof *f->ck);
				f->ck[f->n_ck].aline = lines;
				f->ck[f->n_ck].off = off + at;
				lo = f->n_ck++;
			}
			if (lines >= lb->b_end)
				break;
		}
		off += at;
		if (lb->s_base + outbuf_total(split) >= lb->b_end)
			break;
	}
	outbuf_free(split);
	close(fd);
}

const char *
logback_line(void *arg, size_t seq, unsigned step, unsigned attempt,
    uint64_t aline, size_t *len, unsigned *flags)
{
	struct logback *lb = arg;
	struct lb_file *f;
	const struct lb_line *l;

	if (lb->dirfd < 0 && (lb->dirfd = open(lb->dir, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	if ((f = lb_file(lb, seq, step, attempt)) == NULL)
		return NULL;
	if (lb->b_file != (size_t)(f - lb->files) + 1 ||
	    aline < lb->b_first || aline >= lb->b_first + lb->b_n)
		lb_scan(lb, f, aline);
	if (aline < lb->b_first || aline - lb->b_first >= lb->b_n)
		return NULL;
	l = &lb->b_lines[aline - lb->b_first];
	*len = l->len;
	*flags = l->flags;
	return lb->b_text + l->off;
}
