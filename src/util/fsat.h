/* fsat.h: files beneath a directory descriptor, never through a symlink.
 * A run directory may sit in a log directory other users can write to,
 * and its record names files by relative path: everything drove writes
 * or reads there is opened relative to the run directory's descriptor,
 * one component at a time, refusing symlinks, "..", absolute paths and
 * anything but regular files and directories. */
#ifndef DROVE_FSAT_H
#define DROVE_FSAT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Is rel a plain relative path: not empty, not absolute, no "." or ".."
 * component, no empty component? Only such paths are ever opened. */
bool fsat_rel_ok(const char *rel);

/* Open rel beneath dirfd: every directory on the way is opened with
 * O_NOFOLLOW|O_DIRECTORY, the last component with flags|O_NOFOLLOW|
 * O_CLOEXEC (mode as for openat). A path fsat_rel_ok refuses fails with
 * EINVAL, a symlink anywhere with ELOOP (or ENOTDIR). Without O_CREAT or
 * O_DIRECTORY in flags, anything but a regular file fails with EINVAL
 * (a FIFO planted in a record must not hang its reader). Returns the
 * descriptor (the caller's) or -1 with errno. */
int fsat_open(int dirfd, const char *rel, int flags, mode_t mode);

/* The whole regular file rel beneath dirfd (fsat_open), NUL-terminated;
 * *len gets its size. NULL with errno when it cannot be read. Caller
 * frees. */
char *fsat_slurp(int dirfd, const char *rel, size_t *len);

/* The whole of an open descriptor from its current offset, NUL-
 * terminated (as fsat_slurp). */
char *fsat_slurp_fd(int fd, size_t *len);

#endif
