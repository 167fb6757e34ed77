/* runlog.c: writing the run directory and its event log. */
#include "runlog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "fdio.h"
#include "fsat.h"
#include "json.h"
#include "logcap.h"
#include "run.h"
#include "secret.h"
#include "strbuf.h"
#include "xmalloc.h"

/* A field's key, from event.h's table. */
#define RF(name) rec_field(REC_F_##name)

/* The most of a name that goes into a file name. */
#define RUNLOG_NAME_MAX 48

struct runlog {
	struct run *run;
	char *id;
	char *dir;            /* LOG_DIR/RUN_ID */
	int log_fd;           /* LOG_DIR, open */
	int dir_fd;           /* LOG_DIR/RUN_ID, open: everything in it is
	                         made and opened beneath this (fsat.h) */
	int events_fd;
	int *step_fd;         /* per sequence: the open attempt log, or -1 */
	bool *log_due;        /* per sequence: the attempt's log is made at
	                         the first byte it writes (a step that
	                         prints nothing has none) */
	long long *log_bytes; /* per sequence: bytes in the log the attempt
	                         last closed (0: none was made), -1 when a
	                         failed write leaves it unknown */
	struct logcap *cap;   /* per sequence: what it holds (max_log) */
	char **step_path;     /* per sequence: the open log (relative) */
	unsigned long long *dropped; /* per sequence: bytes the attempt
	                         last closed dropped (max_log) */
	int *times_fd;        /* per sequence: its .times file, or -1 */
	int *seq_state;       /* per sequence: the state last written, -1 */
	unsigned long long *offset; /* per sequence: bytes in the open log */
	int width;            /* digits in NN */
	char **seq_dirs;      /* per sequence: NN-SEQ (relative) */
	bool *seq_dir_made;   /* per sequence: NN-SEQ exists (made with its
	                         first log) */
	size_t n_seqs;        /* sequences in these arrays */
	char *problem;        /* the first write that failed, or NULL: the
	                         record is incomplete */
	bool notice_due;      /* problem is not in events.jsonl yet */
	bool quiet;           /* do not print problem (the dashboard shows
	                         it on its status bar) */
	unsigned long long events_len; /* bytes of whole lines written */
	char *config_abs;     /* the config's absolute path, or NULL */
};

static void runlog_grow(struct runlog *rl, const struct run_event *ev);

char *
runlog_slug(const char *name)
{
	size_t n = strlen(name), o = 0;
	/* A name made from a --secret value would put it in a file name,
	 * and the record (which never holds it) would name another file. */
	size_t rn = 0;
	char *redacted = secret_redact(name, n, &rn);
	const char *from = redacted != NULL ? redacted : name;
	char *s;

	if (redacted != NULL)
		n = rn;
	s = xmalloc(n + 2);
	bool dash = false;

	for (const unsigned char *p = (const unsigned char *)from; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-') {
			s[o++] = (char)*p;
			dash = false;
		} else if (!dash && o > 0) {
			s[o++] = '-';
			dash = true;
		}
	}
	while (o > 0 && s[o - 1] == '-')
		o--;
	/* "." and ".." would be no names at all. */
	if (o == 0 || (o <= 2 && strspn(s, ".") == o))
		s[o++] = '_';
	s[o] = '\0';
	free(redacted);
	return s;
}

