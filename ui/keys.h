/* keys.h: the dashboard's key bindings, as two X-macro lists in tig's
 * manner: the requests (what can be asked, with the text the `?` help
 * shows) and the bindings (which key asks for what, with the key's name).
 * Dispatch, the help overlay and the status bar's hints come from these
 * lists, and a test checks the README's and the man page's tables of keys
 * against them, so keys, names and documentation cannot drift apart. */
#ifndef DROVE_KEYS_H
#define DROVE_KEYS_H

#include <stddef.h>

/* Keys are Unicode characters as typed, or curses function keys
 * (KEY_LEFT, ...) moved out of the way of characters by KEYS_FN. */
#define KEYS_FN(k) (0x1000000 + (k))
#define KEYS_CTRL(c) ((c) & 0x1f)

/* R(NAME, help) */
#define KEYS_REQUESTS(R)                                                  \
	R(FOCUS_LEFT, "focus the pane to the left (list: previous)")     \
	R(FOCUS_DOWN, "focus the pane below (list: next)")               \
	R(FOCUS_UP, "focus the pane above (list: previous)")             \
	R(FOCUS_RIGHT, "focus the pane to the right (list: next)")       \
	R(FOCUS_NEXT, "focus the next sequence")                         \
	R(FOCUS_PREV, "focus the previous sequence")                     \
	R(FOCUS_ATTENTION, "focus the next sequence waiting for you: "   \
	    "paused, then failed or aborted")                            \
	R(ZOOM, "zoom: the focused sequence alone, with its steps")      \
	R(LAYOUT, "switch between grid and list")                        \
	R(HIDE_OK, "hide the sequences that finished ok / show them "    \
	    "again (the list shows those waiting for you first)")        \
	R(RETRY, "retry the failed or paused step")                      \
	R(RETRY_ALL, "retry every failed or paused sequence (asks; or "  \
	    "only those stopped at the focused one's step)")              \
	R(SKIP, "skip the running or paused step")                       \
	R(SKIP_ALL, "skip the step of every failed or paused sequence "  \
	    "(asks; or only at the focused one's step)")                  \
	R(EDIT, "edit the failed or paused step's command ($VISUAL, "    \
	    "$EDITOR), then retry it; the config file is not changed")   \
	R(MARK, "mark the failed or paused step done by hand (it "       \
	    "counts as done: needs are met)")                            \
	R(SHELL, "a shell where the sequence runs: on its host (ssh, "   \
	    "through its connection), else here in its step's directory " \
	    "and environment")                                           \
	R(PAGER, "the focused step's whole log in $PAGER (less -R)")     \
	R(NOTE, "a note on the focused sequence, for the record (Enter "  \
	    "keeps it, Esc drops it)")                                   \
	R(COPY, "copy the search hit (else the newest line shown) to "   \
	    "the terminal's clipboard (OSC 52)")                         \
	R(KILL, "kill the running step (TERM, then KILL)")               \
	R(ABORT, "abort the whole sequence (asks; r retries it)")        \
	R(HOLD, "pause the sequence after this step / resume it")        \
	R(PAGE_UP, "scroll the output up a page")                        \
	R(PAGE_DOWN, "scroll the output down a page")                    \
	R(HALF_UP, "scroll the output up half a page")                   \
	R(HALF_DOWN, "scroll the output down half a page")               \
	R(TOP, "scroll to the oldest line kept")                         \
	R(FOLLOW, "follow the output again")                             \
	R(SEARCH, "search the focused output, forward from the view "    \
	    "(all of it: round from the end to the oldest line)")        \
	R(SEARCH_NEXT, "next match (newer; wraps round)")                \
	R(SEARCH_PREV, "previous match (older; wraps round)")            \
	R(TIMES, "show or hide when each line arrived (a time column)") \
	R(INPUT, "type into a tty: true step; Ctrl-] gives the keys back") \
	R(ESCAPE, "leave zoom, clear the search")                        \
	R(REDRAW, "redraw the screen")                                   \
	R(HELP, "this help")                                             \
	R(DETACH, "detach: the run goes on (drove attach comes back)")   \
	R(QUIT, "quit (asks first while anything runs; kills every step)")

