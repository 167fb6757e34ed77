#!/usr/bin/env bash
# `drove logs` on real runs: the list, a run, a sequence, a step's output,
# attempts, bad selections, an interrupted run, keep_runs.
. "$(dirname "$0")/lib.sh"

cat >"$T/night.yaml" <<'YAML'
settings: {log_dir: runs, keep_runs: 3}
sequences:
  - name: web1
    steps:
      - name: mount data
        run: |
          echo "mounting (try $DROVE_ATTEMPT)"
          test "$DROVE_ATTEMPT" -ge 2 || { echo "mount: /dev/xvdb: wrong fs type" >&2; exit 32; }
        retries: 1
        retry_delay: 0
      - name: install
        run: printf 'installed\n'
  - name: web2
    steps:
      - name: mount data
        run: |
          echo "mount: special device /dev/xvdb does not exist" >&2; exit 32
      - name: install
        run: 'true'
YAML
(cd "$T" && "$DROVE" --headless night.yaml >/dev/null 2>&1)
check "the run failed" test $? -eq 1
L() { "$DROVE" logs --log-dir "$T/runs" "$@"; }

L >"$T/list" 2>&1
check "list exits 0" test $? -eq 0
check "list header" grep -qE '^RUN +CONFIG +STARTED +DURATION +RESULT +SEQUENCES' "$T/list"
check "list names the run" grep -qE "^[0-9]{8}-[0-9]{6} +night.yaml +[0-9-]+ [0-9:]+ +[0-9.]+s +failed +1 ok, 1 failed, 0 blocked" "$T/list"

# The next morning, from anywhere: the config says where its runs are.
(cd / && "$DROVE" logs -c "$T/night.yaml") >"$T/list-c"
check "logs -c FILE finds the config's log_dir" grep -qE "^[0-9]{8}-[0-9]{6} +night.yaml" "$T/list-c"
# A config that wants a --set value: logs -c needs it too, and says so.
printf 'settings: {log_dir: vruns}\nsequences: [{name: a, steps: ["echo {{host}}"]}]\n' >"$T/vars.yaml"
"$DROVE" --headless --set host=h1 "$T/vars.yaml" >/dev/null 2>&1
"$DROVE" logs -c "$T/vars.yaml" >/dev/null 2>"$T/vars-no-set"
check "logs -c without the --set: says what to pass" contains "$T/vars-no-set" "cannot tell the log_dir of $T/vars.yaml (above): pass the run's --set values, or --log-dir DIR"
"$DROVE" logs -c "$T/vars.yaml" --set host=h1 >"$T/vars-set"
check "logs -c with the --set lists the run" grep -qE "^[0-9]{8}-[0-9]{6} +vars.yaml" "$T/vars-set"
"$DROVE" logs --log-dir "$T/nothing-here" 2>"$T/none"
check "no runs: says where it looked, and about -c" contains "$T/none" "no runs in $T/nothing-here (runs kept in a config's log_dir: drove logs -c FILE)"

L latest >"$T/run"
check "run summary: config path" grep -q "^config    $T/night.yaml" "$T/run"
check "run summary: result" grep -q "^result    failed" "$T/run"
check "run summary: web2 row" grep -qE "^web2 +failed +0 +1 +0 " "$T/run"

L latest web1 >"$T/seq"
check "step table: retried step" grep -qE "^ +1  mount data +ok +0 +[0-9.]+s +2  01-web1/01-mount-data.2.log" "$T/seq"
check "step table: first attempt" grep -qE "^ +failed +32 +[0-9.]+s +01-web1/01-mount-data.1.log" "$T/seq"
L latest web2 >"$T/seq2"
check "step table: never ran" grep -qE "^ +2  install +not run" "$T/seq2"

L latest web1 "mount data" --attempt 1 >"$T/out1"
check "attempt 1 output, exact" cmp -s "$T/out1" <(printf 'mounting (try 1)\nmount: /dev/xvdb: wrong fs type\n')
L latest web1 1 >"$T/out2"
check "last attempt by default" cmp -s "$T/out2" <(printf 'mounting (try 2)\n')
L latest 1 2 >"$T/out3"
check "sequence and step by number" cmp -s "$T/out3" <(printf 'installed\n')

L nosuch 2>"$T/err"; check "unknown run exits 1" test $? -eq 1
check "unknown run message" contains "$T/err" "no run 'nosuch' in $T/runs"
L latest web9 2>"$T/err"; check "unknown sequence" contains "$T/err" "has no sequence 'web9'; it has: 'web1', 'web2'"
L latest web1 9 2>"$T/err"; check "unknown step" contains "$T/err" "has no step '9'; give its name or its number, 1 to 2"
L latest web2 install 2>"$T/err"; check "never-run step" contains "$T/err" "never ran"
L latest web1 1 --attempt 5 2>"$T/err"; check "no such attempt" contains "$T/err" "has no attempt 5 (it ran 2 times)"
rm "$T"/runs/latest/01-web1/01-mount-data.1.log
L latest web1 1 --attempt 1 2>"$T/err"; check "deleted log: exit 1" test $? -eq 1
check "deleted log: clear message" contains "$T/err" "cannot read the log of step 1 (mount data), attempt 1"
L latest web1 >/dev/null; check "table still shown without the log" test $? -eq 0

# A second run in the same second gets its own id; a prefix that matches
# both is refused, naming them.
(cd "$T" && "$DROVE" --headless night.yaml >/dev/null 2>&1)
n=$(ls "$T/runs" | grep -cE '^[0-9]{8}-[0-9]{6}')
check "two runs" test "$n" -eq 2
L 2 2>"$T/err"; check "ambiguous prefix" grep -q "'2' matches 2 runs" "$T/err"

