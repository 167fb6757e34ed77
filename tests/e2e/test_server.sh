#!/usr/bin/env bash
# A run's socket: drove -d, ps, ctl, wait and stop on runs in the
# background and headless ones, who may connect, and what a peer that
# does not speak the protocol (or another version of it) is told.
. "$(dirname "$0")/lib.sh"

# The frame a raw peer sends, and what the server answers: "TYPE TEXT".
# Used for what drove itself never sends.
raw_peer() {
	python3 - "$@" <<'PY'
import socket, struct, sys
path, kind = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.connect(path)
if kind == "version":
    body = struct.pack(">BI", 1, 99) + struct.pack(">I", 0)
    s.sendall(struct.pack(">I", len(body)) + body)
elif kind == "unknown":
    s.sendall(struct.pack(">IB", 1, 77))
elif kind == "huge":
    s.sendall(struct.pack(">I", 0x7fffffff) + b"x" * 64)
elif kind == "first":
    s.sendall(struct.pack(">IB", 1, 4))     # status before hello
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
if len(data) < 9:
    print("closed")
else:
    n, t = struct.unpack(">IB", data[:5])
    l = struct.unpack(">I", data[5:9])[0]
    print(t, data[9:9 + l].decode())
PY
}

state_of() {	# RUN SEQ: the sequence's state, from ctl status --json
	"$DROVE" ctl "$1" status --json 2>/dev/null | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sequences"]:
    if s["name"] == sys.argv[1]:
        print(s["state"])' "$2"
}
seq_is() { [ "$(state_of "$1" "$2")" = "$3" ]; }
step_is() {	# RUN SEQ STEP STATUS
	"$DROVE" ctl "$1" status --json 2>/dev/null | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sequences"]:
    if s["name"] == sys.argv[1]:
        sys.exit(s["steps"][int(sys.argv[2]) - 1]["status"] != sys.argv[3])
sys.exit(1)' "$2" "$3" "$4"
}
quiet() { "$@" >/dev/null 2>&1; }
no_socket() { [ -z "$(ls "$XDG_RUNTIME_DIR/drove")" ]; }

# --- drove -d: in the background, steered from scripts ----------------------
cat >"$T/bg.yaml" <<YAML
sequences:
  - name: hold
    steps:
      - name: wait for go
        run: while [ ! -e "$T/go" ]; do sleep 0.05; done; echo went
  - name: flaky
    steps:
      - name: first try fails
        run: test -e "$T/flaky.ok" || { touch "$T/flaky.ok"; echo failing; exit 3; }
        on_failure: pause
      - echo then
  - name: long
    steps:
      - name: sleeper
        run: echo \$\$ >"$T/sleeper.pid"; exec sleep 300
      - name: second
        run: echo \$\$ >"$T/second.pid"; exec sleep 300
      - echo never
YAML
"$DROVE" -d --log-dir "$T/runs" "$T/bg.yaml" >"$T/d.out" 2>"$T/d.err"
check "-d exits 0 at once" test $? -eq 0
id=$(cat "$T/d.out")
check "-d prints the run id" test "$id" = "$(basename "$(readlink -f "$T/runs/latest")")"
check "-d says nothing else" test ! -s "$T/d.err"
check "the socket is in a private directory" test "$(stat -c %a "$XDG_RUNTIME_DIR/drove")" = 700
check "the socket is 0600" test "$(stat -c %a "$XDG_RUNTIME_DIR/drove/$id.sock")" = 600
srv=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$T/runs/$id/events.jsonl" | head -1)
check "the server is in a session of its own" test "$(ps -o sid= -p "$srv" | tr -d ' ')" = "$srv"

"$DROVE" ps >"$T/ps.out"
check "ps lists the run" contains "$T/ps.out" "$id"
check "ps names its config" contains "$T/ps.out" "$T/bg.yaml"
"$DROVE" ps --json >"$T/ps.json"
check "ps --json is JSON with the run" python3 -c '
import json, sys
runs = json.load(open(sys.argv[1]))
assert len(runs) == 1 and runs[0]["run_id"] == sys.argv[2], runs
assert runs[0]["sequences"]["running"] >= 2' "$T/ps.json" "$id"

