#!/usr/bin/env bash
# if: a local condition just before a step: it runs the step on some
# matrix values and skips it on the others, recorded as skipped by its
# condition; in the dashboard, what it decided.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/if.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: web {{h}}
    matrix: {h: [a, b, c]}
    steps:
      - name: mount
        run: echo "mounting on {{h}}"
        if: echo "is it {{h}}?"; test "{{h}}" != b
      - echo "after {{h}}"
YAML
(cd "$T" && "$DROVE" --headless if.yaml >"$T/if.out" 2>&1)
check "a skipped condition is not a failure" test $? -eq 0
out=$T/if.out
check "it runs where the condition holds" contains "$out" "web a | mounting on a"
check "and on the other" contains "$out" "web c | mounting on c"
check "not where it does not" lacks "$out" "mounting on b"
check "the condition's output is shown" contains "$out" "web b | is it b?"
check "the skip says why" contains "$out" "web b | !! step 'mount' skipped: its condition said no (exit 1)"
check "and is a skip" grep -qE "^web b \| <== step 1/2 mount: skipped" "$out"
check "the sequence goes on" contains "$out" "web b | after b"
check "summary counts the skip" grep -qE "^web b +ok +1 +0 +1 " "$out"
(cd "$T" && "$DROVE" --headless --fail-on-skip if.yaml >"$T/if-strict.out" 2>&1)
check "--fail-on-skip: a skip by a condition is not a failure" test $? -eq 0
ev=$T/runs/latest/events.jsonl
check "the record says skipped by its condition" \
	grep -qE '"seq":"web b".*"step_index":0.*"status":"skipped".*"reason":"condition"|"seq":"web b".*"status":"skipped","reason":"condition"' "$ev"
check "not for the steps that ran" \
	test "$(grep -c '"reason":"condition"' "$ev")" = 1
check "drove logs shows the skipped step" \
	sh -c "cd '$T' && '$DROVE' logs --log-dir runs latest 'web b' mount | grep -qF 'is it b?'"

# --- the dashboard: the condition's verdict in the pane -------------------------
cat >"$T/tui.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: gate
    steps:
      - name: guarded
        run: echo guarded ran
        if: test -e open
      - name: waits on a slow condition
        run: echo slow ran
        if: while [ ! -e go ]; do sleep 0.05; done
      - echo gate done
YAML
tui_start tui.yaml
tui_check "the pane says the condition said no" tui_wait "-- if: no (exit 1): skipped --"
tui_check "the condition runs" tui_wait "-- if: while"
touch "$T/go"
tui_check "it said yes" tui_wait "-- if: yes, the step runs --"
tui_check "the step ran" tui_wait "slow ran"
tui_check "the sequence ends" tui_wait_re "gate +ok 2/3, 1 skipped"
tui_check "the guarded step never ran" tui_lacks "guarded ran"
tui_keys q
tui_check "drove quits" tui_dead
finish
