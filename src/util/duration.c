/* duration.c: durations for people and for config files, and moments. */
#include "duration.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

/* The longest a config may say (about 31 years, cfg.h's
 * CONFIG_DURATION_MAX): longer is written as this, and stays far from
 * overflowing a long long of milliseconds. */
#define DURATION_MAX 1e9

/* "1h", "2m", "3.25s" in the config's spelling, each part only when it is
 * not zero. */
static void
duration_config(long long ms, char *buf, size_t size)
{
	long long h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60;
	long long frac = ms % 1000;
	size_t off = 0;
	int places, n = 0;

	if (ms < 1000) {
		snprintf(buf, size, "%lldms", ms);
		return;
	}
	buf[0] = '\0';
	if (h != 0 && (n = snprintf(buf, size, "%lldh", h)) > 0)
		off += (size_t)n;
	if (m != 0 && off < size &&
	    (n = snprintf(buf + off, size - off, "%lldm", m)) > 0)
		off += (size_t)n;
	if ((s == 0 && frac == 0) || off >= size)
		return;
	if (frac == 0) {
		snprintf(buf + off, size - off, "%llds", s);
		return;
	}
	/* 1.5s, not 1.500s. */
	for (places = 3; frac % 10 == 0; places--)
		frac /= 10;
	snprintf(buf + off, size - off, "%lld.%0*llds", s, places, frac);
}

char *
duration_format(double seconds, enum duration_style style, char *buf,
    size_t size)
{
	long long s;

	if (size == 0)
		return buf;
	if (!(seconds > 0))
		seconds = 0;
	if (seconds > DURATION_MAX)
		seconds = DURATION_MAX;
	switch (style) {
	case DURATION_SHORT:
		if (seconds < 60) {
			snprintf(buf, size, "%.1fs", seconds);
			break;
		}
		s = llround(seconds);
		if (s < 3600)
			snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
		else
			snprintf(buf, size, "%lldh%02lldm", s / 3600,
			    s % 3600 / 60);
		break;
	case DURATION_CLOCK:
		s = (long long)floor(seconds);
		if (s >= 3600)
			snprintf(buf, size, "%lld:%02lld:%02lld", s / 3600,
			    s / 60 % 60, s % 60);
		else
			snprintf(buf, size, "%lld:%02lld", s / 60, s % 60);
		break;
	case DURATION_CONFIG:
		if (seconds == 0)
			snprintf(buf, size, "0s");
		else
			duration_config(llround(seconds * 1000), buf, size);
		break;
	}
	return buf;
}

char *
duration_when(double t, char *buf, size_t size)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (t <= 0)
		snprintf(buf, size, "-");
	else {
		localtime_r(&secs, &tm);
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	}
	return buf;
}