check "flaky pauses on its failure" wait_for 20 seq_is "$id" flaky paused
"$DROVE" ctl "$id" status >"$T/status.out"
check "status names every sequence" contains "$T/status.out" "flaky: paused, step 1/2"
check "status shows the exit code" contains "$T/status.out" "exit 3"

# A unique prefix of the id is enough.
"$DROVE" ctl "${id%??}" retry flaky "first try fails" >"$T/retry.out" 2>&1
check "ctl retry says what it did" test "$?" -eq 0 -a "$(cat "$T/retry.out")" = "retried flaky"
check "the retry succeeds" wait_for 20 seq_is "$id" flaky ok

"$DROVE" ctl "$id" retry hold >"$T/no.out" 2>&1
check "ctl refuses what does not apply" test $? -eq 1
check "ctl says why not" contains "$T/no.out" "retry hold:"
"$DROVE" ctl "$id" frob hold >"$T/no.out" 2>&1
check "ctl refuses an unknown action" test $? -eq 1
check "ctl lists the actions" contains "$T/no.out" "retry, skip, kill, abort, pause, resume"
"$DROVE" ctl "$id" kill nosuch >"$T/no.out" 2>&1
check "ctl refuses an unknown sequence" contains "$T/no.out" "no sequence 'nosuch'"
"$DROVE" ctl nosuchrun status >"$T/no.out" 2>&1
check "an unknown run is a usage error" test $? -eq 2
check "and says so" contains "$T/no.out" "no live run 'nosuchrun'"

wait_for 20 test -s "$T/sleeper.pid"
"$DROVE" ctl "$id" skip long sleeper >/dev/null
check "ctl skip skips the running step" wait_for 20 step_is "$id" long 1 skipped
check "the skipped step's process is gone" wait_for 20 eval '! pid_alive "$(cat "$T/sleeper.pid")"'
wait_for 20 test -s "$T/second.pid"
"$DROVE" ctl "$id" kill long sleeper >"$T/no.out" 2>&1
check "ctl with a STEP that is not the current one refuses" contains "$T/no.out" "long is not at step 1 (sleeper)"
"$DROVE" ctl "$id" kill long 2 >/dev/null
check "ctl kill kills the running step" wait_for 20 step_is "$id" long 2 killed
check "its process is gone" wait_for 20 eval '! pid_alive "$(cat "$T/second.pid")"'

# A stray SIGHUP: the server has no terminal to lose.
kill -HUP "$srv"
check "the server ignores SIGHUP" quiet "$DROVE" ctl "$id" status

# With the log directory: a waiter that comes after the end (a loaded
# machine) reads the status from the record instead.
"$DROVE" --log-dir "$T/runs" wait "$id" >"$T/wait.out" 2>&1 &
waiter=$!
touch "$T/go"
wait "$waiter"
check "drove wait exits with the run's status" test $? -eq 1
# Its exit, whenever it comes: the bound only turns a hang into a failure
# (within ctest's), a loaded machine may take its time.
check "the settled server exits" wait_for 150 eval '! pid_alive "$srv"'
check "its stderr went to the run directory" contains "$T/runs/$id/server.log" "drove: logs in $T/runs/$id"
check "and removes its socket" no_socket
"$DROVE" ps >"$T/ps.out"
check "ps: no live run" contains "$T/ps.out" "no live run"
"$DROVE" --log-dir "$T/runs" wait "$id"
check "wait on a run that is over reads its record" test $? -eq 1
ev="$T/runs/$id/events.jsonl"
check "the record says who retried" grep -q '"event":"retry".*"by":"'"$(id -un)"'"' "$ev"
check "and who killed" grep -q '"event":"kill".*"by":"'"$(id -un)"'"' "$ev"

# --- a headless run serves the same socket ---------------------------------
cat >"$T/hl.yaml" <<YAML
sequences:
  - name: hold
    steps:
      - name: wait for go
        run: while [ ! -e "$T/go2" ]; do sleep 0.05; done
  - name: flaky
    steps:
      - name: first try fails
        run: test -e "$T/hl.ok" || { touch "$T/hl.ok"; exit 4; }
      - echo second step ran
