#!/usr/bin/env bash
# The operator and a sequence's handler and cleanup steps: drove ctl names
# them (2.handler:1, cleanup:1) and ctl status counts and aligns them; r
# or --resume after the cleanup ran start the sequence over; a hold on a
# last step is refused, saying why; q while a cleanup step is paused lets
# the cleanup run to its end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

# --- ctl: handler and cleanup steps by name ---------------------------------
cat >"$T/ctl.yaml" <<YAML
settings: {log_dir: ctlruns}
sequences:
  - name: m
    steps:
      - echo one
      - name: mount
        run: test -e $T/never
        on_failure:
          steps: ['echo fixing']
          then: pause
    finally:
      - name: umount it
        run: while [ ! -e $T/umount ]; do sleep 0.05; done
      - echo bye
  - name: h
    steps:
      - run: exit 1
        on_failure:
          steps: [{name: fix it, run: test -e $T/hfix}]
          then: pause
      - name: after
        run: while [ ! -e $T/after ]; do sleep 0.05; done
YAML
status_has() {	# RUN TEXT: ctl status says TEXT
	"$DROVE" ctl "$1" status 2>/dev/null | grep -qF -- "$2"
}
id=$(cd "$T" && "$DROVE" -d ctl.yaml)
check "a run in the background" test -n "$id"
check "m pauses in its handler's then" wait_for 30 status_has "$id" "m: paused, step 2/2"
check "h pauses at its handler's step" \
	wait_for 30 status_has "$id" "h: paused, handler 1/1 of step 1"
"$DROVE" ctl "$id" status >"$T/status.out"
check "status names a handler's step as ctl takes it" \
	grep -qE "^  1\.handler:1  fix it +failed +try 1, exit 1" "$T/status.out"
check "and a cleanup step" grep -qE "^  cleanup:1    umount it +pending$" "$T/status.out"
# Every row's name starts in the same column, whatever names the step.
check "the rows are aligned" python3 -c '
import re, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("  ")]
cols = {re.match(r"  \S+ +", l).end() for l in rows}
assert len(rows) == 8 and len(cols) == 1, (rows, cols)' "$T/status.out"
"$DROVE" ctl "$id" retry m cleanup:1 >"$T/no.out" 2>&1
check "ctl refuses a cleanup step the sequence is not at" test $? -eq 1
check "saying where it is not" contains "$T/no.out" "m is not at step cleanup:1 (umount it)"
"$DROVE" ctl "$id" retry m nosuch >"$T/no.out" 2>&1
check "an unknown step: how to name one" contains "$T/no.out" "m has no step 'nosuch' (a step's name, its number, or as ctl status shows it: 2.handler:1, cleanup:1)"
touch "$T/hfix"
"$DROVE" ctl "$id" retry h 1.handler:1 >"$T/h.out" 2>&1
check "ctl retries a handler's step named so" test $? -eq 0 -a "$(cat "$T/h.out")" = "retried h"
check "h goes on after its handler" wait_for 30 status_has "$id" "h: paused, step 1/2"
"$DROVE" ctl "$id" skip h 1 >/dev/null 2>&1
check "h at its last step" wait_for 30 status_has "$id" "h: running, step 2/2"
"$DROVE" ctl "$id" pause h after >"$T/hold.out" 2>&1
check "a hold on a last step is refused" test $? -eq 1
check "saying why" contains "$T/hold.out" \
	"hold h: this is its last step: it ends after it, there is no step to hold before"
touch "$T/after"
"$DROVE" ctl "$id" skip m mount >/dev/null 2>&1
check "m cleans up" wait_for 30 status_has "$id" "m: running, cleanup 1/2"
"$DROVE" ctl "$id" status --json >"$T/status.json"
check "status --json: where it is, as ctl names it" python3 -c '
import json, sys
s = [s for s in json.load(open(sys.argv[1]))["sequences"] if s["name"] == "m"][0]
assert s["at"] == "cleanup:1" and s["step"] is None, s
assert [t["ref"] for t in s["steps"]] == ["1", "2", "2.handler:1", "cleanup:1", "cleanup:2"], s' "$T/status.json"
"$DROVE" ctl "$id" kill m "umount it" >"$T/kill.out" 2>&1
check "ctl kills a cleanup step by its name" test "$(cat "$T/kill.out")" = "killed m"
"$DROVE" wait "$id" >/dev/null 2>&1
check "the record has the kill of the cleanup step" \
	grep -qE '"event":"step_end".*"seq":"m".*"step":"umount it".*"role":"finally".*"status":"killed"' "$T"/ctlruns/latest/events.jsonl
