#!/usr/bin/env bash
# The built binary, headless, on real files: output, exit codes, run dir.
. "$(dirname "$0")/lib.sh"

# --- the demo in config/ runs clean ---------------------------------------
# Its scratch directory is under $TMPDIR: a private one, so that another
# run of the demo on the machine (another suite) cannot remove it midway.
TMPDIR=$T "$DROVE" --headless --log-dir "$T/runs" \
	"$DROVE_SOURCE_DIR/config/demo.yaml" >"$T/demo.out" 2>"$T/demo.err"
check "demo exits 0" test $? -eq 0 || cat "$T/demo.out" "$T/demo.err"
check "demo prints a summary" contains "$T/demo.out" "SEQUENCE"
check "demo names its logs" contains "$T/demo.out" "logs: $T/runs/"
check "latest points at the run" test -d "$T/runs/latest"
check "run dir has the config" cmp -s "$T/runs/latest/config.yaml" "$DROVE_SOURCE_DIR/config/demo.yaml"
check "run dir has events" test -s "$T/runs/latest/events.jsonl"

# --- one sequence is counted in the singular -------------------------------
printf 'sequences: [{name: one, steps: [true]}]\n' >"$T/one.yaml"
"$DROVE" --headless --log-dir "$T/runs-one" "$T/one.yaml" >"$T/one.out" 2>&1
check "one sequence, singular" contains "$T/one.out" "1 sequence: 1 ok, 0 failed"

