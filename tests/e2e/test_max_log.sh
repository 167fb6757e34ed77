#!/usr/bin/env bash
# settings.max_log: a step that prints more than it keeps the head and the
# tail of its output and a marker line between them, the record says how
# much was dropped, `drove logs` shows it, and headless and the dashboard
# still show every line as it comes.
. "$(dirname "$0")/lib.sh"

# 30000 numbered lines (about 400 KB), then a line the log will drop,
# then (once "go" exists) 6000 more lines: more than the tail keeps.
cat >"$T/flood.sh" <<'SH'
i=1; while [ $i -le 30000 ]; do echo "line $i of the flood"; i=$((i+1)); done
echo "seen live only"
while [ ! -e go ]; do sleep 0.05; done
i=1; while [ $i -le 6000 ]; do echo "after go $i"; i=$((i+1)); done
SH
cat >"$T/cap.yaml" <<'YAML'
settings: {log_dir: runs, max_log: 65536}
sequences:
  - name: flood
    steps:
      - name: print
        run: sh flood.sh
      - name: small
        run: echo small
YAML
(cd "$T" && touch go && sh flood.sh >expected)
total=$(wc -c <"$T/expected")
dropped=$((total - 65536))

(cd "$T" && "$DROVE" --headless cap.yaml >headless.out 2>&1)
check "headless run succeeds" test $? -eq 0
check "headless shows every line" test "$(grep -c 'line [0-9]* of the flood' "$T/headless.out")" -eq 30000
check "headless shows the line the log drops" contains "$T/headless.out" "seen live only"

log="$T/runs/latest/01-flood/01-print.1.log"
marker="[drove: $dropped bytes dropped here; max_log 65536]"
# The head ends mid-line: the marker starts a line of its own.
check "the log is head + marker line + tail" \
	test "$(wc -c <"$log")" -eq $((65536 + ${#marker} + 2))
check "the head is the first 32768 bytes as written" \
	cmp -s <(head -c 32768 "$log") <(head -c 32768 "$T/expected")
check "the tail is the last 32768 bytes as written" \
	cmp -s <(tail -c 32768 "$log") <(tail -c 32768 "$T/expected")
check "the marker line, after the head" \
	cmp -s <(head -c $((32768 + ${#marker} + 2)) "$log" | tail -c $((${#marker} + 2))) \
	<(printf '\n%s\n' "$marker")
check "the dropped line is not in the log" lacks "$log" "seen live only"
check "the record's step_end says how much was dropped" \
	grep -q "\"step\":\"print\".*\"log_dropped\":$dropped[,}]" "$T/runs/latest/events.jsonl"
check "a small step's step_end has no log_dropped" bash -c "! grep '\"step\":\"small\"' '$T/runs/latest/events.jsonl' | grep -q log_dropped"
check "a small step's log is whole" test "$(cat "$T/runs/latest/01-flood/02-small.1.log")" = small
# The .times offsets stay inside the new log, in order.
check ".times offsets are in the log, increasing" awk -v max="$(wc -c <"$log")" \
	'$1 < prev || $1 > max { exit 1 } { prev = $1 }' "$T/runs/latest/01-flood/01-print.1.times"

"$DROVE" logs --log-dir "$T/runs" latest flood print >"$T/shown" 2>&1
check "drove logs shows the marker" contains "$T/shown" "$marker"
check "drove logs shows the head" contains "$T/shown" "line 1 of the flood"
check "drove logs shows the tail" contains "$T/shown" "after go 6000"

# Without max_log, every byte stays.
sed 's/, max_log: 65536//' "$T/cap.yaml" >"$T/whole.yaml"
(cd "$T" && "$DROVE" --headless whole.yaml >/dev/null 2>&1)
check "no limit: the log is every byte" cmp -s "$T/runs/latest/01-flood/01-print.1.log" "$T/expected"
check "no limit: no log_dropped" lacks "$T/runs/latest/events.jsonl" log_dropped

# Bad values are refused with a clear message.
printf 'settings: {max_log: 100}\nsequences: [{name: a, steps: [echo]}]\n' >"$T/bad.yaml"
"$DROVE" check "$T/bad.yaml" >"$T/bad.out" 2>&1
check "max_log 100 is refused" test $? -eq 2
check "... saying why" contains "$T/bad.out" "'max_log' must be 0 (no limit) or at least 1024 bytes, got 100"

# The dashboard shows the live output, dropped or not.
if command -v tmux >/dev/null; then
	. "$(dirname "$0")/tui_lib.sh"
	rm -f "$T/go"
	tui_start cap.yaml
	tui_check "the dashboard shows the flood live" tui_wait "line 30000 of the flood"
	tui_check "the dashboard shows a line the log will drop" tui_wait "seen live only"
	touch "$T/go"
	tui_check "the dashboard shows the rest" tui_wait "after go 6000"
	tui_keys q
	tui_check "quit" tui_dead
	check "that log dropped the live line too" lacks "$T/runs/latest/01-flood/01-print.1.log" "seen live only"
	check "and says so" grep -q "\"step\":\"print\".*\"log_dropped\":$dropped[,}]" "$T/runs/latest/events.jsonl"
else
	echo "ok - # SKIP no tmux: the dashboard part"
fi
finish
