/* remote.h: the OpenSSH transport of a run. It owns one ControlMaster
 * connection per host (an `ssh -M -N` child that drove starts the first
 * time a step needs the host, and closes when the run is over), the
 * private directory of their control sockets, and the command lines of the
 * ssh and scp processes that run remote steps and copies through those
 * connections. Nothing but OpenSSH's own programs ever talks to a host: no
 * agent, no protocol of drove's own.
 *
 * How a remote step is stopped (killed, skipped, timed out, or drove
 * itself going away) is explained at remote_argv in remote.c: in short,
 * the remote command runs under a small sh wrapper that kills its whole
 * process group on the remote host when its stdin, a pipe that drove holds
 * open, reaches its end. */
#ifndef DROVE_REMOTE_H
#define DROVE_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct remote;
struct remote_wait;

/* A connection is up (err NULL), or could not be made (err: what ssh said,
 * or why drove could not try). */
typedef void remote_ready_fn(void *arg, const char *err);

/* The transport for cfg's hosts (borrowed: it must outlive the remote).
 * Makes no connection and no directory yet. */
struct remote *remote_create(const struct config *cfg);
/* cfg has more hosts than r knows of (a fan-out made them): take them. */
void remote_hosts_added(struct remote *r);
/* Free r. Masters still alive are killed at once (SIGKILL) and waits are
 * dropped untold: close with remote_disconnect first. NULL is fine. */
void remote_free(struct remote *r);

/* Put the control socket directory in `parent` (the run directory) when
 * its socket paths fit in a sun_path there; otherwise, or without a call,
 * in $XDG_RUNTIME_DIR, $TMPDIR or /tmp. Either way it is a new directory,
 * mode 0700, removed by remote_disconnect. Call before remote_connect. */
void remote_set_dir(struct remote *r, const char *parent);

/* Make sure host h's connection is up. Returns 1 when it is (or the host
 * does not multiplex): start the step's process now. Returns 0 when it is
 * being made, or waits for a slot (settings.max_connecting masters
 * connect at once; the others wait in the order they were asked for,
 * with no process): ready(arg, ...) is called once from the loop, and
 * *wait gets a handle for remote_cancel until then. Never calls ready()
 * before returning. */
int remote_connect(struct remote *r, size_t h, remote_ready_fn *ready,
    void *arg, struct remote_wait **wait);
/* Is host h waiting for a connection slot (no master started yet)? */
bool remote_queued(const struct remote *r, size_t h);
/* Forget a wait (the step was killed or skipped while it waited). The
 * connection goes on being made: other steps may want it. */
void remote_cancel(struct remote *r, struct remote_wait *w);

/* A step's ssh on host h exited 255, which is ssh's own status when the
 * connection fails, and also a remote command's that exits 255. Ask the
 * connection: ready(arg, NULL) when it is still up (the 255 was the
 * command's), ready(arg, why) when it is gone (the step lost it). Told
 * from the loop, never before returning; *wait is a handle for
 * remote_cancel until then. */
void remote_probe(struct remote *r, size_t h, remote_ready_fn *ready,
    void *arg, struct remote_wait **wait);

/* An interactive login shell on host h for the operator (ssh -t), with
 * the steps' options, so through the host's connection when it is up.
 * NULL-terminated; free with xstrv_free. */
char **remote_shell_argv(struct remote *r, size_t h);

/* The argv of the process for step st on host h (NULL-terminated; free
 * with xstrv_free): ssh for a remote step, scp for a copy. env holds
 * n_env "NAME=VALUE" strings for the remote command's environment;
 * kill_grace is how long its remote process group has between SIGTERM
 * and SIGKILL when the step is stopped. */
char **remote_argv(struct remote *r, size_t h, const struct cfg_step *st,
    char *const *env, size_t n_env, double kill_grace);

/* Ask every master to exit (SIGKILL after a grace of 2 s); waits still
 * pending get ready(arg, "...closed"). Returns at once: the caller's loop
 * hears the masters end, and the control directory is removed with the
 * last of them. Until then remote_closing is true and remote_connect
 * fails its waits ("...closed"); afterwards it may start new masters.
 * Idempotent. */
void remote_disconnect(struct remote *r);
/* Between remote_disconnect and the end of its last master. */
bool remote_closing(const struct remote *r);

/* Masters alive (tests). */
size_t remote_masters(const struct remote *r);
/* The control socket of host h, or NULL before its directory exists
 * (tests; ssh -O check -o ControlPath=...). */
const char *remote_control_path(const struct remote *r, size_t h);
/* The control directory, or NULL before it exists (tests). */
const char *remote_dir(const struct remote *r);

#endif
