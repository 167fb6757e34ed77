#!/usr/bin/env bash
# e: edit a stopped step's command in $EDITOR, then retry it (the config
# never changes; the record, logs and review say which attempt ran what);
# m: mark a stopped step done by hand (it meets needs); v: the step's log
# in $PAGER; $: a shell in the step's directory and environment; y: a
# line to the terminal's clipboard (OSC 52, which tmux keeps as a buffer).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/edit.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: typo
    steps:
      - {name: greet, run: echo helo; exit 3, on_failure: pause}
      - {run: echo typo done, cwd: work, env: {STEP_VAR: set}}
  - name: manual
    steps:
      - {name: by hand, run: exit 4, on_failure: pause}
  - name: after
    needs: manual
    steps: [echo after ran]
  - name: byctl
    steps:
      - {name: fails, run: exit 5, on_failure: pause}
YAML
cp "$T/edit.yaml" "$T/edit.yaml.orig"
# The editor: fixes the typo in the file it is given, as a person would.
cat >"$T/ed.sh" <<'EOF2'
#!/bin/sh
sed -i 's/helo; exit 3/hello/' "$1"
EOF2
chmod +x "$T/ed.sh"
export VISUAL="$T/ed.sh"
# The pager and the shell say what they were given, and return.
cat >"$T/pager.sh" <<'EOF2'
#!/bin/sh
cp "$1" "$T/paged"
EOF2
mkdir "$T/work"
cat >"$T/shell.sh" <<EOF2
#!/bin/sh
{ pwd; echo "seq=\$DROVE_SEQUENCE"; echo "step=\$STEP_VAR"; } >"$T/shell.out"
EOF2
chmod +x "$T/pager.sh"
export PAGER="$T/pager.sh" T
tui_drove_shell "$T/shell.sh"
TUI_CONF_EXTRA='set -g set-clipboard on'

tui_start edit.yaml
tui_check "typo pauses" tui_wait_re "! typo +PAUSED"
tui_check "manual pauses" tui_wait_re "! manual +PAUSED"
tui_keys e
tui_check "the edited command ran" tui_wait_re "✔ typo +ok 2/2"
tui_check "the pane says what runs now" tui_has "-- now runs: echo hello --"
tui_check "and the retry's output" tui_has_re "^hello +│"
tui_check "the status bar says so" tui_has "retried typo with the edited command"
check "the config file is unchanged" cmp -s "$T/edit.yaml" "$T/edit.yaml.orig"
tui_keys v
check "v: the pager gets the step's whole log" wait_for 20 sh -c "grep -qx 'typo done' '$T/paged' 2>/dev/null"
tui_check "v: the dashboard is back" tui_wait_re "✔ typo +ok 2/2"
tui_keys y
tui_check "y: says what it copied" tui_wait "copied: typo done"
check "y: the terminal got it (OSC 52)" wait_for 20 sh -c "$TUI show-buffer 2>/dev/null | grep -qx 'typo done'"
tui_keys '$'
check "\$: a shell in the step's directory" wait_for 20 sh -c "grep -qx '$T/work' '$T/shell.out' 2>/dev/null"
check "\$: with the step's environment" grep -qx "seq=typo" "$T/shell.out"
check "\$: the step's own env too" grep -qx "step=set" "$T/shell.out"
tui_check "\$: back from the shell" tui_wait "back from the shell for typo"
tui_keys c
tui_check "c: asks for the note" tui_wait "note on typo:"
tui_keys "dpkg lock held" Enter
tui_check "c: noted" tui_wait "noted on typo: dpkg lock held"
tui_check "c: the pane shows it" tui_wait_re "-- note by operator at [0-9:]+: dpkg lock held --"
tui_keys '!' m
tui_check "m: marked, the sequence is done" tui_wait_re "✔ manual +ok 1/1"
tui_check "m: its needs are met" tui_wait_re "✔ after +ok 1/1"
id=$(basename "$(readlink -f "$T/runs/latest")")
"$REAL_DROVE" ctl "$id" edit byctl >"$T/ctl.out" 2>&1
check "ctl: edit needs a dashboard" contains "$T/ctl.out" "edit needs the new command"
"$REAL_DROVE" ctl "$id" mark byctl >"$T/ctl.out" 2>&1
check "ctl: mark says what it did" contains "$T/ctl.out" "marked done by hand byctl"
tui_check "ctl: marked" tui_wait_re "✔ byctl +ok 1/1"
tui_check "finished" tui_wait_re "finished in 0:[0-9]+"
tui_keys q
tui_check "quit" tui_dead
ev="$T/runs/latest/events.jsonl"
check "the record holds both commands" test "$(grep '"event":"step_start"' "$ev" | grep '"seq":"typo"' | grep -c -e '"run":"echo helo; exit 3"' -e '"run":"echo hello"')" -eq 2
check "the edit is an action" grep -q '"event":"edit".*"operator":true' "$ev"
check "the mark is an action" grep -q '"event":"mark","time".*"seq":"manual".*"operator":true' "$ev"
check "the mark says who took it" grep -q '"event":"mark".*"seq":"manual".*"by":"'"$(id -un)"' on /dev/' "$ev"
check "the edit says what runs next" grep -q '"event":"edit".*"run":"echo hello"' "$ev"
check "the shell is recorded, with who opened it" grep -q '"event":"shell".*"seq":"typo".*"operator":true.*"by":"' "$ev"
check "the note is recorded, with its text and who" grep -q '"event":"note".*"seq":"typo".*"note":"dpkg lock held".*"by":"' "$ev"
check "a marked step ends ok" grep -q '"event":"step_end".*"seq":"manual".*"status":"ok"' "$ev"
"$REAL_DROVE" logs --log-dir "$T/runs" latest typo >"$T/logs.out"
check "logs: which attempt ran what" contains "$T/logs.out" "try 2 ran (edited): echo hello"

tui_cleanup
tui_start review --log-dir runs
tui_check "review: the edit where it happened" tui_wait "-- now runs: echo hello --"
tui_check "review: the mark" tui_wait "-- marked done by hand by operator at"
tui_check "review: the shell" tui_wait "-- shell opened by operator at"
tui_check "review: the note" tui_wait_re "-- note by operator at [0-9:]+: dpkg lock held --"
rm -f "$T/paged"
tui_keys v
check "review: v pages the step's log too" wait_for 20 sh -c "grep -qx 'typo done' '$T/paged' 2>/dev/null"
tui_keys e
tui_check "review: e is read only" tui_wait "read only: a past run (edit typo)"
tui_keys q
tui_check "review: quit" tui_dead

finish
