/* test_runread.c: reading run directories back, damaged ones included,
 * and choosing a run by id, prefix or `latest`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "logidx.h"
#include "runlog.h"
#include "runread.h"
#include "testutil.h"
#include "xmalloc.h"

static const char *events_ok =
    "{\"event\":\"run_start\",\"time\":\"x\",\"ts\":100.000,\"run_id\":\"r\","
    "\"config\":\"/etc/hosts.yaml\",\"pid\":1,\"sequences\":["
    "{\"name\":\"web1\",\"steps\":[\"mount\",\"install\",\"never\"]},"
    "{\"name\":\"web2\",\"steps\":[\"mount\"]}]}\n"
    "{\"event\":\"seq_state\",\"ts\":100.1,\"seq\":\"web1\",\"seq_index\":0,\"state\":\"running\"}\n"
    "{\"event\":\"step_start\",\"ts\":100.1,\"seq\":\"web1\",\"seq_index\":0,\"step\":\"mount\",\"step_index\":0,\"attempt\":1,\"log\":\"01-web1/01-mount.1.log\",\"run\":\"m\"}\n"
    "{\"event\":\"step_end\",\"ts\":101.1,\"seq\":\"web1\",\"seq_index\":0,\"step\":\"mount\",\"step_index\":0,\"attempt\":1,\"log\":\"01-web1/01-mount.1.log\",\"status\":\"failed\",\"exit_code\":32,\"duration\":1.0}\n"
    "{\"event\":\"retry\",\"ts\":105.0,\"seq\":\"web1\",\"seq_index\":0,\"step\":\"mount\",\"step_index\":0,\"attempt\":1,\"operator\":true}\n"
    "{\"event\":\"step_start\",\"ts\":105.0,\"seq\":\"web1\",\"seq_index\":0,\"step\":\"mount\",\"step_index\":0,\"attempt\":2,\"log\":\"01-web1/01-mount.2.log\",\"run\":\"m\"}\n"
    "{\"event\":\"step_end\",\"ts\":106.0,\"seq\":\"web1\",\"seq_index\":0,\"step\":\"mount\",\"step_index\":0,\"attempt\":2,\"status\":\"ok\",\"exit_code\":0,\"duration\":1.0}\n"
    "{\"event\":\"step_start\",\"ts\":106.0,\"seq\":\"web1\",\"seq_index\":0,\"step\":\"install\",\"step_index\":1,\"attempt\":1,\"log\":\"01-web1/02-install.1.log\",\"run\":\"i\"}\n"
    "{\"event\":\"step_end\",\"ts\":107.0,\"seq\":\"web1\",\"seq_index\":0,\"step\":\"install\",\"step_index\":1,\"attempt\":1,\"status\":\"killed\",\"exit_code\":null,\"signal\":15,\"signal_name\":\"TERM\",\"duration\":1.0}\n"
    "{\"event\":\"seq_state\",\"ts\":107.0,\"seq\":\"web1\",\"seq_index\":0,\"state\":\"failed\"}\n"
    "{\"event\":\"seq_state\",\"ts\":107.0,\"seq\":\"web2\",\"seq_index\":1,\"state\":\"ok\"}\n"
    "{\"event\":\"run_end\",\"ts\":110.0,\"status\":\"failed\",\"exit_code\":1,\"duration\":10.0}\n";

static char *
mkrun(const char *base, const char *id, const char *events)
{
	char *dir = xasprintf("%s/%s", base, id), *path;

	mkdir(dir, 0700);
	path = xasprintf("%s/events.jsonl", dir);
	tu_write_file(path, events);
	free(path);
	return dir;
}

static void
test_load_complete_run(void **state)
{
	char *base = tu_tmpdir(), *dir, *err = NULL;
	struct rr_run *run;
	const struct rr_seq *seq;

	(void)state;
	dir = mkrun(base, "20261126-010203", events_ok);
	run = runread_load(dir, &err);
	assert_non_null(run);
	assert_string_equal(run->id, "20261126-010203");
	assert_string_equal(run->config, "/etc/hosts.yaml");
	assert_true(run->ended);
	assert_string_equal(run->status, "failed");
	assert_int_equal(run->exit_code, 1);
	assert_int_equal(run->n_warnings, 0);
	assert_int_equal(run->n_seqs, 2);
	seq = runread_find_seq(run, "web1");
	assert_non_null(seq);
	assert_ptr_equal(runread_find_seq(run, "1"), seq);
	assert_null(runread_find_seq(run, "web9"));
	assert_true(seq->stated);
	assert_int_equal(seq->state, SEQ_FAILED);
	assert_int_equal(seq->n_steps, 3);
	assert_int_equal(seq->steps[0].n_attempts, 2);
	assert_int_equal(seq->steps[0].attempts[0].exit_code, 32);
	assert_int_equal(seq->steps[0].attempts[0].status, STEP_FAILED);
	assert_string_equal(seq->steps[0].attempts[1].log,
	    "01-web1/01-mount.2.log");
	assert_int_equal(seq->steps[0].status, STEP_OK);
	assert_int_equal(seq->steps[1].status, STEP_KILLED);
	assert_int_equal(seq->steps[1].attempts[0].signal, 15);
	assert_int_equal(seq->steps[1].attempts[0].exit_code, -1);
	assert_int_equal(seq->steps[2].status, STEP_PENDING);
	assert_string_equal(seq->steps[2].name, "never");
	assert_int_equal(runread_find_step(seq, "install"), 1);
	assert_int_equal(runread_find_step(seq, "3"), 2);
	assert_int_equal(runread_find_step(seq, "4"), -1);
	assert_int_equal(seq->n_actions, 1);
	assert_int_equal(seq->actions[0].event, REC_ACTION);
	assert_int_equal(seq->actions[0].action, RUN_ACT_RETRY);
	assert_int_equal(seq->actions[0].step, 0);
	assert_true(seq->start == 100.1 && seq->end == 107.0);
	runread_free(run);
	free(dir);
	tu_rmrf(base);
	free(base);
}

/* A run killed outright: no run_end, the last line cut in half, and a
 * line of garbage in the middle. Everything else still shows. */
