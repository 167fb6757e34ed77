/* fdio.c: a whole buffer to a descriptor. */
#include "fdio.h"

#include <errno.h>
#include <unistd.h>

/* write(2) (at < 0) or pwrite(2) at `at` until all of buf went. */
static int
fdio_all(int fd, const char *buf, size_t len, off_t at)
{
	while (len > 0) {
		ssize_t n = at < 0 ? write(fd, buf, len) :
		    pwrite(fd, buf, len, at);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		if (at >= 0)
			at += n;
	}
	return 0;
}

int
fdio_write_all(int fd, const char *buf, size_t len)
{
	return fdio_all(fd, buf, len, -1);
}

int
fdio_pwrite_all(int fd, const char *buf, size_t len, off_t at)
{
	return at < 0 ? (errno = EINVAL, -1) : fdio_all(fd, buf, len, at);
}
