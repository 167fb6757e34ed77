/* fsat.c: opening files beneath a directory descriptor. */
#include "fsat.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

bool
fsat_rel_ok(const char *rel)
{
	const char *p = rel, *slash;
	size_t n;

	if (rel == NULL || *rel == '\0' || *rel == '/')
		return false;
	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (slash == NULL)
			return true;
		p = slash + 1;
	}
}

int
fsat_open(int dirfd, const char *rel, int flags, mode_t mode)
{
	const char *p = rel, *slash;
	int fd = dirfd, next, err;
	struct stat st;

	if (!fsat_rel_ok(rel)) {
		errno = EINVAL;
		return -1;
	}
	while ((slash = strchr(p, '/')) != NULL) {
		char *part = xstrndup(p, (size_t)(slash - p));
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		err = errno;
		free(part);
		if (fd != dirfd)
			close(fd);
		if (next < 0) {
			errno = err;
			return -1;
		}
		fd = next;
		p = slash + 1;
	}
	/* O_NONBLOCK only for the open: a FIFO must not block it. */
	next = openat(fd, p, flags | O_NOFOLLOW | O_CLOEXEC |
	    ((flags & (O_CREAT | O_DIRECTORY)) ? 0 : O_NONBLOCK), mode);
	err = errno;
	if (fd != dirfd)
		close(fd);
	if (next < 0) {
		errno = err;
		return -1;
	}
	if (!(flags & (O_CREAT | O_DIRECTORY))) {
		if (fstat(next, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(next);
			errno = EINVAL;
			return -1;
		}
		if (!(flags & O_NONBLOCK))
			fcntl(next, F_SETFL, fcntl(next, F_GETFL) & ~O_NONBLOCK);
	}
	return next;
}

char *
fsat_slurp_fd(int fd, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;

	*len = 0;
	for (;;) {
		buf = xreallocarray_grow(buf, &cap, *len + 65536 + 1, 1);
		got = read(fd, buf + *len, 65536);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(buf);
			return NULL;
		}
		if (got == 0)
			break;
		*len += (size_t)got;
	}
	buf[*len] = '\0';
	return buf;
}

char *
fsat_slurp(int dirfd, const char *rel, size_t *len)
{
	int fd = fsat_open(dirfd, rel, O_RDONLY, 0), err;
	char *buf;

	*len = 0;
	if (fd < 0)
		return NULL;
	buf = fsat_slurp_fd(fd, len);
	err = errno;
	close(fd);
	errno = err;
	return buf;
}