static void
test_damaged_run(void **state)
{
	char *base = tu_tmpdir(), *dir, *err = NULL, *events;
	struct rr_run *run;
	size_t cut;

	(void)state;
	cut = (size_t)(strstr(events_ok, "{\"event\":\"step_start\",\"ts\":106.0") -
	    events_ok);
	events = xasprintf("%.*s{\"event\": garbage\n%.60s", (int)cut,
	    events_ok, events_ok + cut);
	dir = mkrun(base, "20261126-010203", events);
	run = runread_load(dir, &err);
	assert_non_null(run);
	assert_false(run->ended);
	assert_true(run->cut_off);
	assert_string_equal(run->status, "interrupted");
	assert_int_equal(run->n_warnings, 2);
	assert_string_equal(run->warnings[0],
	    "events.jsonl:8: unreadable line (skipped)");
	assert_string_equal(run->warnings[1],
	    "events.jsonl:9: the last line is cut off (skipped)");
	assert_int_equal(run->seqs[0].steps[0].status, STEP_OK);
	assert_int_equal(run->seqs[0].steps[1].status, STEP_PENDING);
	assert_int_equal(run->seqs[0].state, SEQ_RUNNING);
	runread_free(run);
	free(events);
	free(dir);

	/* No events.jsonl at all: nothing to show, said plainly. */
	dir = xasprintf("%s/empty", base);
	mkdir(dir, 0700);
	assert_null(runread_load(dir, &err));
	assert_non_null(strstr(err, "events.jsonl: No such file or directory"));
	free(err);
	free(dir);
	tu_rmrf(base);
	free(base);
}

