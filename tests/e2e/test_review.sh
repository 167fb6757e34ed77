#!/usr/bin/env bash
# `drove review`: the dashboard on past runs, read only. A step whose
# output is far larger than the scrollback is shown and searched whole; a
# step retried through the live dashboard shows both attempts and the
# operator's mark; the time column, live and in review; an interrupted
# run; refused actions; no such run; no terminal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# tui_restart ARGS...: a new dashboard in place of the last one (dead).
tui_restart() {
	tui_cleanup
	tui_start "$@"
}

# The clock as the dashboard shows it: HH:MM:SS of epoch seconds.
clock() {
	date -d "@${1%.*}" +%H:%M:%S
}

# --- a step that printed far more than the scrollback ------------------------
cat >"$T/big.yaml" <<'YAML'
settings: {scrollback: 100}
sequences:
  - name: big
    steps:
      - name: flood
        run: |
          seq 1 10
          echo "ERROR: disk /dev/xvdb not found"
          seq 11 5000
YAML
(cd "$T" && "$DROVE" --headless --log-dir runs-big big.yaml >/dev/null 2>&1)
check "the big run succeeded" test $? -eq 0
check "its log holds every line" test "$(wc -l <"$T"/runs-big/latest/01-big/01-flood.1.log)" -eq 5001
check "a .times file beside the log" test -s "$T/runs-big/latest/01-big/01-flood.1.times"
check ".times lines are OFFSET SECONDS" grep -qE '^0 [0-9]+\.[0-9]{3}$' "$T/runs-big/latest/01-big/01-flood.1.times"

tui_start -x 100 -y 30 review --log-dir runs-big
tui_check "review shows the pane" tui_wait_re "✔ big +ok 1/1"
tui_check "the banner says it is a past run" tui_has_re "review [0-9]{8}-[0-9]{6}: ok, read only"
tui_check "the end of the output" tui_has_re "^5000 *$"
tui_check "the needle is beyond the screen" tui_lacks "xvdb"
tui_keys / x v d b Enter
tui_check "search finds it beyond the scrollback" tui_wait "ERROR: disk /dev/xvdb not found"
tui_check "it is 4990 lines up" tui_has_re "scrolled: 49[0-9]{2} below"
tui_check "the step banner at the top" tui_has_re "^-- step 1/1: flood --"

# --- the time column ---------------------------------------------------------
last=$(tail -n 1 "$T/runs-big/latest/01-big/01-flood.1.times" | cut -d' ' -f2)
tui_keys G t
tui_check "t shows when the last line arrived" tui_wait_re "^$(clock "$last") 5000 *$"
tui_check "on every line" tui_has_re "^[0-9]{2}:[0-9]{2}:[0-9]{2} 4973 *$"
tui_keys t
tui_check "t again hides it" tui_wait_re "^5000 *$"

# --- actions are refused -----------------------------------------------------
tui_keys r
tui_check "r: read only" tui_wait "read only: a past run (retry big)"
tui_keys x
tui_check "x: read only" tui_wait "read only: a past run (kill big)"
tui_keys i
tui_check "i: read only" tui_wait "input: read only: a past run"
tui_keys q
tui_check "q quits at once" tui_dead
check "review exits 0" test "$(tui_exit_status)" = 0

# --- a step retried by the operator in the live dashboard ---------------------
cat >"$T/live.yaml" <<'YAML'
sequences:
  - name: web3
    steps:
      - name: mount data
        run: test -e fixed && echo "mounted" || { echo "no /dev/xvdb yet"; exit 3; }
        on_failure: pause
      - echo installed
YAML
tui_restart live.yaml --log-dir runs-live
tui_check "the step fails and pauses" tui_wait_re "! web3 +PAUSED +step 1/2 +mount data +exit 3"
touch "$T/fixed"
tui_keys r
tui_check "the retry succeeds" tui_wait_re "✔ web3 +ok 2/2"
tui_keys t
tui_check "live time column" tui_wait_re "^[0-9]{2}:[0-9]{2}:[0-9]{2} installed *$"
tui_keys q
tui_check "live quit" tui_dead
check "the live run exits 0" test "$(tui_exit_status)" = 0

