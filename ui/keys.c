/* keys.c: the key table, looked up and turned into help lines. */
#include <curses.h>

#include "keys.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct keys_binding {
	int key;
	const char *name;    /* NULL: an alias not worth listing */
	enum keys_request req;
};

static const struct keys_binding keys_bindings[] = {
#define KEYS_BIND(key, name, req) { key, name, KEYS_##req },
	KEYS_BINDINGS(KEYS_BIND)
#undef KEYS_BIND
};

static const struct {
	const char *name;
	const char *help;
} keys_requests[] = {
#define KEYS_REQ(name, help) { #name, help },
	KEYS_REQUESTS(KEYS_REQ)
#undef KEYS_REQ
};

/* Help for what is not a key binding. */
static const char *const keys_extra[][2] = {
	{ "wheel", "scroll the output under the mouse" },
	{ "click", "focus the pane or line clicked" },
	{ KEYS_INPUT_ESCAPE_NAME, "in input mode: give the keys back to drove" },
	{ "y", "when asked to quit: yes (any other key: no)" },
};

enum keys_request
keys_lookup(int key)
{
	for (size_t i = 0; i < sizeof keys_bindings / sizeof *keys_bindings;
	    i++)
		if (keys_bindings[i].key == key)
			return keys_bindings[i].req;
	return KEYS_NONE;
}

const char *
keys_name(enum keys_request req)
{
	static char buf[32];
	size_t i;

	if (req >= KEYS_NONE)
		return "none";
	/* FOCUS_LEFT -> focus-left */
	for (i = 0; keys_requests[req].name[i] != '\0' && i + 1 < sizeof buf;
	    i++) {
		char c = keys_requests[req].name[i];
		buf[i] = c == '_' ? '-' : (char)tolower((unsigned char)c);
	}
	buf[i] = '\0';
	return buf;
}

const char *
keys_help(enum keys_request req)
{
	if (req >= KEYS_NONE)
		return "";
	return keys_requests[req].help;
}

char *
keys_names(enum keys_request req, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof keys_bindings / sizeof *keys_bindings;
	    i++) {
		const struct keys_binding *b = &keys_bindings[i];
		int n;

		if (b->req != req || b->name == NULL)
			continue;
		n = snprintf(buf + used, size - used, "%s%s",
		    used > 0 ? " " : "", b->name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

struct keys_hint {
	enum keys_request req;
	const char *label;
};

#define KEYS_HINT(name, label) { KEYS_##name, label },
static const struct keys_hint keys_hints_live[] = {
	KEYS_HINTS_LIVE(KEYS_HINT)
};
static const struct keys_hint keys_hints_done[] = {
	KEYS_HINTS_DONE(KEYS_HINT)
};
static const struct keys_hint keys_hints_past[] = {
	KEYS_HINTS_PAST(KEYS_HINT)
};
#undef KEYS_HINT

char *
keys_hints(enum keys_moment m, size_t cols, char *buf, size_t size)
{
	const struct keys_hint *h = keys_hints_live;
	size_t n = sizeof keys_hints_live / sizeof *keys_hints_live, used = 0;
	char names[64];

	if (m == KEYS_MOMENT_DONE) {
		h = keys_hints_done;
		n = sizeof keys_hints_done / sizeof *keys_hints_done;
	} else if (m == KEYS_MOMENT_PAST) {
		h = keys_hints_past;
		n = sizeof keys_hints_past / sizeof *keys_hints_past;
	}
	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t w;

		/* The first key's name: "PgUp" of "PgUp". */
		keys_names(h[i].req, names, sizeof names);
		names[strcspn(names, " ")] = '\0';
		/* Names and labels are ASCII: bytes are columns. A hint cut
		 * short tells nothing: one that does not fit is left out,
		 * and a shorter one after it may still fit. */
		w = (used > 0 ? 2 : 0) + strlen(names) + 1 +
		    strlen(h[i].label);
		if (used + w > cols || used + w >= size)
			continue;
		snprintf(buf + used, size - used, "%s%s %s",
		    used > 0 ? "  " : "", names, h[i].label);
		used += w;
	}
	return buf;
}

size_t
keys_help_line(size_t i, char *buf, size_t size, int keyw)
{
	size_t nreq = KEYS_NONE;
	size_t nextra = sizeof keys_extra / sizeof *keys_extra;
	char names[64];

	if (i < nreq) {
		keys_names((enum keys_request)i, names, sizeof names);
		snprintf(buf, size, "%-*s %s", keyw, names,
		    keys_help((enum keys_request)i));
	} else if (i < nreq + nextra) {
		snprintf(buf, size, "%-*s %s", keyw, keys_extra[i - nreq][0],
		    keys_extra[i - nreq][1]);
	}
	return nreq + nextra;
}
