#!/usr/bin/env bash
# Input mode: `i` sends keystrokes to a tty: true step (answering a
# prompt) until Ctrl-]; the step sees the size of its pane. The record
# says when the operator typed into which step, not what.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/input.yaml" <<YAML
settings:
  log_dir: runs
sequences:
  - name: asker
    steps:
      - name: prompt
        tty: true
        run: printf 'Your name? '; read name; echo "hello \$name"; echo "size \$(stty size)"
      - name: second prompt
        tty: true
        run: printf 'Continue? '; answer=\$(head -n 1); echo "answer \$answer"
  - name: busy
    steps:
      - name: quiet work
        tty: true
        run: while [ ! -e "$T/stop" ]; do sleep 0.05; done
YAML

tui_start input.yaml
tui_check "the unfinished prompt line shows" tui_wait "Your name?"
tui_check "a prompt: waiting for input, in its title" tui_wait_re "asker .*waiting for input"
# The busy pane is the right one: its title is the first row's second half.
check "a quiet busy step is not waiting for input" sh -c "$TUI capture-pane -p -t drove | head -n 1 | awk -F'│' '{ print \$2 }' | grep 'busy' | grep -qv 'waiting for input'"
touch "$T/stop"
tui_keys r
tui_check "keys are not input by default" tui_wait "(retry asker)"
tui_keys i
tui_check "input mode is shown" tui_wait "INPUT to asker"
tui_keys d r o v e Enter
tui_check "the step got the keys" tui_wait "hello drove"
tui_check "the step has the pane's size" tui_wait "size 38 60"
tui_check "input mode ends with the step" tui_wait "input: the step ended"
tui_check "the next prompt" tui_wait "Continue?"
tui_check "a child of the step reads it: waiting for input too" tui_wait_re "second prompt +waiting for input"
tui_keys i y
tui_keys C-]
tui_check "Ctrl-] gives the keys back" tui_gone "INPUT to asker"
tui_keys q
tui_check "q is drove's again" tui_wait "Quit drove?"
tui_keys n i e s Enter
tui_check "typed before and after Ctrl-] both reached the step" tui_wait "answer yes"
tui_check "finished" tui_wait "finished in"
tui_keys q
tui_check "quits" tui_dead
ev="$T/runs/latest/events.jsonl"
check "typing is recorded, once each time, with the step" test "$(grep -c '"event":"input".*"seq":"asker"' "$ev")" -eq 3
check "the first at the prompt step" grep -q '"event":"input".*"step":"prompt".*"by":"' "$ev"
check "never what was typed" sh -c "! grep -q drove '$ev' || ! grep '\"event\":\"input\"' '$ev' | grep -q 'drove\"'"

finish
