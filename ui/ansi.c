/* ansi.c: raw output bytes to a row of cells (a small VT parser for one
 * line), folding, and colour reduction to the terminal's palette. */
#include "ansi.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define ANSI_TABSTOP 8
#define ANSI_MAX_PARAMS 32
#define ANSI_PARAM_MAX 65535

enum ansi_state {
	ANSI_GROUND,
	ANSI_ESC,        /* after ESC */
	ANSI_ESC_INTER,  /* ESC then intermediates (ESC ( B ...) */
	ANSI_CSI,        /* ESC [ ... */
	ANSI_STR,        /* OSC, DCS, SOS, PM, APC: until ST or BEL */
	ANSI_STR_ESC,    /* ESC inside a string: ST if '\' follows */
};

struct ansi_parser {
	struct ansi_line *l;
	size_t cursor;
	int32_t fg, bg;
	uint16_t attr;
	enum ansi_state state;
	/* CSI parameters. Fixed size: a sequence with more parameters or
	 * bigger numbers costs nothing more. */
	int params[ANSI_MAX_PARAMS];
	bool colon[ANSI_MAX_PARAMS]; /* params[i] came after a ':' */
	size_t nparams;
	bool have_digit;
	bool ignore;         /* private marker or intermediates: not ours */
};

void
ansi_line_init(struct ansi_line *l, size_t max)
{
	memset(l, 0, sizeof *l);
	l->max = max ? max : ANSI_MAX_COLS;
}

void
ansi_line_free(struct ansi_line *l)
{
	if (l == NULL)
		return;
	free(l->cells);
	memset(l, 0, sizeof *l);
}

static void
ansi_blank(struct ansi_cell *c)
{
	memset(c, 0, sizeof *c);
	c->wc[0] = L' ';
	c->fg = c->bg = ANSI_DEFAULT;
	c->width = 1;
}

/* Make columns [0, n) exist, blank where new. */
static void
ansi_extend(struct ansi_line *l, size_t n)
{
	if (n <= l->len)
		return;
	if (n > l->cap) {
		size_t cap = l->cap ? l->cap : 128;
		while (cap < n)
			cap *= 2;
		if (cap > l->max)
			cap = l->max;
		l->cells = xrealloc(l->cells, cap * sizeof *l->cells);
		l->cap = cap;
	}
	for (size_t i = l->len; i < n; i++)
		ansi_blank(&l->cells[i]);
	l->len = n;
}

/* Blank [from, to) without leaving half a wide character behind. */
static void
ansi_erase(struct ansi_line *l, size_t from, size_t to)
{
	if (to > l->len)
		to = l->len;
	if (from >= to)
		return;
	if (l->cells[from].width == 0 && from > 0)
		ansi_blank(&l->cells[from - 1]);
	if (l->cells[to - 1].width == 2 && to < l->len)
		ansi_blank(&l->cells[to]);
	for (size_t i = from; i < to; i++)
		ansi_blank(&l->cells[i]);
}

static void
ansi_put(struct ansi_parser *p, wchar_t wc, int width)
{
	struct ansi_line *l = p->l;
	struct ansi_cell *c;
	size_t at = p->cursor;

	if (width == 0) {
		/* A combining mark joins the character before the cursor. */
		if (at == 0 || at > l->len)
			return;
		c = &l->cells[at - 1];
		if (c->width == 0 && at >= 2)
			c--;
		for (size_t k = 1; k < ANSI_CELL_CHARS; k++) {
			if (c->wc[k] == 0) {
				c->wc[k] = wc;
				break;
			}
		}
		return;
	}
	if (at + (size_t)width > l->max)
		return;
	ansi_extend(l, at + (size_t)width);
	ansi_erase(l, at, at + (size_t)width);
	c = &l->cells[at];
	c->wc[0] = wc;
	c->fg = p->fg;
	c->bg = p->bg;
	c->attr = p->attr;
	c->width = (uint8_t)width;
	if (width == 2) {
		c[1] = c[0];
		memset(c[1].wc, 0, sizeof c[1].wc);
		c[1].width = 0;
	}
	p->cursor = at + (size_t)width;
}