static void
test_resolve_and_list(void **state)
{
	char *base = tu_tmpdir(), *err = NULL, *p, **ids, *link;
	size_t n;

	(void)state;
	free(mkrun(base, "20261125-230000", events_ok));
	free(mkrun(base, "20261126-010203", events_ok));
	free(mkrun(base, "20261126-010203-2", events_ok));
	free(mkrun(base, "notarun", events_ok));
	link = xasprintf("%s/latest", base);
	assert_int_equal(symlink("20261126-010203-2", link), 0);

	n = runlog_list(base, &ids);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], "20261126-010203-2");
	assert_string_equal(ids[2], "20261125-230000");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);

	p = runread_resolve(base, "latest", &err);
	assert_non_null(p);
	assert_non_null(strstr(p, "/20261126-010203-2"));
	free(p);
	p = runread_resolve(base, "20261125", &err);
	assert_non_null(strstr(p, "/20261125-230000"));
	free(p);
	/* An exact id wins over being a prefix of another. */
	p = runread_resolve(base, "20261126-010203", &err);
	assert_string_equal(strrchr(p, '/'), "/20261126-010203");
	free(p);
	assert_null(runread_resolve(base, "2026112", &err));
	assert_non_null(strstr(err, "'2026112' matches 3 runs"));
	free(err);
	assert_null(runread_resolve(base, "1999", &err));
	assert_non_null(strstr(err, "no run '1999'"));
	free(err);
	p = xasprintf("%s/20261125-230000", base);
	err = NULL;
	free(runread_resolve(base, p, &err));
	assert_null(err);
	free(p);
	p = xasprintf("%s/nothing/here", base);
	assert_null(runread_resolve(base, p, &err));
	assert_non_null(strstr(err, "is not a run directory"));
	free(err);
	free(p);
	free(link);
	tu_rmrf(base);
	free(base);
}

/* A run started with --resume records the steps it did not run again as
 * a step_end of attempt 0: a status, no attempt, no log. */
static void
test_resumed_steps(void **state)
{
	char *base = tu_tmpdir(), *dir, *err = NULL;
	struct rr_run *run;

	(void)state;
	dir = mkrun(base, "20261126-010203",
	    "{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\","
	    "\"steps\":[\"a\",\"b\"]}]}\n"
	    "{\"event\":\"step_end\",\"ts\":1,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"a\",\"step_index\":0,\"attempt\":0,\"resumed\":true,"
	    "\"status\":\"ok\",\"exit_code\":0,\"duration\":0}\n");
	run = runread_load(dir, &err);
	assert_non_null(run);
	assert_true(run->seqs[0].steps[0].resumed);
	assert_int_equal(run->seqs[0].steps[0].n_attempts, 0);
	assert_int_equal(run->seqs[0].steps[0].status, STEP_OK);
	assert_false(run->seqs[0].steps[1].resumed);
	assert_int_equal(run->seqs[0].steps[1].status, STEP_PENDING);
	runread_free(run);
	free(dir);
	tu_rmrf(base);
	free(base);
}

/* m: a failed attempt marked done by hand is recorded as the mark, then
 * a second step_end (ok) of the same attempt: it is marked, ok, and how
 * it failed (its status, exit code and end) is kept. */
static void
test_marked_step(void **state)
{
	char *base = tu_tmpdir(), *dir, *err = NULL;
	struct rr_run *run;
	const struct rr_attempt *a;

	(void)state;
	dir = mkrun(base, "20261126-010203",
	    "{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\","
	    "\"steps\":[\"a\"]}]}\n"
	    "{\"event\":\"step_start\",\"ts\":1,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"a\",\"step_index\":0,\"attempt\":1}\n"
	    "{\"event\":\"step_end\",\"ts\":2,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"a\",\"step_index\":0,\"attempt\":1,"
	    "\"status\":\"failed\",\"exit_code\":32,\"duration\":1}\n"
	    "{\"event\":\"mark\",\"ts\":9,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"a\",\"step_index\":0,\"attempt\":1,\"operator\":true,"
	    "\"by\":\"ann on /dev/pts/1\"}\n"
	    "{\"event\":\"step_end\",\"ts\":9,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"a\",\"step_index\":0,\"attempt\":1,"
	    "\"status\":\"ok\",\"exit_code\":32,\"duration\":1}\n");
	run = runread_load(dir, &err);
	assert_non_null(run);
	assert_int_equal(run->seqs[0].steps[0].n_attempts, 1);
	a = &run->seqs[0].steps[0].attempts[0];
	assert_true(a->marked);
	assert_int_equal(a->status, STEP_OK);
	assert_int_equal(run->seqs[0].steps[0].status, STEP_OK);
	assert_int_equal(a->failed, STEP_FAILED);
	assert_int_equal(a->exit_code, 32);
	assert_true(a->end == 2.);
	assert_int_equal(run->seqs[0].n_actions, 1);
	assert_string_equal(run->seqs[0].actions[0].by, "ann on /dev/pts/1");
	runread_free(run);
	free(dir);
	tu_rmrf(base);
	free(base);
}

