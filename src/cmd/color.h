/* color.h: whether drove's plain output is coloured. --color=WHEN says
 * so outright; with auto (the default) FORCE_COLOR asks for colours
 * anywhere, NO_COLOR for none (https://no-color.org), and otherwise a
 * terminal that is not `dumb` gets them. The dashboard's colours mark
 * states and follow the terminal; this is for the headless output. */
#ifndef DROVE_COLOR_H
#define DROVE_COLOR_H

#include <stdbool.h>

/* X(NAME, spelling): the values of --color. */
#define COLOR_WHENS(X)           \
	X(COLOR_AUTO, "auto")     \
	X(COLOR_ALWAYS, "always") \
	X(COLOR_NEVER, "never")

enum color_when {
#define COLOR_ENUM(name, text) name,
	COLOR_WHENS(COLOR_ENUM)
#undef COLOR_ENUM
};

/* The value of --color=TEXT; -1 for anything else. */
int color_parse(const char *text, enum color_when *out);

/* Whether to colour, given --color, whether the output is a terminal,
 * and the values of TERM, NO_COLOR and FORCE_COLOR (NULL when unset). An
 * empty NO_COLOR or FORCE_COLOR counts as unset, and FORCE_COLOR=0 (as
 * Node and others read it) asks for no colour. */
bool color_use(enum color_when when, bool tty, const char *term,
    const char *no_color, const char *force_color);

#endif
