#!/usr/bin/env bash
# Reading output: scroll (PgUp/PgDn, Ctrl-U/Ctrl-D, G), search with
# highlighted matches (/, n, N), the list layout, and resizing down to
# 20x5 and back while output flows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/view.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: numbers
    steps:
      - name: count
        run: |
          i=1
          while [ $i -le 300 ]; do
            case $i in 100) echo "needle alpha";; 200) echo "needle beta";; esac
            echo "line $i"
            i=$((i + 1))
          done
          echo "counted"
          while [ ! -e stop ]; do sleep 0.05; done
          echo stopped
  - name: ticker
    steps:
      - name: tick
        run: while [ ! -e stop ]; do echo "tick $(date +%N)"; sleep 0.02; done; echo stopped
  - name: quiet
    steps:
      - echo quiet
YAML

tui_start view.yaml
tui_check "output arrives" tui_wait "counted"
tui_keys z
tui_check "zoomed" tui_wait_re "^▸ ▶ +1 count +running"
tui_check "follows the end" tui_wait "line 300"

# --- scrolling ---------------------------------------------------------------
# 37 output rows: a page is 36 lines, half a page 18.
tui_keys PPage
tui_check "page up" tui_wait "[scrolled: 36 below, G follows]"
tui_check "the end is out of view" tui_lacks "line 300"
tui_check "the bottom line" tui_has_re "^line 265$"
tui_keys C-u
tui_check "half a page more" tui_wait "[scrolled: 54 below"
tui_check "the bottom moved" tui_has_re "^line 247$"
tui_keys C-d NPage NPage NPage
tui_check "paging down reaches the end and follows" tui_gone "scrolled:"
tui_keys g
tui_check "top: the first line" tui_wait "-- step 1/1: count --"
tui_keys G
tui_check "G follows again" tui_wait "counted"

# --- search --------------------------------------------------------------------
tui_keys / n e e d l e
tui_check "the prompt shows what is typed" tui_wait "/needle"
tui_keys Enter
# Forward from the view (the last page: no needle there), so round from
# the oldest line, as less and vim do.
tui_check "forward from the view, round to the first match" tui_wait "needle alpha"
tui_check "wrapping is said" tui_wait "search wrapped to the oldest line: needle"
tui_check "the match is in view, the end is not" tui_lacks "counted"
tui_check "matches are highlighted" eval "$TUI capture-pane -e -p -t drove | grep -q $'\033\\[30m\033\\[43mneedle\\|\033\\[30;43mneedle'"
tui_keys n
tui_check "n: the next match" tui_wait "needle beta"
tui_check "n: not wrapped" tui_gone "search wrapped"
tui_keys N
tui_check "N: the previous match" tui_wait "needle alpha"
tui_keys n n
tui_check "n past the last match wraps round" tui_wait "search wrapped to the oldest line: needle"
tui_check "to the first match" tui_has "needle alpha"
tui_keys / Z Z Z Enter
tui_check "not found is said" tui_wait "not found: ZZZ"
tui_keys Escape Escape G
tui_check "Esc leaves zoom" tui_wait_re "▶ ticker"

# --- list layout ---------------------------------------------------------------------
tui_keys L
tui_check "list: one line per sequence" tui_wait_re "^ ✔ quiet +ok 1/1 +0:00 │"
tui_check "list: the focused output beside" tui_wait "│line 300"
tui_keys L
# The list shows the focused output beside the list: once that is gone,
# the grid is back (a pattern both layouts match would race the key).
tui_check "back to the grid: the list is gone" tui_gone "│line 300"
tui_check "back to the grid" tui_wait_re "▶ ticker "

# --- resize to 20x5 and back, with output flowing --------------------------------------
pid=$(tui_pid)
tui_resize 20 5
tui_check "tiny: the status bar is there" tui_wait_re "^▶2 ✔1"
tui_check "tiny: five rows" test "$(tui_screen | wc -l)" -le 5
for size in "30 6" "20 5" "45 12" "21 7" "80 3" "1 1" "200 50" "20 5"; do
	tui_resize $size
done
tui_check "many resizes: still running" pid_alive "$pid"
tui_resize 20 5
tui_check "20x5 again" tui_wait_re "^▶2 ✔1"
tui_check "tiny: the focused sequence named" tui_wait "numbers"
tui_resize 120 40
tui_check "back to 120x40" tui_wait_re "▶ numbers +step 1/1 +count .*│ ▶ ticker"
tui_check "output back in place" tui_wait "counted"

touch "$T/stop"
tui_check "all done" tui_wait "finished in"
tui_keys q
tui_check "quits" tui_dead
tui_check "exit status 0" test "$(tui_exit_status)" = 0

# --- an error on a 20x5 terminal: the error stays in view ----------------------
# The message (with the list of valid keys, ten rows at 20 columns) must
# not scroll its first words, the error itself, off the screen.
printf 'sequences:\n  - name: a\n    steps:\n      - {run: "echo hi", retires: 3}\n' >"$T/typo.yaml"
tui_cleanup
# tmux's own "Pane is dead" would take rows of the five: none.
TUI_CONF_EXTRA='set -g remain-on-exit-format ""' tui_start -x 20 -y 5 typo.yaml
tui_check "20x5 error: drove exits" tui_dead
check "20x5 error: exit status 2" test "$(tui_exit_status)" = 2
# The screen's wrapped rows joined into the lines printed.
joined() { $TUI capture-pane -p -J -t drove | grep -qF -- "$1"; }
tui_check "20x5 error: the error line is on the screen, whole" joined "typo.yaml:4:26: error: unknown key 'retires' in step"
tui_check "20x5 error: the hint, cut short" joined "(valid: "
(cd "$T" && "$DROVE" typo.yaml >"$T/typo.out" 2>&1)
check "into a file: the whole message" contains "$T/typo.out" "typo.yaml:4:26: error: unknown key 'retires' in step (valid: name, run,"

finish
