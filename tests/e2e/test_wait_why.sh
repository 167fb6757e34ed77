#!/usr/bin/env bash
# How a wait_for step ended, everywhere it is told: the record, the plain
# output, drove logs, an attached dashboard and the review. An output wait
# on a sequence that ended fails at once; path and output waits fill in a
# captured value as they start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# --- headless ------------------------------------------------------------------
cat >"$T/why.yaml" <<YAML
settings: {log_dir: runs}
sequences:
  - name: web
    steps:
      - echo starting; echo nope
  - name: over
    needs: web
    steps:
      - name: for web
        wait_for: {output: {sequence: web, match: ready}}
        timeout: 10m
  - name: web2
    steps:
      - while [ ! -e $T/go ]; do sleep 0.05; done; echo bye
  - name: meanwhile
    steps:
      - name: for web2
        wait_for: {output: {sequence: web2, match: ready}}
        timeout: 10m
  - name: client
    steps:
      - wait_for: {tcp: "127.0.0.1:$dead"}
        timeout: 1s
  - name: talker
    steps:
      - while [ ! -e $T/talk ]; do sleep 0.05; done; echo "token-42 is ready"
  - name: late
    steps:
      - {name: where, run: "echo $T/flags", capture: dir}
      - {name: what, run: "echo token-42", capture: tok}
      - name: the flag
        wait_for: {path: "{{dir}}/flag"}
        timeout: 10m
      - name: the token
        wait_for: {output: {sequence: talker, match: "^{{tok}} is"}}
        timeout: 10m
      - echo late is done
YAML
mkdir "$T/flags"
(
	cd "$T" || exit 1
	timeout 120 "$DROVE" --headless why.yaml >"$T/why.out" 2>&1 &
	pid=$!
	wait_for 60 contains "$T/why.out" "meanwhile | ==> step 1/1 for web2"
	touch "$T/go"
	wait_for 60 contains "$T/why.out" "late      | ==> step 3/5 the flag"
	touch "$T/flags/flag"
	wait_for 60 contains "$T/why.out" "late      | ==> step 4/5 the token"
	touch "$T/talk"
	wait "$pid"
	echo $? >"$T/why.rc"
)
out=$T/why.out
ev=$T/runs/latest/events.jsonl
check "the run ends, failed (not cut by timeout(1))" test "$(cat "$T/why.rc")" = 1
check "an output wait on a sequence that is over fails at once, saying why" \
	contains "$out" "over      | <== step 1/1 for web: failed (0.0s): sequence web ended (ok) before a line matched /ready/"
check "one whose sequence ends while it waits fails then" \
	grep -qE "^meanwhile \| <== step 1/1 for web2: failed \([0-9.]+s\): sequence web2 ended \(ok\) before a line matched /ready/" "$out"
check "a timed-out wait says what it waited for and why" \
	grep -qE "^client +\| <== step 1/1 wait for tcp 127.0.0.1:$dead: timeout \([0-9.]+s\): timed out after 1s waiting for tcp 127.0.0.1:$dead \(connection refused\)$" "$out"
check "a path wait on a captured value waits for the path it names" \
	contains "$out" "late      | <== step 3/5 the flag: ok"
check "and says which" contains "$out" "path $T/flags/flag exists"
check "an output wait on a captured value matches the value" \
	contains "$out" "late      | <== step 4/5 the token: ok"
check "and says the line" contains "$out" "talker printed: token-42 is ready"
check "the steps after them ran" contains "$out" "late      | late is done"
check "the record: what a wait step waited for" \
	grep -qF '"seq":"client","seq_index":4,"step":"wait for tcp 127.0.0.1:'"$dead"'","step_index":0,"attempt":1,"wait_for":"tcp 127.0.0.1:'"$dead"'"' "$ev"
check "the record: how it ended" \
	grep -qE '"event":"step_end".*"seq":"client".*"status":"timeout","message":"timed out after 1s waiting for tcp 127.0.0.1:'"$dead"' \(connection refused\)"' "$ev"
check "the record: why an output wait failed" \
	grep -qE '"event":"step_end".*"seq":"over".*"status":"failed","message":"sequence web ended \(ok\) before a line matched /ready/"' "$ev"

"$DROVE" logs --log-dir "$T/runs" latest client 1 >"$T/logs-step.out" 2>&1
check "drove logs RUN SEQ STEP of a wait: what it waited for, why it ended" \
	test $? -eq 0
check "in words" contains "$T/logs-step.out" \
	"waited for tcp 127.0.0.1:$dead (try 1): timed out after 1s waiting for tcp 127.0.0.1:$dead (connection refused)"
"$DROVE" logs --log-dir "$T/runs" latest over >"$T/logs-seq.out" 2>&1
check "drove logs RUN SEQ: under the step" contains "$T/logs-seq.out" \
	"try 1: sequence web ended (ok) before a line matched /ready/"
"$DROVE" logs --json --log-dir "$T/runs" latest client >"$T/logs.json" 2>&1
check "drove logs --json: the attempt's wait_for and message" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["steps"][0]["attempts"][0]
assert a["wait_for"] == "tcp 127.0.0.1:" + sys.argv[2], a
assert a["message"].startswith("timed out after 1s waiting for tcp"), a
' "$T/logs.json" "$dead"

# --- an attached dashboard, then the review ----------------------------------------
cat >"$T/att.yaml" <<YAML
settings: {log_dir: attruns}
sequences:
  - name: client
    steps:
      - wait_for: {tcp: "127.0.0.1:$dead"}
        timeout: 1s
  - name: holder
    steps:
      - wait_for: {path: release}
        timeout: 10m
YAML
id=$(cd "$T" && "$DROVE" -d att.yaml)
check "a run in the background" test -n "$id"
tui_start -x 200 -y 30 attach "$id"
tui_check "an attached dashboard says why the wait failed" \
	tui_wait "-- timed out after 1s waiting for tcp 127.0.0.1:$dead (connection refused) --"
touch "$T/release"
tui_check "the other wait ends" tui_wait "-- path $T/release exists --"
tui_keys q
tui_check "the dashboard quits" tui_dead
"$DROVE" wait "$id" >/dev/null 2>&1
tui_cleanup
tui_start -x 200 -y 30 review --log-dir "$T/attruns" latest
tui_check "the review says what the wait waited for" \
	tui_wait "-- waiting for tcp 127.0.0.1:$dead --"
tui_check "and why it ended" \
	tui_wait "-- timed out after 1s waiting for tcp 127.0.0.1:$dead (connection refused) --"
tui_keys q
tui_check "the review quits" tui_dead
finish
