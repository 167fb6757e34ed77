#!/usr/bin/env bash
# Fan-out at run time, the binary against the private loopback sshd
# (sshd_lib.sh): a provisioning step prints five host lines (h1..h5, all
# that one sshd), and one sequence per host is made and runs remote steps
# on it; a fan-out of zero; --resume of a run where one of them failed
# (provisioning not repeated, only that host's sequence resumed); --only
# on the names made; logs and the review of such a run; the dashboard in
# tmux, live and attached to a run in the background, whose new panes
# appear once the hosts are known; hosts made while others wait for a
# connection slot (max_connecting 1) each connect once, in turn.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
. "$(dirname "$0")/tui_lib.sh"

sshd_need
sshd_up
cd "$T" || exit 1

# The provisioning prints the hosts once $T/go exists (the dashboard
# test waits on it), and counts its runs in provisioned.
cat >"$T/fan.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs}
host_defaults: {ssh_options: {ConnectTimeout: "10"}}
vars: {count: "5"}
sequences:
  - name: provision
    steps:
      - name: bring up machines
        run: |
          echo up >> "$T/provisioned"
          while [ ! -e "$T/go" ]; do sleep 0.05; done
          i=1
          while [ \$i -le {{count}} ]; do echo "h\$i tags=web"; i=\$((i + 1)); done
        capture: machines
  - name: setup {{host}}
    needs: provision
    hosts: {from: machines}
    steps:
      - remote: echo "on {{host}} as \$DROVE_HOST, index \$DROVE_INDEX" >> "$T/ran-{{host}}"; echo "hello from {{host}}"
      - remote: test ! -e "$T/broken-{{host}}"
      - remote: echo "done {{host}}"
  - name: report
    needs: setup {{host}}
    steps: ['echo all set up']
YAML

# --- five hosts, a sequence each, remote steps on each ----------------------
touch "$T/go"
before=$(sshd_connections)
"$DROVE" --headless fan.yaml >fan.out 2>&1
check "the run succeeds" test $? -eq 0
check "the new sequences are said by name" contains fan.out \
    "setup {{host}} | -- 5 sequences made: setup h1, setup h2, setup h3, setup h4, setup h5 --"
check "each has its prefix and ran on its host" grep -qE "^setup h4 +\| hello from h4$" fan.out
check "DROVE_HOST and DROVE_INDEX are the host's" contains "$T/ran-h3" "on h3 as h3, index 2"
check "the last step ran on each" eval 'for h in 1 2 3 4 5; do grep -q "setup h$h .*| done h$h" fan.out || exit 1; done'
check "what needs the placeholder ran after them all" grep -qE "^report +\| all set up$" fan.out
check "one ssh connection per host" test $(( $(sshd_connections) - before )) -eq 5
check "the summary lists them" grep -qE "^setup h5 +ok +3 " fan.out
ev=runs/latest/events.jsonl
check "the record says the plan grew, and from what" python3 -c '
import json, sys
g = [json.loads(l) for l in open(sys.argv[1]) if "\"grow\"" in l]
assert len(g) == 1, g
g = g[0]
assert g["seq"] == "setup {{host}}" and g["from"] == "machines", g
assert g["first"] == 3 and [s["name"] for s in g["sequences"]] == ["setup h%d" % i for i in range(1, 6)], g
assert g["value"].startswith("h1 tags=web\nh2"), g
' "$ev"
check "each new sequence has its logs" test -s "$(ls runs/latest/06-setup-h3/01-*.1.log)"

check "the summary does not list the placeholder they replaced" \
    lacks <(sed -n '/^SEQUENCE /,$p' fan.out) "setup {{host}}"
check "the summary counts the sequences run" contains fan.out "7 sequences: 7 ok"

