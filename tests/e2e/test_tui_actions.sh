#!/usr/bin/env bash
# Keys that steer the run: retry of a step that fails once then succeeds,
# an operator-fixed retry, skip of a paused step, kill of a sleeping step
# (its process is gone), abort, pause/resume, the jump to the next paused
# sequence, the bell, and a quit that needs no confirmation once settled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/actions.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: flaky
    steps:
      - name: fails once
        run: echo "attempt $DROVE_ATTEMPT"; test "$DROVE_ATTEMPT" -ge 2
        on_failure: pause
      - echo flaky done
  - name: needs fix
    steps:
      - name: check fixed
        run: test -e fixed || { echo "not fixed yet"; exit 3; }
        on_failure: pause
      - echo fixed ok
  - name: skipme
    steps:
      - name: broken
        run: echo broken; exit 2
        on_failure: pause
      - name: next
        run: echo skipped past
  - name: killme
    steps:
      - name: sleepy
        run: echo $$ > killme.pid; echo sleeping; exec sleep 1000
  - name: abortme
    steps:
      - name: forever
        run: echo $$ > abortme.pid; exec sleep 1000
      - echo never
  - name: holdme
    steps:
      - name: until released
        run: while [ ! -e release ]; do sleep 0.05; done; echo released
      - echo after hold
YAML

tui_start actions.yaml
tui_check "failure pauses loudly" tui_wait_re "! flaky +PAUSED +step 1/2 +fails once +exit 1"
tui_check "pause banner in the output" tui_wait "waiting for the operator"
tui_check "status bar counts the paused" tui_wait_re "!3 "
tui_check "the bell rang" test "$(tui_fmt '#{window_bell_flag}')" = 1

# --- retry: fails once, then succeeds -----------------------------------------
# The dashboard attaches to its run and focuses the first sequence already
# paused by then: on a busy machine that may be "needs fix". flaky is the
# top left pane of the grid.
tui_keys h h h k k k r
tui_check "retry succeeds" tui_wait_re "✔ flaky +ok 2/2"
tui_check "second attempt ran" tui_wait "attempt 2"

# --- jump to the next paused sequence; retry until the operator fixed it -------
tui_keys '!' r
tui_check "the retry ran" tui_wait "-- step 1/2: check fixed (try 2) --"
tui_check "retry without the fix pauses again" tui_wait_re "! needs fix +PAUSED +step 1/2 +check fixed +exit 3"
touch "$T/fixed"
tui_keys r
tui_check "retry after the fix" tui_wait_re "✔ needs fix +ok 2/2"

# --- skip a paused step ---------------------------------------------------------
tui_keys '!' s
tui_check "skip goes on" tui_wait_re "✔ skipme +ok 1/2, 1 skipped"
tui_check "the next step ran" tui_wait "skipped past"
tui_keys '!'
tui_check "nothing else waits" tui_wait "no sequence is waiting for you"

# --- kill a sleeping step ---------------------------------------------------------
wait_for 10 test -s "$T/killme.pid"
kpid=$(cat "$T/killme.pid")
check "the sleeping step runs" pid_alive "$kpid"
tui_keys Tab x
tui_check "kill fails the step" tui_wait_re "✘ killme +failed at step 1/1 +sleepy +\(killed\)"
check "its process is gone" wait_for 10 eval "! pid_alive $kpid"

# --- abort a sequence --------------------------------------------------------------
wait_for 10 test -s "$T/abortme.pid"
apid=$(cat "$T/abortme.pid")
tui_keys Tab a
tui_check "abort asks first" tui_wait "Abort abortme?"
tui_keys y
tui_check "abort" tui_wait_re "■ abortme +aborted at step 1/2"
check "its process is gone" wait_for 10 eval "! pid_alive $apid"

# --- pause after the current step, then resume ----------------------------------------
tui_keys Tab p
tui_check "pause is acknowledged" tui_wait "held after this step holdme"
touch "$T/release"
tui_check "held after its step" tui_wait_re "‖ holdme +paused before step 2/2"
tui_check "the next step waits" tui_lacks "after hold"
tui_keys p
tui_check "resume" tui_wait_re "✔ holdme +ok 2/2"

# --- an action that does not apply says why --------------------------------------
tui_keys r
tui_check "retry on a finished sequence says why" tui_wait_re "\(retry holdme\)"

# --- settled: the dashboard stays; q quits at once --------------------------------
tui_check "run finished" tui_wait_re "finished in 0:[0-9]+"
# The record says it is over while the dashboard stays open, and for how
# long it ran: not until q.
"$DROVE" logs --log-dir "$T/runs" >"$T/list-open" 2>&1
check "logs: a finished run with its dashboard open is not running" \
    grep -qE "^[0-9-]+ +actions.yaml .* failed, 1 skipped +" "$T/list-open"
"$DROVE" logs --log-dir "$T/runs" latest >"$T/run-open" 2>&1
check "logs: the run says its dashboard is still open" \
    contains "$T/run-open" "finished; its dashboard is still open"
tui_keys q
tui_check "quit without asking" tui_dead
check "exit status 1 (a failure)" test "$(tui_exit_status)" = 1
"$DROVE" logs --log-dir "$T/runs" >"$T/list-closed" 2>&1
check "logs: the duration is the record's, not until q" test \
    "$(awk 'NR==2 {print $4}' "$T/list-open")" = \
    "$(awk 'NR==2 {print $4}' "$T/list-closed")"

# --- a skip: ok, but said; --fail-on-skip makes it fail ---------------------------
cat >"$T/skip.yaml" <<'YAML'
settings: {log_dir: skipruns}
sequences:
  - name: one
    steps:
      - {name: broken, run: exit 2, on_failure: pause}
      - echo after
YAML
for flag in "" --fail-on-skip; do
	tui_cleanup
	tui_start $flag skip.yaml
	tui_check "skip$flag: paused" tui_wait_re "! one +PAUSED"
	tui_keys s
	tui_check "skip$flag: finished" tui_wait_re "finished in 0:[0-9]+"
	tui_keys q
	tui_check "skip$flag: quit" tui_dead
	"$DROVE" logs --log-dir "$T/skipruns" >"$T/skiplist" 2>&1
	if [ -z "$flag" ]; then
		check "a skip: exit 0" test "$(tui_exit_status)" = 0
		check "logs: ok, 1 skipped" grep -qE " ok, 1 skipped +1 ok" "$T/skiplist"
	else
		check "--fail-on-skip: a skip exits 1" test "$(tui_exit_status)" = 1
	fi
done

finish
