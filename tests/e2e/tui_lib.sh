# tui_lib.sh: drive the dashboard inside a private tmux server, tmux
# regress/ style: start drove in a pane of a fixed size, send keys, and
# poll capture-pane until the screen shows what a test waits for. Never a
# fixed sleep: every wait is a condition with a generous deadline that
# only turns a hang into a failure. Sourced after lib.sh.
#
#   tui_start [-x W] [-y H] ARGS...   drove ARGS in a W x H pane (120x40),
#                                     in a new server (the last one ended)
#   tui_start_stay ARGS...            drove ARGS in a pane whose shell
#                                     stays; tui_exited: until drove exited
#   tui_drove_shell SCRIPT            drove's SHELL is SCRIPT (its own, not
#                                     tmux's)
#   tui_wait TEXT / tui_wait_re RE    until the screen shows it
#   tui_gone TEXT                     until it is no longer shown
#   tui_keys KEY...                   tmux send-keys
#   tui_screen                        the screen, as text (stdout)
#   tui_dead                          drove exited (the pane is dead)
#   tui_quit STATUS NAME              q, drove exits, and check NAME: its
#                                     exit status is STATUS
#   tui_cleanup                       end the tmux server, until it is gone

command -v tmux >/dev/null || { echo "1..0 # SKIP no tmux"; exit 0; }

TUI_DEADLINE=${TUI_DEADLINE:-20}
TUI_SOCK="drove-tui-$$-${RANDOM}"
TUI="tmux -u -L $TUI_SOCK"
E2E_CLEANUP='tui_cleanup'
# The dashboard's colours are part of what is tested.
unset NO_COLOR

# The server ends and is gone. kill-server returns before the server has
# exited: a new-session on the same socket meanwhile reaches the dying
# server and fails with "server exited unexpectedly" (one time in ten on
# a busy machine). So wait for the server's pid, as for any process.
tui_cleanup() {
	local pid
	pid=$($TUI list-sessions -F '#{pid}' 2>/dev/null | head -n 1)
	$TUI kill-server 2>/dev/null
	[ -z "$pid" ] || wait_for "$TUI_DEADLINE" pids_dead "$pid"
}

tui_start() {
	local w=120 h=40
	while [ $# -gt 0 ]; do
		case $1 in
		-x) w=$2; shift 2 ;;
		-y) h=$2; shift 2 ;;
		*) break ;;
		esac
	done
	tui_cleanup
	cat >"$T/tmux.conf" <<-'EOF'
		set -g status off
		set -g remain-on-exit on
		set -g default-terminal tmux-256color
		set -g escape-time 0
	EOF
	# More of tmux.conf, e.g. what lets output reach tmux's buffers.
	[ -n "${TUI_CONF_EXTRA:-}" ] && printf '%s\n' "$TUI_CONF_EXTRA" >>"$T/tmux.conf"
	local args="" a
	for a in "$@"; do
		args="$args '$a'"
	done
	rm -f "$T/exit.status"
	# The shell stays to record the exit status: tmux's pane_dead_status
	# is not always set for a process that exits quickly.
	$TUI -f "$T/tmux.conf" new-session -d -s drove -x "$w" -y "$h" \
		"cd '$T' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color '$DROVE' $args; echo \$? >'$T/exit.status'"
}

# Like tui_start, in the same server, but the pane's shell stays after
# drove exits: what drove prints as it exits can be lost with a pane that
# dies at once (tmux may close the pty before reading it). tui_exited
# says drove is gone (its exit status was written).
tui_start_stay() {
	cat >"$T/tmux.conf" <<-'CONF'
		set -g status off
		set -g default-terminal tmux-256color
		set -g escape-time 0
	CONF
	rm -f "$T/exit.status"
	$TUI -f "$T/tmux.conf" new-session -d -s drove -x 120 -y 40 \
		"cd '$T' && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color '$DROVE' $*; echo \$? >'$T/exit.status'; exec sleep 600"
}
tui_exited() { wait_for "$TUI_DEADLINE" test -s "$T/exit.status"; }

# drove with SHELL set to the script $1 for it alone (tmux starts its
# panes with SHELL): DROVE becomes a wrapper that sets it, REAL_DROVE is
# drove itself.
tui_drove_shell() {
	cat >"$T/drove.sh" <<-EOF
		#!/bin/sh
		SHELL="$1" exec "$DROVE" "\$@"
	EOF
	chmod +x "$1" "$T/drove.sh"
	REAL_DROVE=$DROVE
	DROVE="$T/drove.sh"
}

tui_screen() {
	$TUI capture-pane -p -t drove 2>/dev/null
}

tui_has() {
	tui_screen | grep -qF -- "$1"
}

tui_has_re() {
	tui_screen | grep -qE -- "$1"
}

tui_lacks() {
	! tui_has "$1"
}

tui_wait() {
	wait_for "$TUI_DEADLINE" tui_has "$1"
}

tui_wait_re() {
	wait_for "$TUI_DEADLINE" tui_has_re "$1"
}

tui_gone() {
	wait_for "$TUI_DEADLINE" tui_lacks "$1"
}

tui_keys() {
	$TUI send-keys -t drove "$@"
}

tui_fmt() {
	$TUI display -p -t drove "$1" 2>/dev/null
}

tui_is_dead() {
	[ "$(tui_fmt '#{pane_dead}')" = 1 ]
}

tui_dead() {
	wait_for "$TUI_DEADLINE" tui_is_dead
}

tui_resize() {
	$TUI resize-window -t drove -x "$1" -y "$2"
}

# The pid of drove itself (a child of the pane's shell).
tui_pid() {
	pgrep -P "$(tui_fmt '#{pane_pid}')" | head -n 1
}

# Show the screen when a check failed, to read in the test log.
tui_dump() {
	echo "--- screen ---"
	tui_screen
	echo "--------------"
}

# tui_check NAME COMMAND...: check, and dump the screen on failure.
tui_check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; tui_dump; fi
}

# drove's exit status, once it exited.
tui_exit_status() {
	wait_for "$TUI_DEADLINE" test -s "$T/exit.status"
	cat "$T/exit.status"
}

tui_quit() {
	tui_keys q
	tui_dead
	tui_check "$2" test "$(tui_exit_status)" = "$1"
}
