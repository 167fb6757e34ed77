/* runlog.c: writing the run directory and its event log. */
#include "runlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "run.h"
#include "xmalloc.h"

struct runlog {
	struct run *run;
	char *id;
	char *dir;            /* LOG_DIR/RUN_ID */
	int events_fd;
	int *step_fd;         /* per sequence: the open attempt log, or -1 */
	int width;            /* digits in NN */
	char **seq_dirs;      /* per sequence: NN-SEQ (relative) */
	bool write_failed;    /* reported once */
};

char *
runlog_slug(const char *name)
{
	size_t n = strlen(name), o = 0;
	char *s = xmalloc(n + 2);
	bool dash = false;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
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
	return s;
}

/* mkdir -p with mode 0700 for what it creates. */
static int
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

/* Write all of buf, retrying short writes. */
static int
runlog_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
runlog_write_failed(struct runlog *rl, const char *what)
{
	if (rl->write_failed)
		return;
	rl->write_failed = true;
	fprintf(stderr, "drove: writing %s in %s: %s\n", what, rl->dir,
	    strerror(errno));
}

static int
runlog_copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out, rc = 0;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (runlog_write_all(out, buf, (size_t)n) != 0)
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

static void
runlog_event_begin(struct json *j, const char *event, double t)
{
	char iso[48];

	json_init(j);
	json_str(j, "event", event);
	runlog_iso_time(t, iso, sizeof iso);
	json_str(j, "time", iso);
	json_num(j, "ts", t);
}

static void
runlog_event_end(struct runlog *rl, struct json *j)
{
	json_end(j);
	if (runlog_write_all(rl->events_fd, j->buf, j->len) != 0)
		runlog_write_failed(rl, "events.jsonl");
	json_free(j);
}

static void
runlog_seq_fields(struct json *j, const struct run_seq *seq)
{
	json_str(j, "seq", seq->cfg->name);
	json_int(j, "seq_index", (long long)seq->index);
}

static void
runlog_step_fields(struct runlog *rl, struct json *j,
    const struct run_seq *seq, size_t step, unsigned attempt)
{
	char *path;

	runlog_seq_fields(j, seq);
	if (step >= seq->cfg->n_steps)
		return;
	json_str(j, "step", seq->cfg->steps[step].name);
	json_int(j, "step_index", (long long)step);
	json_int(j, "attempt", attempt);
	if (seq->cfg->steps[step].kind == CFG_STEP_RUN && attempt > 0) {
		path = runlog_step_path(rl, seq->index, step, attempt);
		json_str(j, "log", path);
		free(path);
	}
}

