#!/usr/bin/env bash
# What a first trial of the dashboard tripped over: e on a multi-line
# command (a YAML block) that is saved unchanged retries nothing, and the
# edited one shows on one readable line; $VISUAL is shell text, run as git
# runs it, and its failure says its exit status; $ says where the shell
# is; the status bar says what was done in the words ctl uses, and a hold
# shows in the title until it is reached; a step marked done by hand
# reads "marked", not ok with its failed exit status, live, in the review
# and in drove logs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/trial.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: multi
    steps:
      - name: mount data
        run: |
          echo one
          exit 3
        on_failure: pause
  - name: hanger
    steps:
      - {name: hang, run: sleep 600, on_failure: pause}
      - echo after the hang
  - name: setup
    steps:
      - {name: mount data, run: echo mounting; exit 32, on_failure: pause}
YAML
# The editor, at a path with a space and given an argument of its own:
# what it does is in $T/edmode (fail, keep, fix).
cat >"$T/my editor.sh" <<'EOF2'
#!/bin/sh
[ "$1" = --flag ] || exit 9
case $(cat "$T/edmode") in
fail) exit 1 ;;
keep) ;;
fix) sed -i 's/exit 3/echo fixed/' "$2" ;;
esac
EOF2
# The shell: it stays until told to go, for the screen to be read.
cat >"$T/shell.sh" <<EOF2
#!/bin/sh
while [ ! -e "$T/shell.go" ]; do sleep 0.1; done
EOF2
chmod +x "$T/my editor.sh"
export VISUAL="'$T/my editor.sh' --flag" T
tui_drove_shell "$T/shell.sh"

tui_start trial.yaml
tui_check "multi pauses" tui_wait_re "! multi +PAUSED"
echo fail >"$T/edmode"
tui_keys e
tui_check "e: the editor's exit status" \
	tui_wait "the editor exited 1: nothing retried (edit multi)"
echo keep >"$T/edmode"
tui_keys e
tui_check "e: a multi-line command saved unchanged is not retried" \
	tui_wait "the command is unchanged: nothing retried (edit multi)"
tui_check "e: still paused" tui_has_re "! multi +PAUSED"
tui_keys '$'
tui_check "\$: says where the shell is" \
	tui_wait "drove: shell in $T (sequence multi, step 1 mount data); exit to return to the dashboard"
touch "$T/shell.go"
tui_check "\$: back" tui_wait "back from the shell for multi"
echo fix >"$T/edmode"
tui_keys e
tui_check "e: the edited command ran" tui_wait_re "✔ multi +ok 1/1"
tui_check "e: the new command on one line" tui_has "-- now runs: echo one ⏎ echo fixed --"
tui_check "e: the status bar says so" tui_has "retried multi with the edited command"
tui_keys Tab p
tui_check "p: in ctl's words" tui_wait "held after this step hanger"
tui_check "p: the title says it is held" tui_wait_re "hanger .*HELD after this step"
tui_keys p
tui_check "p again: in ctl's words" tui_wait "released hanger"
tui_check "p again: the title no longer says so" tui_gone "HELD after this step"
tui_keys x
tui_check "x: in ctl's words" tui_wait "killed hanger"
tui_check "x: it stops" tui_wait_re "! hanger +PAUSED"
tui_keys s
tui_check "s: in ctl's words" tui_wait "skipped hanger"
tui_check "s: it goes on" tui_wait_re "✔ hanger +ok 1/2, 1 skipped"
tui_keys Tab m
tui_check "m: in ctl's words" tui_wait "marked done by hand setup"
tui_keys z
tui_check "m: the step list says marked" tui_wait_re "1 mount data +marked +[0-9]+:[0-9]{2}"
tui_check "m: not its failed exit status" sh -c "! $TUI capture-pane -p -t drove | grep 'mount data *marked' | grep -q 'exit\|try'"
tui_keys Escape
tui_check "finished" tui_wait_re "finished in 0:[0-9]+"
tui_keys q
tui_check "quit" tui_dead
"$REAL_DROVE" logs --log-dir "$T/runs" latest multi >"$T/logs.out"
check "logs: the edited command on one line" \
	contains "$T/logs.out" "try 2 ran (edited): echo one ⏎ echo fixed"
check "logs: not a line of its own" test "$(grep -c 'echo fixed' "$T/logs.out")" -eq 1
"$REAL_DROVE" logs --log-dir "$T/runs" latest setup >"$T/logs.out"
check "logs: a marked step" grep -qE '^ +1 +mount data +marked +- ' "$T/logs.out"
check "logs: how it failed, who marked it" \
	contains "$T/logs.out" "try 1 failed (exit 32), then marked done by hand by $(id -un)"

tui_cleanup
tui_start review --log-dir runs
tui_check "review: the new command on one line" tui_wait "-- now runs: echo one ⏎ echo fixed --"
tui_keys Tab Tab z
tui_check "review: the marked step" tui_wait_re "1 mount data +marked +[0-9]+:[0-9]{2}"
tui_check "review: how it failed" tui_wait_re "^-- failed \(exit 32\) after"
tui_check "review: then the mark" tui_has "-- marked done by hand by operator at"
tui_keys q
tui_check "review: quit" tui_dead

finish
