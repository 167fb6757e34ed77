#!/usr/bin/env bash
# e: edit a stopped step's command in $EDITOR, then retry it (the config
# never changes; the record, logs and review say which attempt ran what);
# m: mark a stopped step done by hand (it meets needs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/edit.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: typo
    steps:
      - {name: greet, run: echo helo; exit 3, on_failure: pause}
      - echo typo done
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

tui_start edit.yaml
tui_check "typo pauses" tui_wait_re "! typo +PAUSED"
tui_check "manual pauses" tui_wait_re "! manual +PAUSED"
tui_keys e
tui_check "the edited command ran" tui_wait_re "✔ typo +ok 2/2"
tui_check "the pane says what runs now" tui_has "-- now runs: echo hello --"
tui_check "and the retry's output" tui_has_re "^hello +│"
tui_check "the status bar says so" tui_has "retried typo with the edited command"
check "the config file is unchanged" cmp -s "$T/edit.yaml" "$T/edit.yaml.orig"
tui_keys '!' m
tui_check "m: marked, the sequence is done" tui_wait_re "✔ manual +ok 1/1"
tui_check "m: its needs are met" tui_wait_re "✔ after +ok 1/1"
id=$(basename "$(readlink -f "$T/runs/latest")")
"$DROVE" ctl "$id" edit byctl >"$T/ctl.out" 2>&1
check "ctl: edit needs a dashboard" contains "$T/ctl.out" "edit needs the new command"
"$DROVE" ctl "$id" mark byctl >"$T/ctl.out" 2>&1
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
check "a marked step ends ok" grep -q '"event":"step_end".*"seq":"manual".*"status":"ok"' "$ev"
"$DROVE" logs --log-dir "$T/runs" latest typo >"$T/logs.out"
check "logs: which attempt ran what" contains "$T/logs.out" "try 2 ran (edited): echo hello"

tui_cleanup
tui_start review --log-dir runs
tui_check "review: the edit where it happened" tui_wait "-- now runs: echo hello --"
tui_check "review: the mark" tui_wait "-- marked done by hand by operator at"
tui_keys e
tui_check "review: e is read only" tui_wait "read only: a past run (edit typo)"
tui_keys q
tui_check "review: quit" tui_dead

finish
