/* duration.h: a number of seconds written for a reader. drove writes
 * durations three ways, each where it belongs, and moments one way; this
 * is the one place that knows how. */
#ifndef DROVE_DURATION_H
#define DROVE_DURATION_H

#include <stddef.h>

enum duration_style {
	/* A report's or a listing's: "1.2s" under a minute, then "3m05s",
	 * then "1h02m". */
	DURATION_SHORT,
	/* A running clock's, in whole seconds: "0:07", "12:34", "1:02:03". */
	DURATION_CLOCK,
	/* As a config file writes it, to be read back exactly: "500ms", "3s",
	 * "1.5s", "1m30s", "1h1m1.25s" (to the millisecond). */
	DURATION_CONFIG,
};

/* Write seconds into buf (size bytes, truncated to fit) and return buf. A
 * negative or NaN duration counts as 0, one over 1e9 s (31 years) as 1e9. */
char *duration_format(double seconds, enum duration_style style, char *buf,
    size_t size);
/* A moment (seconds since the epoch) as the listings show it: local time
 * to the second, "2026-11-28 09:31:25"; "-" for none (0 or less). */
char *duration_when(double t, char *buf, size_t size);

#endif
