#!/usr/bin/env bash
# The binary against a private sshd on loopback (sshd_lib.sh): remote
# steps, copies, one connection per host, a host that is down and then
# comes up, kills that reach the host, no master left behind however drove
# ends, --only and --resume. Host names h1, h2, ... are all that one sshd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"

sshd_need scp
E2E_CLEANUP='[ -n "${LATE_PID:-}" ] && kill $LATE_PID 2>/dev/null'
sshd_up

# Masters, sockets and ssh clients of runs under $T: their command lines
# name the control directory in the run directory.
masters() { pgrep -f -- "ControlMaster=yes.*$T/" ; }
no_masters() { ! masters >/dev/null; }
sockets() { find "$T" -type s -path '*/ssh-*' 2>/dev/null; }
no_sockets() { [ -z "$(sockets)" ]; }
# The newest run directory's events.jsonl under $1.
events() { echo "$1/latest/events.jsonl"; }

cd "$T" || exit 1

# --- remote steps: output, exit codes, env, one connection per host -------
head -c 300000 /dev/urandom >"$T/blob"
cat >"$T/remote.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs}
hosts: {h1: {}, h2: {}, h3: {}}
sequences:
  - name: s
    hosts: all
    env: {NAME: "{{host}}"}
    steps:
      - remote: echo "hello from \$NAME, \$DROVE_SEQUENCE"; echo warn >&2; echo "run \$DROVE_RUN_ID host \$DROVE_HOST index \$DROVE_INDEX dir \${DROVE_RUN_DIR-unset}"
      - remote: for i in 1 2 3 4 5 6 7 8; do echo \$i; done | tail -n1
      - {remote: "true"}
      - {remote: "true"}
      - {remote: "true"}
      - {remote: "true"}
      - {upload: blob, to: "$T/up-{{host}}"}
      - {download: "$T/up-{{host}}", to: "down-{{host}}"}
      - {download: "$T/up-{{host}}", to: "new/dir/down-{{host}}"}
      - remote: for i in 1 2 3 4 5; do echo out\$i; echo err\$i >&2; done
      - remote: exit 4
        on_failure: continue
YAML
before=$(sshd_connections)
"$DROVE" --headless remote.yaml >remote.out 2>&1
rc=$?
check "remote run exits 1 (a step exits 4)" test "$rc" -eq 1
check "remote output comes back" contains remote.out "s h2 | hello from h2, s h2"
check "remote stderr comes back" contains remote.out "s h3 | warn"
rid=$(basename "$(readlink -f runs/latest)")
check "remote steps get DROVE_RUN_ID, DROVE_HOST, DROVE_INDEX, not DROVE_RUN_DIR" \
    contains remote.out "s h3 | run $rid host h3 index 2 dir unset"
check "remote pipeline runs there" contains remote.out "s h1 | 8"
check "remote exit code comes back" grep -qE "^s h1 \| <== step 11/11 exit 4: failed \(exit 4," remote.out
check "one connection per host for 27 sessions" test "$(( $(sshd_connections) - before ))" -eq 3
check "upload arrives byte for byte" cmp -s blob "$T/up-h2"
check "download arrives byte for byte" cmp -s blob "down-h3"
check "download makes the local folders" cmp -s blob "new/dir/down-h2"
check "remote stdout and stderr in write order" test "$(cat runs/latest/01-s-h1/10-*.1.log | tr '\n' ' ')" = \
    "out1 err1 out2 err2 out3 err3 out4 err4 out5 err5 "
check "remote step log holds its output" contains runs/latest/01-s-h1/01-*.1.log "hello from h1"
check "no master after the run" no_masters
check "no control socket after the run" no_sockets
check "no control directory after the run" test -z "$(find runs -name 'ssh-*')"

# --- the step's variables reach the remote command ------------------------
# (The wrapper exports them; when a name is one the shell will not take,
# env sets them all instead: the others still arrive.)
cat >"$T/vars.yaml" <<'YAML'
sequences:
  - name: v
    hosts: all
    steps:
      - remote: echo "plain=$PLAIN"
        env: {PLAIN: "a  b 'c' \"d\" $e"}
      - remote: echo "beside an odd name, plain=$PLAIN"
        env: {ODD-NAME: odd, PLAIN: p}
YAML
printf 'settings: {ssh_config: %s, log_dir: runs-vars}\nhosts: {h1: {}}\n' \
	"$SSHD_CONFIG" | cat - "$T/vars.yaml" >"$T/vars2.yaml"
