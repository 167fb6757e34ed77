#!/usr/bin/env bash
# 1,000 short sequences at once, headless: the record is complete (every
# step's step_end), a step that printed nothing has no log file and the
# record says so, and the process that starts the steps keeps a tiny
# descriptor table however many run. (Its speed is bench/steps.sh's.)
. "$(dirname "$0")/lib.sh"

n=1000
{
	echo "sequences:"
	many_seqs $n "[/bin/true, echo out]"
	# The steps' parent is the keeper: its descriptors, and the step's
	# own, while the others run.
	echo "  - name: fds"
	echo "    steps:"
	echo "      - ls /proc/\$PPID/fd | wc -l >'$T/keeper.fds'; ls /proc/self/fd | wc -l >'$T/step.fds'"
	echo "      - grep SigIgn /proc/self/status >'$T/sigign'"
} >"$T/many.yaml"
total=$((n + 1))
steps=$((2 * n + 2))

# Started with signals ignored (as from nohup, or & in a script): the
# steps get every signal at its default all the same.
(trap '' INT QUIT HUP PIPE && exec "$DROVE" --headless --log-dir "$T/runs" "$T/many.yaml") >"$T/out" 2>&1
check "$total sequences exit 0" test $? -eq 0
run=$T/runs/latest/
ev=${run}events.jsonl
check "the summary counts them all" contains "$T/out" "$total sequences: $total ok"
check "every step has its step_end, ok" test "$(grep '"event":"step_end"' "$ev" | grep -c '"status":"ok"')" -eq $steps
# Each (sequence, step) once: no step_end lost or doubled.
check "each step ended once" test "$(grep '"event":"step_end"' "$ev" | grep -o '"seq_index":[0-9]*,"step":"[^"]*","step_index":[0-9]*' | sort -u | wc -l)" -eq $steps
check "the run ended, all ok" grep -q "\"event\":\"run_end\".*\"status\":\"ok\".*\"ok\":$total" "$ev"
check "the quiet steps say they printed nothing" test "$(grep '"event":"step_end".*"step":"/bin/true".*"log_bytes":0' "$ev" | wc -l)" -eq $n
check "and have no log file" test "$(find "$run" -name '*-bin-true.*' | wc -l)" -eq 0
check "the others have theirs, exact" test "$(find "$run" -name '*-echo-out.1.log' -exec cat {} + | grep -cx out)" -eq $n
check "and say its size" test "$(grep -c '"event":"step_end".*"step":"echo out".*"log_bytes":4' "$ev")" -eq $n
check "one directory per sequence that printed" test "$(find "$run" -mindepth 1 -type d | wc -l)" -eq $n
check "drove logs shows a quiet step as empty" test "$("$DROVE" logs --log-dir "$T/runs" latest s7 1 | wc -c)" -eq 0
check "drove logs RUN SEQ says (empty)" grep -qE '^ +1 +/bin/true +ok .*\(empty\)$' <("$DROVE" logs --log-dir "$T/runs" latest s7)
# The keeper: 0-2 (/dev/null), its socket, its signalfd, and what the
# request being spawned brought along; never a descriptor per step.
check "the keeper's descriptors stay few" test "$(cat "$T/keeper.fds")" -le 8
# The step: stdin, stdout, stderr, and ls's own directory.
check "a step inherits no descriptor" test "$(cat "$T/step.fds")" -le 4
check "nor an ignored signal" grep -qE '^SigIgn:\s+0+$' "$T/sigign"

finish
