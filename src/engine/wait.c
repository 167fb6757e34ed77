/* wait.c: the conditions of wait_for steps, watched on the loop. */
#include "wait.h"

#include <errno.h>
#include <netdb.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "xmalloc.h"

enum wait_kind { WAIT_TCP, WAIT_SSH, WAIT_PATH, WAIT_OUTPUT };

struct wait {
	enum wait_kind kind;
	wait_done_fn *done;
	void *arg;
	ev_timer poll;       /* the next look (tcp: the next connect) */
	ev_io io;            /* tcp: the connect in progress; ssh: then the
	                        banner's read */
	int fd;              /* tcp, ssh: its socket, or -1 */
	struct addrinfo *ai; /* tcp, ssh: where to connect */
	char banner[4];      /* ssh: its first bytes */
	size_t n_banner;
	char *path;          /* path */
	regex_t re;          /* output */
	char *line;          /* output: the line being matched, terminated */
	size_t cap;
	const char *why;     /* static text */
};

static void
wait_poll_later(struct wait *w)
{
	ev_timer_set(&w->poll, WAIT_POLL, 0.);
	ev_timer_start(EV_DEFAULT_UC_ &w->poll);
}

/* --- tcp ------------------------------------------------------------- */

static void
wait_tcp_close(struct wait *w)
{
	if (w->fd < 0)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &w->io);
	close(w->fd);
	w->fd = -1;
}

/* ssh: the banner's first bytes, as they come. */
static void
wait_ssh_read(struct wait *w)
{
	ssize_t n = read(w->fd, w->banner + w->n_banner,
	    sizeof w->banner - w->n_banner);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		w->n_banner += (size_t)n;
		if (memcmp(w->banner, "SSH-", w->n_banner) != 0)
			w->why = "not an ssh server";
		else if (w->n_banner < sizeof w->banner)
			return;
		else {
			ev_timer_stop(EV_DEFAULT_UC_ &w->poll);
			wait_tcp_close(w);
			w->why = NULL;
			w->done(w->arg);
			return;
		}
	} else
		w->why = n == 0 ? "closed before its banner" : "no banner";
	ev_timer_stop(EV_DEFAULT_UC_ &w->poll);
	wait_tcp_close(w);
	wait_poll_later(w);
}

static void
wait_tcp_io_cb(EV_P_ ev_io *io, int revents)
{
	struct wait *w = container_of(io, struct wait, io);
	int soerr = 0;
	socklen_t len = sizeof soerr;

	(void)EV_A;
	if (w->kind == WAIT_SSH && (revents & EV_READ)) {
		wait_ssh_read(w);
		return;
	}
	if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr == 0 && w->kind == WAIT_SSH) {
		/* Connected: now its banner, for WAIT_BANNER at most. */
		w->n_banner = 0;
		ev_io_stop(EV_DEFAULT_UC_ &w->io);
		ev_io_set(&w->io, w->fd, EV_READ);
		ev_io_start(EV_DEFAULT_UC_ &w->io);
		ev_timer_set(&w->poll, WAIT_BANNER, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &w->poll);
		return;
	}
	wait_tcp_close(w);
	if (soerr == 0) {
		w->why = NULL;
		w->done(w->arg);
		return;
	}
	w->why = soerr == ECONNREFUSED ? "connection refused" :
	    soerr == ETIMEDOUT ? "connection timed out" :
	    soerr == EHOSTUNREACH ? "host unreachable" : "no connection";
	wait_poll_later(w);
}

