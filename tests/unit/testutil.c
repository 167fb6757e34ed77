/* testutil.c: scratch directories, file helpers and a run on the loop,
 * for the unit tests. */
#include "testutil.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "container_of.h"
#include "runlog.h"
#include "xmalloc.h"

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path = xasprintf("%s/drove-test.XXXXXX", base ? base : "/tmp");

	if (mkdtemp(path) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return path;
}

static int
tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
tu_rmrf(const char *path)
{
	nftw(path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (fp == NULL)
		return NULL;
	do {
		buf = xreallocarray_grow(buf, &cap, n + 65536 + 1, 1);
		got = fread(buf + n, 1, 65536, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void
tu_write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		perror(path);
		abort();
	}
	fputs(text, fp);
	fclose(fp);
}

size_t
tu_count(const char *haystack, const char *needle)
{
	size_t n = 0, nl = strlen(needle);
	const char *p = haystack;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += nl;
	}
	return n;
}

bool
tu_pid_alive(pid_t pid)
{
	char path[64], *stat, *p;
	bool alive;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	stat = tu_read_file(path, NULL);
	if (stat == NULL)
		return false;
	/* "pid (comm) S ...": the state follows the last ')'. */
	p = strrchr(stat, ')');
	alive = p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	free(stat);
	return alive;
}

pid_t
tu_read_pid(const char *path)
{
	char *text = tu_read_file(path, NULL);
	long v;

	if (text == NULL)
		return 0;
	v = strtol(text, NULL, 10);
	free(text);
	return (pid_t)v;
}

/* --- a run on the loop --------------------------------------------------- */

static void
tu_world_count_active(struct tu_world *w)
{
	w->active = 0;
	for (size_t i = 0; i < run_seq_count(w->run); i++) {
		enum seq_state st = run_seq(w->run, i)->state;
		if (st == SEQ_RUNNING || st == SEQ_PAUSED)
			w->active++;
	}
	if (w->active > w->max_active)
		w->max_active = w->active;
}

static void
tu_world_observe(void *arg, struct run *run, const struct run_event *ev)
{
	struct tu_world *w = arg;
	const struct run_seq *seq = NULL;
	const char *name = "";

	if (ev->type != RUN_EV_START && ev->type != RUN_EV_IDLE &&
	    ev->type != RUN_EV_END) {
		seq = run_seq(run, ev->seq);
		name = seq->name;
	}
	switch (ev->type) {
	case RUN_EV_STEP_START:
		w->idle = false;
		strbuf_printf(&w->log, "start %s/%zu #%u\n", name,
		    ev->step + 1, ev->attempt);
		break;
	case RUN_EV_STEP_END:
		strbuf_printf(&w->log, "end %s/%zu #%u %s %d\n", name,
		    ev->step + 1, ev->attempt,
		    step_status_name(seq->steps[ev->step].status),
		    seq->steps[ev->step].exit_code);
		break;
	case RUN_EV_SEQ:
		strbuf_printf(&w->log, "seq %s %s\n", name,
		    seq_state_name(seq->state));
		tu_world_count_active(w);
		break;
	case RUN_EV_LINE:
		if (!(ev->line->flags & OUTBUF_MARK))
			strbuf_printf(&w->log, "line %s: %.*s\n", name,
			    (int)ev->line->len, ev->line->text);
		break;
	case RUN_EV_NOTICE:
		strbuf_printf(&w->log, "notice %s: %s\n", name, ev->text);
		break;
	case RUN_EV_CAPTURE:
		strbuf_printf(&w->log, "capture %s/%zu %s\n", name,
		    ev->step + 1, ev->text ? ev->text : "(secret)");
		break;
	case RUN_EV_ACTION:
		strbuf_printf(&w->log, "action %s %s\n", name,
		    run_action_name(ev->action));
		break;
	case RUN_EV_IDLE:
		w->idle = true;
		strbuf_puts(&w->log, "idle\n");
		break;
	case RUN_EV_GROW:
		strbuf_printf(&w->log, "grow %s %zu\n", name, ev->count);
		break;
	default:
		break;
	}
}

static void
tu_world_guard_cb(EV_P_ ev_timer *t, int revents)
{
	struct tu_world *w = container_of(t, struct tu_world, guard);

	(void)EV_A;
	(void)revents;
	w->guard_fired = true;
}

static void
tu_world_poll_cb(EV_P_ ev_timer *t, int revents)
{
	(void)EV_A;
	(void)t;
	(void)revents;
}

struct tu_world *
tu_world_new(const char *yaml, bool interactive)
{
	struct tu_world *w = xcalloc(1, sizeof *w);
	struct run_options opt = { .interactive = interactive,
		                   .max_parallel = -1 };
	char *err = NULL;
	struct cfg_kv set;

	w->dir = tu_tmpdir();
	set.name = xstrdup("T");
	set.value = w->dir;
	if (config_load_string("test.yaml", yaml, &set, 1, &w->cfg,
	    &err) != 0) {
		fprintf(stderr, "config: %s\n", err);
		fail();
	}
	free(set.name);
	w->run = run_create(w->cfg, &opt);
	run_set_ssh_dir(w->run, w->dir);
	run_add_observer(w->run, tu_world_observe, w);
	ev_init(&w->guard, tu_world_guard_cb);
	ev_timer_init(&w->poll, tu_world_poll_cb, 0.01, 0.01);
	return w;
}

const char *
tu_world_log(const struct tu_world *w)
{
	return strbuf_str(&w->log);
}

void
tu_world_until(struct tu_world *w, bool (*cond)(struct tu_world *))
{
	ev_now_update(EV_DEFAULT);
	ev_timer_set(&w->guard, 60., 0.);
	ev_timer_start(EV_DEFAULT_ &w->guard);
	if (cond != NULL)
		ev_timer_again(EV_DEFAULT_ &w->poll);
	while (!w->guard_fired && !(cond ? cond(w) : w->idle))
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	ev_timer_stop(EV_DEFAULT_ &w->guard);
	ev_timer_stop(EV_DEFAULT_ &w->poll);
	if (w->guard_fired) {
		fprintf(stderr, "transcript:\n%s", tu_world_log(w));
		fail_msg("the run did not get there within 60 s");
	}
}

static bool
tu_world_disconnected(struct tu_world *w)
{
	return !run_disconnecting(w->run);
}

void
tu_world_free(struct tu_world *w)
{
	run_stop_all(w->run, "test over");
	w->idle = run_settled(w->run);
	tu_world_until(w, NULL);
	run_disconnect(w->run);
	tu_world_until(w, tu_world_disconnected);
	runlog_free(w->rl);
	run_free(w->run);
	config_free(w->cfg);
	tu_rmrf(w->dir);
	free(w->dir);
	strbuf_free(&w->log);
	free(w);
}

/* What the tu_world_until conditions below wait for. */
static const char *tu_world_wanted;
static pid_t tu_world_dying;

static bool
tu_world_has_text(struct tu_world *w)
{
	return strstr(tu_world_log(w), tu_world_wanted) != NULL;
}

void
tu_world_wait_log(struct tu_world *w, const char *text)
{
	tu_world_wanted = text;
	tu_world_until(w, tu_world_has_text);
}

static bool
tu_world_dead(struct tu_world *w)
{
	(void)w;
	return !tu_pid_alive(tu_world_dying);
}

void
tu_world_wait_dead(struct tu_world *w, pid_t pid)
{
	assert_true(pid > 0);
	tu_world_dying = pid;
	tu_world_until(w, tu_world_dead);
}

char *
tu_world_read(struct tu_world *w, const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", w->dir, name);
	char *text = tu_read_file(path, len);

	free(path);
	return text;
}

char *
tu_world_file(struct tu_world *w, const char *name)
{
	return tu_world_read(w, name, NULL);
}

void
tu_world_write(struct tu_world *w, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", w->dir, name);

	tu_write_file(path, text);
	free(path);
}

bool
tu_world_exists(struct tu_world *w, const char *name)
{
	char *path = xasprintf("%s/%s", w->dir, name);
	bool yes = access(path, F_OK) == 0;

	free(path);
	return yes;
}

pid_t
tu_world_pid(struct tu_world *w, const char *name)
{
	char *text = tu_world_file(w, name);
	int pid = text != NULL ? atoi(text) : 0;

	free(text);
	return pid > 0 ? (pid_t)pid : 0;
}

static bool
tu_world_has_pid(struct tu_world *w)
{
	return tu_world_pid(w, tu_world_wanted) > 0;
}

pid_t
tu_world_wait_pid(struct tu_world *w, const char *name)
{
	tu_world_wanted = name;
	tu_world_until(w, tu_world_has_pid);
	return tu_world_pid(w, name);
}

void
tu_assert_in_order(const char *log, const char *a, const char *b)
{
	const char *pa = strstr(log, a), *pb = strstr(log, b);

	if (pa == NULL || pb == NULL || pa > pb) {
		fprintf(stderr, "transcript:\n%s", log);
		fail_msg("expected '%s' before '%s'", a, b);
	}
}

void
tu_assert_has(const char *log, const char *text)
{
	if (log == NULL || strstr(log, text) == NULL) {
		fprintf(stderr, "transcript:\n%s", log ? log : "(none)");
		fail_msg("expected '%s'", text);
	}
}

void
tu_assert_same_bytes(const char *got, size_t got_len, const char *want,
    size_t want_len, size_t size)
{
	assert_non_null(got);
	assert_non_null(want);
	assert_int_equal(want_len, size);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
}