static void
ansi_move(struct ansi_parser *p, size_t col)
{
	p->cursor = col < p->l->max ? col : p->l->max;
}

static void
ansi_text_char(struct ansi_parser *p, wchar_t wc)
{
	int w = wcwidth(wc);

	if (w < 0) {
		/* Not printable here: a C1 control, or the locale does not
		 * know it (then at least show that something is there). */
		if (wc < 0xa0)
			return;
		wc = L'?';
		w = 1;
	}
	ansi_put(p, wc, w);
}

static void
ansi_control(struct ansi_parser *p, unsigned char ch)
{
	switch (ch) {
	case '\r':
		p->cursor = 0;
		break;
	case '\b':
		if (p->cursor > 0)
			p->cursor--;
		break;
	case '\t':
		ansi_move(p, (p->cursor / ANSI_TABSTOP + 1) * ANSI_TABSTOP);
		break;
	default:
		/* BEL, NUL, SO/SI, \n, ...: nothing to draw. */
		break;
	}
}

static int
ansi_param(const struct ansi_parser *p, size_t i, int dflt)
{
	if (i >= p->nparams || p->params[i] == 0)
		return dflt;
	return p->params[i];
}

/* 38/48: a colour given by the parameters after params[i]. Returns how
 * many parameters it used beyond params[i]; stores -2 when unusable. */
static size_t
ansi_sgr_color(const struct ansi_parser *p, size_t i, int32_t *out)
{
	size_t n = p->nparams, used;
	int r, g, b;

	*out = -2;
	if (i + 1 >= n)
		return n - i - 1;
	if (p->params[i + 1] == 5) {
		if (i + 2 >= n)
			return n - i - 1;
		if (p->params[i + 2] < 256)
			*out = p->params[i + 2];
		return 2;
	}
	if (p->params[i + 1] != 2)
		return 1;
	/* 38;2;R;G;B, or with colons 38:2:R:G:B or 38:2:CS:R:G:B. */
	size_t first = i + 2;
	if (p->colon[i + 1]) {
		size_t k = i + 2;
		while (k < n && p->colon[k])
			k++;
		if (k - (i + 2) >= 4)
			first = i + 3;
		used = k - i - 1;
	} else
		used = 4;
	if (first + 2 >= n)
		return n - i - 1;
	r = p->params[first];
	g = p->params[first + 1];
	b = p->params[first + 2];
	if (r < 256 && g < 256 && b < 256)
		*out = ANSI_RGB(r, g, b);
	return used;
}

static void
ansi_sgr(struct ansi_parser *p)
{
	int32_t c;

	if (p->nparams == 0) {
		p->attr = 0;
		p->fg = p->bg = ANSI_DEFAULT;
		return;
	}
	for (size_t i = 0; i < p->nparams; i++) {
		int v = p->params[i];

		if (i > 0 && p->colon[i])
			continue;    /* a sub-parameter we do not use (4:3) */
		switch (v) {
		case 0:
			p->attr = 0;
			p->fg = p->bg = ANSI_DEFAULT;
			break;
		case 1: p->attr |= ANSI_BOLD; break;
		case 2: p->attr |= ANSI_DIM; break;
		case 3: p->attr |= ANSI_ITALIC; break;
		case 4: p->attr |= ANSI_UNDERLINE; break;
		case 5: case 6: p->attr |= ANSI_BLINK; break;
		case 7: p->attr |= ANSI_REVERSE; break;
		case 8: p->attr |= ANSI_INVISIBLE; break;
		case 9: p->attr |= ANSI_STRIKE; break;
		case 21: p->attr |= ANSI_UNDERLINE; break;
		case 22: p->attr &= (uint16_t)~(ANSI_BOLD | ANSI_DIM); break;
		case 23: p->attr &= (uint16_t)~ANSI_ITALIC; break;
		case 24: p->attr &= (uint16_t)~ANSI_UNDERLINE; break;
		case 25: p->attr &= (uint16_t)~ANSI_BLINK; break;
		case 27: p->attr &= (uint16_t)~ANSI_REVERSE; break;
		case 28: p->attr &= (uint16_t)~ANSI_INVISIBLE; break;
		case 29: p->attr &= (uint16_t)~ANSI_STRIKE; break;
		case 39: p->fg = ANSI_DEFAULT; break;
		case 49: p->bg = ANSI_DEFAULT; break;
		case 38:
		case 48:
			i += ansi_sgr_color(p, i, &c);
			if (c != -2) {
				if (v == 38)
					p->fg = c;
				else
					p->bg = c;
			}
			break;
		default:
			if (v >= 30 && v <= 37)
				p->fg = v - 30;
			else if (v >= 40 && v <= 47)
				p->bg = v - 40;
			else if (v >= 90 && v <= 97)
				p->fg = v - 90 + 8;
			else if (v >= 100 && v <= 107)
				p->bg = v - 100 + 8;
			break;
		}
	}
}