# An interrupted run (drove killed outright) still reads, as interrupted.
cat >"$T/hang.yaml" <<'YAML'
settings: {log_dir: runs}
sequences:
  - {name: h, steps: ['echo $$ > hang.pid; echo started; exec sleep 1000']}
YAML
(cd "$T" && exec "$DROVE" --headless hang.yaml >"$T/hang.out" 2>&1) &
dpid=$!
wait_for 20 grep -q "h | started" "$T/hang.out"
id=$(readlink "$T/runs/latest")
# While its drove runs, the run is shown as running, not interrupted.
L "$id" >"$T/live" 2>&1
check "a run in progress shows as running" grep -q "^result    running" "$T/live"
L >"$T/list-live"
check "the list shows it running" grep -qE "^$id .* running " "$T/list-live"
kill -KILL $dpid; wait $dpid 2>/dev/null
# Its step outlives a SIGKILLed drove; end it by its pid, nothing else.
kill "$(cat "$T/hang.pid")" 2>/dev/null
# cut the last event in half, as a power cut might
ev="$T/runs/$id/events.jsonl"
head -c -5 "$ev" >"$ev.tmp" && mv "$ev.tmp" "$ev"
L "$id" >"$T/int" 2>"$T/interr"
check "interrupted run exits 0" test $? -eq 0
check "interrupted shown" grep -q "^result    interrupted" "$T/int"
check "cut line warned" contains "$T/interr" "the last line is cut off"
L >"$T/list2"
check "list shows interrupted" grep -qE "^$id .* interrupted " "$T/list2"

# keep_runs: 3 -> the oldest go at the start of a run.
for i in 1 2; do (cd "$T" && "$DROVE" --headless night.yaml >/dev/null 2>&1); done
n=$(ls "$T/runs" | grep -cE '^[0-9]{8}-[0-9]{6}')
check "keep_runs keeps 3" test "$n" -eq 3
check "latest survives" test -e "$T/runs/latest/events.jsonl"

# --- every kind of result: the columns stay in line ------------------------
# A run with a success, a failure, a timeout, a skip, an unreachable host
# (ssh to a closed port; without ssh, a failure stands in) and a blocked
# sequence; then its --resume, whose result says all of it at once.
: >"$T/empty_ssh_config"
if command -v ssh >/dev/null; then
	down='{name: down, host: down, steps: [{remote: "true"}]}'
else
	down='{name: down, steps: ["exit 255"]}'
fi
cat >"$T/every.yaml" <<YAML
settings: {log_dir: everyruns, ssh_config: empty_ssh_config}
hosts: {down: {address: 127.0.0.1, port: 1}}
sequences:
  - {name: fine, steps: ["echo fine"]}
  - {name: broken, steps: ["exit 3"]}
  - {name: slow, steps: [{run: "sleep 5", timeout: 0.3s}]}
  - name: skipper
    steps:
      - {name: never, run: "echo no", if: "test -e /nonexistent-drove"}
      - {name: then, run: "echo yes"}
  - $down
  - {name: after-broken, needs: [broken], steps: ["echo never"]}
YAML
(cd "$T" && "$DROVE" --headless every.yaml >/dev/null 2>&1)
(cd "$T" && "$DROVE" --headless --resume latest every.yaml >/dev/null 2>&1)
E() { "$DROVE" logs --log-dir "$T/everyruns" "$@"; }
# aligned FILE HEADER COLUMN: under the header line (the first that
# matches HEADER), every row until a blank line has a field beginning
# where COLUMN begins (left-aligned), or, with "-r", ending where it
# ends (right-aligned).
aligned() {
	python3 - "$@" <<'PY'
import re, sys
path, header, col = sys.argv[1:4]
right = len(sys.argv) > 4
lines = open(path).read().split("\n")
h = next(i for i, l in enumerate(lines) if re.search(header, l))
start = lines[h].index(col)
end = start + len(col)
bad = []
for l in lines[h + 1:]:
    if not l.strip():
        break
    if right:
        ok = len(l) >= end and l[end - 1] != " " and (len(l) == end or l[end] == " ")
    else:
        ok = len(l) > start and l[start - 1] == " " and l[start] != " "
    if not ok:
        bad.append(l)
if bad:
    print("out of line under " + col + ":\n" + "\n".join(bad))
    sys.exit(1)
PY
}
E >"$T/every-list"
check "every result: the list's results are long" grep -qE "failed, [0-9]+ skipped, resumed" "$T/every-list"
check "every result: the list's SEQUENCES column in line" aligned "$T/every-list" "^RUN " SEQUENCES
E "$(ls "$T/everyruns" | grep -E '^[0-9]{8}' | head -n 1)" >"$T/every-run"
check "every result: a run's sequences, each kind" grep -qE "^(slow|broken) +failed" "$T/every-run"
if command -v ssh >/dev/null; then
	check "every result: unreachable is one" grep -qE "^down +unreachable " "$T/every-run"
fi
check "every result: blocked is one" grep -qE "^after-broken +blocked " "$T/every-run"
check "every result: the run's OK column in line" aligned "$T/every-run" "^SEQUENCE " OK -r
check "every result: and DURATION" aligned "$T/every-run" "^SEQUENCE " DURATION -r
E latest down >"$T/every-down"
check "every result: a step's EXIT column in line" aligned "$T/every-down" "^ +# " EXIT -r
check "every result: and TRIES" aligned "$T/every-down" "^ +# " TRIES -r
E latest slow >"$T/every-slow"
check "every result: a timeout's TRIES in line" aligned "$T/every-slow" "^ +# " TRIES -r

finish
