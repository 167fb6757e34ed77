#!/usr/bin/env bash
# settings.notify: run at a failure, at the end, and when a failed step
# waits for the operator (the dashboard, in tmux); with its variables;
# its failure never changes the run; a slow one gets kill_grace at the
# end, then is killed, leaving nothing behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cd "$T" || exit 1
cat >"$T/n.yaml" <<'YAML'
settings:
  log_dir: runs
  notify: |
    printf '%s|%s|%s|%s|%s|%s\n' "$DROVE_EVENT" "$DROVE_RUN_ID" "$DROVE_SEQUENCE" \
      "$DROVE_STEP" "$DROVE_STATE" "$DROVE_MESSAGE" >>"$DROVE_RUN_DIR/../notified"
    echo "said $DROVE_EVENT"
    exit 7
sequences:
  - name: first
    steps:
      - {name: break it, run: "exit 1"}
  - name: second
    needs: [first]
    steps: ["true"]
  - name: third
    steps:
      - {name: also, run: "sleep 0.2; exit 1"}
YAML
"$DROVE" --headless n.yaml >"$T/n.out" 2>&1
check "the run's status is its own, whatever notify exits" test $? -eq 1
rid=$(basename "$(readlink -f runs/latest)")
check "notified twice: the first failure, the end" \
    test "$(wc -l <runs/notified)" -eq 2
check "failed: the first sequence that failed, its step, the variables" \
    grep -qxF "failed|$rid|first|break it|failed|drove $rid: first failed at step 'break it'" runs/notified
check "end: the run's result" \
    grep -qxF "end|$rid|||failed|drove $rid: the run ended: failed" runs/notified
check "its output goes to notify.log" contains "runs/$rid/notify.log" "said end"
check "... with its exit status" contains "runs/$rid/notify.log" \
    "the notify command exited 7"
check "nothing of it in drove's output" lacks "$T/n.out" "said"

# A run that succeeds, with a notify command that cannot even start.
cat >"$T/ok.yaml" <<'YAML'
settings: {log_dir: okruns, shell: /bin/sh, notify: "/nonexistent/notifier"}
sequences: [{name: s, steps: ["true"]}]
YAML
"$DROVE" --headless ok.yaml >"$T/ok.out" 2>&1
check "a notify command that fails leaves the run ok" test $? -eq 0
check "... and says so in notify.log" contains okruns/latest/notify.log \
    "the notify command exited 127"

# A slow notify command: kill_grace after the end, then killed.
cat >"$T/slow.yaml" <<YAML
settings:
  log_dir: slowruns
  kill_grace: 300ms
  notify: 'echo \$\$ >$T/notify.pid; exec sleep 100'
sequences: [{name: s, steps: ["true"]}]
YAML
start=$(date +%s)
"$DROVE" --headless slow.yaml >"$T/slow.out" 2>&1
check "a slow notify command: drove still exits 0" test $? -eq 0
check "... within seconds, not the command's 100" \
    test $(( $(date +%s) - start )) -lt 30
check "... and the command is gone" eval '! pid_alive "$(cat "$T/notify.pid")"'
check "... said in notify.log" contains slowruns/latest/notify.log "killed"

# pause: the dashboard, a failed step waiting for the operator.
cat >"$T/p.yaml" <<'YAML'
settings:
  log_dir: pruns
  notify: 'echo "$DROVE_EVENT|$DROVE_SEQUENCE|$DROVE_STEP|$DROVE_STATE" >>"$DROVE_RUN_DIR/../paused"'
sequences:
  - name: web1
    steps:
      - {name: mount data, run: "exit 32", on_failure: pause}
YAML
tui_start p.yaml
tui_check "the step pauses" tui_wait "mount data"
check "pause: notified with the sequence and the step" \
    wait_for 20 grep -qsxF "pause|web1|mount data|paused" "$T/pruns/paused"
tui_keys a
tui_check "abort asks first" tui_wait "Abort web1?"
tui_keys y
tui_check "aborted" tui_wait "aborted"
tui_keys q
tui_check "drove exits" tui_dead
check "the end is notified too" wait_for 20 grep -qs "^end|||" "$T/pruns/paused"
finish