# --- logs and review show the grown run -------------------------------------
"$DROVE" logs -c fan.yaml latest >logs.out 2>&1
check "drove logs lists the new sequences" contains logs.out "setup h5"
check "drove logs: the placeholder was replaced" lacks logs.out "setup {{host}}"
"$DROVE" logs -c fan.yaml >list.out 2>&1
check "drove logs: the run counts what ran" grep -q "7 ok, 0 failed, 0 blocked" list.out
"$DROVE" logs -c fan.yaml --json latest >logs.json 2>&1
check "drove logs --json: the new sequences, not the placeholder" python3 -c '
import json, sys
names = [s["name"] for s in json.load(open(sys.argv[1]))["sequences"]]
assert names == ["provision", "report"] + ["setup h%d" % i for i in range(1, 6)], names
' logs.json

# --- --only applies to the names made ---------------------------------------
"$DROVE" --headless --only provision --only 'setup h[24]' fan.yaml >only.out 2>&1
check "--only: the run succeeds" test $? -eq 0
check "--only: the hosts it names run" grep -qE "^setup h4 +\| done h4$" only.out
check "--only: the others are not made" lacks only.out "setup h3"

# --- a fan-out of zero -------------------------------------------------------
"$DROVE" --headless --set count=0 fan.yaml >zero.out 2>&1
check "no hosts is a success" test $? -eq 0
check "said plainly" contains zero.out "'machines' gave no values: setup {{host}} made no sequences, and is done"
check "what needed it ran" grep -qE "^report +\| all set up$" zero.out

# --- one host fails; --resume runs it alone, without provisioning ----------
: >"$T/provisioned"
touch "$T/broken-h3"
rm -f "$T"/ran-h*
"$DROVE" --headless fan.yaml >fail.out 2>&1
check "a failed host fails the run" test $? -eq 1
check "h3 failed at its step 2" grep -qE "^setup h3 +failed +1 +1 " fail.out
rm -f "$T/broken-h3" "$T"/ran-h*
"$DROVE" --headless --resume latest fan.yaml >resume.out 2>&1
check "the resumed run succeeds" test $? -eq 0
check "provisioning is not repeated" test "$(wc -l <"$T/provisioned")" -eq 1
check "it says so" grep -qE "^provision +\| !! done in run" resume.out
check "h3 resumes at its failed step" grep -qE "^setup h3 +\| !! steps 1-1 done in run" resume.out
check "h3's first step did not run again" test ! -e "$T/ran-h3"
check "the others did not run at all" eval '! ls "$T"/ran-h* 2>/dev/null | grep -q .'
check "h3 ran its last step" grep -qE "^setup h3 +\| done h3$" resume.out
check "and what needs them" grep -qE "^report +\| all set up$" resume.out

# --- hosts made while others wait for a connection slot ---------------------
# max_connecting 1: the static hosts' connections are held (their
# ProxyCommand waits for $T/open): the first to start holds the slot, the
# other two wait for it; provisioning prints its four hosts only once the
# slot is held, so they join the queue; then the slot is let go. Each host
# gets exactly one connection, each in its turn.
cat >"$T/relay.py" <<'PY'
# ProxyCommand: once GATE exists, relay stdin and stdout to 127.0.0.1:PORT.
import os, select, socket, sys, time
gate, port = sys.argv[1], int(sys.argv[2])
while not os.path.exists(gate):
    time.sleep(0.05)
s = socket.create_connection(("127.0.0.1", port))
watch = [0, s]
while True:
    r, _, _ = select.select(watch, [], [])
    if 0 in r:
        d = os.read(0, 65536)
        if d:
            s.sendall(d)
        else:
            s.shutdown(socket.SHUT_WR)
            watch.remove(0)
    if s in r:
        d = s.recv(65536)
        if not d:
            break
        sys.stdout.buffer.write(d)
        sys.stdout.buffer.flush()
PY
{ printf 'Host s?\n  ProxyCommand python3 %s %s %s\n' "$T/relay.py" "$T/open" "$SSHD_PORT"
  cat "$SSHD_CONFIG"; } >"$T/slow_ssh_config"
