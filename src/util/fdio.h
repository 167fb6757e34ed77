/* fdio.h: writing a whole buffer to a descriptor, the one loop the run
 * directory's writers share (short writes and EINTR retried; any other
 * error, ENOSPC included, returned to the caller, which decides what a
 * partial write means for its file). */
#ifndef DROVE_FDIO_H
#define DROVE_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* All of buf to fd: 0, or -1 with errno. */
int fdio_write_all(int fd, const char *buf, size_t len);
/* All of buf to fd at offset `at` (the file position is not moved): 0, or
 * -1 with errno. */
int fdio_pwrite_all(int fd, const char *buf, size_t len, off_t at);

#endif