YAML
"$DROVE" --log-dir "$T/runs2" "$T/hl.yaml" >"$T/hl.out" 2>&1 &
hl=$!
wait_for 20 test -e "$T/runs2/latest"
id2=$(basename "$(readlink -f "$T/runs2/latest")")
check "a headless run is in ps" wait_for 20 eval '"$DROVE" ps | grep -q "$id2"'
check "its failed sequence shows" wait_for 20 seq_is "$id2" flaky failed
"$DROVE" ctl "$id2" retry flaky >/dev/null
check "ctl retry on a headless run" wait_for 20 seq_is "$id2" flaky ok
"$DROVE" stop "$id2" >"$T/stop.out"
check "drove stop says so" contains "$T/stop.out" "stopping the run"
wait "$hl"
check "a stopped run exits 1" test $? -eq 1
check "the retried step's output is in the headless output" contains "$T/hl.out" "flaky | second step ran"
check "the record has the stop, and who asked" grep -q '"event":"stop".*"reason":"stop","by":"' "$T/runs2/$id2/events.jsonl"

# --- attached peers get the scrollback, then every change -------------------
# (the dashboard's side of this is tested in tmux; here the server's, with
# two raw peers attached at once: the newest lines come first, then the
# older ones, numbered)
attach_peer() {	# SOCKET OUT: attach, report, and wait for the live line
	python3 - "$@" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
out = open(sys.argv[2], "w", buffering=1)
def send(t, body=b""):
    s.sendall(struct.pack(">IB", len(body) + 1, t) + body)
send(1, struct.pack(">I", 5) + struct.pack(">I", 0))
send(11)
buf = b""
lines = {}
def frames():
    global buf
    while True:
        while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
            n = struct.unpack(">I", buf[:4])[0]
            f, buf = buf[4:4 + n], buf[4 + n:]
            yield f[0], f[1:]
        chunk = s.recv(1 << 16)
        if not chunk:
            return
        buf += chunk
def string(b, o):
    n = struct.unpack(">I", b[o:o + 4])[0]
    return b[o + 4:o + 4 + n], o + 4 + n
for t, b in frames():
    if t == 2:
        out.write("welcome\n")
    elif t == 5:
        out.write("snapshot\n")
    elif t == 18:
        # The newest lines first, then the older ones: put together by
        # their numbers.
        seq, first, n = struct.unpack(">IQI", b[:16])
        o = 16
        got = lines.setdefault(seq, {})
        for i in range(n):
            o += 18
            text, o = string(b, o)
            got[first + i] = text
        if b"live line" in got.values():
            out.write("line live line\n")
            break
        nums = sorted(got)
        if b"ready" in got.values() and nums == list(range(nums[0], nums[-1] + 1)):
            mine = [got[k] for k in nums if got[k].isdigit()]
            if len(mine) == 2000:
                out.write("scrollback %d %s %s\n" % (len(mine), "contiguous" if mine == [b"%d" % i for i in range(1, 2001)] else "gaps", got[nums[-1]].decode()))
    elif t == 13:
        text, _ = string(b, 22)
        out.write("line %s\n" % text.decode())
        if text == b"live line":
            break
PY
}
cat >"$T/att.yaml" <<YAML
sequences:
  - name: talk
    steps:
      - name: lines
        run: seq 1 2000; echo ready; while [ ! -e "$T/go4" ]; do sleep 0.05; done; echo live line
YAML
id4=$("$DROVE" -d --log-dir "$T/runs5" "$T/att.yaml")
check "the lines are there before anyone attaches" wait_for 20 grep -q ready "$T/runs5/$id4/01-talk/01-lines.1.log"
touch "$T/att1.out" "$T/att2.out"
attach_peer "$XDG_RUNTIME_DIR/drove/$id4.sock" "$T/att1.out" &
p1=$!
attach_peer "$XDG_RUNTIME_DIR/drove/$id4.sock" "$T/att2.out" &
p2=$!
check "an attached peer gets the whole scrollback, in order" wait_for 20 grep -q "scrollback 2000 contiguous ready" "$T/att1.out"
check "so does a second one at once" wait_for 20 grep -q "scrollback 2000 contiguous ready" "$T/att2.out"
touch "$T/go4"
wait "$p1" "$p2"
check "a new line reaches the first peer live" contains "$T/att1.out" "line live line"
check "and the second" contains "$T/att2.out" "line live line"

