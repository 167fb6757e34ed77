#!/usr/bin/env bash
# fanout.sh: what a fan-out of 500 sequences from one capture costs a
# running dashboard. Not a test: it prints figures measured in one run on
# this machine.
#   bench/fanout.sh [BUILD_DIR]        (default: build; needs tmux)
#
# The dashboard runs in a 200x50 tmux pane; a first step waits for a file,
# then prints 500 lines, captured; the placeholder grows into 500
# sequences (max_parallel 2: one of them runs `sleep`, the others wait).
# drove's own CPU time (/proc/PID/schedstat, nanoseconds) is read just
# before the file appears and once the growth is recorded and drove has
# gone quiet again: the difference is the capture, the growth (plan,
# engine, record, 500 run directories) and the redraws. The same interval
# with nothing happening is the baseline. Target: < 50 ms.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
case $build in /*) drove=$build/drove ;; *) drove=$(pwd)/$build/drove ;; esac
[ -x "$drove" ] || { echo "build drove first (cmake --build $build)"; exit 1; }
command -v tmux >/dev/null || { echo "needs tmux"; exit 1; }
N=${N:-500}
T=$(mktemp -d)
SOCK=drove-bench-$$
tmx() { tmux -u -L "$SOCK" "$@"; }
trap 'tmx kill-server 2>/dev/null; rm -rf "$T"' EXIT
printf 'set -g status off\nset -g default-terminal tmux-256color\n' >"$T/tmux.conf"

cat >"$T/fan.yaml" <<YAML
settings: {log_dir: $T/runs, max_parallel: 2}
sequences:
  - name: provision
    steps:
      - run: while [ ! -e $T/go ]; do sleep 0.01; done; seq -f 'm%g' 1 $N
        capture: machines
  - name: setup {{m}}
    needs: provision
    matrix: {m: {from: machines}}
    steps: ['sleep 60']
YAML
cpu() { awk '{print $1}' "/proc/$1/schedstat"; }
# Until drove's CPU time stops moving for 0.5 s; prints it.
quiet() {
	local pid=$1 a b
	a=$(cpu "$pid")
	while :; do
		sleep 0.5
		b=$(cpu "$pid")
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$b"
}

tmx -f "$T/tmux.conf" new-session -d -s fan -x 200 -y 50 \
	"cd '$T' && env LANG=C.UTF-8 TERM=tmux-256color '$drove' fan.yaml"
until pid=$(pgrep -f "^$drove fan.yaml" | head -n1) && [ -n "$pid" ] &&
	tmx capture-pane -p -t fan | grep -q 'setup {{m}}'; do sleep 0.05; done
# The baseline: the dashboard waiting, the same kind of interval.
b0=$(quiet "$pid")
b1=$(quiet "$pid")
idle=$((b1 - b0))
before=$(quiet "$pid")
touch "$T/go"
until grep -q '"grow"' "$T"/runs/*/events.jsonl 2>/dev/null; do sleep 0.05; done
after=$(quiet "$pid")
tmx capture-pane -p -t fan >"$T/screen"
grep -q "setup m1" "$T/screen" || { echo "the new panes are not on the screen"; cat "$T/screen"; exit 1; }
made=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if "\"grow\"" in l: print(len(json.loads(l)["sequences"]))' "$T"/runs/*/events.jsonl)
echo "== fan-out: $made sequences from one capture, into a running dashboard (200x50)"
echo "drove CPU for it: $(( (after - before) / 1000000 )) ms   (target < 50 ms)"
echo "baseline (nothing happening, same wait): $(( idle / 1000000 )) ms"
echo "load: $(uptime | sed 's/.*load average: //')"
tmx send-keys -t fan q
sleep 0.2
tmx send-keys -t fan y