# --- every example passes check --------------------------------------------
for f in "$DROVE_SOURCE_DIR"/config/*.yaml "$DROVE_SOURCE_DIR"/config/examples/*.yaml; do
	[ -e "$f" ] || continue
	check "check $(basename "$f")" "$DROVE" check "$f" >/dev/null
done

# --- a run with a failure, a block, retries and output ---------------------
cat >"$T/mixed.yaml" <<YAML
settings:
  log_dir: runs
sequences:
  - name: good
    steps:
      - printf 'hello\nworld\n'
      - name: flaky
        run: test "\$DROVE_ATTEMPT" -ge 2 || { echo "try \$DROVE_ATTEMPT failed" >&2; exit 1; }
        retries: 2
        retry_delay: 10ms
  - name: bad
    steps:
      - name: breaks
        run: echo about to fail; exit 7
      - echo never runs
  - name: child
    needs: [bad]
    steps: [echo never]
YAML
(cd "$T" && "$DROVE" mixed.yaml >"$T/mixed.out" 2>&1)
rc=$?
check "failure exits 1" test "$rc" -eq 1
check "lines are prefixed" contains "$T/mixed.out" "good  | hello"
check "stderr is captured" contains "$T/mixed.out" "good  | try 1 failed"
check "step start line" contains "$T/mixed.out" "bad   | ==> step 1/2 breaks"
check "step end line with exit code" grep -qE "^bad   \| <== step 1/2 breaks: failed \(exit 7, [0-9.]+s\)" "$T/mixed.out"
check "retry shown" contains "$T/mixed.out" "good  | ==> step 2/2 flaky (try 2)"
check "blocked shown" contains "$T/mixed.out" "child | blocked"
check "never-run step absent" lacks "$T/mixed.out" "never runs"
check "summary row for bad" grep -qE "^bad +failed +0 +1 +0 " "$T/mixed.out"
check "summary row for child" grep -qE "^child +blocked +0 +0 +0 +- *$" "$T/mixed.out"
check "summary totals" contains "$T/mixed.out" "3 sequences: 1 ok, 1 failed, 1 blocked, 0 aborted"
check "no colour in a pipe" lacks "$T/mixed.out" $'\033['
run="$T/runs/latest"
check "log_dir is relative to the config" test -d "$run"
check "one log per attempt" test -f "$run/01-good/02-flaky.1.log"
check "an attempt that printed nothing has no log" test ! -e "$run/01-good/02-flaky.2.log"
check "the record says it printed nothing" grep -q '"event":"step_end".*"step":"flaky".*"attempt":2,.*"log_bytes":0' "$run/events.jsonl"
check "and drove logs shows it empty" test "$(cd "$T" && "$DROVE" logs -c mixed.yaml latest good flaky | wc -c)" -eq 0
check "attempt log holds exact bytes" cmp -s "$run/01-good/02-flaky.1.log" <(printf 'try 1 failed\n')
check "first step log" cmp -s "$run/01-good/01-printf-hello-nworld-n.1.log" <(printf 'hello\nworld\n')

# --- DROVE_DEBUG: the engine's decisions, with why -------------------------
(cd "$T" && DROVE_DEBUG="$T/debug.log" "$DROVE" mixed.yaml >/dev/null 2>&1)
check "debug: the run's decisions are logged" test -s "$T/debug.log"
check "debug: a spawn" grep -qE "drove\[[0-9]+\]: spawn bad step 1 \(breaks\) #1" "$T/debug.log"
check "debug: a retry and why" grep -q "retry good step 2 (flaky) in 0.01s: exit 1" "$T/debug.log"
check "debug: a block and why" grep -q "schedule: child is blocked: a need did not succeed" "$T/debug.log"
check "debug: idle" grep -q "idle: nothing runs and nothing can start" "$T/debug.log"
check "debug: not a word in the step's output" lacks "$run/01-good/02-flaky.1.log" "drove["
check "events: run_start" grep -q '"event":"run_start"' "$run/events.jsonl"
check "events: step_end failed with exit code" grep -q '"event":"step_end".*"step":"breaks".*"status":"failed","exit_code":7' "$run/events.jsonl"
check "events: run_end last" sh -c "tail -n1 '$run/events.jsonl' | grep -q '\"event\":\"run_end\",.*\"status\":\"failed\"'"
check "events are valid JSON" python3 -c "
import json,sys
for l in open('$run/events.jsonl'): json.loads(l)"
check "run dir is private" test "$(stat -L -c %a "$run")" = 700
check "logs are private" test "$(stat -c %a "$run/01-good/02-flaky.1.log")" = 600

# --- config errors: FILE:LINE:COL, exit 2, nothing runs --------------------
printf 'sequences:\n  - name: x\n    stepz: [touch %s/ran]\n' "$T" >"$T/bad.yaml"
"$DROVE" --headless --log-dir "$T/badruns" "$T/bad.yaml" >"$T/bad.out" 2>"$T/bad.err"
check "config error exits 2" test $? -eq 2
check "config error has position" grep -q "^$T/bad.yaml:3:5: error: " "$T/bad.err"
check "nothing ran" test ! -e "$T/ran" -a ! -e "$T/badruns"
"$DROVE" "$T/missing.yaml" 2>"$T/missing.err"
check "missing file exits 2" test $? -eq 2
check "missing file message" contains "$T/missing.err" "$T/missing.yaml: error: No such file or directory"
"$DROVE" --bogus 2>/dev/null
check "bad option exits 2" test $? -eq 2
"$DROVE" -j x "$T/mixed.yaml" 2>/dev/null
check "bad -j exits 2" test $? -eq 2
"$DROVE" --help >"$T/help.out"
check "help lists check" contains "$T/help.out" "drove check"
check "help lists --set" contains "$T/help.out" "--set NAME=VALUE"
"$DROVE" --version >"$T/version.out"
check "version" grep -qE '^drove [0-9]+\.[0-9]+' "$T/version.out"

# --- check prints the plan; --set overrides vars --------------------------
cat >"$T/plan.yaml" <<'YAML'
vars: {who: nobody}
sequences:
  - name: hi {{who}}
    matrix: {n: [1, 2]}
    steps: ['echo {{who}} {{n}}']
YAML
"$DROVE" check --set who=ops "$T/plan.yaml" >"$T/plan.out"
check "check exits 0" test $? -eq 0
check "plan shows expanded names" contains "$T/plan.out" "hi ops 1"
check "plan shows second" contains "$T/plan.out" "hi ops 2"
"$DROVE" --headless --log-dir "$T/r2" --set who=ops "$T/plan.yaml" >"$T/set.out"
check "--set reaches the command" contains "$T/set.out" "| ops 2"

# --- -j overrides max_parallel ----------------------------------------------
cat >"$T/par.yaml" <<YAML
settings: {max_parallel: 0}
sequences:
  - {name: a, steps: ['echo start a >> $T/par; sleep 0.05; echo end a >> $T/par']}
  - {name: b, steps: ['echo start b >> $T/par; sleep 0.05; echo end b >> $T/par']}
YAML
"$DROVE" --headless -j 1 --log-dir "$T/r3" "$T/par.yaml" >/dev/null
check "-j 1 serialises" test "$(cat "$T/par")" = "$(printf 'start a\nend a\nstart b\nend b')"

# --- SIGINT: exit 130, children gone, run_end says interrupted -------------
cat >"$T/hang.yaml" <<YAML
settings: {kill_grace: 2s}
sequences:
  - {name: a, steps: ['sleep 1000 & echo \$! > $T/gpid; echo \$\$ > $T/pid; wait']}
  - {name: b, steps: ['exec sleep 1000']}
YAML
# hang_kill DIR SIG: run hang.yaml into DIR, and send SIG once its steps
# run; $rc is drove's exit status.
hang_kill() {
	local dpid
	rm -f "$T/pid" "$T/gpid"
	"$DROVE" --headless --log-dir "$T/$1" "$T/hang.yaml" >"$T/hang.out" 2>&1 &
	dpid=$!
	wait_for 20 test -s "$T/gpid" -a -s "$T/pid"
	kill -"$2" $dpid
	wait $dpid
	rc=$?
}
hang_kill r4 INT
check "SIGINT exits 130" test "$rc" -eq 130
check "step killed by SIGINT" sh -c "! kill -0 $(cat "$T/pid") 2>/dev/null"
check "grandchild killed by SIGINT" pids_dead "$(cat "$T/gpid")"
check "interrupted in events, with the exit status" grep -q '"event":"run_end".*"status":"interrupted","exit_code":130' "$T/r4/latest/events.jsonl"
check "summary says aborted" contains "$T/hang.out" "2 aborted"

# --- SIGTERM likewise: 143 ---------------------------------------------------
hang_kill r5 TERM
check "SIGTERM exits 143" test "$rc" -eq 143
check "no orphan after SIGTERM" pids_dead "$(cat "$T/gpid")" "$(cat "$T/pid")"

# --- a crash (SIGSEGV) still takes every step down with it -----------------
hang_kill r6 SEGV
if [ -n "${DROVE_SANITIZED:-}" ]; then
	# The sanitizer's own handler reports the SEGV and exits 1.
	check "crash exits non-zero (sanitizer)" test "$rc" -ne 0
else
	check "crash exits by SIGSEGV" test "$rc" -eq 139
fi
check "no orphan after a crash" wait_for 20 pids_dead "$(cat "$T/gpid")" "$(cat "$T/pid")"

# --- --raw into a pipe: every byte of a step's line, escapes included -------
cat >"$T/esc.yaml" <<'YAML'
sequences:
  - name: esc
    steps: ['printf "A\033[31mB\033[0mC\n"']
YAML
"$DROVE" --headless --log-dir "$T/escruns" "$T/esc.yaml" >"$T/esc.plain" 2>&1
check "into a pipe, the plain output strips escapes" grep -q '^esc | ABC$' "$T/esc.plain"
"$DROVE" --headless --raw --log-dir "$T/escruns" "$T/esc.yaml" >"$T/esc.raw" 2>&1
check "--raw into a pipe keeps them" grep -q "A$(printf '\033')\[31mB" "$T/esc.raw"

finish
