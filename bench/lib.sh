# lib.sh: what the benchmarks share, sourced by bench/*.sh from the
# source tree's top: the drove to measure, a scratch directory with the
# line generator, ratios, the 4 x 200,000-line flood, a lock that steps
# wait on, and a tmux server of their own whose 200x50 panes run a
# command under GNU time or the dashboard, whose screen is polled.

# bench_setup BUILD_DIR: $drove (absolute; $DROVE if set), $T (removed on
# exit, with whatever bench_cleanup adds), $gen.
bench_setup() {
	drove=${DROVE:-$(pwd)/$1/drove}
	[ -x "$drove" ] || { echo "build drove first (cmake --build $1)"; exit 1; }
	T=$(mktemp -d)
	trap 'bench_cleanup; rm -rf "$T"' EXIT
	cc -O2 -o "$T/gen" bench/gen.c
	gen=$T/gen
}
bench_cleanup() { :; }

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

# bench_flood [LOG_DIR]: a config of 4 sequences printing 200,000 lines
# of 80 bytes each, on stdout.
bench_flood() {
	[ -n "${1:-}" ] && echo "settings: {log_dir: $1}"
	echo "sequences:"
	for i in 1 2 3 4; do echo "  - {name: g$i, steps: ['$gen 200000']}"; done
}

# bench_tmux: tmx, a tmux of the benchmark's own (killed on exit), and
# its config.
bench_tmux() {
	command -v tmux >/dev/null || { echo "needs tmux"; exit 1; }
	SOCK=drove-bench-$$
	printf 'set -g status off\nset -g default-terminal tmux-256color\n' >"$T/tmux.conf"
	trap 'tmx kill-server 2>/dev/null || true; bench_cleanup; rm -rf "$T"' EXIT
}
tmx() { tmux -u -L "$SOCK" "$@"; }

# in_pane NAME COMMAND: COMMAND in a fresh 200x50 pane under GNU time;
# prints "wall user sys maxrss_kib" once it is done. COMMAND is run by sh
# in double quotes: it may hold single quotes.
in_pane() {
	local name=$1 cmd=$2
	rm -f "$T/$name.time"
	tmx -f "$T/tmux.conf" new-session -d -s "$name" -x 200 -y 50 \
		"cd '$T' && env LANG=C.UTF-8 TERM=tmux-256color /usr/bin/time -f '%e %U %S %M' -o '$T/$name.tmp' sh -c \"$cmd\"; mv '$T/$name.tmp' '$T/$name.time'"
	while [ ! -s "$T/$name.time" ]; do sleep 0.05; done
	tmx kill-session -t "$name" 2>/dev/null || true
	cat "$T/$name.time"
}

# bench_hold: $T/done, and a lock on $T/hold that steps wait on
# (`flock -s $T/hold true`) until bench_release: they sleep, no polling.
bench_hold() {
	command -v flock >/dev/null || { echo "needs flock (util-linux)"; exit 1; }
	mkdir "$T/done"
	exec 9>"$T/hold"
	flock -x 9
}
# bench_printers N LINES: a config of N sequences s1..sN that each print
# LINES lines (seq), mark $T/done/I, then wait on the lock (step hold),
# on stdout.
bench_printers() {
	local i
	echo "settings: {log_dir: $T/runs}"
	echo "sequences:"
	for i in $(seq 1 "$1"); do
		echo "  - {name: s$i, steps: [{name: print, run: 'seq 1 $2; : > $T/done/$i'}, {name: hold, run: 'flock -s $T/hold true'}]}"
	done
}
bench_release() {
	flock -u 9
	exec 9>&-
}

# bench_dashboard NAME YAML [NAME=VALUE...]: drove YAML, with that
# environment, in a 200x50 pane of session NAME; returns once $client
# (the dashboard) and $server (the run's) run. $T/over appears when it
# exits. screen and until_screen read that pane.
bench_dashboard() {
	local name=$1 yaml=$2 p
	shift 2
	BENCH_PANE=$name
	tmx -f "$T/tmux.conf" new-session -d -s "$name" -x 200 -y 50 \
		"cd '$T' && env LANG=C.UTF-8 TERM=tmux-256color $* '$drove' $yaml; touch '$T/over'"
	client="" server=""
	while [ -z "$server" ]; do
		client=$(pgrep -P "$(tmx display -p -t "$name" '#{pane_pid}')" | head -n1 || true)
		# The server is the dashboard's child that is not the keeper.
		[ -n "$client" ] && for p in $(pgrep -P "$client" || true); do
			grep -q keeper "/proc/$p/comm" 2>/dev/null || server=$p
		done
		sleep 0.1
	done
}
screen() { tmx capture-pane -p -t "$BENCH_PANE"; }
# until_screen PATTERN [SECONDS]: poll until the screen matches (30 s at
# most).
until_screen() {
	local i=0
	until screen | grep -qE "$1"; do
		i=$((i + 1))
		[ $i -lt $((${2:-30} * 10)) ] || { echo "not reached: $1"; return 1; }
		sleep 0.1
	done
}
# bench_quit KEYS...: send them to the dashboard, until drove exited.
bench_quit() {
	tmx send-keys -t "$BENCH_PANE" "$@"
	while [ ! -e "$T/over" ]; do sleep 0.1; done
}