/* Captured values: the last attempt's, and a secret one without its
 * value. */
static void
test_captures(void **state)
{
	char *base = tu_tmpdir(), *dir, *err = NULL;
	struct rr_run *run;
	const struct rr_step *st;

	(void)state;
	dir = mkrun(base, "20261126-010203",
	    "{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\","
	    "\"steps\":[\"a\",\"b\",\"c\"]}]}\n"
	    "{\"event\":\"capture\",\"ts\":1,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"a\",\"step_index\":0,\"attempt\":1,\"var\":\"v\","
	    "\"value\":\"old\"}\n"
	    "{\"event\":\"capture\",\"ts\":2,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"a\",\"step_index\":0,\"attempt\":2,\"var\":\"v\","
	    "\"value\":\"web1\\nweb2 \\\"x\\\"\"}\n"
	    "{\"event\":\"capture\",\"ts\":3,\"seq\":\"s\",\"seq_index\":0,"
	    "\"step\":\"b\",\"step_index\":1,\"attempt\":1,\"var\":\"t\","
	    "\"secret\":true}\n");
	run = runread_load(dir, &err);
	assert_non_null(run);
	st = &run->seqs[0].steps[0];
	assert_string_equal(st->var, "v");
	assert_string_equal(st->value, "web1\nweb2 \"x\"");
	assert_int_equal(st->value_len, 13);
	st = &run->seqs[0].steps[1];
	assert_string_equal(st->var, "t");
	assert_null(st->value);
	assert_null(run->seqs[0].steps[2].var);
	runread_free(run);
	free(dir);
	tu_rmrf(base);
	free(base);
}

/* A crafted record names files outside its run directory, a symlink
 * out of it, and a FIFO: none of them is read. */
static void
test_logs_stay_inside(void **state)
{
	char *base = tu_tmpdir(), *dir, *err = NULL, *p, *secret, *data;
	struct rr_run *run;
	struct logidx *li;
	size_t len, n, lines;
	const char *text;
	static const char *const bad[] = { "../secret", "01-s/../../secret",
		"/etc/passwd", "01-s/link.log", "link-dir/a.1.log",
		"01-s/fifo.1.log", "./events.jsonl", "01-s//a.1.log", "" };

	(void)state;
	secret = xasprintf("%s/secret", base);
	tu_write_file(secret, "TOP SECRET\n");
	dir = mkrun(base, "20261126-010203",
	    "{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":"
	    "\"s\",\"steps\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\","
	    "\"g\",\"h\"]}]}\n"
	    "{\"event\":\"step_start\",\"ts\":1,\"seq_index\":0,"
	    "\"step_index\":0,\"attempt\":1,\"log\":\"../secret\"}\n"
	    "{\"event\":\"step_start\",\"ts\":1,\"seq_index\":0,"
	    "\"step_index\":1,\"attempt\":1,\"log\":\"/etc/passwd\"}\n"
	    "{\"event\":\"step_start\",\"ts\":1,\"seq_index\":0,"
	    "\"step_index\":2,\"attempt\":1,\"log\":\"01-s/link.log\"}\n"
	    "{\"event\":\"step_start\",\"ts\":1,\"seq_index\":0,"
	    "\"step_index\":3,\"attempt\":1,\"log\":\"01-s/fifo.1.log\"}\n"
	    "{\"event\":\"step_start\",\"ts\":1,\"seq_index\":0,"
	    "\"step_index\":4,\"attempt\":1,\"log\":\"01-s/a.1.log\"}\n");
	p = xasprintf("%s/01-s", dir);
	mkdir(p, 0700);
	free(p);
	p = xasprintf("%s/01-s/link.log", dir);
	assert_int_equal(symlink(secret, p), 0);
	free(p);
	p = xasprintf("%s/link-dir", dir);
	assert_int_equal(symlink(base, p), 0);
	free(p);
	p = xasprintf("%s/01-s/fifo.1.log", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	p = xasprintf("%s/01-s/a.1.log", dir);
	tu_write_file(p, "fine\n");
	free(p);

	run = runread_load(dir, &err);
	assert_non_null(run);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err = NULL;
		data = runread_log(run, bad[i], &len, &err);
		if (data != NULL)
			fail_msg("%s was read: %s", bad[i], data);
		assert_non_null(err);
		free(err);
	}
	assert_null(runread_log(run, "../secret", &len, &err));
	assert_non_null(strstr(err, "not inside the run directory"));
	free(err);
	assert_null(runread_log(run, "01-s/link.log", &len, &err));
	assert_non_null(strstr(err, "a symlink (refused)"));
	free(err);
	assert_null(runread_log(run, "01-s/fifo.1.log", &len, &err));
	assert_non_null(strstr(err, "not a regular file"));
	free(err);
	data = runread_log(run, "01-s/a.1.log", &len, &err);
	assert_non_null(data);
	assert_string_equal(data, "fine\n");
	free(data);

	/* The review's index says the same and shows none of it. */
	li = logidx_build(run, 0);
	lines = logidx_count(li);
	n = 0;
	for (size_t i = 0; i < lines; i++) {
		text = logidx_line(li, i, &len, NULL, NULL, NULL);
		assert_null(memmem(text, len, "SECRET", 6));
		if (memmem(text, len, "(refused)", 9) != NULL)
			n++;
	}
	assert_int_equal(n, 4);
	logidx_free(li);
	runread_free(run);
	free(dir);
	free(secret);
	tu_rmrf(base);
	free(base);
}