"$DROVE" logs --log-dir "$T/ctlruns" latest m 2.handler:1 >"$T/hlog.out" 2>&1
check "drove logs takes a handler's step named as ctl names it" \
	test "$(cat "$T/hlog.out")" = fixing

# --- --resume after the cleanup ran: from the first step ----------------------
cat >"$T/res.yaml" <<YAML
settings: {log_dir: resruns}
sequences:
  - name: m
    steps:
      - echo mount >> $T/trace
      - echo two >> $T/trace; test -e $T/fixed
      - echo three >> $T/trace
    finally:
      - echo umount >> $T/trace
  - name: plain
    steps:
      - echo p1 >> $T/ptrace
      - echo p2 >> $T/ptrace; test -e $T/fixed
YAML
(cd "$T" && "$DROVE" --headless res.yaml >"$T/res1.out" 2>&1)
check "the first run fails" test "$(cat "$T/trace")" = "$(printf 'mount\ntwo\numount')"
first=$(basename "$(readlink -f "$T/resruns/latest")")
touch "$T/fixed"
(cd "$T" && "$DROVE" --headless --resume latest res.yaml >"$T/res2.out" 2>&1)
check "the resumed run succeeds" test $? -eq 0
check "resume: a sequence whose cleanup ran starts over, its cleanup runs again" \
	test "$(cat "$T/trace")" = "$(printf 'mount\ntwo\numount\nmount\ntwo\nthree\numount')"
check "and says why" contains "$T/res2.out" \
	"m     | !! its cleanup ran in run $first after it stopped at step 2: it starts over from step 1"
check "one without cleanup resumes where it stopped" \
	test "$(cat "$T/ptrace")" = "$(printf 'p1\np2\np2')"
check "the record says it" grep -qF '"message":"its cleanup ran in run '"$first" "$T"/resruns/latest/events.jsonl

# --- the dashboard: r after the cleanup; q while a cleanup step is paused ---
rm -f "$T/trace" "$T/fixed"
cat >"$T/tui.yaml" <<YAML
settings: {log_dir: tuiruns}
sequences:
  - name: m
    steps:
      - echo mount >> $T/trace
      - echo two >> $T/trace; test -e $T/fixed
    finally:
      - echo umount >> $T/trace
  - name: c
    steps:
      - while [ ! -e $T/fixed ]; do sleep 0.05; done
    finally:
      - name: unlock
        run: echo unlocking; false
        on_failure: pause
      - name: destroy
        run: touch $T/destroyed
YAML
tui_start -x 160 -y 40 tui.yaml
tui_check "m fails, after its cleanup" tui_wait_re "m +failed at step 2/2"
touch "$T/fixed"
tui_keys r
tui_check "r after the cleanup: the sequence starts over" \
	tui_wait "-- its cleanup ran: starting over from step 1; step 2 is run again"
tui_check "and succeeds" tui_wait_re "m +ok 2/2"
check "its steps, then its cleanup, ran again" \
	test "$(cat "$T/trace")" = "$(printf 'mount\ntwo\numount\nmount\ntwo\numount')"
tui_keys Tab
tui_check "c's cleanup step waits for the operator" \
	tui_wait "-- cleanup 1/2 failed: waiting for the operator (r retry, s skip, a abort) --"
tui_keys q
tui_check "q asks first" tui_wait "Quit drove?"
tui_keys y
tui_check "drove quits" tui_dead
check "the rest of the cleanup ran" test -e "$T/destroyed"
check "the record: the cleanup went on after the stop" \
	grep -qE '"event":"step_end".*"seq":"c".*"step":"destroy".*"status":"ok"' "$T"/tuiruns/latest/events.jsonl
finish
