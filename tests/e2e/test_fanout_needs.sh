#!/usr/bin/env bash
# needs on a fan-out's placeholder (report needs 'work {{n}}'): what needs
# it waits until every sequence the fan-out made is done, is blocked when
# one of them failed, waits again when that one is retried, and runs
# after a fan-out of zero; the dashboard of a fan-out of zero shows no
# placeholder either. Local steps only (matrix from a capture).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

E2E_CLEANUP='tui_cleanup'
cd "$T" || exit 1

# 'work b' holds until $T/release exists; if report ran before it was
# done, report's mark is there and b fails.
cat >"$T/needs.yaml" <<YAML
settings: {log_dir: runs}
vars: {names: "a b"}
sequences:
  - name: provision
    steps:
      - {run: 'for n in {{names}}; do echo \$n; done', capture: names_made}
  - name: work {{n}}
    needs: provision
    matrix: {n: {from: names_made}}
    steps:
      - run: |
          if [ {{n}} = b ]; then
            while [ ! -e "$T/release" ]; do sleep 0.05; done
            test ! -e "$T/report-ran" || { echo "report ran before b was done"; exit 1; }
          fi
          test ! -e "$T/fail-{{n}}" || { echo "{{n}} fails"; exit 1; }
          echo "work {{n}} done"
  - name: report
    needs: work {{n}}
    steps: ['touch "$T/report-ran"; echo all done']
YAML

# --- report waits for every sequence made ------------------------------------
"$DROVE" --headless needs.yaml >wait.out 2>&1 &
pid=$!
check "a is done first" wait_for 30 grep -q "| work a done" wait.out
check "report has not started while b runs" test ! -e "$T/report-ran"
touch "$T/release"
wait "$pid"
check "the run succeeds" test $? -eq 0
check "b saw no report before it was done" grep -qE "^work b +\| work b done" wait.out
check "report ran, after them all" grep -qE "^report +\| all done" wait.out
check "report's line comes after b's" test \
    "$(grep -n '| all done' wait.out | cut -d: -f1)" -gt \
    "$(grep -n '| work b done' wait.out | cut -d: -f1)"

# --- one of them fails: report is blocked ------------------------------------
rm -f "$T/report-ran"
touch "$T/fail-a"
"$DROVE" --headless needs.yaml >fail.out 2>&1
check "a failed fan-out fails the run" test $? -eq 1
check "report is blocked" grep -qE "^report +\| blocked" fail.out
check "report never ran" test ! -e "$T/report-ran"
check "the summary says blocked" grep -qE "^report +blocked " fail.out

# --- the dashboard: blocked, then a retried: report waits again, runs -------
rm -f "$T/report-ran"
tui_start -x 120 -y 30 needs.yaml
tui_check "dashboard: a fails" tui_wait_re "work a +failed"
tui_check "dashboard: report is blocked" tui_wait_re "report +blocked"
tui_check "dashboard: no pane for the placeholder" tui_lacks "work {{n}}"
tui_check "dashboard: report names the one that failed" \
    tui_has "blocked: waits for work a (failed)"
rm -f "$T/fail-a"
# The focus starts on the first pane shown (provision): a is the third.
tui_keys Tab Tab r
tui_check "dashboard: once a is retried, report runs" tui_wait_re "report +ok"
check "and report ran" test -e "$T/report-ran"
tui_keys q
tui_cleanup

# --- a fan-out of zero -------------------------------------------------------
rm -f "$T/report-ran"
"$DROVE" --headless --set names= needs.yaml >zero.out 2>&1
check "no values: a success" test $? -eq 0
check "said plainly" contains zero.out "'names_made' gave no values"
check "what needs it ran" grep -qE "^report +\| all done" zero.out
check "the summary has no placeholder" lacks zero.out "work {{n}}  "

tui_start -x 120 -y 30 --set names= needs.yaml
tui_check "dashboard, zero: report ends ok" tui_wait_re "report +ok"
tui_check "dashboard, zero: said on the status bar" \
    tui_wait "work {{n}}: 'names_made' gave no values"
# Above the status bar: no pane for the placeholder.
tui_check "dashboard, zero: no pane for the placeholder" eval \
    '! tui_screen | head -n -1 | grep -qF "work {{n}}"'
tui_keys q
tui_check "dashboard, zero: q quits" tui_dead
finish
