/* testutil.h: helpers shared by the unit tests: scratch directories,
 * reading whole files, and a run on the real loop with a transcript of
 * its events. Everything returned is owned by the caller. */
#ifndef DROVE_TESTUTIL_H
#define DROVE_TESTUTIL_H

#include <stddef.h>

/* A test program's main: its tests, one table run as one group. Each is
 * followed by a comma, the last one too:
 *   TU_MAIN(
 *   	cmocka_unit_test(test_a),
 *   	cmocka_unit_test(test_b),
 *   ) */
#define TU_MAIN(...)                                                    \
	int                                                             \
	main(void)                                                      \
	{                                                               \
		const struct CMUnitTest tests_[] = { __VA_ARGS__ };     \
                                                                        \
		return cmocka_run_group_tests(tests_, NULL, NULL);      \
	}

/* A test of a program whose tests share one fixture, the static setup
 * and teardown it defines: one short row of the table each. */
#define TU_FIXED(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

/* mkdtemp under $TMPDIR (or /tmp); caller frees, and removes with tu_rmrf. */
char *tu_tmpdir(void);
/* rm -rf PATH. */
void tu_rmrf(const char *path);
/* Whole file into a NUL-terminated buffer; *len gets its size. NULL if it
 * cannot be read. */
char *tu_read_file(const char *path, size_t *len);
/* Write text to PATH (creating or truncating it). */
void tu_write_file(const char *path, const char *text);
/* Number of occurrences of needle in haystack. */
size_t tu_count(const char *haystack, const char *needle);

#include <stdbool.h>
#include <sys/types.h>

/* Is pid a live process (not missing, not a zombie)? */
bool tu_pid_alive(pid_t pid);
/* Read a pid written to a file; 0 if none. */
pid_t tu_read_pid(const char *path);

#include <ev.h>

#include "config.h"
#include "run.h"
#include "strbuf.h"

/*
 * A test's world: a scratch directory the steps work in ({{T}} in the
 * YAML), the config, the run, and its events as a transcript, one a line:
 *
 *	start SEQ/N #ATTEMPT          (N counts steps from 1)
 *	end SEQ/N #ATTEMPT STATUS EXIT
 *	seq SEQ STATE
 *	line SEQ: TEXT                (the steps' lines, not drove's marks)
 *	notice SEQ: TEXT
 *	action SEQ VERB
 *	idle
 */
struct tu_world {
	char *dir;
	struct config *cfg;
	struct run *run;
	struct runlog *rl;   /* a test's own; freed with the world */
	struct strbuf log;   /* the transcript */
	bool idle;           /* RUN_EV_IDLE came, and no step started since
	                        (a test may reset it) */
	unsigned active, max_active; /* sequences running or paused: now,
	                                and the most at once */
	ev_timer guard, poll;
	bool guard_fired;
};

/* Load yaml (failing the test when it does not load), with its control
 * sockets in the scratch directory. */
struct tu_world *tu_world_new(const char *yaml, bool interactive);
/* Stop the run, let it settle, close its connections, free everything. */
void tu_world_free(struct tu_world *w);
/* The transcript so far ("" before the first event). */
const char *tu_world_log(const struct tu_world *w);
/* Turn the loop until cond(w) holds (until idle, without one). A hang
 * fails the test after 60 s, printing the transcript: no timing
 * assertion. The loop is woken often to re-check a condition no event
 * announces (a file a step wrote). */
void tu_world_until(struct tu_world *w, bool (*cond)(struct tu_world *));
/* Until the transcript says text. */
void tu_world_wait_log(struct tu_world *w, const char *text);
/* Until process pid is gone from the process table (a killed process
 * closes its files a moment before). */
void tu_world_wait_dead(struct tu_world *w, pid_t pid);
/* The contents of NAME in the scratch directory, or NULL; *len gets its
 * size (tu_read_file). */
char *tu_world_file(struct tu_world *w, const char *name);
char *tu_world_read(struct tu_world *w, const char *name, size_t *len);
/* Write text to NAME in the scratch directory. */
void tu_world_write(struct tu_world *w, const char *name, const char *text);
/* Is there a NAME in the scratch directory? */
bool tu_world_exists(struct tu_world *w, const char *name);
/* The pid NAME in the scratch directory holds now, or 0. */
pid_t tu_world_pid(struct tu_world *w, const char *name);
/* Until NAME in the scratch directory holds a pid, which it returns. */
pid_t tu_world_wait_pid(struct tu_world *w, const char *name);
/* Fail the test, showing the transcript, unless the log says a before
 * b (or, for tu_has, says text at all). */
void tu_assert_in_order(const char *log, const char *a, const char *b);
void tu_assert_has(const char *log, const char *text);
/* Fail the test unless got and want were read (neither is NULL) and are
 * the same size bytes. */
void tu_assert_same_bytes(const char *got, size_t got_len, const char *want,
    size_t want_len, size_t size);

#endif