static void
ansi_csi_dispatch(struct ansi_parser *p, unsigned char final)
{
	struct ansi_line *l = p->l;
	size_t n;

	if (p->have_digit || p->nparams > 0)
		p->nparams++;    /* the parameter being read when it ended */
	if (p->nparams > ANSI_MAX_PARAMS)
		p->nparams = ANSI_MAX_PARAMS;
	if (p->ignore)
		return;
	switch (final) {
	case 'm':
		ansi_sgr(p);
		break;
	case 'K':            /* erase in line */
		switch (ansi_param(p, 0, 0)) {
		case 0:
			if (p->cursor < l->len) {
				ansi_erase(l, p->cursor, l->len);
				l->len = p->cursor;
			}
			break;
		case 1:
			ansi_erase(l, 0, p->cursor + 1);
			break;
		case 2:
			l->len = 0;
			break;
		}
		break;
	case 'X':            /* erase characters */
		n = (size_t)ansi_param(p, 0, 1);
		ansi_erase(l, p->cursor, p->cursor + n);
		break;
	case 'G':            /* cursor to column */
	case '`':
		ansi_move(p, (size_t)ansi_param(p, 0, 1) - 1);
		break;
	case 'C':            /* cursor forward */
	case 'a':
		ansi_move(p, p->cursor + (size_t)ansi_param(p, 0, 1));
		break;
	case 'D':            /* cursor back */
		n = (size_t)ansi_param(p, 0, 1);
		p->cursor = n < p->cursor ? p->cursor - n : 0;
		break;
	default:
		/* Cursor up/down, scrolling regions, modes, ...: this is a
		 * line, not a screen. */
		break;
	}
}

static void
ansi_csi_byte(struct ansi_parser *p, unsigned char ch)
{
	if (ch >= '0' && ch <= '9') {
		if (p->nparams < ANSI_MAX_PARAMS) {
			int *v = &p->params[p->nparams];
			*v = *v * 10 + (ch - '0');
			if (*v > ANSI_PARAM_MAX)
				*v = ANSI_PARAM_MAX;
		}
		p->have_digit = true;
	} else if (ch == ';' || ch == ':') {
		if (p->nparams < ANSI_MAX_PARAMS)
			p->nparams++;
		if (p->nparams < ANSI_MAX_PARAMS) {
			p->params[p->nparams] = 0;
			p->colon[p->nparams] = ch == ':';
		}
		p->have_digit = false;
	} else if (ch >= 0x3c && ch <= 0x3f) {
		p->ignore = true;    /* private: ? < = > */
	} else if (ch >= 0x20 && ch <= 0x2f) {
		p->ignore = true;    /* intermediates: not SGR/EL */
	} else if (ch >= 0x40 && ch <= 0x7e) {
		ansi_csi_dispatch(p, ch);
		p->state = ANSI_GROUND;
	}
}

static void
ansi_csi_begin(struct ansi_parser *p)
{
	memset(p->params, 0, sizeof p->params);
	memset(p->colon, 0, sizeof p->colon);
	p->nparams = 0;
	p->have_digit = false;
	p->ignore = false;
	p->state = ANSI_CSI;
}

