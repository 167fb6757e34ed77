/* wait.h: what a wait_for step watches, on the loop, without a process: a
 * TCP port that accepts a connection (a non-blocking connect, tried again
 * every WAIT_POLL seconds), an ssh server's port that sends its banner
 * (the same, then the first bytes read), a path that exists (looked at
 * every WAIT_POLL), or a line of output that matches a regex (the run
 * feeds it the lines of the sequence watched). A struct wait is owned by
 * the caller of wait_*_start; wait_free cancels it. */
#ifndef DROVE_WAIT_H
#define DROVE_WAIT_H

#include <stdbool.h>
#include <stddef.h>

#define WAIT_POLL 0.25
/* How long an ssh port that accepted a connection has to send its banner
 * before the connection is closed and tried again. */
#define WAIT_BANNER 10.0

struct wait;

/* The condition holds: called once, from the loop; the wait is then done
 * (free it). */
typedef void wait_done_fn(void *arg);

/* Until HOST:PORT (target) accepts a TCP connection. NULL and a message
 * in *err (caller frees) when target is not HOST:PORT or HOST does not
 * resolve. */
struct wait *wait_tcp_start(const char *target, wait_done_fn *done,
    void *arg, char **err);
/* Until an ssh server on host's port sends its banner ("SSH-"): a TCP
 * connection, then the first bytes read; a refused connection, a server
 * that closes or sends something else are tried again. The first try is
 * made after `delay` seconds (0: at once). NULL and *err (caller frees)
 * when host does not resolve. */
struct wait *wait_ssh_start(const char *host, unsigned port, double delay,
    wait_done_fn *done, void *arg, char **err);
/* Until path exists. */
struct wait *wait_path_start(const char *path, wait_done_fn *done,
    void *arg);
/* A matcher of lines (never calls done: the caller feeds it lines and
 * acts on a match). NULL and *err when re is not a valid POSIX extended
 * regex. */
struct wait *wait_output_start(const char *re, char **err);
bool wait_output_line(struct wait *w, const char *text, size_t len);

/* Why the condition did not hold at the last look ("connection refused"),
 * or NULL: for the message when the wait times out. */
const char *wait_why(const struct wait *w);

/* Cancel (if it still waits) and free; NULL is a no-op. */
void wait_free(struct wait *w);

#endif
