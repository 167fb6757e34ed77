#!/usr/bin/env bash
# The moments a user lives through, in the dashboard:
# 1. Twenty hosts set up at once: one pane turns red and waits, the error
#    is readable in it, the cause is fixed, `r`, and it goes green.
# 2. A step hangs: it is killed (x) or skipped (s) and the sequence moves
#    on, and the hung process is gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/hosts.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: "{{host}}"
    matrix:
      host: [host01, host02, host03, host04, host05, host06, host07,
             host08, host09, host10, host11, host12, host13, host14,
             host15, host16, host17, host18, host19, host20]
    steps:
      - name: connect
        run: echo "connected to {{host}}"
      - name: mount data
        run: |
          if [ "{{host}}" = host13 ] && [ ! -e fixed-host13 ]; then
            echo "mount: /dev/xvdb: wrong fs type, bad superblock" >&2
            exit 32
          fi
          echo "mounted /data on {{host}}"
        on_failure: pause
      - name: install
        run: echo "installed on {{host}}"
YAML

tui_start -x 160 -y 48 hosts.yaml
tui_check "grid: the last host is on screen" tui_wait "host20"
tui_check "grid: all twenty panes" sh -c "[ \$($TUI capture-pane -p -t drove | grep -oE 'host[0-9]{2}' | sort -u | wc -l) -eq 20 ]"
tui_check "host13 turns red and waits" tui_wait_re "! host13 +PAUSED"
tui_check "its error is readable in its pane" tui_wait "wrong fs type"
tui_check "the others go green" tui_wait_re "✔ host20 +ok 3/3"
# On a red background (SGR 41) right before its title.
red_title() {
	$TUI capture-pane -e -p -t drove | grep -F "host13  PAUSED" |
		grep -qF "$(printf '\033[41m ! host13')"
}
tui_check "red: the paused title is drawn on red" red_title
touch "$T/fixed-host13"
tui_keys '!'
tui_keys r
tui_check "after the fix and r, host13 goes green" tui_wait_re "✔ host13 +ok 3/3"
tui_check "status bar: all twenty ok" tui_wait "✔20"
tui_quit 0 "exit 0 after the retry"

# --- 2. hung steps: x kills one, s skips the other; both move on ---------------
cat >"$T/hang.yaml" <<'YAML'
settings: {log_dir: runs, kill_grace: 2s}
sequences:
  - name: kill me
    steps:
      - name: hangs
        run: echo $$ > kill.pid; echo "waiting forever"; exec sleep 1000
        on_failure: continue
      - name: after kill
        run: echo "moved on after the kill"
  - name: skip me
    steps:
      - name: hangs too
        run: echo $$ > skip.pid; echo "waiting forever"; exec sleep 1000
      - name: after skip
        run: echo "moved on after the skip"
YAML
tui_start hang.yaml
tui_check "both hang" wait_for 20 test -s "$T/kill.pid" -a -s "$T/skip.pid"
tui_wait "waiting forever"
tui_keys x
tui_check "x: the sequence moves on" tui_wait "moved on after the kill"
tui_check "x: the hung process is gone" wait_for 20 pids_dead "$(cat "$T/kill.pid")"
tui_keys Tab s
tui_check "s: the sequence moves on" tui_wait "moved on after the skip"
tui_check "s: the hung process is gone" wait_for 20 pids_dead "$(cat "$T/skip.pid")"
tui_check "skip me ends ok" tui_wait_re "✔ skip me +ok"
tui_quit 1 "a kill is a failure: exit 1"

# --- quitting while a step ignores SIGTERM: the screen says what it waits for
cat >"$T/stubborn.yaml" <<'YAML'
settings: {log_dir: runs, kill_grace: 2s}
sequences:
  - name: stubborn
    steps: ["echo $$ > stubborn.pid; trap '' TERM; echo ignoring TERM; while :; do sleep 0.1; done"]
YAML
tui_start stubborn.yaml
tui_wait "ignoring TERM"
tui_keys q
tui_check "quit asks first" tui_wait_re "[Qq]uit"
tui_keys y
tui_check "quitting says it is stopping the steps" tui_wait "stopping every step (SIGTERM, then SIGKILL after 2s)"
tui_dead
tui_check "the stubborn step is gone after the grace" wait_for 20 pids_dead "$(cat "$T/stubborn.pid")"

finish