"$DROVE" --headless vars2.yaml >vars.out 2>&1
check "the variables' run succeeds" test $? -eq 0
check "a value reaches a remote step as it is" \
	contains vars.out "v h1 | plain=a  b 'c' \"d\" \$e"
check "and beside a name that is no shell identifier" \
	contains vars.out "v h1 | beside an odd name, plain=p"

# --- settings.max_connecting: connection attempts at once -----------------
cat >"$T/slots.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs-slots, max_connecting: 2}
hosts: {h1: {}, h2: {}, h3: {}, h4: {}, h5: {}, h6: {}}
sequences:
  - name: s
    hosts: all
    steps:
      - remote: echo on {{host}}
      - {remote: "true"}
YAML
before=$(sshd_connections)
from=$(( $(wc -l <"$SSHD_LOG") + 1 ))
DROVE_DEBUG="$T/slots.debug" "$DROVE" --headless slots.yaml >slots.out 2>&1
rc=$?
check "max_connecting 2, 6 hosts: all finish" test "$rc" -eq 0 -a \
    "$(grep -c '| on h' slots.out)" -eq 6
check "one connection per host" test "$(( $(sshd_connections) - before ))" -eq 6
check "sshd never saw more than 2 connection attempts at once" \
    test "$(sshd_most_unauthenticated "$from")" -le 2
check "drove never had more than 2 masters connecting" \
    test -z "$(grep -E 'master started \(([3-9]|[0-9]{2,}) connecting' "$T/slots.debug")"
# The six start in one pass: two connect, four wait for a slot.
check "the other four wait for a slot" \
    test "$(grep -c 'connection to h[0-9]: queued' "$T/slots.debug")" -eq 4

# --- the master is there while the run is: ssh -O check --------------------
cat >"$T/check.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs2}
hosts: {h1: {}}
sequences:
  - name: c
    host: h1
    steps:
      - remote: "true"
      - run: while [ ! -e $T/go ]; do sleep 0.02; done
        timeout: 30s
YAML
"$DROVE" --headless check.yaml >check.out 2>&1 &
dpid=$!
wait_for 20 sh -c "[ -n \"\$(find '$T/runs2' -type s 2>/dev/null)\" ]"
sock=$(find "$T/runs2" -type s | head -n1)
check "control socket is in the run directory" test -n "$sock"
check "control directory is private" test "$(stat -c %a "$(dirname "$sock")")" = 700
check "ssh -O check finds the master" ssh -F "$SSHD_CONFIG" -o ControlPath="$sock" -O check h1 2>/dev/null
touch "$T/go"
wait $dpid
check "check run exits 0" test $? -eq 0
check "the master is gone with drove" sh -c "! ssh -F '$SSHD_CONFIG' -o ControlPath='$sock' -O check h1 2>/dev/null"

# --- a host that is down fails fast, with ssh's words; a retry gets it -----
late_port=$(sshd_free_port)
printf '[127.0.0.1]:%s %s\n' "$late_port" \
	"$(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")" >>"$SSHD_DIR/known_hosts"
cat >"$T/late.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs3}
hosts: {late: {port: $late_port}}
sequences:
  - name: l
    host: late
    steps:
      - remote: echo up at last
        retries: 600
        retry_delay: 50ms
YAML
"$DROVE" --headless late.yaml >late.out 2>&1 &
dpid=$!
first_fail='"event":"step_end".*"attempt":1,.*"status":"unreachable","exit_code":null'
check "first attempt: the host is unreachable" wait_for 20 grep -q "$first_fail" runs3/latest/events.jsonl 2>/dev/null
check "with ssh's message" grep -q "Connection refused" runs3/latest/01-l/01-echo-up-at-last.1.log
# The machine comes up: a second sshd, same keys, on that port.
"$SSHD_BIN" -D -f "$SSHD_DIR/sshd_config" -o Port="$late_port" \
	-o PidFile="$SSHD_DIR/late.pid" -E "$SSHD_DIR/late.log" &
LATE_PID=$!
wait $dpid
rc=$?
check "a later retry succeeds" test "$rc" -eq 0
check "the retry's output" contains late.out "l | up at last"
kill "$LATE_PID" 2>/dev/null
wait "$LATE_PID" 2>/dev/null
LATE_PID=

