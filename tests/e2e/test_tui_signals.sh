#!/usr/bin/env bash
# The terminal is restored whatever ends the dashboard: Ctrl-C (which
# stops the run: no step survives), SIGTERM and a fatal signal (SIGSEGV),
# which end the dashboard only: the run goes on in its server; and
# --exit-when-done.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

cat >"$T/sig.yaml" <<'YAML'
settings:
  log_dir: runs
  kill_grace: 2s
sequences:
  - name: sleeper
    steps:
      - name: sleep
        run: echo $$ > "sleeper.$DROVE_SEQUENCE.pid"; echo "asleep"; exec sleep 1000
  - name: other
    steps:
      - name: sleep too
        run: echo $$ > "other.pid"; exec sleep 1000
YAML

# restored: the pane left the alternate screen, mouse and keypad off.
restored() {
	[ "$(tui_fmt '#{alternate_on}')" = 0 ] &&
		[ "$(tui_fmt '#{mouse_any_flag}')" = 0 ] &&
		[ "$(tui_fmt '#{keypad_flag}')" = 0 ]
}

# run_until_gone HOW: start, wait for the steps, end drove HOW, check.
run_until_gone() {
	local how=$1 spid opid
	rm -f "$T"/*.pid
	tui_start sig.yaml
	tui_wait "asleep"
	wait_for 10 test -s "$T/other.pid"
	spid=$(cat "$T/sleeper.sleeper.pid")
	opid=$(cat "$T/other.pid")
	case $how in
	ctrl-c) tui_keys C-c ;;
	term) kill -TERM "$(tui_pid)" ;;
	segv) kill -SEGV "$(tui_pid)" ;;
	esac
	tui_check "$how: drove exits" tui_dead
	check "$how: terminal restored" restored
	if [ "$how" != ctrl-c ]; then
		# A dashboard that dies leaves the run alone.
		check "$how: the steps go on" eval "pid_alive $spid && pid_alive $opid"
		check "$how: the run is still live" eval '"$DROVE" ps | grep -q "$(basename "$(readlink -f "$T/runs/latest")")"'
		"$DROVE" stop "$(basename "$(readlink -f "$T/runs/latest")")" >/dev/null
	fi
	check "$how: steps are gone" wait_for 10 eval "! pid_alive $spid && ! pid_alive $opid"
	tui_cleanup
}

run_until_gone ctrl-c
run_until_gone term
run_until_gone segv

# --- --exit-when-done: the dashboard closes when the run settles --------------
cat >"$T/quick.yaml" <<'YAML'
settings:
  log_dir: runs
sequences:
  - name: quick
    steps: [echo quick]
YAML
tui_start --exit-when-done quick.yaml
tui_check "exit-when-done: exits by itself" tui_dead
check "exit-when-done: status 0" test "$(tui_exit_status)" = 0
check "exit-when-done: terminal restored" restored

finish
