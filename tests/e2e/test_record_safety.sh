#!/usr/bin/env bash
# The run directory under hostile conditions: names longer than a file
# name may be.
. "$(dirname "$0")/lib.sh"

# --- names longer than a file name may be ------------------------------------
long=$(printf 'sequence-%.0s' $(seq 1 30))   # 270 bytes
step=$(printf 'step %.0s' $(seq 1 60))       # 300 bytes
cat >"$T/long.yaml" <<YAML
sequences:
  - name: $long
    steps:
      - {name: "$step", run: echo hello}
YAML
"$DROVE" --headless --log-dir "$T/runs" "$T/long.yaml" >"$T/out" 2>"$T/err"
check "a 270-byte sequence name runs" test $? -eq 0
check "its log is written" test "$(cat "$T"/runs/latest/01-*/01-*.1.log)" = hello
check "file names are short" test -z "$(find "$T/runs/" -name '????????????????????????????????????????????????????????????*')"
"$DROVE" logs --log-dir "$T/runs" latest >"$T/logs"
check "the record keeps the whole name" grep -q "^$long " "$T/logs"
"$DROVE" logs --log-dir "$T/runs" latest "$long" "$step" >"$T/logs"
check "the step's output by its whole name" test "$(cat "$T/logs")" = hello
check "no empty run directory" test -z "$(find "$T/runs" -mindepth 1 -maxdepth 1 -type d -empty)"

finish