/* A byte after ESC. */
static void
ansi_esc_byte(struct ansi_parser *p, unsigned char ch)
{
	switch (ch) {
	case '[':
		ansi_csi_begin(p);
		break;
	case ']': case 'P': case 'X': case '^': case '_':
		p->state = ANSI_STR;
		break;
	default:
		if (ch >= 0x20 && ch <= 0x2f)
			p->state = ANSI_ESC_INTER;
		else
			p->state = ANSI_GROUND;  /* ESC 7, ESC M, ESC c... */
		break;
	}
}

void
ansi_parse(struct ansi_line *l, const char *s, size_t len)
{
	struct ansi_parser p;
	size_t i = 0;

	memset(&p, 0, sizeof p);
	p.l = l;
	p.fg = p.bg = ANSI_DEFAULT;
	l->len = 0;
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];

		/* Whatever the state, ESC starts a new sequence (ending
		 * an unterminated one) and CAN/SUB cancel. */
		if (ch == 0x1b) {
			p.state = p.state == ANSI_STR ? ANSI_STR_ESC : ANSI_ESC;
			i++;
			continue;
		}
		if (ch == 0x18 || ch == 0x1a) {
			p.state = ANSI_GROUND;
			i++;
			continue;
		}
		switch (p.state) {
		case ANSI_GROUND:
			break;
		case ANSI_ESC:
			if (ch < 0x20) {
				ansi_control(&p, ch);
			} else if (ch < 0x7f) {
				ansi_esc_byte(&p, ch);
			} else {
				p.state = ANSI_GROUND;
				continue;    /* reread as text */
			}
			i++;
			continue;
		case ANSI_ESC_INTER:
			if (ch < 0x20) {
				ansi_control(&p, ch);
			} else if (ch >= 0x30 && ch < 0x7f) {
				p.state = ANSI_GROUND;
			} else if (ch >= 0x7f) {
				p.state = ANSI_GROUND;
				continue;
			}
			i++;
			continue;
		case ANSI_CSI:
			if (ch < 0x20) {
				ansi_control(&p, ch);
			} else if (ch < 0x7f) {
				ansi_csi_byte(&p, ch);
			} else {
				p.state = ANSI_GROUND;
				continue;
			}
			i++;
			continue;
		case ANSI_STR:
			if (ch == 0x07)
				p.state = ANSI_GROUND;
			i++;
			continue;
		case ANSI_STR_ESC:
			if (ch == '\\') {
				p.state = ANSI_GROUND;
				i++;
			} else {
				/* ESC + something else: the string ended and
				 * an escape sequence begins. */
				p.state = ANSI_ESC;
			}
			continue;
		}

		/* Ground: text and controls. */
		if (ch < 0x20 || ch == 0x7f) {
			ansi_control(&p, ch);
			i++;
		} else if (ch < 0x80) {
			ansi_text_char(&p, (wchar_t)ch);
			i++;
		} else {
			wchar_t wc;
			i += ansi_utf8_decode(s + i, len - i, &wc);
			ansi_text_char(&p, wc);
		}
	}
}

size_t
ansi_utf8_decode(const char *s, size_t n, wchar_t *wc)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t cp;
	size_t need;

	if (u[0] < 0x80) {
		*wc = (wchar_t)u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		need = 1;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		need = 2;
		cp = u[0] & 0x0f;
		if (u[0] == 0xe0)
			lo = 0xa0;   /* overlong */
		else if (u[0] == 0xed)
			hi = 0x9f;   /* surrogates */
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		need = 3;
		cp = u[0] & 0x07;
		if (u[0] == 0xf0)
			lo = 0x90;
		else if (u[0] == 0xf4)
			hi = 0x8f;   /* past U+10FFFF */
	} else {
		*wc = 0xfffd;
		return 1;
	}
	if (n < need + 1) {
		*wc = 0xfffd;
		return 1;
	}
	for (size_t k = 1; k <= need; k++) {
		if (u[k] < lo || u[k] > hi) {
			*wc = 0xfffd;
			return 1;
		}
		lo = 0x80;
		hi = 0xbf;
		cp = (cp << 6) | (u[k] & 0x3f);
	}
	*wc = (wchar_t)cp;
	return need + 1;
}