cat >"$T/down.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs4}
hosts: {down: {port: 1}}
sequences:
  - {name: d, host: down, steps: [{remote: "true"}]}
YAML
start=$(date +%s)
"$DROVE" --headless down.yaml >down.out 2>&1
rc=$?
check "an unreachable host fails the step" test "$rc" -eq 1
check "fast" test $(( $(date +%s) - start )) -lt 10
check "with ssh's own message" contains down.out "d | ssh: connect to host 127.0.0.1 port 1: Connection refused"
check "unreachable, not ssh's exit 255" contains down.out "unreachable (down unreachable,"

# --- stopping drove stops the remote commands and closes the masters ------
cat >"$T/hang.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs5, kill_grace: 1s}
hosts: {h1: {}, h2: {}}
sequences:
  - name: a
    host: h1
    steps: ['sleep 1000 & echo \$! > $T/lpid; wait']
  - name: r
    hosts: all
    steps:
      - remote: sleep 1000 & echo \$! > $T/rpid-{{host}}; wait
YAML
for how in INT TERM KILL; do
	rm -f "$T"/rpid-* "$T/lpid"
	"$DROVE" --headless hang.yaml >hang.out 2>&1 &
	dpid=$!
	wait_for 20 test -s "$T/rpid-h1" -a -s "$T/rpid-h2" -a -s "$T/lpid"
	check "SIG$how: masters running" test "$(masters | wc -l)" -eq 2
	kill -"$how" $dpid
	wait $dpid 2>/dev/null
	rc=$?
	case $how in
	INT) check "SIGINT exits 130" test $rc -eq 130 ;;
	TERM) check "SIGTERM exits 143" test $rc -eq 143 ;;
	KILL) check "SIGKILL kills drove" test $rc -eq 137 ;;
	esac
	check "SIG$how: remote command on h1 gone" wait_for 20 pids_dead "$(cat "$T/rpid-h1")"
	check "SIG$how: remote command on h2 gone" wait_for 20 pids_dead "$(cat "$T/rpid-h2")"
	# (A local step's background child outlives a drove killed
	# outright: nothing is left to kill its process group.)
	[ "$how" = KILL ] && kill "$(cat "$T/lpid")" 2>/dev/null
	check "SIG$how: local step gone" wait_for 20 pids_dead "$(cat "$T/lpid")"
	# Killed outright, drove cannot ask: the keeper terminates its
	# masters (SIGTERM, SIGKILL after their grace).
	if ! wait_for 20 no_masters; then
		for p in $(masters); do
			ps -o pid,ppid,pgid,stat,args -p "$p" >&2
			grep -E '^(State|PPid|Sig)' "/proc/$p/status" >&2
		done
	fi
	check "SIG$how: no master left" no_masters
	if [ "$how" = KILL ]; then
		# A master removes its socket as it exits on SIGTERM, but not
		# one whose grace ran out (a busy machine): the next reader of
		# the record removes what nobody listens on, and the directory.
		"$DROVE" logs --log-dir runs5 latest >/dev/null 2>&1
		check "SIGKILL: the next logs removes the ssh directory" \
		    test -z "$(find runs5/latest/ -name 'ssh-*')"
	fi
	check "SIG$how: no control socket left" wait_for 20 no_sockets
done

# --- killing a remote step, and its timeout --------------------------------
cat >"$T/kill.yaml" <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs6, kill_grace: 1s}
hosts: {h1: {}}
sequences:
  - name: k
    host: h1
    steps:
      # The timeout counts the connection to h1 too: room for a slow one.
      - remote: trap '' TERM; echo \$\$ > $T/tpid; exec sleep 1000
        timeout: 3s
        on_failure: continue
      - remote: echo after
YAML
"$DROVE" --headless kill.yaml >kill.out 2>&1
check "a timed-out remote step is a timeout" grep -qE "k \| <== step 1/2 .*: timeout" kill.out
check "ended by drove, not by ssh's exit 255" grep -qE "k \| <== step 1/2 .*: timeout \([0-9.]+s\)" kill.out
check "the record says so: no exit code" grep -q '"step_index":0,"attempt":1,.*"status":"timeout","exit_code":null' runs6/latest/events.jsonl
check "the next step runs" contains kill.out "k | after"
check "the timed-out command is gone from the host, SIGTERM or not" wait_for 20 pids_dead "$(cat "$T/tpid")"

