/* ansi.h: one line of a step's output as a terminal would show it. The
 * raw bytes of a line (UTF-8 text, tabs, carriage returns, backspaces, SGR
 * colours and attributes, and any other escape sequence) become a row of
 * cells: what to draw in each column. Everything that is not text, a
 * cursor move within the line or SGR is dropped, including sequences the
 * line ends inside of, so a line never costs more than `max` cells. Each
 * line starts from plain attributes: lines are drawn from the middle of
 * the scrollback, so state cannot carry from one line to the next.
 * Nothing here knows curses; colours are mapped to the terminal's palette
 * by ansi_color_map. */
#ifndef DROVE_ANSI_H
#define DROVE_ANSI_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* Cell attributes (SGR 1..9). */
enum {
	ANSI_BOLD = 0x01,
	ANSI_DIM = 0x02,
	ANSI_ITALIC = 0x04,
	ANSI_UNDERLINE = 0x08,
	ANSI_BLINK = 0x10,
	ANSI_REVERSE = 0x20,
	ANSI_INVISIBLE = 0x40,
	ANSI_STRIKE = 0x80,
};

/* A colour: ANSI_DEFAULT, a palette index 0..255, or ANSI_RGB(r, g, b). */
#define ANSI_DEFAULT (-1)
#define ANSI_RGB_FLAG 0x1000000
#define ANSI_RGB(r, g, b) \
	((int32_t)(ANSI_RGB_FLAG | ((r) << 16) | ((g) << 8) | (b)))
#define ANSI_IS_RGB(c) (((c) & ANSI_RGB_FLAG) != 0 && (c) > 0)

/* A base character and up to two combining marks. */
#define ANSI_CELL_CHARS 3

struct ansi_cell {
	/* wc[0] is the character (L' ' for a blank), then combining marks,
	 * zero-terminated unless full. The right half of a wide character
	 * has wc[0] == 0 and width 0. */
	wchar_t wc[ANSI_CELL_CHARS];
	int32_t fg, bg;
	uint16_t attr;
	uint8_t width;       /* 1, 2 (a wide character), 0 (its right half) */
};

/* A parsed line. Reuse one for many lines: the cells are kept between
 * calls and only grow up to `max`. */
struct ansi_line {
	struct ansi_cell *cells;
	size_t len;          /* columns in use */
	size_t cap;          /* allocated */
	size_t max;          /* columns past this are dropped */
};

#define ANSI_MAX_COLS 8192   /* a default bound for ansi_line_init */

/* An empty line that holds at most `max` columns (0: ANSI_MAX_COLS). */
void ansi_line_init(struct ansi_line *l, size_t max);
void ansi_line_free(struct ansi_line *l);

/* Replace l's content with the cells of `len` bytes of raw output. */
void ansi_parse(struct ansi_line *l, const char *s, size_t len);

/* Where the rows start when l is folded at `width` columns: stores at
 * most `max` column indexes in starts[] (which may be NULL) and returns
 * the number of rows, at least 1. A wide character never straddles two
 * rows. */
size_t ansi_wrap(const struct ansi_line *l, size_t width, size_t *starts,
    size_t max);

/* The plain text of l (one wchar_t per column, right halves of wide
 * characters and combining marks left out) into buf (cap wide chars,
 * NUL-terminated); col[k] (may be NULL) gets the column of buf[k].
 * Returns the number of characters stored. For searches. */
size_t ansi_text(const struct ansi_line *l, wchar_t *buf, size_t *col,
    size_t cap);

/* The colour to ask the terminal for, given how many it has (COLORS):
 * -1 for the default, or an index below ncolors. 256-colour indexes and
 * 24-bit colours are brought down to the nearest one the terminal has. */
int ansi_color_map(int32_t color, int ncolors);

/* Decode one UTF-8 character of s (n > 0 bytes). Returns the bytes used
 * (at least 1) and stores the character, or U+FFFD for an invalid or
 * truncated sequence (then 1 byte is used). */
size_t ansi_utf8_decode(const char *s, size_t n, wchar_t *wc);

#endif
