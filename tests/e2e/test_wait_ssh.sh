#!/usr/bin/env bash
# wait_for: {ssh: true}: a host whose sshd starts late is waited for on
# drove's loop, with no process until it answers, then connected to; a
# host that never answers times out, saying why; in the dashboard, what
# the step waits for.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd_lib.sh"
. "$(dirname "$0")/tui_lib.sh"

sshd_need

# The late host's port is chosen now, its server started later on it.
late_port=$(sshd_free_port)
dead_port=$(sshd_free_port)
sshd_free_port() { echo "$late_port"; }
sshd_up
sshd_stop

# A plan, into LOG_DIR: sequence gone waits for the host that never
# answers for at most GONE_TIMEOUT (and would then run GONE_THEN, if
# given); sequence LATE waits for the late host, then echoes SAYS there.
plan() { # LOG_DIR GONE_TIMEOUT LATE SAYS [GONE_THEN]
	cat <<YAML
settings: {ssh_config: $SSHD_CONFIG, log_dir: $1}
hosts:
  late: {address: 127.0.0.1, port: $late_port}
  never: {address: 127.0.0.1, port: $dead_port}
sequences:
  - name: gone
    host: never
    steps:
      - wait_for: {ssh: true}
        timeout: $2
${5:+      - remote: $5}
  - name: $3
    host: late
    steps:
      - wait_for: {ssh: true}
        timeout: 1m
      - remote: echo "$4"
YAML
}

cd "$T" || exit 1
plan runs 1s booting "logged in on the late host" 'echo "never printed"' \
    >"$T/ssh.yaml"
"$DROVE" --headless ssh.yaml >"$T/ssh.out" 2>&1 &
dpid=$!
check "the wait starts" wait_for 20 contains "$T/ssh.out" "booting | ==> step 1/2 wait for ssh"
check "the host that never answers times out" \
	wait_for 20 grep -qE "^gone +\| <== step 1/2 wait for ssh: timeout" "$T/ssh.out"
# drove's processes: itself and, once a step ran, the keeper; no ssh.
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
check "while it waits, no process runs for it" test "$(descendants $dpid | wc -l)" -le 1
check "no ssh runs for it" eval '! pgrep -f -- "-F $SSHD_CONFIG" >/dev/null'
# The same server, keys and port as before, now.
: >"$SSHD_LOG"
"$SSHD_BIN" -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_LOG" &
SSHD_PID=$!
wait $dpid
rc=$?
check "the run fails (one host never answered)" test "$rc" -eq 1
check "once its sshd is up, the wait ends" grep -qE "^booting +\| <== step 1/2 wait for ssh: ok" "$T/ssh.out"
check "and the remote step runs" contains "$T/ssh.out" "booting | logged in on the late host"
check "the other host's step never ran" lacks "$T/ssh.out" "never printed"
check "a probe, then one connection for the wait and the step" \
	test "$(sshd_connections)" -le 3
check "the record says it timed out" \
	grep -qE '"event":"step_end".*"seq":"gone".*"status":"timeout"' "$T/runs/latest/events.jsonl"

# --- the dashboard: what it waits for, why it gave up; a server that ------
# --- answers before it lets anyone in ---------------------------------------
mv "$SSHD_DIR/authorized_keys" "$SSHD_DIR/authorized_keys.later"
plan tuiruns 2s keys "in at last" >"$T/tui.yaml"
tui_start -x 220 -y 30 tui.yaml
tui_check "the pane says what it waits for, and for how long" \
	tui_wait "-- waiting for ssh on never (127.0.0.1:$dead_port), for at most 2s --"
tui_check "and why it gave up" tui_wait "-- timed out after 2s waiting for ssh on never (127.0.0.1:$dead_port) (connection refused) --"
tui_check "the step timed out" tui_wait_re "gone +failed at step 1/1 +wait for ssh +\(timed out\)"
tui_keys Tab
tui_check "a server that does not let us in yet: said once" \
	tui_wait_re "-- ssh to late: not yet \(.*Permission denied"
mv "$SSHD_DIR/authorized_keys.later" "$SSHD_DIR/authorized_keys"
tui_check "then it lets us in" tui_wait "-- ssh to late: connected --"
tui_check "and the remote step runs" tui_wait "in at last"
tui_check "the not-yet was said once" test "$(tui_screen | grep -c 'not yet')" = 1
# q asks first while anything runs: the step that printed may not be over.
tui_check "the run is over" tui_wait "finished in"
tui_keys q
tui_check "drove quits" tui_dead
finish
