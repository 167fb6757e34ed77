/* test_wait.c: wait_for's conditions on a real loop, against real sockets:
 * an ssh server's banner, a server that is not one, a refused port. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "run.h"
#include "testutil.h"
#include "wait.h"
#include "xmalloc.h"

/* A loopback server that answers each connection with `greeting`. */
struct server {
	int fd;
	unsigned port;
	const char *greeting;
	ev_io io;
	int accepted;
};

static void
server_cb(EV_P_ ev_io *w, int revents)
{
	struct server *s = (struct server *)((char *)w -
	    offsetof(struct server, io));
	int c;

	(void)EV_A;
	(void)revents;
	if ((c = accept(s->fd, NULL, NULL)) < 0)
		return;
	s->accepted++;
	if (s->greeting != NULL)
		assert_true(write(c, s->greeting, strlen(s->greeting)) > 0);
	close(c);
}

/* Listen on the bound socket, answering on the default loop. */
static void
server_listen(struct server *s)
{
	assert_int_equal(listen(s->fd, 8), 0);
	ev_io_init(&s->io, server_cb, s->fd, EV_READ);
	ev_io_start(EV_DEFAULT_ &s->io);
}

static void
server_start(struct server *s, const char *greeting, bool listen_too)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;

	memset(s, 0, sizeof *s);
	s->greeting = greeting;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	if (listen_too)
		server_listen(s);
	/* else bound, not listening: connections are refused */
}

static void
server_stop(struct server *s)
{
	ev_io_stop(EV_DEFAULT_ &s->io);
	close(s->fd);
}

static void
done_cb(void *arg)
{
	(*(int *)arg)++;
}

/* A server (as server_start makes it) and a wait for its ssh banner,
 * whose callback counts in done. */
struct watch {
	struct server s;
	struct wait *w;
	int done;
};

static void
watch_start(struct watch *x, const char *greeting, bool listen_too)
{
	char *err = NULL;

	server_start(&x->s, greeting, listen_too);
	x->done = 0;
	x->w = wait_ssh_start("127.0.0.1", x->s.port, 0, done_cb, &x->done,
	    &err);
	assert_non_null(x->w);
}

static void
watch_stop(struct watch *x)
{
	wait_free(x->w);
	server_stop(&x->s);
}

/* A server that answers, but not as ssh does: tried, and tried again,
 * never done, and why. */
static void
not_ssh(const char *greeting, const char *why)
{
	struct watch x;

	watch_start(&x, greeting, true);
	while (x.s.accepted < 2)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_int_equal(x.done, 0);
	assert_string_equal(wait_why(x.w), why);
	watch_stop(&x);
}

/* Turn the loop until *flag or `tries` passes of WAIT_POLL. */
static void
turn(int *flag, int tries)
{
	for (int i = 0; i < tries * 20 && !*flag; i++)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
}

static void
test_ssh_banner(void **state)
{
	struct watch x;

	(void)state;
	watch_start(&x, "SSH-2.0-OpenSSH_test\r\n", true);
	turn(&x.done, 100);
	assert_int_equal(x.done, 1);
	assert_null(wait_why(x.w));
	watch_stop(&x);
}

static void
test_not_ssh(void **state)
{
	(void)state;
	not_ssh("HTTP/1.1 400 Bad Request\r\n", "not an ssh server");
	/* One that closes at once. */
	not_ssh(NULL, "closed before its banner");
}

static void
test_refused_then_up(void **state)
{
	struct watch x;

	(void)state;
	watch_start(&x, "SSH-2.0-late\r\n", false);
	while (wait_why(x.w) == NULL)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_string_equal(wait_why(x.w), "connection refused");
	assert_int_equal(x.done, 0);
	/* Now it listens: the next try gets its banner. */
	server_listen(&x.s);
	turn(&x.done, 100);
	assert_int_equal(x.done, 1);
	watch_stop(&x);
}

static bool
seq1_over(struct tu_world *w)
{
	return seq_state_over(run_seq(w->run, 1)->state);
}

static bool
step2_waits(struct tu_world *w)
{
	return run_seq(w->run, 1)->current == 2 &&
	    run_seq(w->run, 1)->steps[2].status == STEP_RUNNING;
}

/* An output wait on a sequence that is over, without a line that
 * matched, fails at once (its timeout is 10m), saying why; so does one
 * whose sequence ends while it waits. A line that matched before the end
 * still counts. */