tui_restart review --log-dir runs-live
tui_check "review of the retried run" tui_wait_re "✔ web3 +ok 2/2"
tui_check "first attempt" tui_has_re "^-- step 1/2: mount data --"
tui_check "its output" tui_wait "no /dev/xvdb yet"
tui_check "how it ended" tui_has_re "^-- failed \(exit 3\) after [0-9.]+s --"
tui_check "the operator's retry, where it happened" tui_has_re "^-- retried by operator at [0-9]{2}:[0-9]{2}:[0-9]{2} --"
tui_check "second attempt" tui_has_re "^-- step 1/2: mount data \(try 2\) --"
tui_check "its output" tui_has_re "^mounted"
retry_ts=$(grep '"event":"retry"' "$T"/runs-live/latest/events.jsonl | sed 's/.*"ts":\([0-9.]*\).*/\1/')
tui_check "the mark's time is the retry's" tui_wait "-- retried by operator at $(clock "$retry_ts") --"
check "order: attempt 1, retry, attempt 2" bash -c "$TUI capture-pane -p -t drove | grep -E '^-- (step|retried)' | tr -d '\n' | grep -qE 'mount data --.*retried by operator.*\(try 2\)'"
tui_keys t
tui_check "marks have times too" tui_wait_re "^$(clock "$retry_ts") -- retried by operator"
tui_keys z
tui_check "zoom: the step table" tui_wait_re "1 +mount data +ok"
tui_keys q
tui_check "quit" tui_dead
check "exit 0" test "$(tui_exit_status)" = 0

# --- an interrupted run --------------------------------------------------------
cat >"$T/cut.yaml" <<'YAML'
sequences:
  - name: cut
    steps:
      - name: forever
        run: echo $$ >cut.pid; echo "started"; exec sleep 1000
YAML
(cd "$T" && exec "$DROVE" --headless --log-dir runs-cut cut.yaml >/dev/null 2>&1) &
dpid=$!
wait_for 10 test -s "$T/cut.pid"
wait_for 10 grep -q started "$T"/runs-cut/latest/01-cut/01-forever.1.log
{ kill -KILL "$dpid"; wait "$dpid"; } 2>/dev/null
kill -KILL "$(cat "$T/cut.pid")" 2>/dev/null
# As if it had been killed an hour ago: its times end where its record
# ends, they do not grow with the clock.
python3 - "$T"/runs-cut/latest/events.jsonl <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
for l in lines:
    l["ts"] -= 3600
open(sys.argv[1], "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
tui_restart review --log-dir runs-cut
tui_check "an interrupted run opens" tui_wait_re "review [0-9-]+: interrupted, read only"
tui_check "what it printed" tui_has_re "^started"
tui_check "it says the step did not finish" tui_wait "-- did not finish (the run was interrupted) --"
tui_check "the title says so too" tui_has_re "■ cut +aborted at step 1/1"
tui_check "its elapsed time ends with the record" tui_has_re "■ cut .* 0:0[0-9] "
tui_check "not with the clock" tui_lacks "1:00:"
# A signal ends a review too, the terminal given back.
kill -TERM "$(tui_pid)"
tui_check "SIGTERM quits" tui_dead
check "exit 143" test "$(tui_exit_status)" = 143
tui_check "the terminal's own screen is back" tui_gone "read only"

# --- a run still live: not interrupted, still running -------------------------
cat >"$T/live.yaml" <<'YAML'
sequences:
  - name: live
    steps:
      - echo first
      - name: forever
        run: 'echo started; while [ ! -e stop ] && [ -e live.yaml ]; do sleep 0.1; done'
YAML
cd "$T" && lid=$("$DROVE" -d --log-dir runs-live live.yaml) && cd - >/dev/null
wait_for 10 grep -q started "$T"/runs-live/latest/01-live/02-forever.1.log
tui_restart review --log-dir runs-live
tui_check "a live run opens" tui_wait_re "review $lid: still running, read only; drove attach $lid follows it"
tui_check "the step is still running" tui_wait "-- still running when read (drove attach $lid follows it) --"
tui_check "not interrupted" tui_lacks "interrupted"
tui_check "the title says running" tui_has_re "▶ live +step 2/2 +forever"
tui_check "not aborted" tui_lacks "aborted"
tui_check "not finished" tui_lacks "finished in"
tui_keys q
tui_check "q quits at once" tui_dead
"$DROVE" logs --log-dir "$T/runs-live" latest live >"$T/live-logs"
check "logs: the step is running, not unfinished" grep -qE "^ +2  forever +running " "$T/live-logs"
touch "$T/stop"
"$DROVE" wait "$lid" >/dev/null 2>&1
check "the live run goes on, and ends ok" test $? -eq 0

# --- no such run, no terminal ----------------------------------------------------
"$DROVE" review --log-dir "$T/runs-big" nosuch </dev/null >"$T/out" 2>"$T/err"
check "no such run: exit 1" test $? -eq 1
check "no such run: says so" contains "$T/err" "no run 'nosuch' in $T/runs-big"
"$DROVE" review --log-dir "$T/runs-big" </dev/null >"$T/out" 2>"$T/err"
check "no terminal: exit 2" test $? -eq 2
check "no terminal: points to drove logs" contains "$T/err" "review needs a terminal; without one, 'drove logs latest'"
"$DROVE" review --log-dir "$T/runs-big" a b </dev/null >"$T/out" 2>"$T/err"
check "two runs: usage" test $? -eq 2

finish