# --- a dashboard that does not read never holds the run --------------------
cat >"$T/flood.yaml" <<YAML
settings: {scrollback: 100}
sequences:
  - name: flood
    steps:
      - name: lines
        run: while [ ! -e "$T/stalled" ]; do sleep 0.05; done; seq -f %0100g 1 300000; echo flood done
YAML
id5=$("$DROVE" -d --log-dir "$T/runs6" "$T/flood.yaml")
python3 - "$XDG_RUNTIME_DIR/drove/$id5.sock" "$T" >"$T/stall.out" <<'PY' &
import os, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
T = sys.argv[2]
def send(t, body=b""):
    s.sendall(struct.pack(">IB", len(body) + 1, t) + body)
send(1, struct.pack(">I", 5) + struct.pack(">I", 0))
send(11)
open(T + "/stalled", "w").close()
# Read nothing until the flood is over.
while not os.path.exists(T + "/flood.over"):
    time.sleep(0.05)
buf, snapshots, passed, texts, done = b"", 0, 0, 0, False
def string(b, o):
    n = struct.unpack(">I", b[o:o + 4])[0]
    return b[o + 4:o + 4 + n], o + 4 + n
def lines(b, o, n):
    # n lines as LINES has them: u16 step, u16 flags, f64 time, u16
    # attempt, u32 line in the log, str text.
    global texts, done
    for _ in range(n):
        text, o = string(b, o + 18)
        texts += 1
        done = done or text == b"flood done"
    return o
s.settimeout(5)
try:
    while not done:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
            n = struct.unpack(">I", buf[:4])[0]
            t, b, buf = buf[4], buf[5:4 + n], buf[4 + n:]
            snapshots += t == 5
            if t == 13:
                lines(b, 4, 1)
            elif t == 18:
                lines(b, 16, struct.unpack(">I", b[12:16])[0])
            elif t == 25:
                # Where the lines that went by are: entries of u64
                # first, u32 count, u32 line, u16 step, u16 attempt,
                # u16 flags, f64 time, str text; then the newest lines.
                passed += 1
                o = 8
                for _ in range(struct.unpack(">I", b[4:8])[0]):
                    _, o = string(b, o + 30)
                lines(b, o + 4, struct.unpack(">I", b[o:o + 4])[0])
except socket.timeout:
    pass
print("snapshots", snapshots, "passed", passed, "text", texts, "done" if done else "not done")
PY
peer=$!
check "the flood runs while a dashboard reads nothing" wait_for 60 grep -q "flood done" "$T/runs6/$id5/01-flood/01-lines.1.log"
check "the server answers meanwhile" quiet "$DROVE" ctl "$id5" status
touch "$T/flood.over"
wait "$peer"
check "the peer that fell behind is sent where the lines are, and the newest" grep -q "snapshots 1 passed [1-9][0-9]* text [0-9]* done" "$T/stall.out"
check "... not the 300,000 lines themselves" test "$(awk '{print $6}' "$T/stall.out")" -lt 30000
check "a settled run ends when its last dashboard goes" wait_for 20 eval '! "$DROVE" ps | grep -q "$id5"'

# --- what is not drove's protocol ------------------------------------------
cat >"$T/idle.yaml" <<YAML
sequences:
  - name: idle
    steps:
      - run: while [ ! -e "$T/go3" ]; do sleep 0.05; done
YAML
id3=$("$DROVE" -d --log-dir "$T/runs3" "$T/idle.yaml")
sock="$XDG_RUNTIME_DIR/drove/$id3.sock"
raw_peer "$sock" version >"$T/raw.out"
check "another version is refused" contains "$T/raw.out" "3 protocol version mismatch: this run's server speaks version 5, the client version 99"
raw_peer "$sock" unknown >"$T/raw.out"
check "an unknown message is refused" contains "$T/raw.out" "3 not drove's protocol: an unknown message type"
raw_peer "$sock" huge >"$T/raw.out"
check "a frame over the limit is refused" contains "$T/raw.out" "3 not drove's protocol: a frame over the size limit"
raw_peer "$sock" first >"$T/raw.out"
check "hello comes first" contains "$T/raw.out" "3 hello first"
check "the server goes on after all that" quiet "$DROVE" ctl "$id3" status

