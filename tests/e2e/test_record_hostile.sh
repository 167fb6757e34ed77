#!/usr/bin/env bash
# A crafted run directory read by `drove logs`: the record is data, never
# a way to read files outside the run directory, nor to keep the reader
# busy, nor to write to the terminal.
. "$(dirname "$0")/lib.sh"

R="$T/runs/20261128-010000"
mkdir -p "$R/01-s"
printf 'TOP SECRET\n' >"$T/secret"
ln -s "$T/secret" "$R/01-s/01-b.1.log"
cat >"$R/events.jsonl" <<'EOF2'
{"event":"run_start","ts":1,"sequences":[{"name":"s","steps":["a","b"]}]}
{"event":"step_start","ts":1,"seq":"s","seq_index":0,"step":"a","step_index":0,"attempt":1,"log":"../../secret"}
{"event":"step_start","ts":2,"seq":"s","seq_index":0,"step":"b","step_index":1,"attempt":1,"log":"01-s/01-b.1.log"}
{"event":"run_end","ts":3,"status":"ok","exit_code":0,"duration":2}
EOF2
L() { "$DROVE" logs --log-dir "$T/runs" "$@"; }

L 20261128-010000 s a >"$T/out" 2>"$T/err"
check "traversal: refused, exit 1" test $? -eq 1
check "traversal: nothing of the file" lacks "$T/out" "SECRET"
check "traversal: said why" contains "$T/err" "../../secret: not inside the run directory"
L 20261128-010000 s b >"$T/out" 2>"$T/err"
check "symlinked log: refused, exit 1" test $? -eq 1
check "symlinked log: nothing of the file" lacks "$T/out" "SECRET"
check "symlinked log: said why" contains "$T/err" "a symlink (refused)"

finish
