#!/usr/bin/env bash
# Live and review tell the same story: the line a failed step ends with,
# what a blocked pane waits for, and a skipped step's time (that of its
# process, not of the pause after it). The focus is marked in every state.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/story.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: stopper
    steps:
      - {name: boom, run: echo boom; exit 3}
  - name: waiter
    needs: stopper
    steps: [echo never]
  - name: pauser
    steps:
      - {name: broken, run: exit 2, on_failure: pause}
      - echo after
YAML

tui_start story.yaml
tui_check "the live pane ends with how the step failed" \
    tui_wait_re "^-- failed \(exit 3\) after [0-9.]+s --"
tui_check "a blocked pane says what it waits for" \
    tui_wait "-- blocked: waits for stopper (failed) --"
tui_check "pauser pauses" tui_wait_re "! pauser +PAUSED"
tui_check "the focus is marked on a failed pane" tui_has_re "^▌✘ stopper"
tui_check "and only there" tui_has_re "^ ! pauser"
tui_keys '!'
tui_check "the focus is marked on a paused pane" tui_wait_re "^▌! pauser +PAUSED"
tui_keys s
tui_check "finished" tui_wait_re "finished in 0:[0-9]+"
tui_keys q
tui_check "quit" tui_dead
# The skipped step's two step_ends (failed, then skipped) have one
# duration: its process's.
durs=$(grep '"step_end"' "$T"/runs/latest/events.jsonl | grep '"seq":"pauser","seq_index":2,"step":"broken"' |
    sed 's/.*"duration":\([0-9.e-]*\).*/\1/' | sort -u | wc -l)
check "a skipped step's time ends with its process" test "$durs" -eq 1

tui_cleanup
tui_start review --log-dir runs
tui_check "review: the same line" tui_wait_re "^-- failed \(exit 3\) after [0-9.]+s --"
tui_keys q
tui_check "review: quit" tui_dead

finish