# --- --only ----------------------------------------------------------------
cat >"$T/only.yaml" <<YAML
settings: {log_dir: runs7}
sequences:
  - {name: build, steps: ['echo build >> $T/only.log']}
  - name: deploy
    matrix: {h: [web1, web2, db1]}
    needs: build
    steps: ['echo deploy {{h}} >> $T/only.log']
YAML
"$DROVE" --headless --only 'deploy web*' only.yaml >only.out 2>&1
rc=$?
check "--only exits 0" test "$rc" -eq 0
check "--only ran the matches" test "$(sort "$T/only.log" | tr '\n' ' ')" = "deploy web1 deploy web2 "
check "--only shows only them" contains only.out "2 sequences: 2 ok"
"$DROVE" --headless --only build --only 'deploy db1' only.yaml >/dev/null 2>&1
check "--only is repeatable" test "$(tail -n 2 "$T/only.log" | tr '\n' ' ')" = "build deploy db1 "
"$DROVE" --headless --only nothing only.yaml >only2.out 2>&1
check "--only without a match exits 2" test $? -eq 2
check "--only says so" contains only2.out "drove: --only 'nothing' matches no sequence"
"$DROVE" check --only 'deploy d*' only.yaml >only3.out
check "check --only prints the selection" test "$(grep -c '^sequence' only3.out)" -eq 1

# --- --resume --------------------------------------------------------------
cat >"$T/resume.yaml" <<YAML
settings: {log_dir: runs8}
sequences:
  - name: a
    steps:
      - echo a1 >> $T/ran
      - test -e $T/fixed && echo a2 >> $T/ran
      - echo a3 >> $T/ran
  - name: b
    steps: ['echo b1 >> $T/ran']
  - name: c
    needs: a
    steps: ['echo c1 >> $T/ran']
YAML
"$DROVE" --headless resume.yaml >resume1.out 2>&1
check "first run fails" test $? -eq 1
first=$(basename "$(readlink -f runs8/latest)")
check "first run ran a1, b1" test "$(sort "$T/ran" | tr '\n' ' ')" = "a1 b1 "
: >"$T/ran"
touch "$T/fixed"
"$DROVE" --headless --resume "$first" resume.yaml >resume2.out 2>&1
check "resumed run exits 0" test $? -eq 0
check "resumed at the failed step" test "$(cat "$T/ran" | sort | tr '\n' ' ')" = "a2 a3 c1 "
check "resume says so" contains resume2.out "a | !! steps 1-1 done in run $first: resuming at step 2"
check "a succeeded sequence is done" contains resume2.out "b | !! done in run $first: not run again"
check "and counted ok" contains resume2.out "3 sequences: 3 ok"
check "headless: a step not run again says where it was done" \
    contains resume2.out "a | <== step 1/3 echo a1 >> $T/ran: ok in run $first, not run again"
check "logs: the step done before is marked" sh -c "'$DROVE' logs --log-dir runs8 latest a | grep -qE '^ +1  echo a1.* ok +\(done in the run resumed\)'"
"$DROVE" logs --log-dir runs8 latest a 2 >/dev/null
check "logs: the re-run step has its (empty) log" test $? -eq 0
"$DROVE" logs --log-dir runs8 latest a 1 2>resume-log.err
check "logs: asking for the skipped step's output says why" contains resume-log.err "was not run again (--resume)"
: >"$T/ran"
"$DROVE" --headless --resume latest resume.yaml >resume3.out 2>&1
check "resuming the resumed run runs nothing" test $? -eq 0 -a ! -s "$T/ran"
"$DROVE" --headless --resume nosuchrun resume.yaml >resume4.out 2>&1
check "--resume of no run exits 2" test $? -eq 2
check "--resume says why" contains resume4.out "drove: --resume nosuchrun: "

# --- the example that tries remote.yaml on a private sshd -------------------
# What it says at the end is true: the record it points at is still there.
DROVE_TRY_DIR="$T/try" bash "$DROVE_SOURCE_DIR/config/examples/remote-try.sh" \
    --headless >try.out 2>&1
check "remote-try.sh runs the example" test $? -eq 0
try_logs=$(sed -n 's/^logs: //p' try.out)
check "remote-try.sh: the logs path it prints exists once it is done" \
    test -n "$try_logs" -a -s "$try_logs/events.jsonl"
check "remote-try.sh: and drove logs reads it as it says" \
    sh -c "'$DROVE' logs --log-dir '$T/try/runs' latest | grep -q 'deploy web2'"

finish
