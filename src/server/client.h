/* client.h: the client's end of a run's socket: finding the run a user
 * names among the live ones (sockdir.h), connecting, saying hello, and
 * blocking sends and receives for the commands that ask one thing and
 * exit (ps, ctl, wait, stop). Nothing the server says is trusted: frames
 * are bounded and checked as proto.h says. */
#ifndef DROVE_CLIENT_H
#define DROVE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

struct client;

/* What the server said of itself (WELCOME). Owned by the client. */
struct client_info {
	char *id;
	char *config;
	char *run_dir;
	long pid;
	double started;
};

enum client_error {
	CLIENT_OK,
	CLIENT_NO_RUN,       /* nothing matches, or ambiguous */
	CLIENT_OVER,         /* the run's server is gone (killed): the run
	                        is over without having said so */
	CLIENT_REFUSED,      /* the server refused us (another user, another
	                        version) */
	CLIENT_FAILED,       /* anything else */
};

/* Connect to the run `spec` names: a run id or a unique prefix of one
 * among the live runs, a socket's path (with a '/'), or NULL or "latest"
 * for the only live run or else the newest. NULL, *err (caller frees) and
 * *why when it cannot; for CLIENT_OVER *over_id (caller frees) is the
 * run's id. */
struct client *client_open(const char *spec, enum client_error *why,
    char **over_id, char **err);
void client_free(struct client *c);

const struct client_info *client_info(const struct client *c);
int client_fd(const struct client *c);

/* Send a whole frame (blocking). 0, or -1 and *err. */
int client_send(struct client *c, const struct proto_buf *b, char **err);
/* Receive the next frame (blocking): 1 and *m (valid until the next
 * call), 0 at the end of the connection, -1 and *err when what came is
 * not a frame or the server refused (its words). */
int client_recv(struct client *c, struct proto_msg *m, char **err);

/* Without blocking (attach: the fd is non-blocking, on the loop): read
 * what is there, 1, or 0 at the end of the connection, or -1 and *err
 * (EAGAIN is 1: nothing yet). Then take the frames read, one at a time:
 * client_next gives 1 and *m, 0 when no whole frame is left, -1 and *err
 * (a REFUSED is -1 with its words). */
int client_read(struct client *c, char **err);
int client_next(struct client *c, struct proto_msg *m, char **err);

/* Ask for a request with no payload and wait for its answer of type
 * `want`: 1 and *m, 0 at the end, -1 and *err. */
int client_ask(struct client *c, enum proto_type req, enum proto_type want,
    struct proto_msg *m, char **err);

/* The live runs (their sockets' names): sockdir_list of the default
 * directory, after checking it. */
size_t client_list(char ***names);

#endif
