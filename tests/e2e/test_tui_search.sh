#!/usr/bin/env bash
# Searching a big log as less and vim do (the review of a big log in a
# live run: the search finds the line): forward from the view, n and N,
# round from one end to the other ("search wrapped"), through the whole
# output of the step, the lines beyond the scrollback budget read back
# from the logs included. And a scrolled pane stays alive: its clock runs
# and its count of lines below grows as output comes; G follows again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# 20,000 lines of 40 bytes (800 kB) against a budget of 20 kB: all but
# the last few hundred lines are only in the log. The steps that wait end
# too when the test's directory is gone (a test that failed half way
# leaves no run behind).
cat >"$T/big.yaml" <<'YAML'
settings:
  log_dir: runs
  scrollback: 20000
sequences:
  - name: big
    steps:
      - name: flood
        run: |
          seq 1 20000 | awk '{
            if ($1 == 100) print "needle early"
            if ($1 == 5000) print "ERROR: disk /dev/xvdb not found"
            if ($1 == 19990) print "needle late"
            printf "line %d of the flood, padded out\n", $1 }'
          echo counted
          i=0
          while [ ! -e stop ] && [ -e big.yaml ]; do i=$((i + 1)); echo "tick $i"; sleep 0.2; done
YAML

tui_start -x 100 -y 30 big.yaml
tui_check "output arrives" tui_wait "counted"
tui_keys z
tui_check "zoomed" tui_wait_re "^▸ ▶ +1 flood +running"

# --- search -----------------------------------------------------------------
tui_keys g
tui_check "g: the oldest lines, read back from the log" tui_wait "-- step 1/1: flood --"
tui_check "the needle is below the view" tui_lacks "needle early"
tui_keys / n e e d l e Enter
tui_check "/ after g finds the line below" tui_wait "needle early"
tui_check "not wrapped" tui_lacks "search wrapped"
tui_check "no not found" tui_lacks "not found: needle"
tui_keys n
tui_check "n: the next match, 19,890 lines further" tui_wait "needle late"
tui_keys n
tui_check "n past the last: round to the first" tui_wait "search wrapped to the oldest line: needle"
tui_check "the first match again" tui_has "needle early"
tui_keys N
tui_check "N past the first: round to the last" tui_wait "search wrapped to the newest line: needle"
tui_check "the last match again" tui_has "needle late"
tui_keys G
tui_check "G follows" tui_wait_re "^tick [0-9]+"
tui_keys / x v d b Enter
tui_check "from the end, round to a line only the log holds" tui_wait "ERROR: disk /dev/xvdb not found"
tui_check "round is said" tui_has "search wrapped to the oldest line: xvdb"
tui_keys / n o - s u c h Enter
tui_check "a line nowhere is not found" tui_wait "not found: no-such"

touch "$T/stop"
tui_check "the step ends" tui_wait "finished in"
tui_keys q
tui_check "q quits" tui_dead
tui_cleanup

# --- a scrolled pane stays alive --------------------------------------------
# Attached to a run already under way, no event but output may come for
# a long time: the clocks must go on all the same.
rm -f "$T/stop"
cat >"$T/alive.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: talk
    steps:
      - name: chatter
        run: |
          seq 1 300
          i=0
          while [ ! -e stop ] && [ -e alive.yaml ]; do i=$((i + 1)); echo "tick $i"; sleep 0.2; done
  - name: nap
    steps:
      - name: doze
        run: while [ ! -e stop ] && [ -e alive.yaml ]; do sleep 0.2; done
YAML
cd "$T" && id=$("$DROVE" -d alive.yaml) && cd - >/dev/null
running() { "$DROVE" ctl "$id" status 2>/dev/null | grep -q "doze.*running"; }
tui_check "the run is under way" wait_for "$TUI_DEADLINE" running
tui_start -x 140 -y 30 attach "$id"
tui_check "attached" tui_wait_re "^tick [0-9]+"
tui_keys PPage
below() { tui_screen | sed -n 's/.*\[scrolled: \([0-9]*\) below.*/\1/p' | head -n 1; }
# 70 columns a pane: the title has room for the long note.
clock() { tui_screen | head -n 1 | grep -oE '[0-9]+:[0-9]{2}' | tail -n 1; }
tui_check "scrolled: the count of lines below is shown" tui_wait "[scrolled: "
b0=$(below) c0=$(clock)
grows() { local b; b=$(below); [ -n "$b" ] && [ "$b" -gt "$b0" ]; }
ticks() { local c; c=$(clock); [ -n "$c" ] && [ "$c" != "$c0" ]; }
tui_check "scrolled: the count grows as output comes" wait_for "$TUI_DEADLINE" grows
tui_check "scrolled: the title's clock runs" wait_for "$TUI_DEADLINE" ticks
# Too narrow for the long note: the short one, still counting.
tui_resize 40 30
tui_check "narrow: the count stays in the title" tui_wait_re "^▌▶ talk .*\[[0-9]+ below\]"
tui_resize 140 30
tui_keys G
tui_check "G: following again" tui_gone "below"
tui_check "the newest lines" tui_wait_re "^tick [0-9]+"
touch "$T/stop"
tui_check "the run ends" tui_wait "finished in"
tui_keys q
tui_check "q quits" tui_dead
# Once no dashboard is attached, the server ends.
gone() { ! "$DROVE" ps 2>/dev/null | grep -q "$id"; }
check "the run's server is gone" wait_for "$TUI_DEADLINE" gone
finish
