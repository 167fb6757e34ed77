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

#include "wait.h"

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
	if (!listen_too)
		return;     /* bound, not listening: connections are refused */
	assert_int_equal(listen(s->fd, 8), 0);
	ev_io_init(&s->io, server_cb, s->fd, EV_READ);
	ev_io_start(EV_DEFAULT_ &s->io);
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
	struct server s;
	struct wait *w;
	char *err = NULL;
	int done = 0;

	(void)state;
	server_start(&s, "SSH-2.0-OpenSSH_test\r\n", true);
	w = wait_ssh_start("127.0.0.1", s.port, 0, done_cb, &done, &err);
	assert_non_null(w);
	turn(&done, 100);
	assert_int_equal(done, 1);
	assert_null(wait_why(w));
	wait_free(w);
	server_stop(&s);
}

static void
test_not_ssh(void **state)
{
	struct server s;
	struct wait *w;
	char *err = NULL;
	int done = 0;

	(void)state;
	server_start(&s, "HTTP/1.1 400 Bad Request\r\n", true);
	w = wait_ssh_start("127.0.0.1", s.port, 0, done_cb, &done, &err);
	assert_non_null(w);
	/* Tried, and tried again: never done. */
	while (s.accepted < 2)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_int_equal(done, 0);
	assert_string_equal(wait_why(w), "not an ssh server");
	wait_free(w);
	server_stop(&s);

	/* One that closes at once. */
	server_start(&s, NULL, true);
	w = wait_ssh_start("127.0.0.1", s.port, 0, done_cb, &done, &err);
	while (s.accepted < 2)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_int_equal(done, 0);
	assert_string_equal(wait_why(w), "closed before its banner");
	wait_free(w);
	server_stop(&s);
}

static void
test_refused_then_up(void **state)
{
	struct server s;
	struct wait *w;
	char *err = NULL;
	int done = 0;

	(void)state;
	server_start(&s, "SSH-2.0-late\r\n", false);
	w = wait_ssh_start("127.0.0.1", s.port, 0, done_cb, &done, &err);
	assert_non_null(w);
	while (wait_why(w) == NULL)
		ev_run(EV_DEFAULT_ EVRUN_ONCE);
	assert_string_equal(wait_why(w), "connection refused");
	assert_int_equal(done, 0);
	/* Now it listens: the next try gets its banner. */
	assert_int_equal(listen(s.fd, 8), 0);
	ev_io_init(&s.io, server_cb, s.fd, EV_READ);
	ev_io_start(EV_DEFAULT_ &s.io);
	turn(&done, 100);
	assert_int_equal(done, 1);
	wait_free(w);
	server_stop(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_banner),
		cmocka_unit_test(test_not_ssh),
		cmocka_unit_test(test_refused_then_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