/* A socket bound at PATH: listening (its fd), or closed at once, as a
 * SIGKILLed ssh master leaves it (-1). */
static int
bound_socket(const char *path, bool listening)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	if (listening) {
		assert_int_equal(listen(fd, 1), 0);
		return fd;
	}
	close(fd);
	return -1;
}

/* A run whose drove was killed outright (no run_end, nobody holds it):
 * reading it removes the control sockets of its ssh masters that are
 * gone, and their directory once empty; not a socket something listens
 * on. */
static void
test_ssh_sweep(void **state)
{
	char *base = tu_tmpdir(), *err = NULL, *start, *dir, *ssh, *dead,
	    *live;
	struct rr_run *run;
	struct stat sb;
	int fd;

	(void)state;
	start = xasprintf("%.*s", (int)(strchr(events_ok, '\n') + 1 -
	    events_ok), events_ok);
	dir = mkrun(base, "20261126-010203", start);
	ssh = xasprintf("%s/ssh-AbCdEf", dir);
	assert_int_equal(mkdir(ssh, 0700), 0);
	dead = xasprintf("%s/0", ssh);
	live = xasprintf("%s/1", ssh);
	bound_socket(dead, false);
	fd = bound_socket(live, true);
	run = runread_load(dir, &err);
	assert_non_null(run);
	assert_string_equal(run->status, "interrupted");
	runread_free(run);
	assert_int_equal(lstat(dead, &sb), -1);
	assert_int_equal(lstat(live, &sb), 0);
	assert_int_equal(lstat(ssh, &sb), 0);
	close(fd);
	run = runread_load(dir, &err);
	runread_free(run);
	assert_int_equal(lstat(ssh, &sb), -1);
	free(live);
	free(dead);
	free(ssh);
	free(dir);
	free(start);
	tu_rmrf(base);
	free(base);
}

TU_MAIN(
	cmocka_unit_test(test_load_complete_run),
	cmocka_unit_test(test_damaged_run),
	cmocka_unit_test(test_resolve_and_list),
	cmocka_unit_test(test_resumed_steps),
	cmocka_unit_test(test_marked_step),
	cmocka_unit_test(test_captures),
	cmocka_unit_test(test_logs_stay_inside),
	cmocka_unit_test(test_ssh_sweep),
)
