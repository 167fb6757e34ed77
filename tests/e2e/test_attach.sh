#!/usr/bin/env bash
# A run outlives its dashboard: d detaches and drove attach comes back to
# everything; losing the terminal (the tmux server killed: SIGHUP)
# detaches too; two dashboards on one run see each other's actions; the
# record says who acted; a server killed outright leaves no step, and
# attach says the run is over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/long.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: talker
    steps:
      - name: talk
        run: for i in $(seq 1 50); do echo "line $i of talker"; done; echo $$ > talker.pid; exec sleep 1000
  - name: flaky
    steps:
      - name: fails once
        run: test -e flaky.ok || { touch flaky.ok; echo "first try failed"; exit 3; }
        on_failure: pause
      - name: then
        run: echo "flaky went on"
  - name: sleeper
    steps:
      - name: sleep
        run: echo $$ > sleeper.pid; echo "sleeping now"; exec sleep 1000
YAML


run_id() { basename "$(readlink -f "$T/runs/latest")"; }
live() { "$DROVE" ps | grep -q "$(run_id)"; }

# A second dashboard: a session of its own in the same tmux server.
second_start() {
	$TUI new-session -d -s second -x 120 -y 40 \
		"cd '$T' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color '$DROVE' $*; echo \$? >'$T/second.status'"
}
second_has() { $TUI capture-pane -p -t second 2>/dev/null | grep -qF -- "$1"; }

# --- d detaches; drove attach shows everything again ------------------------
tui_start_stay long.yaml
tui_wait "line 50 of talker"
tui_wait "sleeping now"
tui_check "the failure waits for the operator" tui_wait "first try failed"
wait_for 20 test -s "$T/talker.pid" -a -s "$T/sleeper.pid"
tpid=$(cat "$T/talker.pid")
spid=$(cat "$T/sleeper.pid")
id=$(run_id)
tui_keys d
tui_check "d: the dashboard exits" tui_exited
tui_check "d: it says how to come back" tui_wait "detached from run $id: drove attach $id"
check "d: exit status 0" test "$(tui_exit_status)" = 0
check "d: the steps go on" eval "pid_alive $tpid && pid_alive $spid"
check "d: the run is live" live
tui_cleanup

tui_start attach
tui_check "attach: the scrollback is there" tui_wait "line 50 of talker"
tui_check "attach: every pane" tui_wait "sleeping now"
tui_check "attach: the paused failure is focused" tui_wait_re "! flaky +PAUSED +step 1/2 +fails once +exit 3"
tui_check "attach: the pause rings the bell" test "$(tui_fmt '#{window_bell_flag}')" = 1
tui_keys h g
tui_check "attach: the oldest lines are kept" tui_wait "line 1 of talker"
tui_keys G

# --- losing the terminal detaches; attach from a new session, retry there ---
$TUI kill-server
check "SIGHUP: the run goes on" eval "pid_alive $tpid && pid_alive $spid && live"
tui_start attach "$id"
tui_wait "first try failed"
tui_keys r
tui_check "r on the paused step retries it" tui_wait "flaky went on"
tui_check "flaky succeeds" tui_wait_re "✔ flaky +ok 2/2"
check "the record holds the retry, and who took it" \
	grep -q '"event":"retry".*"seq":"flaky".*"by":"'"$(id -un)"' on /dev/' "$T/runs/$id/events.jsonl"

# --- two dashboards at once: an action in one shows in the other -----------
second_start attach "$id"
check "a second dashboard attaches" wait_for 20 second_has "sleeping now"
tui_keys Tab
tui_keys x
tui_check "x kills the step in the first" tui_wait_re "✘ sleeper +failed at step 1/1 +sleep +\(killed\)"
check "the second sees it" wait_for 20 second_has "killed by operator"
check "its process is gone" wait_for 20 eval "! pid_alive $spid"

# q in one stops the run; both dashboards end with its status.
tui_keys q
tui_check "quit asks first" tui_wait_re "[Qq]uit"
tui_keys y
tui_check "q: the run stops" tui_dead
check "q: the talker is gone" wait_for 20 eval "! pid_alive $tpid"
check "q: exit status 1 (a step was killed)" test "$(tui_exit_status)" = 1
check "the second dashboard ends too" wait_for 20 test -s "$T/second.status"
check "with the run's status" test "$(cat "$T/second.status")" = 1
check "the run is over" eval '! live'
tui_cleanup

# --- a server killed outright: no step left, and attach says so -------------
rm -f "$T"/*.pid "$T/flaky.ok"
"$DROVE" -d long.yaml >/dev/null 2>&1 || true
id=""
cd "$T" && id=$("$DROVE" -d long.yaml) && cd - >/dev/null
wait_for 20 test -s "$T/talker.pid" -a -s "$T/sleeper.pid"
tpid=$(cat "$T/talker.pid")
spid=$(cat "$T/sleeper.pid")
srv=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$T/runs/$id/events.jsonl" | head -1)
kill -KILL "$srv"
check "SIGKILL of the server leaves no step" wait_for 20 eval "! pid_alive $tpid && ! pid_alive $spid"
tui_start_stay attach "$id"
tui_check "attach says the run is over" tui_wait "the run $id is over: its server is gone; 'drove review $id' shows what it did"
check "attach exits 1" test "$(tui_exit_status)" = 1

finish
