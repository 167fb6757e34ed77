/* sockdir.h: where the sockets of live runs are, and the checks that make
 * that place safe. Each run's server listens on DIR/RUN_ID.sock, where DIR
 * is $XDG_RUNTIME_DIR/drove (when XDG_RUNTIME_DIR is an absolute path),
 * else /tmp/drove-UID. DIR is made 0700, and before any use it must be a
 * directory (not a symlink) owned by the user, that nobody else can enter
 * or write (tmux's socket directory, for the same reasons: anyone who can
 * reach the socket can steer the run). */
#ifndef DROVE_SOCKDIR_H
#define DROVE_SOCKDIR_H

#include <stdbool.h>
#include <stddef.h>

#define SOCKDIR_SUFFIX ".sock"

/* The directory for this user (not made, not checked). Caller frees. */
char *sockdir_default(void);
/* Make dir (0700) when it is missing, then sockdir_check it. 0, or -1 and
 * *err (caller frees). */
int sockdir_ensure(const char *dir, char **err);
/* dir is a real directory owned by the caller with no access for group or
 * others: 0, else -1 and *err (caller frees) saying what is wrong. */
int sockdir_check(const char *dir, char **err);
/* DIR/NAME.sock. Caller frees. NULL when it would not fit a
 * sockaddr_un (108 bytes on Linux), said in *err. */
char *sockdir_socket(const char *dir, const char *name, char **err);
/* The names of the sockets in dir (without the suffix), sorted, the
 * newest run id last. Returns the count; caller frees each and the
 * array. 0 when dir cannot be read. */
size_t sockdir_list(const char *dir, char ***names);

#endif
