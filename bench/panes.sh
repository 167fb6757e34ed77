#!/usr/bin/env bash
# panes.sh: the dashboard with many sequences (issue #13). Not a test: it
# prints figures measured in one run on this machine.
#   bench/panes.sh [BUILD_DIR]    (default: build; needs tmux, flock)
#   N=1000 sequences by default, in a 200x50 tmux pane.
# Each sequence prints 2,000 lines, then sleeps (waits on a lock this
# script holds); the last one fails and waits for the operator.
# Figures, from DROVE_DEBUG's frame lines (the CPU time of each frame):
# the most expensive frame while the output arrives, while everything
# sleeps, and for the keys `!` (to the one that waits) and `L` twice (the
# other layout and back; with too many sequences for a grid, L only says
# so); the wall time until each key's effect is on the screen; and the CPU
# time the dashboard and the run's server used over 20 s of sleeping
# steps. Targets: no frame over 5 ms; idle under 0.02 s.
# The sequence that waits is found wherever the layout puts it: the list
# shows it first, the grid in its place (not always in the first column).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
N=${N:-1000}
. bench/lib.sh
bench_setup "$build"
bench_tmux
bench_hold
{
	bench_printers $((N - 1)) 2000
	echo "  - {name: s$N, on_failure: pause, steps: [{name: broken, run: 'echo wrong fs type; exit 3'}]}"
} >"$T/panes.yaml"

echo "== panes: $N sequences in the dashboard, 200x50 tmux pane"
echo "load before: $(uptime | sed 's/.*load average: //')"
bench_dashboard p panes.yaml "DROVE_DEBUG='$T/debug.log'"
# frames FROM: the frames the dashboard logged from line FROM of the
# log: "count, max ms, mean ms".
frames() {
	grep "drove\[$client\]: frame:" "$T/debug.log" | tail -n +"$1" |
		awk '{ms = $4; n++; s += ms; if (ms > m) m = ms} END {printf "%d frames, max %.2f ms, mean %.2f ms", n, m, n ? s / n : 0}'
}
nframes() { grep -c "drove\[$client\]: frame:" "$T/debug.log" || true; }
now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.2f}')"; }

t0=$(now)
while [ "$(find "$T/done" -type f | wc -l)" -lt $((N - 1)) ]; do sleep 0.2; done
echo "output ($((N - 1)) x 2,000 lines) in $(since "$t0")s: $(frames 1)"
until_screen "^(▶$((N - 1)) !1|!1 ▶$((N - 1))) " 60
sleep 2
cpu() {	# the CPU time of pid $1 so far, in ns
	awk '{print $1}' "/proc/$1/schedstat"
}
f=$(($(nframes) + 1))
c0=$(cpu "$client") s0=$(cpu "$server")
sleep 20
c1=$(cpu "$client") s1=$(cpu "$server")
echo "idle 20 s: dashboard $(python3 -c "print(f'{($c1 - $c0) / 1e9:.4f}')")s, server $(python3 -c "print(f'{($s1 - $s0) / 1e9:.4f}')")s of CPU (target < 0.02 together); $(frames "$f")"

# The focused title of the one that waits: the first column of a row, or
# beside a pane separator in the grid.
focused="(^|│)▌! s$N +PAUSED"
# Every key makes a frame that redraws everything ("all redrawn").
full_frames() { grep -c "drove\[$client\]: frame:.*all redrawn" "$T/debug.log" || true; }
until_full_frame() {	# N: poll until more than N such frames were drawn
	local i=0
	until [ "$(full_frames)" -gt "$1" ]; do
		i=$((i + 1)); [ $i -lt 600 ] || { echo "not reached: a frame after the key"; return 1; }
		sleep 0.1
	done
}
f=$(($(nframes) + 1))
t0=$(now)
tmx send-keys -t p '!'
until_screen "$focused" 60 && echo "!: s$N focused in $(since "$t0")s (wall); $(frames "$f")"
f=$(($(nframes) + 1))
t0=$(now)
a=$(full_frames)
tmx send-keys -t p L
until_full_frame "$a"
what="the other layout and back"
screen | grep -q "too many sequences for a grid" && what="too many for a grid: L says so, twice"
a=$(full_frames)
tmx send-keys -t p L
until_full_frame "$a" && until_screen "$focused" 60 &&
	echo "L L: $what in $(since "$t0")s (wall); $(frames "$f")"
echo "all frames: $(frames 1)"
bench_release
tmx send-keys -t p a
until_screen "abort" 60 && tmx send-keys -t p y
until_screen "finished in" 60 && bench_quit q
echo "load after: $(uptime | sed 's/.*load average: //')"
