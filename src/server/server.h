/* server.h: a run's socket. The server listens on DIR/RUN_ID.sock
 * (sockdir.h), lets in only the user who owns the run (SO_PEERCRED: any
 * other uid is refused, root included, and the refusal is reported to
 * the caller for the record) and answers the protocol (proto.h): the
 * run's state, the operator's actions taken in the name of who asked,
 * stop, wait, and attached dashboards, which get the whole state and
 * scrollback and then every change as it happens. It is one more observer
 * of the run. Output goes to dashboards at the rate they draw, a flood's
 * older lines by reference into the logs (PASSED), so a dashboard costs
 * what it shows. Writes never block: each client has its own buffer; a
 * dashboard that has not taken what it was sent is passed by until it
 * has, and one whose buffer grows too big all the same starts over from
 * a fresh snapshot, instead of holding the loop or growing without
 * bound. */
#ifndef DROVE_SERVER_H
#define DROVE_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct run;
struct server;

struct server_options {
	const char *id;       /* the run id: the socket's name */
	const char *config;   /* the config file's path (for ps) */
	const char *run_dir;  /* the run directory (for clients that outlive
	                         the run: wait, attach) */
	const char *dir;      /* the socket directory; NULL: sockdir_default */
	/* A client asked the run to stop (drove stop, q in a dashboard;
	 * sig: Ctrl-C in one, 0 otherwise); `who` is "USER on TTY". The
	 * caller stops the run as q (or that signal) does. */
	void (*stop)(void *arg, const char *who, int sig);
	/* A dashboard attached. */
	void (*attached)(void *arg);
	/* What the dashboards keep on their status bar, or NULL (asked as
	 * things happen; the same pointer while it holds). */
	const char *(*warning)(void *arg);
	/* A peer was refused before it could say anything: another user.
	 * The caller records it. */
	void (*refused)(void *arg, const char *why);
	/* A dashboard detached (or went away): the caller may end a
	 * settled run nobody watches any more. */
	void (*detached)(void *arg);
	void *arg;            /* for the callbacks above */
};

/* Make the socket directory if needed, check it, and listen on the run's
 * socket on EV_DEFAULT; observe `run` (borrowed: it must outlive the
 * server). NULL and *err (caller frees) when it cannot. Strings in opt
 * are copied. */
struct server *server_create(struct run *run, const struct server_options *opt,
    char **err);
/* The socket's path. */
const char *server_path(const struct server *s);
/* Dashboards attached now. */
size_t server_dashboards(const struct server *s);
/* The run is over (after run_finish): push what every client still has
 * to get (END above all) for at most `timeout` seconds, turning the loop,
 * then stop listening. */
void server_drain(struct server *s, double timeout);
/* Close every client, stop observing, remove the socket. NULL: no-op. */
void server_free(struct server *s);

#endif
