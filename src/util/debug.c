/* debug.c: DROVE_DEBUG=FILE, the log of the engine's decisions. */
#include "debug.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* -1: not looked at yet; 0: off; else the descriptor + 1. */
static int debug_fd = -1;

bool
debug_enabled(void)
{
	const char *path;
	int fd;

	if (debug_fd >= 0)
		return debug_fd > 0;
	debug_fd = 0;
	path = getenv("DROVE_DEBUG");
	if (path == NULL || *path == '\0')
		return false;
	/* Appended, so that several drove processes can share one file;
	 * never inherited by a step. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "drove: DROVE_DEBUG: cannot open %s\n", path);
		return false;
	}
	debug_fd = fd + 1;
	return true;
}

void
debug_log(const char *fmt, ...)
{
	char line[1024], stamp[16];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n, m;

	if (!debug_enabled())
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	n = snprintf(line, sizeof line, "%s.%03d drove[%d]: ", stamp,
	    (int)(tv.tv_usec / 1000), (int)getpid());
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* One write per line: lines of several writers do not interleave. */
	if (write(debug_fd - 1, line, (size_t)n) < 0)
		return;
}
