/* say.h: messages for people, on stderr. On a terminal too small to show
 * a whole message (a window shrunk to 20x5), what went wrong stays in
 * view: a message is cut to the rows the terminal has, keeping its first
 * clause (the error: "FILE:LINE:COL: error: unknown key 'x' in step")
 * whole and cutting what follows it (a hint, the valid keys) short,
 * rather than letting the hints scroll the error off the screen. Into a
 * pipe or a file, or on a terminal big enough, a message is printed as it
 * is. */
#ifndef DROVE_SAY_H
#define DROVE_SAY_H

#include <stddef.h>

/* Print to stderr, fitted to its terminal (if it is one). */
void say_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* text fitted to a terminal of cols x rows (0: unknown, as it is), one
 * row left for the shell's prompt. Caller frees. */
char *say_fit(const char *text, size_t cols, size_t rows);

#endif