cat >"$T/slots.yaml" <<YAML
settings: {ssh_config: $T/slow_ssh_config, log_dir: sruns, max_connecting: 1}
host_defaults: {ssh_options: {ConnectTimeout: "30"}}
hosts: {s1: {}, s2: {}, s3: {}}
sequences:
  - name: static {{host}}
    hosts: all
    steps: [{remote: 'echo "remote on {{host}}"'}]
  - name: provision
    steps:
      - run: |
          until grep -q "connection to s.: master [s]tarted" "$T/slots.debug" 2>/dev/null; do sleep 0.05; done
          printf 'h1\nh2\nh3\nh4\n'
        capture: machines
  - name: setup {{host}}
    needs: provision
    hosts: {from: machines}
    steps: [{remote: 'echo "remote on {{host}}"'}]
YAML
rm -f "$T/open" "$T/slots.debug"
before=$(sshd_connections)
DROVE_DEBUG="$T/slots.debug" "$DROVE" --headless slots.yaml >slots.out 2>&1 &
pid=$!
check "slots: the hosts made wait for the slot a static one holds" \
    wait_for 60 grep -qs "connection to h4: queued" "$T/slots.debug"
two_static_queued() {
	test "$(grep -c "connection to s[123]: queued" "$T/slots.debug")" -eq 2
}
check "slots: so do the other two static ones" wait_for 60 two_static_queued
check "slots: one connection is being made, no other" eval \
    'test "$(grep -c "master started" "$T/slots.debug")" -eq 1'
touch "$T/open"
wait "$pid"
check "slots: the run succeeds" test $? -eq 0
each_host_ran() {
	local h
	for h in s1 s2 s3 h1 h2 h3 h4; do
		grep -q "| remote on $h\$" slots.out || return 1
	done
}
one_master_each() {
	local h
	for h in s1 s2 s3 h1 h2 h3 h4; do
		test "$(grep -c "connection to $h: master started" \
		    "$T/slots.debug")" -eq 1 || return 1
	done
}
check "slots: every host ran its remote step" each_host_ran
check "slots: exactly one connection per host" one_master_each
check "slots: sshd saw seven connections" \
    test "$(( $(sshd_connections) - before ))" -eq 7
check "slots: never two connecting at once" eval \
    '! grep -qE "master started \(([2-9]|[0-9]{2,}) connecting" "$T/slots.debug"'

# --- the dashboard: the placeholder, then the new panes ---------------------
rm -f "$T/go"
tui_start -x 140 -y 40 fan.yaml
tui_check "the placeholder waits" tui_wait "setup {{host}}"
tui_check "no host pane yet" tui_lacks "setup h1"
touch "$T/go"
tui_check "a pane per host appears" tui_wait "setup h5"
tui_check "and h1's" tui_has "setup h1"
tui_check "they replaced the placeholder's pane" tui_gone "setup {{host}}"
tui_check "every host's sequence ends ok" tui_wait_re "report +ok"
tui_keys q
tui_cleanup

# --- an attached dashboard gets the new panes too ---------------------------
rm -f "$T/go"
id=$("$DROVE" -d fan.yaml)
check "a run in the background" test -n "$id"
tui_start -x 140 -y 40 attach "$id"
tui_check "attach: the placeholder waits" tui_wait "setup {{host}}"
touch "$T/go"
tui_check "attach: a pane per host appears" tui_wait "setup h5"
tui_check "attach: they replaced the placeholder's pane" tui_gone "setup {{host}}"
tui_check "attach: they end ok" tui_wait_re "report +ok"
tui_keys q
tui_cleanup
check "the background run's record says it grew" grep -q '"event":"grow"' "runs/$id/events.jsonl"

# --- the review shows the same panes ---------------------------------------
tui_start -x 140 -y 40 review -c fan.yaml
tui_check "the review shows the grown panes" tui_wait "setup h3"
tui_check "and not the placeholder they replaced" tui_lacks "setup {{host}}"
tui_keys q
finish
