#!/usr/bin/env bash
# settings.secret_vars: the values of the variables it names, declared in
# vars, given with --set or captured, are kept out of the record and
# shown as *** headless, by drove logs and check, in the review and the
# live dashboard's titles (in tmux). And --resume of a run whose fan-out
# came from a secret capture: the capturing step runs again (its value
# was never recorded), saying why, and the sequences it makes again
# resume by name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

E2E_CLEANUP='tui_cleanup'
cd "$T" || exit 1

cat >"$T/sv.yaml" <<'YAML'
settings: {log_dir: runs, secret_vars: [token, apikey, pin]}
vars: {token: T0ken-Var-Value, pin: P1n-Default-Value, user: ann}
sequences:
  - name: login
    steps:
      - run: test -n "{{token}}" && test "{{pin}}" = P1n-Set-Value
      - name: get a key
        run: printf 'K3y-%s\n' Captured-Value
        capture: apikey
      - name: use the key
        run: test "{{apikey}}" = "K3y-$(echo Captured)-Value" && echo "key used by {{user}}"
YAML

# --- headless, the record, logs ----------------------------------------------
"$DROVE" --headless --set pin=P1n-Set-Value sv.yaml >sv.out 2>&1
check "the run succeeds with the values" test $? -eq 0
check "the steps ran" grep -qE "^login +\| key used by ann$" sv.out
check "headless: *** in drove's lines" \
    grep -qF '==> step 1/3 test -n "***" && test "***" = ***' sv.out
check "headless: never a value" bash -c \
    "! grep -qE 'T0ken-Var|P1n-Set|P1n-Default|K3y-Captured' sv.out"
check "the record: never a value" bash -c \
    "! grep -rqE 'T0ken-Var|P1n-Set|P1n-Default|K3y-Captured' runs/latest/"
check "its copy of the config has *** for a value" \
    contains runs/latest/config.yaml "vars: {token: ***, pin: ***, user: ann}"
check "the record says the capture was secret" \
    grep -qF '"var":"apikey","secret":true' runs/latest/events.jsonl
check "the record shows *** for a command" \
    grep -qF 'test -n \"***\" && test \"***\" = ***' runs/latest/events.jsonl
"$DROVE" logs --log-dir runs latest login >logs.out 2>&1
check "drove logs: the capture not kept" \
    contains logs.out '{{apikey}}  step 2, secret: not kept'
"$DROVE" logs --log-dir runs --json latest >logs.json 2>&1
check "drove logs --json: no value" bash -c \
    "! grep -qE 'T0ken-Var|P1n-Set|K3y-Captured' logs.json"
"$DROVE" check sv.yaml >check.out 2>&1
check "check names them" contains check.out "secret_vars=token,apikey,pin"
check "check shows *** for a value" contains check.out 'test -n "***"'
check "check: never a value" bash -c "! grep -qE 'T0ken-Var|P1n-Default' check.out"

# --- a value that is not a list ---------------------------------------------
printf 'settings: {secret_vars: token}\nsequences: [{name: a, steps: [x]}]\n' >bad.yaml
"$DROVE" check bad.yaml >bad.out 2>&1
check "a string is refused" test $? -eq 2
check "at its place" contains bad.out \
    "bad.yaml:1:25: error: expected a list of variable names for 'secret_vars', got 'token'"

# --- the review: *** on screen ----------------------------------------------
tui_start -x 120 -y 30 review --log-dir runs
tui_check "review: the step's command shows ***" \
    tui_wait 'step 1/3: test -n "***" && test "***" = ***'
tui_check "review: no value on screen" eval \
    "! tui_screen | grep -qE 'T0ken-Var|P1n-Set|K3y-Captured'"
tui_keys q
tui_cleanup

# --- the live dashboard: titles made from a secret show *** -----------------
cat >"$T/live.yaml" <<'YAML'
settings: {log_dir: lruns, secret_vars: [token]}
vars: {token: T0ken-Var-Value}
sequences:
  - name: login {{token}}
    steps:
      - run: test -n "{{token}}" && while [ ! -e done ]; do sleep 0.05; done
YAML
tui_start -x 120 -y 20 live.yaml
tui_check "live: the title shows *** for the sequence's name" tui_wait "login ***"
tui_check "live: and for the step's" tui_has 'step 1/1  test -n "***"'
tui_keys z
tui_check "live: the zoomed step list too" tui_wait_re '1 test -n "\*\*\*" .* running'
tui_check "live: no value on screen" eval "! tui_screen | grep -q T0ken-Var"
tui_keys a
tui_check "live: a question names it with ***" tui_wait "Abort login ***?"
tui_check "live: no value in it" eval "! tui_screen | grep -q T0ken-Var"
tui_keys n
tui_check "live: nothing aborted" tui_wait "abort: cancelled"
touch "$T/done"
tui_check "live: it ends ok" tui_wait_re "login \*\*\* +ok"
tui_keys q
tui_cleanup

# --- --resume of a fan-out from a secret capture ------------------------------
cat >"$T/fan.yaml" <<YAML
settings: {log_dir: fruns, secret_vars: [names]}
sequences:
  - name: provision
    steps:
      - run: echo once >> "$T/provisioned"; printf 'a\nb\n'
        capture: names
  - name: work {{n}}
    needs: provision
    matrix: {n: {from: names}}
    steps:
      - run: echo "{{n}}" >> "$T/ran"
      - run: test ! -e "$T/fail-{{n}}"
YAML
touch "$T/fail-b"
"$DROVE" --headless fan.yaml >fan1.out 2>&1
check "the fan-out: b fails" test $? -eq 1
check "the record has no value to grow from" bash -c \
    "grep '\"grow\"' fruns/latest/events.jsonl | grep -qv '\"value\"'"
rm -f "$T/fail-b" "$T/ran"
"$DROVE" --headless --resume latest fan.yaml >fan2.out 2>&1
check "--resume succeeds" test $? -eq 0
check "the capturing step ran again" test "$(wc -l <"$T/provisioned")" -eq 2
check "saying why, headless" grep -qE \
    "^provision +\| !! step 1 \(.*\) runs again: what it captured, \{\{names\}\}, is secret, so run [0-9-]+ did not record it" fan2.out
check "and in the record" grep -qF \
    'runs again: what it captured, {{names}}, is secret' fruns/latest/events.jsonl
check "a, done in the run resumed, does not run again" \
    bash -c "! grep -qx a '$T/ran' 2>/dev/null"
check "b resumes at its failed step" grep -qE "^work b +\| !! steps 1-1 done in run" fan2.out
finish
