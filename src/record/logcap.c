/* logcap.c: a step attempt's log bounded to a head and a tail. */
#include "logcap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

void
logcap_init(struct logcap *c, int fd, size_t max)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->max = max;
	c->head = max / 2;
	c->tail = max - c->head;
	c->head_last = '\n';
}

int
logcap_write(struct logcap *c, const char *buf, size_t len)
{
	while (len > 0) {
		unsigned long long s = c->total;
		size_t n;
		off_t at;

		if (c->max == 0 || s < c->head) {
			/* The head (or everything): as written. */
			n = c->max == 0 ? len :
			    (size_t)(c->head - s) < len ? (size_t)(c->head - s) :
			    len;
			at = (off_t)s;
			if (n > 0 && s + n == c->head)
				c->head_last = buf[n - 1];
		} else {
			/* The tail: a ring after the head, up to its end. */
			size_t pos = (size_t)((s - c->head) % c->tail);
			n = c->tail - pos < len ? c->tail - pos : len;
			at = (off_t)(c->head + pos);
		}
		if (fdio_pwrite_all(c->fd, buf, n, at) != 0)
			return -1;
		c->total += n;
		buf += n;
		len -= n;
	}
	return 0;
}

unsigned long long
logcap_dropped(const struct logcap *c)
{
	if (c->max == 0 || c->total <= c->max)
		return 0;
	return c->total - c->max;
}

/* The marker line; its length. */
static int
logcap_marker(const struct logcap *c, char *buf, size_t size)
{
	return snprintf(buf, size, "%s[drove: %llu bytes dropped here; "
	    "max_log %zu]\n", c->head_last == '\n' ? "" : "\n",
	    logcap_dropped(c), c->max);
}

/* Copy len bytes of c->fd from offset at to out. */
static int
logcap_copy_range(const struct logcap *c, int out, off_t at, size_t len)
{
	char buf[65536];

	while (len > 0) {
		size_t want = len < sizeof buf ? len : sizeof buf;
		ssize_t n = pread(c->fd, buf, want, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* the log shrank under us */
			return -1;
		}
		if (fdio_write_all(out, buf, (size_t)n) != 0)
			return -1;
		at += n;
		len -= (size_t)n;
	}
	return 0;
}

int
logcap_copy(const struct logcap *c, int out)
{
	char marker[128];
	int m = logcap_marker(c, marker, sizeof marker);
	/* The oldest kept byte of the tail is where the next would go. */
	size_t pos = (size_t)((c->total - c->head) % c->tail);

	if (logcap_copy_range(c, out, 0, c->head) != 0)
		return -1;
	if (fdio_write_all(out, marker, (size_t)m) != 0)
		return -1;
	if (logcap_copy_range(c, out, (off_t)(c->head + pos),
	    c->tail - pos) != 0)
		return -1;
	return logcap_copy_range(c, out, (off_t)c->head, pos);
}

unsigned long long
logcap_map(const struct logcap *c, unsigned long long off, bool *dropped)
{
	unsigned long long d = logcap_dropped(c);
	char marker[128];

	*dropped = false;
	if (d == 0 || off < c->head)
		return off;
	if (off < c->head + d) {
		*dropped = true;
		return c->head;
	}
	return off - d + (unsigned long long)logcap_marker(c, marker,
	    sizeof marker);
}
