/* color.c: the decision to colour the plain output. */
#include "color.h"

#include <stddef.h>
#include <string.h>

int
color_parse(const char *text, enum color_when *out)
{
	static const char *const names[] = {
#define COLOR_NAME(name, spelling) spelling,
		COLOR_WHENS(COLOR_NAME)
#undef COLOR_NAME
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = (enum color_when)i;
			return 0;
		}
	}
	return -1;
}

bool
color_use(enum color_when when, bool tty, const char *term,
    const char *no_color, const char *force_color)
{
	if (when != COLOR_AUTO)
		return when == COLOR_ALWAYS;
	if (force_color != NULL && *force_color != '\0')
		return strcmp(force_color, "0") != 0 &&
		    strcmp(force_color, "false") != 0;
	if (no_color != NULL && *no_color != '\0')
		return false;
	return tty && term != NULL && strcmp(term, "dumb") != 0;
}
