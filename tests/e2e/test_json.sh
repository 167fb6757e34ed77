#!/usr/bin/env bash
# Output for tools: drove check --json (the plan), drove logs --json (the
# list, a run, a sequence, a step) and drove logs RUN --junit FILE, read
# back with python's json and XML parsers.
. "$(dirname "$0")/lib.sh"

py=/usr/bin/python3
cd "$T" || exit 1
cat >"$T/ci.yaml" <<'YAML'
settings: {log_dir: runs, kill_grace: 1s}
hosts: {web1: 192.0.2.1}
vars: {greeting: hi}
sequences:
  - name: build {{os}}
    matrix: {os: [linux, bsd]}
    env: {CC: gcc}
    steps:
      - name: compile & link <all>
        run: printf '{{greeting}} \033[31mred\033[0m caf\303\251 \377\n'
      - sleep: 0.1
  - name: test
    needs: ["build {{os}}"]
    steps:
      - name: flaky
        run: echo "try $DROVE_ATTEMPT"; test "$DROVE_ATTEMPT" -ge 2
        retries: 2
        retry_delay: 0
      - name: broken
        run: echo broken; exit 3
        on_failure: continue
      - name: slow
        run: sleep 10
        timeout: 0.2
        on_failure: continue
  - name: deploy
    hosts: all
    needs: [test]
    steps:
      - run: echo never
YAML

# --- check --json ----------------------------------------------------------
"$DROVE" check --json ci.yaml >"$T/plan.json" 2>"$T/plan.err"
check "check --json exits 0" test $? -eq 0
check "check --json: one line" test "$(wc -l <"$T/plan.json")" -eq 1
cat >"$T/plan.py" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
seqs = {s["name"]: s for s in p["sequences"]}
assert list(seqs) == ["build linux", "build bsd", "test", "deploy web1"], list(seqs)
assert p["settings"]["kill_grace"] == 1.0 and p["settings"]["shell"] == "/bin/sh"
assert p["settings"]["log_dir"].endswith("/runs")
b = seqs["build bsd"]
assert b["template_name"] == "build {{os}}" and b["index"] == 1
assert b["env"] == {"CC": "gcc"} and b["vars"]["os"] == "bsd"
st = b["steps"]
assert st[0]["kind"] == "run" and st[0]["name"] == "compile & link <all>"
assert st[0]["command"].startswith("printf 'hi ")
assert st[0]["on_failure"] == "stop" and st[0]["retries"] == 0
assert st[1] == {"name": "sleep 0.1s", "kind": "sleep", "sleep": 0.1}
t = seqs["test"]
assert t["index"] is None and t["needs"] == ["build linux", "build bsd"]
assert t["steps"][0]["retries"] == 2 and t["steps"][1]["on_failure"] == "continue"
assert t["steps"][2]["timeout"] == 0.2
d = seqs["deploy web1"]
assert d["host"] == "web1" and d["index"] == 0 and d["needs"] == ["test"]
assert p["hosts"][0]["name"] == "web1" and p["hosts"][0]["address"] == "192.0.2.1"
print("plan ok")
PY
check "check --json: the plan, expanded" "$py" "$T/plan.py" "$T/plan.json"
"$DROVE" check --json --only test ci.yaml >"$T/only.json"
check "check --json --only: the selection" \
    "$py" -c 'import json,sys; p=json.load(open(sys.argv[1])); assert [s["name"] for s in p["sequences"]]==["test"]' "$T/only.json"
printf 'sequences: [{name: x, steps: [y], retires: 1}]\n' >"$T/bad.yaml"
"$DROVE" check --json bad.yaml >"$T/bad.out" 2>"$T/bad.err"
check "check --json on a bad file: exit 2, nothing on stdout" \
    test $? -eq 2 -a ! -s "$T/bad.out"

