#!/usr/bin/env bash
# The dashboard in tmux: panes and titles, live output, help, zoom with the
# step list, quit with confirmation, nothing left running, terminal back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/basic.yaml" <<YAML
settings:
  log_dir: runs
sequences:
  - name: ticker
    steps:
      - name: count
        run: |
          for i in 1 2 3; do echo "tick \$i"; done
          echo "waiting for go"
          while [ ! -e go ]; do sleep 0.05; done
          echo went
      - name: colours
        run: printf '\033[31mred\033[0m and \344\270\255\346\226\207 wide\tTAB\n'
  - name: sleeper
    steps:
      - name: long sleep
        run: echo \$\$ > sleeper.pid; exec sleep 1000
  - name: three steps
    steps:
      - echo one
      - echo two
      - name: third
        run: exit 0
YAML

tui_start basic.yaml
tui_check "live output" tui_wait "waiting for go"
tui_check "running title" tui_wait_re "▶ ticker +step 1/2 +count"
tui_check "sleeper title" tui_wait_re "▶ sleeper +step 1/1 +long sleep"
tui_check "finished title" tui_wait_re "✔ three steps +ok 3/3"
tui_check "step banners" tui_wait "-- step 1/3: echo one --"
tui_check "status bar counts" tui_wait_re "▶2 ✔1 +0:0[0-9]"
tui_check "status bar hints" tui_wait "? help"
touch "$T/go"
tui_check "output continues" tui_wait "went"
tui_check "wide characters and tabs" tui_wait "red and 中文 wide       TAB"
tui_check "second step done" tui_wait_re "✔ ticker +ok 2/2"

# --- help overlay ------------------------------------------------------------
tui_keys '?'
tui_check "help opens" tui_wait "drove: keys"
tui_check "help lists retry" tui_wait "retry the failed or paused step"
# Its end, a page or two down: the texts wrap in the box.
tui_keys NPage NPage NPage
tui_check "help lists input escape" tui_wait "Ctrl-]"
tui_keys Escape
tui_check "help closes" tui_gone "drove: keys"

# --- zoom with the step list -------------------------------------------------
tui_keys Tab Tab z
tui_check "zoom shows steps" tui_wait_re " 1 echo one +ok +try 1/1 +exit 0"
tui_check "zoom shows the third step" tui_has_re " 3 third +ok +try 1/1 +exit 0"
tui_check "zoom shows the output" tui_wait "-- step 2/3: echo two --"
tui_check "zoom hides other panes" tui_lacks "sleeper"
tui_keys Enter
tui_check "unzoom" tui_wait "sleeper"

# --- quit, with confirmation while something runs -----------------------------
pid=$(cat "$T/sleeper.pid")
tui_keys q
tui_check "quit asks" tui_wait "Quit drove? 1 sequence is not done"
tui_keys n
tui_check "no keeps running" tui_gone "Quit drove?"
check "step still runs" pid_alive "$pid"
tui_keys q
tui_wait "Quit drove?"
tui_keys y
tui_check "drove exits" tui_dead
check "the sleeping step is gone" wait_for 10 eval "! pid_alive $pid"
check "terminal left the alternate screen" test "$(tui_fmt '#{alternate_on}')" = 0
check "mouse reporting off" test "$(tui_fmt '#{mouse_any_flag}')" = 0

finish
