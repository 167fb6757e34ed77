#!/usr/bin/env bash
# wait_for steps, on the loop, no process: a TCP port that opens late, a
# line of another sequence's output, a path, a timeout; in the dashboard,
# what a step waits for, and s, x and r on a waiting step.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# --- headless: a line printed before the wait began counts ------------------
# Headless keeps almost no scrollback; a plan with an output wait keeps it.
cat >"$T/early.yaml" <<YAML
sequences:
  - name: producer
    steps:
      - run: echo READY-MARK; for i in 1 2 3 4 5 6 7 8 9 10; do echo more \$i; done; touch $T/printed; sleep 3
  - name: waiter
    steps:
      - run: while [ ! -e $T/printed ]; do sleep 0.05; done
      - wait_for: {output: {sequence: producer, match: READY-MARK}}
        timeout: 30s
      - echo found it
YAML
"$DROVE" --headless --log-dir "$T/early-runs" "$T/early.yaml" >"$T/early.out" 2>&1
check "headless: an output wait sees a line printed before it began" test $? -eq 0
check "headless: and the step after it ran" contains "$T/early.out" "waiter   | found it"

# --- headless ------------------------------------------------------------------
cat >"$T/wait.yaml" <<YAML
settings:
  log_dir: runs
sequences:
  - name: server
    steps:
      - name: listen late
        run: |
          echo starting
          sleep 2
          exec python3 -c '
          import socket
          s = socket.socket()
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.bind(("127.0.0.1", $port))
          s.listen()
          c, _ = s.accept()
          print("accepted", flush=True)
          '
  - name: client
    steps:
      - wait_for: {tcp: "127.0.0.1:$port"}
        timeout: 1m
      - echo port is open
  - name: talker
    steps:
      - sleep 1; echo warming up; sleep 1; echo "ready to serve"; sleep 1
  - name: listener
    steps:
      - name: for the talker
        wait_for: {output: {sequence: talker, match: "^ready to"}}
        timeout: 1m
      - echo talker is ready
  - name: file
    steps:
      - wait_for: {path: flag}
        timeout: 1m
      - echo flag seen
  - name: never
    steps:
      - wait_for: {tcp: "127.0.0.1:$dead"}
        timeout: 1s
      - echo never printed
YAML
(
	cd "$T" || exit 1
	"$DROVE" --headless wait.yaml >"$T/wait.out" 2>&1 &
	pid=$!
	wait_for 30 contains "$T/wait.out" "file   | ==> step 1/2 wait for path"
	touch "$T/flag"
	wait "$pid"
	echo $? >"$T/wait.rc"
)
out=$T/wait.out
check "a timed-out wait fails the run" test "$(cat "$T/wait.rc")" = 1
line() { grep -nF -- "$1" "$out" | head -1 | cut -d: -f1; }
check "the wait on the port ends once it opens" \
	test "$(line "client   | <== step 1/2 wait for tcp 127.0.0.1:$port: ok")" -gt "$(line "server   | starting")"
check "it connected to the server" contains "$out" "server   | accepted"
check "the step after it ran" contains "$out" "client   | port is open"
check "the wait on a line ends once it is printed" \
	test "$(line "listener | <== step 1/2 for the talker: ok")" -gt "$(line "talker   | ready to serve")"
check "not on a line that does not match" \
	test "$(line "listener | <== step 1/2 for the talker: ok")" -gt "$(line "talker   | warming up")"
check "the wait on a path ends once it exists" contains "$out" "file     | flag seen"
check "a wait times out" grep -qE "^never +\| <== step 1/2 wait for tcp 127.0.0.1:$dead: timeout" "$out"
check "and its sequence stops" lacks "$out" "never printed"
check "the record has the wait step" grep -q '"step":"wait for tcp 127.0.0.1:'"$port"'"' "$T"/runs/latest/events.jsonl

# --- the dashboard: what it waits for; s, x, r -----------------------------------
cat >"$T/tui.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: skipped
    steps:
      - wait_for: {path: never-there}
      - echo after the skip
  - name: killed
    steps:
      - wait_for: {path: later}
        timeout: 10m
      - echo later is there
YAML
tui_start -x 240 tui.yaml
tui_check "the pane says what it waits for" tui_wait "-- waiting for path $T/never-there, for at most 5m --"
tui_keys s
tui_check "s skips the wait" tui_wait_re "skipped +ok 1/2, 1 skipped"
tui_check "the sequence goes on" tui_wait "after the skip"
tui_keys Tab x
tui_check "x ends the wait, killed" tui_wait_re "killed +failed at step 1/2 .*\(killed\)"
touch "$T/later"
tui_keys r
tui_check "r waits again, and it holds now" tui_wait_re "killed +ok 2/2"
tui_check "the step after it ran" tui_wait "later is there"
tui_keys q
tui_check "drove quits" tui_dead
finish
