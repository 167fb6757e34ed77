/* logcap.h: one step attempt's log file, bounded by settings.max_log.
 *
 * Up to max bytes the file holds exactly what the step wrote. Beyond,
 * the first half of the budget stays as written (the head) and the last
 * half is kept in the file's tail region as a ring (the tail), so neither
 * memory nor disk grows with the output. When the attempt ends,
 * logcap_copy writes head, a marker line and the tail in order to a new
 * file that replaces the log (runlog.c): the log then reads
 *
 *   HEAD
 *   [drove: N bytes dropped here; max_log M]
 *   TAIL
 *
 * Until then (and in the log of a drove killed outright) the tail region
 * is in ring order. The marker starts on a line of its own. */
#ifndef DROVE_LOGCAP_H
#define DROVE_LOGCAP_H

#include <stdbool.h>
#include <stddef.h>

struct logcap {
	int fd;                  /* the log, open for writing (not O_APPEND):
	                            the caller's */
	size_t max;              /* 0: no limit */
	size_t head, tail;       /* max / 2, and the rest */
	unsigned long long total; /* bytes the step wrote so far */
	char head_last;          /* the head's last byte */
};

/* Start a log on fd (empty) holding at most max bytes (0: all). */
void logcap_init(struct logcap *c, int fd, size_t max);

/* Add len bytes the step wrote: 0, or -1 with errno. */
int logcap_write(struct logcap *c, const char *buf, size_t len);

/* Bytes dropped so far (written neither to the head nor the tail). */
unsigned long long logcap_dropped(const struct logcap *c);

/* Write the final log, head + marker + tail, to out (from c->fd, which
 * must be readable). Only when logcap_dropped(): otherwise the file
 * already is the log. 0, or -1 with errno. */
int logcap_copy(const struct logcap *c, int out);

/* Where stream offset off (a byte the step wrote) is in the final log:
 * *dropped tells whether it was dropped (then the marker's offset is
 * returned). For the .times file beside the log. */
unsigned long long logcap_map(const struct logcap *c, unsigned long long off,
    bool *dropped);

#endif