int
runlog_mkdirs(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* A write to the run directory failed (most often: the disk is full).
 * The run goes on; the first failure is kept, said once, and put in the
 * record as a notice as soon as a line can be written there. */
static void
runlog_write_failed(struct runlog *rl, const char *what)
{
	if (rl->problem != NULL)
		return;
	rl->problem = xasprintf("writing %s failed: %s; the record of this "
	    "run is incomplete", what, strerror(errno));
	rl->notice_due = true;
	if (!rl->quiet)
		fprintf(stderr, "drove: %s: %s\n", rl->dir, rl->problem);
}

/* Append one whole line to events.jsonl, or nothing: a line cut short
 * by a full disk is taken back, so readers never meet half an event. */
static int
runlog_append_line(struct runlog *rl, const char *line, size_t len)
{
	if (fdio_write_all(rl->events_fd, line, len) != 0) {
		int err = errno;
		if (ftruncate(rl->events_fd, (off_t)rl->events_len) != 0)
			(void)0; /* nothing more to do: it is said below */
		errno = err;
		return -1;
	}
	rl->events_len += len;
	return 0;
}

static int
runlog_copy_file(const char *from, int dir_fd, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out, rc = 0;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	out = fsat_open(dir_fd, to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	if (secret_any()) {
		/* Its secrets as *** (a value of settings.secret_vars, a
		 * default a --secret overrides): the file whole, bounded as
		 * the config is (CONFIG_FILE_MAX). */
		struct strbuf sb = STRBUF_INIT;
		char *shown;
		size_t len = 0;

		while ((n = read(in, buf, sizeof buf)) > 0)
			strbuf_add(&sb, buf, (size_t)n);
		if (n < 0)
			rc = -1;
		shown = secret_redact(sb.buf != NULL ? sb.buf : "", sb.len,
		    &len);
		if (fdio_write_all(out, shown != NULL ? shown : sb.buf,
		    shown != NULL ? len : sb.len) != 0)
			rc = -1;
		free(shown);
		strbuf_free(&sb);
		close(in);
		close(out);
		return rc;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (fdio_write_all(out, buf, (size_t)n) != 0)
			rc = -1;
	if (n < 0)
		rc = -1;
	close(in);
	close(out);
	return rc;
}

static void
runlog_iso_time(double t, char *buf, size_t size)
{
	time_t secs = (time_t)t;
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03dZ", base, (int)((t - (double)secs) * 1000));
}

/* Begin the line of an event called `event`. */
static void
runlog_begin(struct json *j, const char *event, double t)
{
	char iso[48];

	json_init(j);
	json_str(j, RF(EVENT), event);
	runlog_iso_time(t, iso, sizeof iso);
	json_str(j, RF(TIME), iso);
	json_num(j, RF(TS), t);
}

static void
runlog_event_begin(struct json *j, enum rec_event ev, double t)
{
	runlog_begin(j, rec_event_name(ev), t);
}

static void
runlog_event_end(struct runlog *rl, struct json *j)
{
	json_end(j);
	if (rl->notice_due) {
		/* A run-wide notice (no seq): what is missing, and why. */
		struct json n;
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		runlog_event_begin(&n, REC_NOTICE, (double)now.tv_sec +
		    (double)now.tv_nsec / 1e9);
		json_str(&n, RF(MESSAGE), rl->problem);
		json_end(&n);
		if (runlog_append_line(rl, n.out.buf, n.out.len) == 0)
			rl->notice_due = false;
		json_free(&n);
	}
	if (runlog_append_line(rl, j->out.buf, j->out.len) != 0)
		runlog_write_failed(rl, "events.jsonl");
	json_free(j);
}

static void
runlog_seq_fields(struct json *j, const struct run_seq *seq)
{
	json_str(j, RF(SEQ), seq->name);
	json_int(j, RF(SEQ_INDEX), (long long)seq->index);
}

static void
runlog_step_fields(struct runlog *rl, struct json *j,
    const struct run_seq *seq, size_t step, unsigned attempt)
{
	char *path;

	runlog_seq_fields(j, seq);
	if (step >= seq->n_all)
		return;
	json_str(j, RF(STEP), seq->steps[step].name);
	json_int(j, RF(STEP_INDEX), (long long)step);
	if (seq->steps[step].role != STEP_ROLE_MAIN)
		json_str(j, RF(ROLE), step_role_name(seq->steps[step].role));
	json_int(j, RF(ATTEMPT), attempt);
	if (run_config(rl->run)->seqs[seq->index].steps[step].kind ==
	    CFG_STEP_RUN && attempt > 0) {
		path = runlog_step_path(rl, seq->index, step, attempt);
		json_str(j, RF(LOG), path);
		free(path);
	}
}

/* Open the directory of rel (beneath the run directory) and give rel's
 * last component in *base. */
static int
runlog_parent(struct runlog *rl, const char *rel, char **dir,
    const char **base)
{
	const char *slash = strrchr(rel, '/');
	int fd;

	*dir = slash ? xstrndup(rel, (size_t)(slash - rel)) : NULL;
	*base = slash ? slash + 1 : rel;
	fd = *dir ? fsat_open(rl->dir_fd, *dir, O_RDONLY | O_DIRECTORY, 0) :
	    fcntl(rl->dir_fd, F_DUPFD_CLOEXEC, 0);
	return fd;
}

/* The .times beside a log that dropped bytes: each offset moved to where
 * its byte is now, the reads dropped told once, at the marker. */
static int
runlog_times_fix(struct runlog *rl, size_t seq, int pfd,
    const char *times)
{
	const struct logcap *c = &rl->cap[seq];
	char *tmp = xasprintf("%s.tmp", times);
	int in = openat(pfd, times, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = -1, rc = -1;
	FILE *fin = NULL, *fout = NULL;
	unsigned long long off;
	bool dropped, said = false;
	char t[64];

	if (in < 0) {
		free(tmp);
		return errno == ENOENT ? 0 : -1;
	}
	unlinkat(pfd, tmp, 0);
	out = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (out < 0 || (fin = fdopen(in, "r")) == NULL ||
	    (fout = fdopen(out, "w")) == NULL)
		goto out;
	in = out = -1;
	while (fscanf(fin, "%llu %63s", &off, t) == 2) {
		unsigned long long at = logcap_map(c, off, &dropped);
		if (dropped && said)
			continue;
		said = said || dropped;
		fprintf(fout, "%llu %s\n", at, t);
	}
	if (fflush(fout) == 0 && !ferror(fout) &&
	    renameat(pfd, tmp, pfd, times) == 0)
		rc = 0;
out:
	if (fin != NULL)
		fclose(fin);
	if (fout != NULL)
		fclose(fout);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (rc != 0)
		unlinkat(pfd, tmp, 0);
	free(tmp);
	return rc;
}

/* The attempt's log dropped bytes: replace it with head, marker and tail
 * in order (logcap.h), and fix its .times to match. */
static void
runlog_cap_finish(struct runlog *rl, size_t seq)
{
	const char *rel = rl->step_path[seq], *base;
	char *dir, *tmp, *times, *tbase;
	int pfd = runlog_parent(rl, rel, &dir, &base), out;

	tmp = xasprintf("%s.tmp", base);
	tbase = xasprintf("%.*stimes", (int)(strlen(base) - 3), base);
	times = NULL;
	if (pfd < 0)
		goto fail;
	unlinkat(pfd, tmp, 0);
	out = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (out < 0)
		goto fail;
	if (logcap_copy(&rl->cap[seq], out) != 0 || close(out) != 0 ||
	    renameat(pfd, tmp, pfd, base) != 0) {
		int err = errno;
		unlinkat(pfd, tmp, 0);
		errno = err;
		goto fail;
	}
	if (runlog_times_fix(rl, seq, pfd, tbase) != 0) {
		times = xasprintf("the timestamps of %s", rel);
		runlog_write_failed(rl, times);
	}
	goto done;
fail:
	/* The log stays as it was: the head, and the tail as a ring. */
	times = xasprintf("the head and tail of %s", rel);
	runlog_write_failed(rl, times);
done:
	if (pfd >= 0)
		close(pfd);
	free(times);
	free(tbase);
	free(tmp);
	free(dir);
}

static void
runlog_close_step(struct runlog *rl, size_t seq)
{
	/* Closed twice (the end, then freeing): the count stays. */
	if (rl->log_due[seq]) {
		/* Not a byte came: no file. */
		rl->log_due[seq] = false;
		rl->log_bytes[seq] = 0;
	}
	if (rl->step_fd[seq] >= 0) {
		bool cut;
		rl->dropped[seq] = logcap_dropped(&rl->cap[seq]);
		/* Where the end of what it wrote is in the final log. */
		rl->log_bytes[seq] = (long long)logcap_map(&rl->cap[seq],
		    rl->cap[seq].total, &cut);
		if (rl->times_fd[seq] >= 0)
			close(rl->times_fd[seq]);
		rl->times_fd[seq] = -1;
		if (rl->dropped[seq] > 0)
			runlog_cap_finish(rl, seq);
		close(rl->step_fd[seq]);
	}
	if (rl->times_fd[seq] >= 0)
		close(rl->times_fd[seq]);
	rl->step_fd[seq] = rl->times_fd[seq] = -1;
}

static void
runlog_step_start(struct runlog *rl, const struct run_event *ev)
{
	const struct run_seq *seq = run_seq(rl->run, ev->seq);
	const struct cfg_step *cs = run_step_cfg(rl->run, ev->seq, ev->step);
	struct json j;
	char *rel, what[512];

	runlog_event_begin(&j, REC_STEP_START, ev->time);
	runlog_step_fields(rl, &j, seq, ev->step, ev->attempt);
	if (cs->kind == CFG_STEP_RUN)
		/* The operator's edit (e) when there is one: the record
		 * holds what each attempt ran. */
		json_str(&j, RF(RUN), seq->steps[ev->step].edited ?
		    seq->steps[ev->step].command : cs->run);
	else if (cs->kind == CFG_STEP_WAIT)
		json_str(&j, RF(WAIT_FOR), run_step_waits_for(rl->run, ev->seq,
		    ev->step, what, sizeof what));
	else
		json_num(&j, RF(SLEEP), cs->sleep);
	runlog_event_end(rl, &j);

	if (cs->kind != CFG_STEP_RUN)
		return;
	rel = runlog_step_path(rl, ev->seq, ev->step, ev->attempt);
	runlog_close_step(rl, ev->seq);
	rl->dropped[ev->seq] = 0;
	rl->log_bytes[ev->seq] = -1;
	/* Made when the first byte comes (runlog_log_make): most short steps
	 * print nothing, and a file each is most of what they would cost. */
	rl->log_due[ev->seq] = true;
	free(rl->step_path[ev->seq]);
	rl->step_path[ev->seq] = rel;
	rl->offset[ev->seq] = 0;
}

/* The attempt wrote its first byte: make its log, and its sequence's
 * directory with the first of its logs. A new file, in the run directory
 * drove made: never one that was there before, never through a
 * symlink. Returns whether the log is open. */
static bool
runlog_log_make(struct runlog *rl, size_t seq)
{
	const char *rel = rl->step_path[seq];
	char *times;

	rl->log_due[seq] = false;
	if (!rl->seq_dir_made[seq]) {
		/* EEXIST is not trusted either: fsat_open below refuses a
		 * symlink planted in its place. */
		if (mkdirat(rl->dir_fd, rl->seq_dirs[seq], 0700) != 0 &&
		    errno != EEXIST) {
			runlog_write_failed(rl, rl->seq_dirs[seq]);
			return false;
		}
		rl->seq_dir_made[seq] = true;
	}
	/* Read back when max_log makes its head and tail into a log. */
	rl->step_fd[seq] = fsat_open(rl->dir_fd, rel,
	    O_RDWR | O_CREAT | O_EXCL, 0600);
	if (rl->step_fd[seq] < 0) {
		runlog_write_failed(rl, rel);
		return false;
	}
	logcap_init(&rl->cap[seq], rl->step_fd[seq],
	    run_config(rl->run)->max_log);
	/* NN-step.A.log -> NN-step.A.times, beside it. */
	times = xasprintf("%.*stimes", (int)(strlen(rel) - 3), rel);
	rl->times_fd[seq] = fsat_open(rl->dir_fd, times,
	    O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0600);
	if (rl->times_fd[seq] < 0)
		runlog_write_failed(rl, times);
	free(times);
	return true;
}

/* The log keeps the exact bytes; when each piece of them arrived goes
 * beside it, one "OFFSET SECONDS" line per read, for the timestamp
 * column of the review. Reads are large when a step floods, so this
 * stays small. */
static void
runlog_output(struct runlog *rl, const struct run_event *ev)
{
	char line[64];
	int n;

	if (rl->log_due[ev->seq] && ev->len > 0)
		runlog_log_make(rl, ev->seq);
	if (rl->step_fd[ev->seq] < 0)
		return;
	if (rl->times_fd[ev->seq] >= 0) {
		n = snprintf(line, sizeof line, "%llu %.3f\n",
		    rl->offset[ev->seq], ev->time);
		if (fdio_write_all(rl->times_fd[ev->seq], line,
		    (size_t)n) != 0) {
			runlog_write_failed(rl, "a .times file");
			close(rl->times_fd[ev->seq]);
			rl->times_fd[ev->seq] = -1;
		}
	}
	if (logcap_write(&rl->cap[ev->seq], ev->data, ev->len) != 0) {
		/* The log ends here rather than go on with a hole in it. */
		char *what = xasprintf("the log of step %zu of %s", ev->step + 1,
		    run_seq(rl->run, ev->seq)->name);
		runlog_write_failed(rl, what);
		free(what);
		runlog_close_step(rl, ev->seq);
		rl->log_bytes[ev->seq] = -1;
		return;
	}
	rl->offset[ev->seq] += ev->len;
}

static void
runlog_step_end(struct runlog *rl, const struct run_event *ev)
{
	const struct run_seq *seq = run_seq(rl->run, ev->seq);
	const struct run_step *step = &seq->steps[ev->step];
	struct json j;

	runlog_close_step(rl, ev->seq);
	runlog_event_begin(&j, REC_STEP_END, ev->time);
	runlog_step_fields(rl, &j, seq, ev->step, ev->attempt);
	if (ev->attempt == 0)
		/* --resume: done in an earlier run, not run again. */
		json_bool(&j, RF(RESUMED), true);
	json_str(&j, RF(STATUS), step_status_name(step->status));
	/* Skipped by its if:, not by the operator. */
	if (step->cond_skipped)
		json_str(&j, RF(REASON), "condition");
	/* A wait step: how it ended, in words. */
	if (step->why != NULL && ev->attempt > 0)
		json_str(&j, RF(MESSAGE), step->why);
	if (step->exit_code >= 0)
		json_int(&j, RF(EXIT_CODE), step->exit_code);
	else
		json_null(&j, RF(EXIT_CODE));
	if (step->signal > 0) {
		json_int(&j, RF(SIGNAL), step->signal);
		json_str(&j, RF(SIGNAL_NAME), sigabbrev_np(step->signal));
	}
	/* The host it could not reach, for the review to name it. */
	if (step_status_unreachable(step->status) &&
	    run_config(rl->run)->seqs[ev->seq].host >= 0)
		json_str(&j, RF(HOST), run_config(rl->run)->hosts[
		    run_config(rl->run)->seqs[ev->seq].host].name);
	json_num(&j, RF(DURATION), step->ended - step->started);
	if (rl->dropped[ev->seq] > 0 && ev->attempt > 0)
		json_int(&j, RF(LOG_DROPPED),
		    (long long)rl->dropped[ev->seq]);
	/* 0: it printed nothing, and has no log file. */
	if (ev->attempt > 0 && rl->log_bytes[ev->seq] >= 0 &&
	    run_config(rl->run)->seqs[ev->seq].steps[ev->step].kind ==
	    CFG_STEP_RUN)
		json_int(&j, RF(LOG_BYTES), rl->log_bytes[ev->seq]);
	runlog_event_end(rl, &j);
}

/* A captured value, for `drove logs` and a --resume of this run: not a
 * secret one, of which the record says only that it was captured. */
static void
runlog_capture(struct runlog *rl, const struct run_event *ev)
{
	const struct cfg_step *cs = run_step_cfg(rl->run, ev->seq, ev->step);
	const struct run_seq *seq = run_seq(rl->run, ev->seq);
	struct json j;

	/* No log path: a secret value just registered would make another
	 * name of the attempt's log than its step_start said. */
	runlog_event_begin(&j, REC_CAPTURE, ev->time);
	runlog_seq_fields(&j, seq);
	json_str(&j, RF(STEP), seq->steps[ev->step].name);
	json_int(&j, RF(STEP_INDEX), (long long)ev->step);
	json_int(&j, RF(ATTEMPT), ev->attempt);
	json_str(&j, RF(VAR), cs->capture);
	if (ev->text != NULL)
		json_strn(&j, RF(VALUE), ev->text, ev->len);
	else
		json_bool(&j, RF(SECRET), true);
	runlog_event_end(rl, &j);
}

/* The whole plan, so a reader knows the steps that never ran too:
 * sequences [from, to). */
static void
runlog_plan(struct json *j, struct run *run, size_t from, size_t to)
{
	json_array(j, RF(SEQUENCES));
	for (size_t i = from; i < to; i++) {
		const struct cfg_seq *cs = &run_config(run)->seqs[i];
		json_item_open(j);
		json_str(j, RF(NAME), cs->name);
		const struct run_seq *rs = run_seq(run, i);
		json_array(j, RF(STEPS));
		for (size_t k = 0; k < cs->n_all; k++)
			json_item_str(j, cs->steps[k].name);
		json_array_end(j);
		/* So a reader can say "try 2/6" as the dashboard did. */
		json_array(j, RF(RETRIES));
		for (size_t k = 0; k < cs->n_all; k++)
			json_item_int(j, cs->steps[k].retries);
		json_array_end(j);
		/* Handlers' and cleanup steps follow the steps: what each
		 * is, so a reader shows them as the dashboard did. */
		if (cs->n_all > cs->n_steps) {
			json_array(j, RF(ROLES));
			for (size_t k = 0; k < cs->n_all; k++)
				json_item_str(j,
				    step_role_name(rs->steps[k].role));
			json_array_end(j);
			json_array(j, RF(OF));
			for (size_t k = 0; k < cs->n_all; k++)
				json_item_int(j, (long long)rs->steps[k].of);
			json_array_end(j);
		}
		json_close(j);
	}
	json_array_end(j);
}

static void
runlog_observe(void *arg, struct run *run, const struct run_event *ev)
{
	struct runlog *rl = arg;
	const struct run_seq *seq = NULL;
	struct json j;

	/* Every line a step prints comes by: the log has its bytes
	 * already (RUN_EV_OUTPUT). First, and alone: nothing is set up
	 * for it. */
	if (ev->type == RUN_EV_LINE)
		return;
	if (ev->type != RUN_EV_START && ev->type != RUN_EV_IDLE &&
	    ev->type != RUN_EV_END)
		seq = run_seq(run, ev->seq);

	switch (ev->type) {
	case RUN_EV_START:
		runlog_event_begin(&j, REC_RUN_START, ev->time);
		json_str(&j, RF(RUN_ID), rl->id);
		json_str(&j, RF(CONFIG), rl->config_abs ? rl->config_abs :
		    run_config(run)->path);
		json_int(&j, RF(PID), (long long)getpid());
		runlog_plan(&j, run, 0, run_seq_count(run));
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_SEQ:
		/* The run announces a sequence at every step; the record
		 * wants its changes of state only. */
		if (rl->seq_state[ev->seq] == (int)seq->state)
			break;
		rl->seq_state[ev->seq] = (int)seq->state;
		runlog_event_begin(&j, REC_SEQ_STATE, ev->time);
		runlog_seq_fields(&j, seq);
		json_str(&j, RF(STATE), seq_state_name(seq->state));
		if (seq->state == SEQ_BLOCKED && seq->blocked_by != NULL)
			json_str(&j, RF(WAITS_FOR), seq->blocked_by);
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_STEP_START:
		runlog_step_start(rl, ev);
		break;
	case RUN_EV_OUTPUT:
		runlog_output(rl, ev);
		break;
	case RUN_EV_LINE:       /* above */
		break;
	case RUN_EV_STEP_END:
		runlog_step_end(rl, ev);
		break;
	case RUN_EV_ACTION:
		runlog_begin(&j, run_action_name(ev->action), ev->time);
		runlog_step_fields(rl, &j, seq, ev->step, ev->attempt);
		json_bool(&j, RF(OPERATOR), true);
		if (ev->text != NULL)
			json_str(&j, ev->action == RUN_ACT_NOTE ? RF(NOTE) :
			    RF(REASON), ev->text);
		if (ev->who != NULL)
			json_str(&j, RF(BY), ev->who);
		/* What the next attempts run (the previous step_start says
		 * what ran before). */
		/* Where a shell opened: the host, else here. */
		if (ev->action == RUN_ACT_SHELL &&
		    run_config(run)->seqs[ev->seq].host >= 0)
			json_str(&j, RF(HOST), run_config(run)->hosts[
			    run_config(run)->seqs[ev->seq].host].name);
		if (ev->action == RUN_ACT_EDIT && ev->step < seq->n_all &&
		    seq->steps[ev->step].command != NULL)
			json_str(&j, RF(RUN), seq->steps[ev->step].command);
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_CAPTURE:
		runlog_capture(rl, ev);
		break;
	case RUN_EV_NOTICE:
		runlog_event_begin(&j, REC_NOTICE, ev->time);
		runlog_seq_fields(&j, seq);
		json_str(&j, RF(MESSAGE), ev->text);
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_GROW:
		runlog_grow(rl, ev);
		runlog_event_begin(&j, REC_GROW, ev->time);
		runlog_seq_fields(&j, seq);
		json_str(&j, RF(FROM), run_config(run)->seqs[ev->seq].fanout->from);
		if (ev->text != NULL)
			json_str(&j, RF(VALUE), ev->text);
		json_int(&j, RF(FIRST), (long long)ev->first);
		runlog_plan(&j, run, ev->first, ev->first + ev->count);
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_IDLE:
		/* Everything has finished, though the dashboard may stay
		 * open: a reader can tell a finished run from a running one
		 * before its run_end. */
		runlog_event_begin(&j, REC_SETTLED, ev->time);
		json_str(&j, RF(STATUS), run_exit_status(run) == 0 ? "ok" :
		    "failed");
		json_num(&j, RF(DURATION), run_settled_at(run) -
		    run_started(run));
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_END: {
		size_t count[SEQ_STATE_COUNT] = { 0 };
		for (size_t i = 0; i < run_seq_count(run); i++)
			/* A placeholder that grew: replaced by its
			 * sequences, which are counted. */
			if (!run_seq(run, i)->grown)
				count[run_seq(run, i)->state]++;
		runlog_event_begin(&j, REC_RUN_END, ev->time);
		json_str(&j, RF(STATUS), ev->text ? ev->text :
		    (run_exit_status(run) == 0 ? "ok" : "failed"));
		json_int(&j, RF(EXIT_CODE), ev->exit_code);
		/* Until it settled: a dashboard left open on a finished run
		 * is not part of the run. */
		json_num(&j, RF(DURATION), (run_settled_at(run) > 0 ?
		    run_settled_at(run) : ev->time) - run_started(run));
		json_open(&j, RF(SEQUENCES));
		for (int s = 0; s < SEQ_STATE_COUNT; s++)
			json_int(&j, seq_state_name((enum seq_state)s),
			    (long long)count[s]);
		json_close(&j);
		runlog_event_end(rl, &j);
		break;
	}
	}
}

void
runlog_refused(struct runlog *rl, const char *why)
{
	struct json j;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	runlog_event_begin(&j, REC_REFUSED, (double)ts.tv_sec +
	    (double)ts.tv_nsec / 1e9);
	json_str(&j, RF(MESSAGE), why);
	runlog_event_end(rl, &j);
}

bool
runlog_is_run_id(const char *name)
{
	static const char shape[] = "dddddddd-dddddd";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd' ? (name[i] < '0' || name[i] > '9') :
		    name[i] != shape[i])
			return false;
	}
	if (name[i] == '\0')
		return true;
	if (name[i] != '-' || name[i + 1] == '\0')
		return false;
	for (i++; name[i] != '\0'; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

/* The -N of a run id; the first run of a second has none and is 1. */
static unsigned long
runlog_id_seq(const char *id)
{
	return id[15] == '-' ? strtoul(id + 16, NULL, 10) : 1;
}

int
runlog_id_cmp(const char *a, const char *b)
{
	int c = strncmp(a, b, 15);
	unsigned long na, nb;

	if (c != 0)
		return c;
	na = runlog_id_seq(a);
	nb = runlog_id_seq(b);
	return na < nb ? -1 : na > nb;
}

static int
runlog_cmp_desc(const void *a, const void *b)
{
	return runlog_id_cmp(*(char *const *)b, *(char *const *)a);
}

static int
runlog_cmp_asc(const void *a, const void *b)
{
	return runlog_id_cmp(*(char *const *)a, *(char *const *)b);
}

/* runlog_live for a run directory open as dir_fd. */
static bool
runlog_live_at(int dir_fd)
{
	int fd = fsat_open(dir_fd, "events.jsonl", O_RDONLY, 0);
	bool live = false;

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
		live = true;
	close(fd);
	return live;
}

bool
runlog_live(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool live;

	if (fd < 0)
		return false;
	live = runlog_live_at(fd);
	close(fd);
	return live;
}

size_t
runlog_ids_at(int log_fd, bool oldest_first, char ***ids)
{
	int fd = fcntl(log_fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	size_t n = 0, cap = 0;

	*ids = NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		if (!runlog_is_run_id(e->d_name))
			continue;
		*ids = xreallocarray_grow(*ids, &cap, n + 1, sizeof **ids);
		(*ids)[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(*ids, n, sizeof **ids,
		    oldest_first ? runlog_cmp_asc : runlog_cmp_desc);
	return n;
}

size_t
runlog_list(const char *log_dir, char ***ids)
{
	int fd = open(log_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n;

	*ids = NULL;
	if (fd < 0)
		return 0;
	n = runlog_ids_at(fd, false, ids);
	close(fd);
	return n;
}

/* rm -r of `name` beneath dir_fd, one directory descriptor at a time and
 * never through a symlink, so that nothing renamed or planted meanwhile
 * makes it remove anything outside. Run directories are shallow: depth
 * beyond a few levels is not drove's and is left. */
static int
runlog_rm_at(int dir_fd, const char *name, int depth)
{
	int fd, rc = 0;
	DIR *d;
	struct dirent *e;

	if (unlinkat(dir_fd, name, 0) == 0)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	if (depth > 4)
		return -1;
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (runlog_rm_at(dirfd(d), e->d_name, depth + 1) != 0)
			rc = -1;
	}
	closedir(d);
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) != 0)
		rc = -1;
	return rc;
}

/* runlog_prune in a log directory open as log_fd. Only directories of
 * this user are ever removed: a shared log directory holds others'. */
static size_t
runlog_prune_at(int log_fd, unsigned keep, const char *current)
{
	char **ids;
	size_t n, kept = 0, removed = 0;
	struct stat st;
	int fd;

	if (keep == 0)
		return 0;
	n = runlog_ids_at(log_fd, false, &ids);
	for (size_t i = 0; i < n; i++) {
		if (current != NULL && strcmp(ids[i], current) == 0)
			kept++;
		else if (fstatat(log_fd, ids[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			; /* not a run directory of ours */
		else if (kept < keep)
			kept++;
		else if ((fd = openat(log_fd, ids[i], O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			;
		else {
			if (runlog_live_at(fd))
				kept++;
			else if (runlog_rm_at(log_fd, ids[i], 0) == 0)
				removed++;
			close(fd);
		}
		free(ids[i]);
	}
	free(ids);
	return removed;
}

size_t
runlog_prune(const char *log_dir, unsigned keep, const char *current)
{
	int fd = open(log_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n;

	if (fd < 0)
		return 0;
	n = runlog_prune_at(fd, keep, current);
	close(fd);
	return n;
}

/* May drove write in this log directory? Its own (not writable by
 * others), or a sticky one like /tmp, where nobody can rename or remove
 * what another made: then the run directory drove makes fresh and
 * exclusively is its own. Anything else lets another user swap the run
 * directory for one full of symlinks. */
static int
runlog_check_log_dir(int fd, const char *log_dir, char **err)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		*err = xasprintf("log directory %s: %s", log_dir,
		    strerror(errno));
		return -1;
	}
	if (st.st_mode & S_ISVTX)
		return 0;
	if (st.st_uid != geteuid()) {
		*err = xasprintf("log directory %s belongs to another user "
		    "(uid %ld): refused, as another user could swap the "
		    "run's files for symlinks; use a directory of your own "
		    "(--log-dir or settings.log_dir)", log_dir,
		    (long)st.st_uid);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*err = xasprintf("log directory %s is writable by %s: "
		    "refused, as another user could swap the run's files "
		    "for symlinks; chmod go-w it, or make it sticky "
		    "(chmod +t) as /tmp is", log_dir,
		    (st.st_mode & S_IWOTH) ? "others" : "its group");
		return -1;
	}
	return 0;
}

static int
runlog_make_dir(struct runlog *rl, const char *log_dir, char **err)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	unsigned long next = 1;
	char **ids;
	size_t n;

	if (runlog_mkdirs(log_dir) != 0) {
		*err = xasprintf("cannot create log directory %s: %s",
		    log_dir, strerror(errno));
		return -1;
	}
	rl->log_fd = open(log_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rl->log_fd < 0) {
		*err = xasprintf("cannot open log directory %s: %s", log_dir,
		    strerror(errno));
		return -1;
	}
	if (runlog_check_log_dir(rl->log_fd, log_dir, err) != 0)
		return -1;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	/* Two runs in the same second get -2, -3, ...: always one past the
	 * highest there, so a new run sorts last even after pruning. */
	n = runlog_ids_at(rl->log_fd, false, &ids);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(ids[i], stamp, 15) == 0 &&
		    runlog_id_seq(ids[i]) >= next)
			next = runlog_id_seq(ids[i]) + 1;
		free(ids[i]);
	}
	free(ids);
	/* Made here, now, by drove (mkdir fails on anything that is
	 * there, a symlink included): then opened without following. */
	for (int tries = 0; tries < 1000; tries++, next++) {
		free(rl->id);
		rl->id = next == 1 ? xstrdup(stamp) :
		    xasprintf("%s-%lu", stamp, next);
		free(rl->dir);
		rl->dir = xasprintf("%s/%s", log_dir, rl->id);
		if (mkdirat(rl->log_fd, rl->id, 0700) == 0) {
			rl->dir_fd = openat(rl->log_fd, rl->id, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (rl->dir_fd >= 0)
				return 0;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	*err = xasprintf("cannot create run directory %s: %s", rl->dir,
	    strerror(errno));
	return -1;
}

static void
runlog_link_latest(struct runlog *rl)
{
	char *tmp = xasprintf(".latest.%d", (int)getpid());

	/* symlink + rename: readers never see it missing. Neither follows
	 * a symlink; a `latest` that is not a symlink (someone else's) is
	 * left alone, and readers then take the newest run. */
	unlinkat(rl->log_fd, tmp, 0);
	if (symlinkat(rl->id, rl->log_fd, tmp) == 0 &&
	    renameat(rl->log_fd, tmp, rl->log_fd, "latest") != 0)
		unlinkat(rl->log_fd, tmp, 0);
	free(tmp);
}

/* A run directory that could not be made whole is no run: remove what
 * was made of it (nothing else is there yet), and free rl. */
static void
runlog_abandon(struct runlog *rl)
{
	if (rl->dir_fd >= 0 && rl->id != NULL)
		runlog_rm_at(rl->log_fd, rl->id, 0);
	runlog_free(rl);
}

/* What the record keeps per sequence, for sequences n_seqs to n (all
 * of them at first; those a fan-out adds later). */
static void
runlog_add_seqs(struct runlog *rl, size_t n)
{
	const struct config *cfg = run_config(rl->run);
	size_t from = rl->n_seqs, m = n ? n : 1;

	if (n <= from && rl->step_fd != NULL)
		return;
#define RUNLOG_GROW(a) (rl->a = xrealloc(rl->a, m * sizeof *rl->a), \
	memset(&rl->a[from], 0, (m - from) * sizeof *rl->a))
	RUNLOG_GROW(step_fd);
	RUNLOG_GROW(cap);
	RUNLOG_GROW(step_path);
	RUNLOG_GROW(dropped);
	RUNLOG_GROW(times_fd);
	RUNLOG_GROW(log_due);
	RUNLOG_GROW(log_bytes);
	RUNLOG_GROW(seq_dir_made);
	RUNLOG_GROW(seq_state);
	RUNLOG_GROW(offset);
	RUNLOG_GROW(seq_dirs);
#undef RUNLOG_GROW
	for (size_t i = from; i < n; i++) {
		char *slug = runlog_slug(cfg->seqs[i].name);
		rl->step_fd[i] = rl->times_fd[i] = rl->seq_state[i] = -1;
		/* Names may be longer than a file name can be (255 bytes):
		 * the record keeps them whole, the number keeps them apart. */
		if (strlen(slug) > RUNLOG_NAME_MAX)
			slug[RUNLOG_NAME_MAX] = '\0';
		/* Made with its first log (runlog_log_make): a sequence
		 * whose steps print nothing costs no directory. */
		rl->seq_dirs[i] = xasprintf("%0*zu-%s", rl->width, i + 1, slug);
		free(slug);
	}
	rl->n_seqs = n;
}

/* A fan-out made sequences: their places in the record, before their
 * events. */
static void
runlog_grow(struct runlog *rl, const struct run_event *ev)
{
	runlog_add_seqs(rl, ev->first + ev->count);
}

struct runlog *
runlog_create(struct run *run, const char *config_path, const char *log_dir,
    char **err)
{
	struct runlog *rl = xcalloc(1, sizeof *rl);
	size_t n = run_seq_count(run);

	rl->run = run;
	rl->events_fd = rl->log_fd = rl->dir_fd = -1;
	if (config_path != NULL)
		rl->config_abs = realpath(config_path, NULL);
	if (runlog_make_dir(rl, log_dir, err) != 0) {
		runlog_abandon(rl);
		return NULL;
	}
	rl->width = 2;
	for (size_t m = n; m >= 100; m /= 10)
		rl->width++;
	runlog_add_seqs(rl, n);
	if (config_path != NULL &&
	    runlog_copy_file(config_path, rl->dir_fd, "config.yaml") != 0)
		fprintf(stderr, "drove: cannot copy %s to %s/config.yaml: %s\n",
		    config_path, rl->dir, strerror(errno));
	rl->events_fd = fsat_open(rl->dir_fd, "events.jsonl",
	    O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0600);
	if (rl->events_fd < 0) {
		*err = xasprintf("cannot create %s/events.jsonl: %s", rl->dir,
		    strerror(errno));
		runlog_abandon(rl);
		return NULL;
	}
	/* Held until drove exits: tells runlog_prune of other drove runs
	 * sharing the log directory that this one is alive. */
	flock(rl->events_fd, LOCK_EX | LOCK_NB);
	runlog_link_latest(rl);
	runlog_prune_at(rl->log_fd, run_config(run)->keep_runs, rl->id);
	run_add_observer(run, runlog_observe, rl);
	return rl;
}

void
runlog_free(struct runlog *rl)
{
	if (rl == NULL)
		return;
	if (rl->step_fd != NULL) {
		for (size_t i = 0; i < rl->n_seqs; i++) {
			runlog_close_step(rl, i);
			free(rl->seq_dirs[i]);
			free(rl->step_path[i]);
		}
	}
	if (rl->events_fd >= 0)
		close(rl->events_fd);
	if (rl->dir_fd >= 0)
		close(rl->dir_fd);
	if (rl->log_fd >= 0)
		close(rl->log_fd);
	free(rl->step_fd);
	free(rl->cap);
	free(rl->step_path);
	free(rl->dropped);
	free(rl->times_fd);
	free(rl->log_due);
	free(rl->log_bytes);
	free(rl->seq_dir_made);
	free(rl->seq_state);
	free(rl->offset);
	free(rl->seq_dirs);
	free(rl->id);
	free(rl->dir);
	free(rl->config_abs);
	free(rl->problem);
	free(rl);
}

const char *
runlog_problem(const struct runlog *rl)
{
	return rl->problem;
}

void
runlog_set_quiet(struct runlog *rl, bool quiet)
{
	rl->quiet = quiet;
}

const char *
runlog_dir(const struct runlog *rl)
{
	return rl->dir;
}

char *
runlog_step_path(const struct runlog *rl, size_t seq, size_t step,
    unsigned attempt)
{
	const struct run_seq *s = run_seq(rl->run, seq);
	char *slug = runlog_slug(s->steps[step].name);
	char *path;

	/* Step names can be whole commands: keep the file name short. */
	if (strlen(slug) > RUNLOG_NAME_MAX)
		slug[RUNLOG_NAME_MAX] = '\0';
	path = xasprintf("%s/%0*zu-%s.%u.log", rl->seq_dirs[seq], rl->width,
	    step + 1, slug, attempt);
	free(slug);
	return path;
}