/* One non-blocking connect; its end is wait_tcp_io_cb. */
static void
wait_tcp_try(struct wait *w)
{
	const struct addrinfo *ai = w->ai;

	w->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (w->fd < 0) {
		/* Out of descriptors, say: look again later. */
		w->why = "no socket";
		wait_poll_later(w);
		return;
	}
	if (connect(w->fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
	    errno != EINPROGRESS) {
		w->why = errno == ECONNREFUSED ? "connection refused" :
		    "no connection";
		wait_tcp_close(w);
		wait_poll_later(w);
		return;
	}
	ev_io_set(&w->io, w->fd, EV_WRITE);
	ev_io_start(EV_DEFAULT_UC_ &w->io);
}

static void
wait_poll_cb(EV_P_ ev_timer *t, int revents)
{
	struct wait *w = container_of(t, struct wait, poll);
	struct stat sb;

	(void)EV_A;
	(void)revents;
	if (w->kind == WAIT_SSH && w->fd >= 0) {
		/* Connected, but no banner in time. */
		wait_tcp_close(w);
		w->why = "no banner";
		wait_poll_later(w);
		return;
	}
	if (w->kind == WAIT_TCP || w->kind == WAIT_SSH) {
		wait_tcp_try(w);
		return;
	}
	if (stat(w->path, &sb) == 0) {
		w->why = NULL;
		w->done(w->arg);
		return;
	}
	w->why = "it does not exist";
	wait_poll_later(w);
}

static struct wait *
wait_new(enum wait_kind kind, wait_done_fn *done, void *arg)
{
	struct wait *w = xcalloc(1, sizeof *w);

	w->kind = kind;
	w->done = done;
	w->arg = arg;
	w->fd = -1;
	ev_init(&w->poll, wait_poll_cb);
	ev_init(&w->io, wait_tcp_io_cb);
	return w;
}

struct wait *
wait_tcp_start(const char *target, wait_done_fn *done, void *arg,
    char **err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	const char *colon = strrchr(target, ':');
	struct wait *w;
	char *host;
	int rc;

	if (colon == NULL || colon == target || colon[1] == '\0') {
		*err = xasprintf("'%s' is not HOST:PORT", target);
		return NULL;
	}
	host = xstrndup(target, (size_t)(colon - target));
	/* [::1]:22 */
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	w = wait_new(WAIT_TCP, done, arg);
	/* A name is resolved once, here: an address resolves at once. */
	if ((rc = getaddrinfo(host, colon + 1, &hints, &w->ai)) != 0) {
		*err = xasprintf("'%s': %s", target, gai_strerror(rc));
		free(host);
		wait_free(w);
		return NULL;
	}
	free(host);
	wait_tcp_try(w);
	return w;
}

struct wait *
wait_ssh_start(const char *host, unsigned port, double delay,
    wait_done_fn *done, void *arg, char **err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct wait *w = wait_new(WAIT_SSH, done, arg);
	char service[16];
	int rc;

	snprintf(service, sizeof service, "%u", port);
	if ((rc = getaddrinfo(host, service, &hints, &w->ai)) != 0) {
		*err = xasprintf("'%s': %s", host, gai_strerror(rc));
		wait_free(w);
		return NULL;
	}
	if (delay > 0) {
		ev_timer_set(&w->poll, delay, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &w->poll);
	} else
		wait_tcp_try(w);
	return w;
}

struct wait *
wait_path_start(const char *path, wait_done_fn *done, void *arg)
{
	struct wait *w = wait_new(WAIT_PATH, done, arg);

	w->path = xstrdup(path);
	/* The first look on the loop's next turn: done is never called from
	 * here. */
	ev_timer_set(&w->poll, 0., 0.);
	ev_timer_start(EV_DEFAULT_UC_ &w->poll);
	return w;
}

struct wait *
wait_output_start(const char *re, char **err)
{
	struct wait *w = wait_new(WAIT_OUTPUT, NULL, NULL);
	char buf[128];
	int rc;

	if ((rc = regcomp(&w->re, re, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &w->re, buf, sizeof buf);
		*err = xasprintf("'%s' is not a valid regular expression: %s",
		    re, buf);
		free(w);
		return NULL;
	}
	return w;
}

bool
wait_output_line(struct wait *w, const char *text, size_t len)
{
	regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)len };

	/* A line of the scrollback is not NUL-terminated: REG_STARTEND
	 * bounds the match, but not what a sanitizer's regexec reads
	 * (strlen), so it is matched in a terminated copy. */
	if (len + 1 > w->cap) {
		free(w->line);
		w->cap = len + 1 > 256 ? len + 1 : 256;
		w->line = xmalloc(w->cap);
	}
	memcpy(w->line, text, len);
	w->line[len] = '\0';
	return regexec(&w->re, w->line, 1, &m, REG_STARTEND) == 0;
}

const char *
wait_why(const struct wait *w)
{
	return w != NULL ? w->why : NULL;
}

void
wait_free(struct wait *w)
{
	if (w == NULL)
		return;
	ev_timer_stop(EV_DEFAULT_UC_ &w->poll);
	wait_tcp_close(w);
	if (w->ai != NULL)
		freeaddrinfo(w->ai);
	if (w->kind == WAIT_OUTPUT)
		regfree(&w->re);
	free(w->path);
	free(w->line);
	free(w);
}