# --- the socket directory must be private ----------------------------------
chmod 755 "$XDG_RUNTIME_DIR/drove"
"$DROVE" -d --log-dir "$T/runs4" "$T/idle.yaml" >"$T/open.out" 2>&1
check "-d refuses a directory open to others" test $? -eq 1
check "and says why" contains "$T/open.out" "open to others (mode 755)"
"$DROVE" ps >"$T/open.out" 2>&1
check "ps does not trust it either" contains "$T/open.out" "no live run"
chmod 700 "$XDG_RUNTIME_DIR/drove"

# --- another user is refused ------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null; then
	user="drove-e2e-$$"
	useradd -M -s /bin/sh "$user"
	O=$(mktemp -d /tmp/drove-other.XXXXXX)
	E2E_CLEANUP="userdel $user 2>/dev/null; rm -rf $O; ${E2E_CLEANUP:-}"
	chmod 755 "$O"
	cp "$DROVE" "$O/drove"
	printf 'sequences:\n  - name: s\n    steps:\n      - run: while [ ! -e %s/go ]; do sleep 0.05; done\n' "$O" >"$O/u.yaml"
	mkdir -m 700 "$O/xdg"
	chown -R "$user" "$O"
	uid=$(runuser -u "$user" -- sh -c "XDG_RUNTIME_DIR=$O/xdg $O/drove -d --log-dir $O/runs $O/u.yaml")
	check "the other user's run starts" test -n "$uid"
	"$DROVE" ctl "$O/xdg/drove/$uid.sock" status >"$T/other.out" 2>&1
	check "root is refused by another user's run" test $? -eq 1
	check "and told why" contains "$T/other.out" "this run belongs to another user"
	check "the refusal is recorded" grep -q '"event":"refused".*refused root (uid 0' "$O/runs/$uid/events.jsonl"
	runuser -u "$user" -- "$O/drove" ctl "$sock" status >"$T/other.out" 2>&1
	check "the other user cannot reach ours" test $? -ne 0
	check "the other user's run is unharmed" quiet runuser -u "$user" -- sh -c "XDG_RUNTIME_DIR=$O/xdg $O/drove ctl $uid status"
	runuser -u "$user" -- sh -c "XDG_RUNTIME_DIR=$O/xdg $O/drove stop $uid >/dev/null"
	check "its server exits when stopped" wait_for 20 eval '[ -z "$(ls "$O/xdg/drove")" ]'
else
	echo "ok - (skipped: another user needs root and useradd)"
fi

# --- a server killed outright ----------------------------------------------
srv3=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$T/runs3/$id3/events.jsonl" | head -1)
kill -KILL "$srv3"
wait_for 20 eval '! pid_alive "$srv3"'
"$DROVE" ctl "$id3" status >"$T/dead.out" 2>&1
check "a dead server's run is over" test $? -eq 1
check "and drove says so, and where to look" contains "$T/dead.out" "the run $id3 is over: its server is gone; 'drove review $id3' shows it"
check "its stale socket is cleared" no_socket

# --- a server that crashes leaves a trace ----------------------------------
id7=$(ulimit -c 0; "$DROVE" -d --log-dir "$T/runs7" "$T/idle.yaml")
# The record names its server once the run has started.
wait_for 20 grep -q '"pid":' "$T/runs7/$id7/events.jsonl"
srv7=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$T/runs7/$id7/events.jsonl" | head -1)
check "a server's stderr is its run directory's, empty while all is well" test -e "$T/runs7/$id7/server.log" -a ! -s "$T/runs7/$id7/server.log"
kill -SEGV "$srv7"
wait_for 20 eval '! pid_alive "$srv7"'
check "a crashed server says so in its run directory" contains "$T/runs7/$id7/server.log" "drove: fatal signal 11, steps killed"
touch "$T/go3"

finish