# --- logs --json -------------------------------------------------------------
"$DROVE" --headless ci.yaml >"$T/run.out" 2>&1
check "the run fails" test $? -eq 1
rid=$(basename "$(readlink -f runs/latest)")
L() { "$DROVE" logs -c ci.yaml --json "$@"; }
L >"$T/list.json"
check "logs --json: the list" "$py" -c '
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
assert len(runs) == 1 and runs[0]["id"] == sys.argv[2], runs
r = runs[0]
assert r["status"] == "failed" and r["exit_code"] == 1 and r["ended"]
assert r["sequences"] == {"ok": 2, "failed": 1, "blocked": 1}, r["sequences"]
assert r["config"].endswith("/ci.yaml") and r["end"] >= r["start"] > 0
' "$T/list.json" "$rid"
L latest >"$T/run.json"
check "logs --json RUN: sequences, steps, attempts" "$py" -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["id"] == sys.argv[2] and r["warnings"] == []
s = {x["name"]: x for x in r["sequences"]}
assert s["deploy web1"]["state"] == "blocked"
assert s["deploy web1"]["steps"][0]["status"] == "pending"
t = s["test"]
assert t["state"] == "failed"
f = t["steps"][0]
assert f["status"] == "ok" and [a["status"] for a in f["attempts"]] == ["failed", "ok"]
assert f["attempts"][0]["exit_code"] == 1 and f["attempts"][1]["log"].endswith(".2.log")
assert t["steps"][1]["attempts"][0]["exit_code"] == 3
slow = t["steps"][2]["attempts"][0]
assert slow["status"] == "timeout" and slow["signal"] == 15 and slow["exit_code"] is None
' "$T/run.json" "$rid"
L latest test >"$T/seq.json"
check "logs --json RUN SEQ: the sequence alone" "$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["name"] == "test" and len(s["steps"]) == 3 and "actions" in s
' "$T/seq.json"
L latest test 1 >"$T/step.json"
check "logs --json RUN SEQ STEP: the step" "$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["name"] == "flaky" and s["retries"] == 2 and len(s["attempts"]) == 2
' "$T/step.json"
L latest nosuch >"$T/none.json" 2>"$T/none.err"
check "logs --json, an unknown sequence: exit 1, said" \
    test $? -eq 1 -a ! -s "$T/none.json"
check "... on stderr" contains "$T/none.err" "has no sequence 'nosuch'"
"$DROVE" logs --json --log-dir "$T/empty" >"$T/empty.json"
check "logs --json with no runs: an empty list" \
    "$py" -c 'import json,sys; assert json.load(open(sys.argv[1]))=={"runs": []}' "$T/empty.json"

# --- logs RUN --junit FILE ---------------------------------------------------
"$DROVE" logs -c ci.yaml latest --junit "$T/report.xml" >"$T/junit.out" 2>&1
check "--junit exits 0" test $? -eq 0
check "--junit prints nothing" test ! -s "$T/junit.out"
check "--junit leaves no temporary file" \
    test "$(ls "$T" | grep -c 'report.xml.tmp')" -eq 0
cat >"$T/junit.py" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
assert (root.get("tests"), root.get("failures"), root.get("skipped"),
        root.get("errors")) == ("8", "2", "1", "0"), root.attrib
suites = {s.get("name"): s for s in root.findall("testsuite")}
assert list(suites) == ["build linux", "build bsd", "test", "deploy web1"]
case = {c.get("name"): c for c in suites["test"].findall("testcase")}
flaky = case["flaky"]
assert flaky.find("failure") is None and flaky.get("classname") == "test"
out = flaky.find("system-out").text
assert "-- attempt 1: failed (exit 1) --\ntry 1\n-- attempt 2: ok --\ntry 2\n" == out, repr(out)
f = case["broken"].find("failure")
assert f.get("type") == "failed" and "exit 3" in f.get("message")
assert case["slow"].find("failure").get("type") == "timeout"
never = suites["deploy web1"].find("testcase")
assert never.find("skipped") is not None and never.find("system-out") is None
build = suites["build bsd"].find("testcase")
assert build.get("name") == "compile & link <all>"
text = build.find("system-out").text
assert "hi \ufffd[31mred\ufffd[0m caf\u00e9 \ufffd\n" in text, repr(text)
print("junit ok")
PY
check "--junit: a JUnit report, escaped, one testcase per step" \
    "$py" "$T/junit.py" "$T/report.xml"
"$DROVE" logs -c ci.yaml --junit "$T/r2.xml" >/dev/null 2>"$T/junit2.err"
check "--junit without RUN: a usage error" test $? -eq 2
"$DROVE" logs -c ci.yaml latest --junit "$T/no/such/dir/r.xml" 2>"$T/junit3.err"
check "--junit to a directory that is not there: exit 1" test $? -eq 1
check "... saying why" contains "$T/junit3.err" "No such file or directory"
finish