size_t
ansi_wrap(const struct ansi_line *l, size_t width, size_t *starts,
    size_t max)
{
	size_t rows = 1, col = 0;

	if (starts != NULL && max > 0)
		starts[0] = 0;
	if (width == 0)
		return 1;
	for (size_t i = 0; i < l->len; i++) {
		size_t w = l->cells[i].width;

		if (w == 0)
			continue;    /* goes with the half before it */
		if (col > 0 && col + w > width) {
			if (starts != NULL && rows < max)
				starts[rows] = i;
			rows++;
			col = 0;
		}
		col += w;
	}
	return rows;
}

size_t
ansi_text(const struct ansi_line *l, wchar_t *buf, size_t *col, size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < l->len && n + 1 < cap; i++) {
		if (l->cells[i].width == 0)
			continue;
		if (col != NULL)
			col[n] = i;
		buf[n++] = l->cells[i].wc[0];
	}
	buf[n] = 0;
	return n;
}

/* The xterm palette, for choosing the nearest colour. */
static const unsigned char ansi_basic[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};
static const int ansi_cube[6] = { 0, 95, 135, 175, 215, 255 };

static void
ansi_index_rgb(int i, int *r, int *g, int *b)
{
	if (i < 16) {
		*r = ansi_basic[i][0];
		*g = ansi_basic[i][1];
		*b = ansi_basic[i][2];
	} else if (i < 232) {
		i -= 16;
		*r = ansi_cube[i / 36];
		*g = ansi_cube[(i / 6) % 6];
		*b = ansi_cube[i % 6];
	} else {
		*r = *g = *b = 8 + 10 * (i - 232);
	}
}

static long
ansi_dist(int r1, int g1, int b1, int r2, int g2, int b2)
{
	long dr = r1 - r2, dg = g1 - g2, db = b1 - b2;

	/* Weighted roughly as the eye sees it. */
	return 3 * dr * dr + 4 * dg * dg + 2 * db * db;
}

static int
ansi_cube_level(int v)
{
	if (v < 48)
		return 0;
	if (v < 115)
		return 1;
	return (v - 35) / 40;
}

static int
ansi_nearest_basic(int r, int g, int b, int n)
{
	int best = 0;
	long bestd = -1;

	for (int i = 0; i < n; i++) {
		long d = ansi_dist(r, g, b, ansi_basic[i][0], ansi_basic[i][1],
		    ansi_basic[i][2]);
		if (bestd < 0 || d < bestd) {
			best = i;
			bestd = d;
		}
	}
	return best;
}

static int
ansi_nearest_256(int r, int g, int b)
{
	int cr = ansi_cube_level(r), cg = ansi_cube_level(g);
	int cb = ansi_cube_level(b);
	int cube = 16 + 36 * cr + 6 * cg + cb;
	int avg = (r + g + b) / 3;
	int gi = avg < 8 ? 0 : (avg - 8) / 10;
	int gr, gg, gb, xr, xg, xb;

	if (gi > 23)
		gi = 23;
	ansi_index_rgb(cube, &xr, &xg, &xb);
	ansi_index_rgb(232 + gi, &gr, &gg, &gb);
	if (ansi_dist(r, g, b, gr, gg, gb) < ansi_dist(r, g, b, xr, xg, xb))
		return 232 + gi;
	return cube;
}

int
ansi_color_map(int32_t color, int ncolors)
{
	int r, g, b;

	if (color < 0 || ncolors < 8)
		return -1;
	if (!ANSI_IS_RGB(color)) {
		if (color < ncolors)
			return (int)color;
		if (color < 16)
			return (int)color - 8;   /* bright on 8 colours */
		ansi_index_rgb((int)color, &r, &g, &b);
	} else {
		r = (color >> 16) & 0xff;
		g = (color >> 8) & 0xff;
		b = color & 0xff;
		if (ncolors >= 256)
			return ansi_nearest_256(r, g, b);
	}
	return ansi_nearest_basic(r, g, b, ncolors >= 16 ? 16 : 8);
}