static void
runlog_step_start(struct runlog *rl, const struct run_event *ev)
{
	const struct run_seq *seq = run_seq(rl->run, ev->seq);
	const struct cfg_step *cs = &seq->cfg->steps[ev->step];
	struct json j;
	char *rel, *path;

	runlog_event_begin(&j, "step_start", ev->time);
	runlog_step_fields(rl, &j, seq, ev->step, ev->attempt);
	if (cs->kind == CFG_STEP_RUN)
		json_str(&j, "run", cs->run);
	else
		json_num(&j, "sleep", cs->sleep);
	runlog_event_end(rl, &j);

	if (cs->kind != CFG_STEP_RUN)
		return;
	rel = runlog_step_path(rl, ev->seq, ev->step, ev->attempt);
	path = xasprintf("%s/%s", rl->dir, rel);
	if (rl->step_fd[ev->seq] >= 0)
		close(rl->step_fd[ev->seq]);
	rl->step_fd[ev->seq] = open(path,
	    O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (rl->step_fd[ev->seq] < 0)
		runlog_write_failed(rl, rel);
	free(rel);
	free(path);
}

static void
runlog_step_end(struct runlog *rl, const struct run_event *ev)
{
	const struct run_seq *seq = run_seq(rl->run, ev->seq);
	const struct run_step *step = &seq->steps[ev->step];
	struct json j;

	if (rl->step_fd[ev->seq] >= 0) {
		close(rl->step_fd[ev->seq]);
		rl->step_fd[ev->seq] = -1;
	}
	runlog_event_begin(&j, "step_end", ev->time);
	runlog_step_fields(rl, &j, seq, ev->step, ev->attempt);
	json_str(&j, "status", run_step_status_name(step->status));
	if (step->exit_code >= 0)
		json_int(&j, "exit_code", step->exit_code);
	else
		json_null(&j, "exit_code");
	if (step->signal > 0) {
		json_int(&j, "signal", step->signal);
		json_str(&j, "signal_name", sigabbrev_np(step->signal));
	}
	json_num(&j, "duration", step->ended - step->started);
	runlog_event_end(rl, &j);
}

static void
runlog_observe(void *arg, struct run *run, const struct run_event *ev)
{
	struct runlog *rl = arg;
	const struct run_seq *seq = NULL;
	struct json j;

	if (ev->type != RUN_EV_START && ev->type != RUN_EV_IDLE &&
	    ev->type != RUN_EV_END)
		seq = run_seq(run, ev->seq);

	switch (ev->type) {
	case RUN_EV_START:
		runlog_event_begin(&j, "run_start", ev->time);
		json_str(&j, "run_id", rl->id);
		json_str(&j, "config", run_config(run)->path);
		json_int(&j, "pid", (long long)getpid());
		json_int(&j, "sequences", (long long)run_seq_count(run));
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_SEQ:
		runlog_event_begin(&j, "seq_state", ev->time);
		runlog_seq_fields(&j, seq);
		json_str(&j, "state", run_seq_state_name(seq->state));
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_STEP_START:
		runlog_step_start(rl, ev);
		break;
	case RUN_EV_OUTPUT:
		if (rl->step_fd[ev->seq] >= 0 &&
		    runlog_write_all(rl->step_fd[ev->seq], ev->data,
		    ev->len) != 0)
			runlog_write_failed(rl, "a step log");
		break;
	case RUN_EV_LINE:
		break;
	case RUN_EV_STEP_END:
		runlog_step_end(rl, ev);
		break;
	case RUN_EV_ACTION:
		runlog_event_begin(&j, ev->action, ev->time);
		runlog_step_fields(rl, &j, seq, ev->step, ev->attempt);
		json_bool(&j, "operator", true);
		if (ev->text != NULL)
			json_str(&j, "reason", ev->text);
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_NOTICE:
		runlog_event_begin(&j, "notice", ev->time);
		runlog_seq_fields(&j, seq);
		json_str(&j, "message", ev->text);
		runlog_event_end(rl, &j);
		break;
	case RUN_EV_IDLE:
		break;
	case RUN_EV_END: {
		size_t count[SEQ_ABORTED + 1] = { 0 };
		for (size_t i = 0; i < run_seq_count(run); i++)
			count[run_seq(run, i)->state]++;
		runlog_event_begin(&j, "run_end", ev->time);
		json_str(&j, "status", ev->text ? ev->text :
		    (run_exit_status(run) == 0 ? "ok" : "failed"));
		json_int(&j, "exit_code", run_exit_status(run));
		json_num(&j, "duration", ev->time - run_started(run));
		json_open(&j, "sequences");
		for (int s = SEQ_WAITING; s <= SEQ_ABORTED; s++)
			json_int(&j, run_seq_state_name((enum seq_state)s),
			    (long long)count[s]);
		json_close(&j);
		runlog_event_end(rl, &j);
		break;
	}
	}
}

static int
runlog_make_dir(struct runlog *rl, const char *log_dir, char **err)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (runlog_mkdirs(log_dir) != 0) {
		*err = xasprintf("cannot create log directory %s: %s",
		    log_dir, strerror(errno));
		return -1;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	/* Two runs in the same second get -2, -3, ... */
	for (int n = 1; n < 1000; n++) {
		free(rl->id);
		rl->id = n == 1 ? xstrdup(stamp) : xasprintf("%s-%d", stamp, n);
		free(rl->dir);
		rl->dir = xasprintf("%s/%s", log_dir, rl->id);
		if (mkdir(rl->dir, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	*err = xasprintf("cannot create run directory %s: %s", rl->dir,
	    strerror(errno));
	return -1;
}

static void
runlog_link_latest(struct runlog *rl, const char *log_dir)
{
	char *tmp = xasprintf("%s/.latest.%d", log_dir, (int)getpid());
	char *latest = xasprintf("%s/latest", log_dir);

	/* symlink + rename: readers never see it missing. */
	unlink(tmp);
	if (symlink(rl->id, tmp) == 0 && rename(tmp, latest) != 0)
		unlink(tmp);
	free(tmp);
	free(latest);
}

struct runlog *
runlog_create(struct run *run, const char *config_path, const char *log_dir,
    char **err)
{
	struct runlog *rl = xcalloc(1, sizeof *rl);
	const struct config *cfg = run_config(run);
	size_t n = run_seq_count(run);
	char *path;

	rl->run = run;
	rl->events_fd = -1;
	if (runlog_make_dir(rl, log_dir, err) != 0) {
		runlog_free(rl);
		return NULL;
	}
	rl->width = 2;
	for (size_t m = n; m >= 100; m /= 10)
		rl->width++;
	rl->step_fd = xcalloc(n ? n : 1, sizeof *rl->step_fd);
	rl->seq_dirs = xcalloc(n ? n : 1, sizeof *rl->seq_dirs);
	for (size_t i = 0; i < n; i++) {
		char *slug = runlog_slug(cfg->seqs[i].name);
		rl->step_fd[i] = -1;
		rl->seq_dirs[i] = xasprintf("%0*zu-%s", rl->width, i + 1, slug);
		free(slug);
		path = xasprintf("%s/%s", rl->dir, rl->seq_dirs[i]);
		if (mkdir(path, 0700) != 0) {
			*err = xasprintf("cannot create %s: %s", path,
			    strerror(errno));
			free(path);
			runlog_free(rl);
			return NULL;
		}
		free(path);
	}
	path = xasprintf("%s/config.yaml", rl->dir);
	if (config_path != NULL && runlog_copy_file(config_path, path) != 0)
		fprintf(stderr, "drove: cannot copy %s to %s: %s\n",
		    config_path, path, strerror(errno));
	free(path);
	path = xasprintf("%s/events.jsonl", rl->dir);
	rl->events_fd = open(path,
	    O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0600);
	if (rl->events_fd < 0) {
		*err = xasprintf("cannot create %s: %s", path,
		    strerror(errno));
		free(path);
		runlog_free(rl);
		return NULL;
	}
	free(path);
	runlog_link_latest(rl, log_dir);
	run_add_observer(run, runlog_observe, rl);
	return rl;
}

void
runlog_free(struct runlog *rl)
{
	if (rl == NULL)
		return;
	if (rl->step_fd != NULL) {
		for (size_t i = 0; i < run_seq_count(rl->run); i++) {
			if (rl->step_fd[i] >= 0)
				close(rl->step_fd[i]);
			free(rl->seq_dirs[i]);
		}
	}
	if (rl->events_fd >= 0)
		close(rl->events_fd);
	free(rl->step_fd);
	free(rl->seq_dirs);
	free(rl->id);
	free(rl->dir);
	free(rl);
}

const char *
runlog_id(const struct runlog *rl)
{
	return rl->id;
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
	char *slug = runlog_slug(s->cfg->steps[step].name);
	char *path;

	/* Step names can be whole commands: keep the file name short. */
	if (strlen(slug) > 48)
		slug[48] = '\0';
	path = xasprintf("%s/%0*zu-%s.%u.log", rl->seq_dirs[seq], rl->width,
	    step + 1, slug, attempt);
	free(slug);
	return path;
}
