#!/usr/bin/env bash
# A run of a config with its own log_dir is found by its id alone: drove
# wait on a run that already ended exits with its status and says so,
# drove logs and review find it; a run killed outright is told apart;
# without the index the message names the way out (-c FILE, --log-dir).
. "$(dirname "$0")/lib.sh"

# The index of recent runs lives beside the default log directory.
export XDG_STATE_HOME="$T/state"
mkdir -p "$T/proj" "$T/else"
cat >"$T/proj/quick.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: quick
    steps:
      - echo hi; exit 1
YAML

id=$(cd "$T/proj" && "$DROVE" -d quick.yaml)
check "the run starts" test -n "$id"
ended() { grep -q '"event":"run_end"' "$T/proj/runs/$id/events.jsonl" 2>/dev/null; }
check "the run ends" wait_for 30 ended
check "its server is gone" wait_for 30 eval '[ -z "$(ls "$XDG_RUNTIME_DIR/drove" 2>/dev/null)" ]'

cd "$T/else" || exit 1
"$DROVE" wait "$id" >"$T/wait.out" 2>"$T/wait.err"
check "wait on a run that ended: its exit status" test $? -eq 1
check "and it says the run already ended, and how" contains "$T/wait.err" "drove: run $id already ended: failed"
"$DROVE" wait "${id%??}" >/dev/null 2>&1
check "a prefix of its id does too" test $? -eq 1
"$DROVE" logs "$id" >"$T/logs.out" 2>&1
check "logs finds a run of a config's log_dir by its id" test $? -eq 0
check "and shows it" grep -q "^quick .*failed" "$T/logs.out"
"$DROVE" logs "$id" quick 1 >"$T/step.out" 2>&1
check "and a step's output" test "$(cat "$T/step.out")" = hi
"$DROVE" review "$id" </dev/null >/dev/null 2>"$T/review.err"
check "review finds it too (and wants a terminal)" contains "$T/review.err" "review needs a terminal"

# Another user's state (no index): the message says how to find it.
XDG_STATE_HOME="$T/state2" "$DROVE" logs "$id" >"$T/nologs.out" 2>&1
check "without the index: not found" test $? -ne 0
check "and the message names -c FILE and --log-dir DIR" contains "$T/nologs.out" "for a run of a config that sets log_dir: -c FILE or --log-dir DIR"
check "with -c FILE it is found" "$DROVE" logs -c "$T/proj/quick.yaml" "$id" >/dev/null
XDG_STATE_HOME="$T/state2" "$DROVE" wait "$id" >/dev/null 2>&1
check "wait without the index: no such run" test $? -eq 2

# --- a run whose server was killed outright ---------------------------------
cat >"$T/proj/hang.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - name: hang
    steps:
      - echo $$ >hang.pid; exec sleep 1000
YAML
id2=$(cd "$T/proj" && "$DROVE" -d hang.yaml)
check "a second run starts" test -n "$id2"
wait_for 30 grep -q '"pid":' "$T/proj/runs/$id2/events.jsonl"
wait_for 30 test -s "$T/proj/hang.pid"
srv=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$T/proj/runs/$id2/events.jsonl" | head -1)
kill -KILL "$srv"
check "its server dies" wait_for 20 eval '! pid_alive "$srv"'
check "and its step with it" wait_for 20 eval '! pid_alive "$(cat "$T/proj/hang.pid")"'
"$DROVE" wait "$id2" >/dev/null 2>"$T/killed.err"
check "wait on a killed run exits 4" test $? -eq 4
check "and says it ended without saying how" contains "$T/killed.err" "ended without saying how"
# Once its stale socket is gone, the record alone says the same.
"$DROVE" wait "$id2" >/dev/null 2>"$T/killed2.err"
check "again, from the record alone: 4" test $? -eq 4
check "and the same words" contains "$T/killed2.err" "run $id2 ended without saying how"

finish
