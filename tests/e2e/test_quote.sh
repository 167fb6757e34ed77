#!/usr/bin/env bash
# Values that must not be interpreted by the shell ({{x|q}}), and values
# that must not be written down (--secret).
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat >quote.yaml <<'YAML'
sequences:
  - name: quoted
    steps: ['printf "[%s]\n" {{v|q}}']
  - name: double quotes
    needs: [quoted]
    steps: ['printf "[%s]\n" "{{v}}"']
YAML
v='it'"'"'s $(touch pwned-dollar) `touch pwned-tick` "x"'
"$DROVE" --headless --log-dir runs --set "v=$v" quote.yaml >quote.out 2>&1
check "the run exits 0" test $? -eq 0
check "{{v|q}} gives the value as it is" grep -qxF "quoted        | [$v]" quote.out
# What the README says of "{{v}}": the shell still expands the value.
check '"{{v}}" does not stop $(...)' test -e pwned-dollar
check '"{{v}}" does not stop backquotes' test -e pwned-tick

rm -f pwned-dollar pwned-tick
cat >only-q.yaml <<'YAML'
sequences:
  - name: quoted
    steps: ['printf "[%s]\n" {{v|q}}']
YAML
"$DROVE" --headless --log-dir runs --set "v=$v" only-q.yaml >only-q.out 2>&1
check "{{v|q}} alone runs nothing of the value" test ! -e pwned-dollar -a ! -e pwned-tick
check "an unknown filter is an error" bash -c "printf 'sequences:\n  - {name: a, steps: [\"echo {{v|z}}\"]}\n' >bad.yaml; \"$DROVE\" check --set v=1 bad.yaml 2>&1 | grep -q \"unknown filter 'z'\""

# --- --secret: the record shows *** ------------------------------------------
cat >secret.yaml <<'YAML'
sequences:
  - name: login {{user}}
    steps:
      - name: use {{token}}
        run: 'echo "token is {{token}}"; test {{token|q}} = "s3cr3t-T0ken"'
YAML
"$DROVE" --headless --log-dir sruns --set user=ann --secret token=s3cr3t-T0ken \
	secret.yaml >secret.out 2>&1
check "the secret run exits 0" test $? -eq 0
check "events.jsonl never has the secret" lacks sruns/latest/events.jsonl "s3cr3t"
check "events.jsonl shows *** for it" contains sruns/latest/events.jsonl 'echo \"token is ***\"'
check "the step name too" contains sruns/latest/events.jsonl '"step":"use ***"'
check "a --set value stays as it is" contains sruns/latest/events.jsonl '"seq":"login ann"'
check "the step got the value" grep -rqF "token is s3cr3t-T0ken" sruns/latest/
check "drove's own lines show *** too" contains secret.out "==> step 1/1 use ***"
check "and never the secret" bash -c "! grep -E '(==>|<==)' secret.out | grep -q s3cr3t"
check "no file of the run is named with the secret" bash -c "! find sruns/ | grep -q s3cr3t"
"$DROVE" logs --log-dir sruns latest "login ann" 1 >secret.log 2>&1
check "drove logs reads the step whose name held the secret" contains secret.log "token is"
cat >secret-seq.yaml <<'YAML'
sequences:
  - name: deploy {{token}}
    steps: ["echo hi"]
YAML
"$DROVE" --headless --log-dir sruns --secret token=s3cr3t-T0ken secret-seq.yaml >secret-seq.out 2>&1
check "a sequence named with a secret runs" test $? -eq 0
check "its prefix shows ***" grep -q '^deploy \*\*\* | ' secret-seq.out
check "its prefix never shows the secret" lacks secret-seq.out "s3cr3t"
check "its directory is not named with it" bash -c "! find sruns/ | grep -q s3cr3t"
"$DROVE" logs --log-dir sruns latest "deploy ***" 1 >secret-seq.log 2>&1
check "drove logs reads it back" contains secret-seq.log "hi"
"$DROVE" check --secret token=s3cr3t-T0ken secret-seq.yaml >secret-check.out 2>&1
check "drove check shows *** for a secret" contains secret-check.out "deploy ***"
check "and never the secret itself" lacks secret-check.out "s3cr3t"
check "--secret wants NAME=VALUE" bash -c "! \"$DROVE\" --secret oops secret.yaml 2>&1 | grep -q oops"

finish
