#!/usr/bin/env bash
# A host that cannot be reached is not a command that failed: a connection
# that breaks while a step runs ends it as lost ("connection to HOST
# lost"), not as ssh's exit 255, while a remote command that exits 255 by
# itself stays a failure with exit 255; a host that never connects is
# unreachable. The summary, the record, `drove logs` and the review say
# so. Over the loopback sshd (sshd_lib.sh): the connection is broken by
# killing the server's process for it, or drove's ControlMaster.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"

sshd_need
sshd_up
cd "$T" || exit 1

masters() { pgrep -f -- "ControlMaster=yes.*$T/" ; }
# The server's processes for its connections (a privilege-separated
# session is a child of the listener).
sessions() { pgrep -P "$SSHD_PID"; }
ev() { grep -q -- "$2" "$1/latest/events.jsonl"; }

# The step waits for its file, so that the connection is broken while it
# runs; the second step would need the host again.
cat >lost.yaml <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs}
hosts: {h1: {}}
sequences:
  - name: s
    host: h1
    steps:
      - {name: hang, remote: "echo started; sleep 1000"}
      - {name: after, remote: "echo after"}
YAML

# lost.yaml into OUT until its step runs on the host (check MSG), then
# SIGKILL to what KILLED names (sessions or masters); drove's exit status.
lose() { # OUT MSG KILLED
	local dpid
	"$DROVE" --headless lost.yaml >"$1" 2>&1 &
	dpid=$!
	check "$2" wait_for 20 contains "$1" "s | started"
	# shellcheck disable=SC2046
	kill -KILL $("$3")
	wait $dpid
}

# --- the server's process for the connection dies --------------------------
lose lost.out "the step runs on the host" sessions
rc=$?
check "a lost connection fails the run" test "$rc" -eq 1
check "the step is lost, with its host, not exit 255" \
    grep -qE '^s \| <== step 1/2 hang: lost \(connection to h1 lost, [0-9.]+s\)' lost.out
check "no exit 255 anywhere" lacks lost.out "exit 255"
check "the summary tells it from a failure" grep -qE '^s +unreachable +0 +1 +0 ' lost.out
check "the recap counts it" contains lost.out "1 sequence: 0 ok, 0 failed, 1 unreachable, 0 blocked"
check "the record: status lost, no exit code, the host" \
    ev runs '"event":"step_end".*"status":"lost","exit_code":null,"host":"h1"'
check "the record: the sequence is unreachable" \
    ev runs '"event":"seq_state".*"state":"unreachable"'
"$DROVE" logs --log-dir runs >list.out 2>&1
check "the run list counts it apart" contains list.out "0 ok, 0 failed, 1 unreachable, 0 blocked"
"$DROVE" logs --log-dir runs latest s >seq.out 2>&1
check "drove logs shows the step lost" grep -qE '^ +1 +hang +lost ' seq.out

# --- drove's ControlMaster dies ---------------------------------------------
lose master.out "the step runs again" masters
check "a dead master loses the step's connection" \
    grep -qE '^s \| <== step 1/2 hang: lost \(connection to h1 lost' master.out

# --- a command that exits 255 by itself ---------------------------------------
cat >own.yaml <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs-own}
hosts: {h1: {}, h2: {multiplex: false}}
sequences:
  - name: o
    hosts: all
    steps:
      - {name: own, remote: "exit 255"}
YAML
"$DROVE" --headless own.yaml >own.out 2>&1
check "the command's own 255 is a failure (shared connection)" \
    grep -qE '^o h1 \| <== step 1/1 own: failed \(exit 255,' own.out
check "the command's own 255 is a failure (connection of its own)" \
    grep -qE '^o h2 \| <== step 1/1 own: failed \(exit 255,' own.out
check "its record says exit 255" \
    ev runs-own '"event":"step_end".*"status":"failed","exit_code":255'
check "the summary says failed" grep -qE '^o h1 +failed ' own.out
check "and the recap" contains own.out "2 sequences: 0 ok, 2 failed, 0 blocked"

# --- a host alias that points at a closed port ----------------------------------
cat >down.yaml <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: runs-down}
hosts: {up: {}, down: {port: $(sshd_free_port)}}
sequences:
  - name: d
    hosts: all
    steps:
      - {name: first, remote: "true"}
YAML
"$DROVE" --headless down.yaml >down.out 2>&1
rc=$?
check "an unreachable host fails the run" test "$rc" -eq 1
check "ssh's own words" contains down.out "d down | ssh: connect to host 127.0.0.1 port"
check "the step is unreachable" \
    grep -qE '^d down \| <== step 1/1 first: unreachable \(down unreachable, ' down.out
check "the summary: unreachable, not failed" grep -qE '^d down +unreachable ' down.out
check "the summary: the other host ok" grep -qE '^d up +ok ' down.out
check "the recap" contains down.out "2 sequences: 1 ok, 0 failed, 1 unreachable, 0 blocked"
check "the record: status unreachable, the host" \
    ev runs-down '"event":"step_end".*"status":"unreachable","exit_code":null,"host":"down"'
"$DROVE" logs --log-dir runs-down --json latest >down.json 2>&1
check "drove logs --json: the sequence unreachable" \
    grep -qE '"state": ?"unreachable"' down.json
"$DROVE" logs --log-dir runs-down --junit down.xml latest >/dev/null 2>&1
check "JUnit: an unreachable step is an error, not a failure" grep -q "<error type=\"unreachable\" message=\"down unreachable after 1 attempt\"" down.xml

finish
