/* debug.h: a log of the engine's decisions for whoever has to find out why
 * it did something (tmux -v): DROVE_DEBUG=FILE appends one line per
 * decision to FILE (what was scheduled, spawned, killed, which connection
 * came up or went down, and why). Without it, nothing is written and a
 * call costs a test of one flag. */
#ifndef DROVE_DEBUG_H
#define DROVE_DEBUG_H

#include <stdbool.h>

/* Whether DROVE_DEBUG names a file that could be opened (looked up once). */
bool debug_enabled(void);
/* Append "HH:MM:SS.mmm drove[PID]: MESSAGE\n" when enabled. */
void debug_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Only format the arguments when someone reads them. */
#define DEBUG_LOG(...)                                                    \
	do {                                                              \
		if (debug_enabled())                                      \
			debug_log(__VA_ARGS__);                           \
	} while (0)

#endif
