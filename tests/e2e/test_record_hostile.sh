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

# --- records that would keep the reader busy ---------------------------------
# A CPU-time limit, not a clock: these finish in a second or two of CPU
# when reading is linear, and took minutes before.
limited() { (ulimit -t 10; "$@"); }

# One line nested 200,000 deep (400 KB): libyaml is quadratic in depth.
R="$T/runs/20261128-020000"
mkdir -p "$R"
python3 -c '
d = 200000
print("{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\",\"steps\":[\"a\"]}]}")
print("{\"event\":\"notice\",\"seq_index\":0,\"x\":" + "[" * d + "]" * d + "}")
print("{\"event\":\"run_end\",\"ts\":3,\"status\":\"ok\",\"exit_code\":0}")
' >"$R/events.jsonl"
limited "$DROVE" logs --log-dir "$T/runs" 20261128-020000 >"$T/out" 2>"$T/err"
check "depth bomb: read within the CPU limit" test $? -eq 0
check "depth bomb: the line is refused, said so" contains "$T/err" "events.jsonl:2: nested deeper than 16 (skipped)"
check "depth bomb: the rest is read" grep -q "^result    ok" "$T/out"

# 200,000 attempts of one step: loading is linear in attempts.
R="$T/runs/20261128-030000"
mkdir -p "$R"
python3 -c '
import sys
w = sys.stdout.write
w("{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\",\"steps\":[\"a\"]}]}\n")
w("".join("{\"event\":\"step_start\",\"seq_index\":0,\"step_index\":0,\"attempt\":%d}\n" % a for a in range(1, 200001)))
' >"$R/events.jsonl"
limited "$DROVE" logs --log-dir "$T/runs" 20261128-030000 s >"$T/out" 2>"$T/err"
check "200,000 attempts: read within the CPU limit" test $? -eq 0
check "200,000 attempts: all of them" grep -qE "^ +1  a +unfinished +- +- +200000 " "$T/out"

# Indices far beyond the plan do not make the reader allocate them.
R="$T/runs/20261128-040000"
mkdir -p "$R"
python3 -c '
print("{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\",\"steps\":[\"a\"]}]}")
for i in range(5000):
    print("{\"event\":\"step_start\",\"seq_index\":%d,\"step_index\":99999,\"attempt\":1}" % (99999 - i))
' >"$R/events.jsonl"
(ulimit -v 1000000; limited "$DROVE" logs --log-dir "$T/runs" 20261128-040000 >"$T/out" 2>"$T/err")
check "far indices: read in bounded memory and time" test $? -eq 0
check "far indices: only the plan's sequence" test "$(grep -c '^s ' "$T/out")" -eq 1

# The review of 150,000 attempts, each retried by the operator: placing
# the actions among the attempts is linear too.
R="$T/runs/20261128-050000"
mkdir -p "$R"
python3 -c '
import sys
w = sys.stdout.write
w("{\"event\":\"run_start\",\"ts\":1,\"sequences\":[{\"name\":\"s\",\"steps\":[\"a\"]}]}\n")
w("".join("{\"event\":\"step_start\",\"seq_index\":0,\"step_index\":0,\"attempt\":%d}\n{\"event\":\"retry\",\"ts\":2,\"seq_index\":0,\"step_index\":0,\"attempt\":%d}\n" % (a, a) for a in range(1, 150001)))
' >"$R/events.jsonl"
printf '#!/bin/sh\nulimit -t 10\nexec "%s" "$@"\n' "$DROVE" >"$T/limited-drove"
chmod +x "$T/limited-drove"
. "$(dirname "$0")/tui_lib.sh"
DROVE="$T/limited-drove" tui_start review --log-dir "$T/runs" 20261128-050000
tui_check "review of 150,000 retries: shown" tui_wait "retried by operator"
tui_keys q
tui_check "review of 150,000 retries: within the CPU limit" test "$(tui_exit_status)" = 0

# --- a log truncated while the review shows it -----------------------------
cat >"$T/big.yaml" <<'YAML'
sequences:
  - name: big
    steps:
      - {name: flood, run: "seq -f 'line %g of a long log' 1 20000"}
YAML
"$DROVE" --headless --log-dir "$T/big" "$T/big.yaml" >/dev/null 2>&1
tui_cleanup
tui_start review --log-dir "$T/big"
tui_check "truncated log: the review shows its end" tui_wait "line 20000 of a long log"
: >"$T"/big/latest/01-big/01-flood.1.log
tui_keys g
tui_check "truncated log: the review says the log changed" tui_wait "a log shrank on disk while shown"
tui_check "truncated log: the review is alive" test "$(tui_fmt '#{pane_dead}')" = 0
tui_keys q
tui_check "truncated log: q exits 0" test "$(tui_exit_status)" = 0

finish