/* B(key, "name", NAME) */
#define KEYS_BINDINGS(B)                                \
	B(KEYS_FN(KEY_LEFT), "Left", FOCUS_LEFT)        \
	B('h', "h", FOCUS_LEFT)                         \
	B(KEYS_FN(KEY_DOWN), "Down", FOCUS_DOWN)        \
	B('j', "j", FOCUS_DOWN)                         \
	B(KEYS_FN(KEY_UP), "Up", FOCUS_UP)              \
	B('k', "k", FOCUS_UP)                           \
	B(KEYS_FN(KEY_RIGHT), "Right", FOCUS_RIGHT)     \
	B('l', "l", FOCUS_RIGHT)                        \
	B('\t', "Tab", FOCUS_NEXT)                      \
	B(KEYS_FN(KEY_BTAB), "Shift-Tab", FOCUS_PREV)   \
	B('!', "!", FOCUS_ATTENTION)                    \
	B('z', "z", ZOOM)                               \
	B('\n', "Enter", ZOOM)                          \
	B('\r', NULL, ZOOM)                             \
	B(KEYS_FN(KEY_ENTER), NULL, ZOOM)               \
	B('L', "L", LAYOUT)                             \
	B('H', "H", HIDE_OK)                            \
	B('r', "r", RETRY)                              \
	B('R', "R", RETRY_ALL)                          \
	B('s', "s", SKIP)                               \
	B('S', "S", SKIP_ALL)                           \
	B('e', "e", EDIT)                               \
	B('m', "m", MARK)                               \
	B('$', "$", SHELL)                              \
	B('v', "v", PAGER)                              \
	B('y', "y", COPY)                               \
	B('c', "c", NOTE)                               \
	B('x', "x", KILL)                               \
	B('a', "a", ABORT)                              \
	B('p', "p", HOLD)                               \
	B(KEYS_FN(KEY_PPAGE), "PgUp", PAGE_UP)          \
	B(KEYS_FN(KEY_NPAGE), "PgDn", PAGE_DOWN)        \
	B(KEYS_CTRL('u'), "Ctrl-U", HALF_UP)            \
	B(KEYS_CTRL('d'), "Ctrl-D", HALF_DOWN)          \
	B('g', "g", TOP)                                \
	B(KEYS_FN(KEY_HOME), "Home", TOP)               \
	B('G', "G", FOLLOW)                             \
	B(KEYS_FN(KEY_END), "End", FOLLOW)              \
	B('/', "/", SEARCH)                             \
	B('n', "n", SEARCH_NEXT)                        \
	B('N', "N", SEARCH_PREV)                        \
	B('t', "t", TIMES)                              \
	B('i', "i", INPUT)                              \
	B(0x1b, "Esc", ESCAPE)                          \
	B(KEYS_CTRL('l'), "Ctrl-L", REDRAW)             \
	B('?', "?", HELP)                               \
	B(KEYS_FN(KEY_F(1)), "F1", HELP)                \
	B('d', "d", DETACH)                             \
	B('q', "q", QUIT)

/* The status bar's hints, one list per moment: H(NAME, "label"), most
 * important first, each drawn as the request's first key and the label
 * ("r retry"), so a key bound elsewhere is hinted as it is. The bar shows
 * those that fit whole, in this order; `?` has them all. */
#define KEYS_HINTS_LIVE(H)                                                \
	H(HELP, "help") H(QUIT, "quit") H(RETRY, "retry") H(SKIP, "skip") \
	H(FOCUS_ATTENTION, "next paused") H(ZOOM, "zoom")                 \
	H(RETRY_ALL, "retry all") H(EDIT, "edit") H(SHELL, "shell")       \
	H(PAGER, "log") H(DETACH, "detach") H(KILL, "kill")               \
	H(ABORT, "abort") H(HOLD, "pause") H(SEARCH, "search")            \
	H(MARK, "mark") H(TIMES, "times")
/* The run is over: only a retry can start anything. */
#define KEYS_HINTS_DONE(H)                                                \
	H(QUIT, "quit") H(HELP, "help") H(RETRY, "retry")                 \
	H(RETRY_ALL, "retry all") H(ZOOM, "zoom")                         \
	H(SEARCH, "search") H(TIMES, "times") H(PAGE_UP, "scroll")        \
	H(EDIT, "edit") H(SHELL, "shell") H(PAGER, "log")                 \
	H(HIDE_OK, "hide ok")
/* A past run (the review): nothing acts. */
#define KEYS_HINTS_PAST(H)                                                \
	H(QUIT, "quit") H(HELP, "help") H(ZOOM, "zoom")                   \
	H(SEARCH, "search") H(TIMES, "times") H(PAGE_UP, "scroll")        \
	H(PAGER, "log")

enum keys_moment {
	KEYS_MOMENT_LIVE,
	KEYS_MOMENT_DONE,
	KEYS_MOMENT_PAST,
};

/* In input mode, this key leaves it; everything else goes to the step. */
#define KEYS_INPUT_ESCAPE KEYS_CTRL(']')
#define KEYS_INPUT_ESCAPE_NAME "Ctrl-]"

enum keys_request {
#define KEYS_ENUM(name, help) KEYS_##name,
	KEYS_REQUESTS(KEYS_ENUM)
#undef KEYS_ENUM
	KEYS_NONE
};

/* The request bound to `key`, or KEYS_NONE. */
enum keys_request keys_lookup(int key);
/* The request's name ("retry") and help text. */
const char *keys_name(enum keys_request req);
const char *keys_help(enum keys_request req);
/* The names of the keys bound to req, separated by " " ("h Left"), into
 * buf (size bytes). Returns buf. */
char *keys_names(enum keys_request req, char *buf, size_t size);

/* The status bar's hints for moment m ("? help  q quit  r retry ..."),
 * into buf (size bytes): those that fit whole in cols columns, most
 * important first; never a hint cut short. Returns buf. */
char *keys_hints(enum keys_moment m, size_t cols, char *buf, size_t size);

/* The lines of the help overlay: "KEYS  HELP" for each request, then a
 * few more (mouse, input mode). Returns the number of lines; stores line
 * i (0-based) into buf when i is below it. keyw is the width of the key
 * column. */
size_t keys_help_line(size_t i, char *buf, size_t size, int keyw);

#endif
