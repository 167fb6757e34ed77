/* vis.h: text from steps and records made safe for a terminal. Control
 * characters (an OSC 52 clipboard write, a title change, a screen clear)
 * are shown visibly, as `drove check` shows them: ESC as \e, other C0
 * controls and DEL as \xNN, the C1 controls (U+0080..U+009F) as \u0080..;
 * tab and newline pass, and so does "\r\n". Colours and attributes (SGR:
 * ESC [ digits ; m) pass when asked for: they only style text. */
#ifndef DROVE_VIS_H
#define DROVE_VIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "strbuf.h"

/* Does text hold anything vis_add would change? */
bool vis_needed(const char *text, size_t len, bool keep_sgr);

/* Append text to sb with its control characters shown visibly. */
void vis_add(struct strbuf *sb, const char *text, size_t len, bool keep_sgr);

/* A multi-line text (a command written as a YAML block, `run: |`) on one
 * line, for a banner or a table: its lines joined by " ⏎ ", its
 * trailing newlines (and a "\r" before each newline) dropped. Other
 * characters are left as they are (vis_add them where they are shown).
 * Caller frees. */
char *vis_one_line(const char *text);

/* A stream that writes what it is given to `to` (borrowed) with control
 * characters shown visibly, SGR kept, however the writes split the text.
 * fclose it (which does not close `to`). NULL if it cannot be made. */
FILE *vis_fopen(FILE *to);

#endif