static void
test_output_of_an_ended_sequence(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: web\n"
	    "    steps: ['echo starting']\n"
	    "  - name: over\n"
	    "    needs: web\n"
	    "    steps:\n"
	    "      - {wait_for: {output: {sequence: web, match: ready}}, "
	    "timeout: 10m}\n"
	    "      - {wait_for: {output: {sequence: web, match: start}}, "
	    "timeout: 10m}\n"
	    "  - name: slow\n"
	    "    steps: ['while [ ! -e {{T}}/go ]; do sleep 0.02; done']\n"
	    "  - name: during\n"
	    "    steps:\n"
	    "      - {wait_for: {output: {sequence: slow, match: ready}}, "
	    "timeout: 10m}\n", false);
	const struct run_seq *over = run_seq(w->run, 1);
	const struct run_seq *during = run_seq(w->run, 3);
	char *go;

	(void)state;
	run_start(w->run);
	tu_world_until(w, seq1_over);
	assert_int_equal(over->steps[0].status, STEP_FAILED);
	assert_string_equal(over->steps[0].why, "sequence web ended (ok) "
	    "before a line matched /ready/");
	assert_int_equal(over->state, SEQ_FAILED);
	/* `during` still waits, as it should. */
	assert_int_equal(during->steps[0].status, STEP_RUNNING);
	go = xasprintf("%s/go", w->dir);
	tu_write_file(go, "");
	free(go);
	tu_world_until(w, NULL);
	assert_int_equal(during->steps[0].status, STEP_FAILED);
	assert_string_equal(during->steps[0].why, "sequence slow ended (ok) "
	    "before a line matched /ready/");
	tu_world_free(w);

	w = tu_world_new(
	    "sequences:\n"
	    "  - name: web\n"
	    "    steps: ['echo starting']\n"
	    "  - name: after\n"
	    "    needs: web\n"
	    "    steps:\n"
	    "      - {wait_for: {output: {sequence: web, match: start}}, "
	    "timeout: 10m}\n", false);
	run_start(w->run);
	tu_world_until(w, NULL);
	assert_int_equal(run_seq(w->run, 1)->steps[0].status, STEP_OK);
	assert_string_equal(run_seq(w->run, 1)->steps[0].why,
	    "web printed: starting");
	assert_int_equal(run_seq(w->run, 1)->state, SEQ_OK);
	tu_world_free(w);
}

/* A path and an output wait take a captured value as they start; a path
 * captured whole (absolute) is the path. */
static void
test_captured_path_and_output(void **state)
{
	struct tu_world *w = tu_world_new(
	    "sequences:\n"
	    "  - name: talker\n"
	    "    steps: ['while [ ! -e {{T}}/talk ]; do sleep 0.02; done; "
	    "echo tok-7 is ready']\n"
	    "  - name: a\n"
	    "    steps:\n"
	    "      - {run: 'echo {{T}}', capture: dir}\n"
	    "      - {run: 'echo tok-7', capture: tok}\n"
	    "      - {wait_for: {path: '{{dir}}/flag'}, timeout: 10m}\n"
	    "      - {run: 'touch {{T}}/talk'}\n"
	    "      - {wait_for: {output: {sequence: talker, "
	    "match: '^{{tok}} is'}}, timeout: 10m}\n", false);
	const struct run_seq *a = run_seq(w->run, 1);
	char *flag, *why;

	(void)state;
	run_start(w->run);
	tu_world_until(w, step2_waits);
	flag = xasprintf("%s/flag", w->dir);
	why = xasprintf("path %s exists", flag);
	tu_write_file(flag, "");
	tu_world_until(w, NULL);
	assert_int_equal(a->steps[2].status, STEP_OK);
	assert_string_equal(a->steps[2].why, why);
	assert_int_equal(a->steps[4].status, STEP_OK);
	assert_string_equal(a->steps[4].why, "talker printed: tok-7 is ready");
	assert_int_equal(a->state, SEQ_OK);
	free(flag);
	free(why);
	tu_world_free(w);
}

TU_MAIN(
	cmocka_unit_test(test_ssh_banner),
	cmocka_unit_test(test_not_ssh),
	cmocka_unit_test(test_refused_then_up),
	cmocka_unit_test(test_output_of_an_ended_sequence),
	cmocka_unit_test(test_captured_path_and_output),
)
