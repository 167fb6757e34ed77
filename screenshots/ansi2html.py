#!/usr/bin/env python3
"""ansi2html.py: a tmux `capture-pane -e -p` screen to a standalone HTML
page, one fixed-width cell per column, for headless Chromium to photograph.

    ansi2html.py COLS ROWS TITLE < screen.ans > screen.html

Understands what tmux emits: SGR attributes (bold, dim, italic, underline,
reverse) and colours (16, 256 and 24-bit). Every other escape sequence is
dropped. Characters outside ASCII get a box of exactly one or two columns,
so a glyph from a fallback font cannot shift the rest of the row."""
import html
import re
import sys
import unicodedata

# A dark theme (Tango-like), indexes 0-15.
BASE16 = [
    "#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b",
    "#06989a", "#d3d7cf", "#555753", "#ef2929", "#8ae234", "#fce94f",
    "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec",
]
DEFAULT_FG = "#d3d7cf"
DEFAULT_BG = "#1c1f22"


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        r, g, b = levels[n // 36], levels[(n // 6) % 6], levels[n % 6]
        return f"#{r:02x}{g:02x}{b:02x}"
    v = 8 + 10 * (n - 232)
    return f"#{v:02x}{v:02x}{v:02x}"


class State:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.under = self.rev = False

    def sgr(self, params):
        p = [int(x) if x.isdigit() else 0 for x in re.split(r"[;:]", params)] if params else [0]
        i = 0
        while i < len(p):
            v = p[i]
            if v == 0:
                self.reset()
            elif v == 1:
                self.bold = True
            elif v == 2:
                self.dim = True
            elif v == 3:
                self.italic = True
            elif v == 4:
                self.under = True
            elif v == 7:
                self.rev = True
            elif v == 22:
                self.bold = self.dim = False
            elif v == 23:
                self.italic = False
            elif v == 24:
                self.under = False
            elif v == 27:
                self.rev = False
            elif 30 <= v <= 37:
                self.fg = BASE16[v - 30]
            elif 90 <= v <= 97:
                self.fg = BASE16[v - 90 + 8]
            elif 40 <= v <= 47:
                self.bg = BASE16[v - 40]
            elif 100 <= v <= 107:
                self.bg = BASE16[v - 100 + 8]
            elif v == 39:
                self.fg = None
            elif v == 49:
                self.bg = None
            elif v in (38, 48) and i + 1 < len(p):
                if p[i + 1] == 5 and i + 2 < len(p):
                    c = color256(p[i + 2])
                    i += 2
                elif p[i + 1] == 2 and i + 4 < len(p):
                    c = f"#{p[i + 2]:02x}{p[i + 3]:02x}{p[i + 4]:02x}"
                    i += 4
                else:
                    c = None
                    i += 1
                if v == 38:
                    self.fg = c
                else:
                    self.bg = c
            i += 1

    def style(self):
        fg = self.fg or DEFAULT_FG
        bg = self.bg or DEFAULT_BG
        if self.rev:
            fg, bg = bg, fg
        s = [f"color:{fg}"]
        if bg != DEFAULT_BG:
            s.append(f"background:{bg}")
        if self.bold:
            s.append("font-weight:bold")
        if self.dim:
            s.append("opacity:.65")
        if self.italic:
            s.append("font-style:italic")
        if self.under:
            s.append("text-decoration:underline")
        return ";".join(s)


SEQ = re.compile(r"\x1b\[([0-9;:?]*)([@-~])|\x1b[()][0-9A-Za-z]|\x1b.")


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def convert(text, cols, rows):
    st = State()
    out = []
    for line in text.split("\n")[:rows]:
        cells = []      # (style, html)
        col = 0
        pos = 0
        # tmux carries attributes from one line to the next.
        for m in list(SEQ.finditer(line)) + [None]:
            end = m.start() if m else len(line)
            for ch in line[pos:end]:
                w = width(ch)
                if w == 0 or col + w > cols:
                    continue
                if ord(ch) < 128:
                    cells.append((st.style(), html.escape(ch)))
                else:
                    cells.append((st.style(),
                                  f'<span class="c{w}">{html.escape(ch)}</span>'))
                col += w
            if m is None:
                break
            if m.group(2) == "m":
                st.sgr(m.group(1))
            pos = m.end()
        cells.append(("", " " * (cols - col)))
        # Merge runs of one style into one span.
        row, cur, buf = [], None, []
        for style, h in cells:
            if style != cur and buf:
                row.append(f'<span style="{cur}">{"".join(buf)}</span>' if cur else "".join(buf))
                buf = []
            cur = style
            buf.append(h)
        if buf:
            row.append(f'<span style="{cur}">{"".join(buf)}</span>' if cur else "".join(buf))
        out.append("".join(row))
    while len(out) < rows:
        out.append(" " * cols)
    return "\n".join(out)


def main():
    cols, rows, title = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    body = convert(sys.stdin.read(), cols, rows)
    print(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
html, body {{ margin: 0; background: {DEFAULT_BG}; }}
pre {{ margin: 0; padding: 10px; color: {DEFAULT_FG};
      font: 14px/17px "DejaVu Sans Mono", monospace; }}
.c1, .c2 {{ display: inline-block; overflow: hidden; text-align: center;
           vertical-align: top; height: 17px; }}
.c1 {{ width: 1ch; }} .c2 {{ width: 2ch; }}
</style></head>
<body><pre>{body}</pre></body></html>""")


if __name__ == "__main__":
    main()
