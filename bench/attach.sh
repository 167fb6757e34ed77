#!/usr/bin/env bash
# attach.sh: the benchmarks of a run hosted by a server (issue: a run
# outlives its terminal). Not a test: it prints figures and ratios
# measured in one run on this machine.
#   bench/attach.sh [BUILD_DIR [BEFORE_BUILD_DIR]]   (needs tmux, python3)
#
# 1. Attach: a run of 100 sequences holding 10,000 lines each, started
#    with -d; the time from `drove attach` to the first full frame (the
#    newest line of the focused sequence on the screen). Target < 200 ms.
# 2. Throughput: 4 sequences x 200,000 lines in the dashboard (a 200x50
#    tmux pane) and headless, with this build and BEFORE_BUILD_DIR's (the
#    drove before the server existed): within 10%.
# 3. Idle: a run in the background with 20 sleeping steps: the server's
#    CPU time over 20 s (from /proc/PID/schedstat). Target < 0.01 s.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_setup "${1:-build}"
before=${2:+$(cd "$2" && pwd)/drove}
bench_tmux
export XDG_RUNTIME_DIR=$T/xdg
mkdir -m 700 "$XDG_RUNTIME_DIR"
# Runs still live when the benchmark ends are stopped.
bench_cleanup() {
	for s in "$XDG_RUNTIME_DIR"/drove/*.sock; do
		[ ! -e "$s" ] || "$drove" stop "$s" >/dev/null 2>&1 || true
	done
}

echo "== attach: 100 sequences x 10,000 lines of 80 bytes, 200x50 pane"
{
	echo "settings: {log_dir: $T/runs, scrollback: 10000}"
	echo "sequences:"
	for i in $(seq 1 100); do
		echo "  - {name: s$i, steps: ['$gen 10000; touch $T/done.$i; exec sleep 600']}"
	done
} >"$T/big.yaml"
id=$("$drove" -d "$T/big.yaml")
while [ "$(ls "$T" | grep -c '^done\.')" -lt 100 ]; do sleep 0.1; done
# The focused sequence is the first: its newest line is 00009999 qqq...
python3 - "$SOCK" "$T" "$drove" "$id" <<'PY'
import subprocess, sys, time
sock, T, drove, rid = sys.argv[1:]
tmx = ["tmux", "-u", "-L", sock]
subprocess.run(tmx + ["-f", T + "/tmux.conf", "new-session", "-d", "-s", "att",
    "-x", "200", "-y", "50", "sleep 600"], check=True)
def screen():
    return subprocess.run(tmx + ["capture-pane", "-p", "-t", "att"],
        capture_output=True, text=True).stdout
best = None
for attempt in range(3):
    t0 = time.monotonic()
    subprocess.run(tmx + ["respawn-pane", "-k", "-t", "att",
        "cd %s && env LANG=C.UTF-8 TERM=tmux-256color %s attach %s" % (T, drove, rid)], check=True)
    while "00009999 " not in screen():
        pass
    t = time.monotonic() - t0
    best = t if best is None else min(best, t)
    print("attach %d: first full frame after %.0f ms (polling tmux every few ms)" % (attempt + 1, t * 1000))
subprocess.run(tmx + ["kill-session", "-t", "att"])
print("best: %.0f ms   (target < 200 ms)" % (best * 1000))
PY
"$drove" stop "$id" >/dev/null
"$drove" wait "$id" >/dev/null 2>&1 || true

headless() {	# DROVE: wall seconds of the flood, headless to /dev/null
	local s e
	s=$(date +%s.%N)
	"$1" --headless --log-dir "$T/runs" "$T/flood.yaml" >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	python3 -c "print(f'{$e-$s:.2f}')"
	rm -rf "$T/runs"
}

echo "== throughput: 4 sequences x 200,000 lines of 80 bytes"
bench_flood "$T/runs" >"$T/flood.yaml"
for b in "$drove" ${before:+"$before"}; do
	best_d=""; best_h=""
	for i in 1 2 3; do
		read -r w _ _ < <(in_pane flood "$b --exit-when-done flood.yaml")
		rm -rf "$T/runs"
		h=$(headless "$b")
		best_d=$(python3 -c "print(min(float('$w'), float('${best_d:-1e9}')))")
		best_h=$(python3 -c "print(min(float('$h'), float('${best_h:-1e9}')))")
	done
	echo "$b: dashboard ${best_d}s, headless ${best_h}s (best of 3)"
	if [ "$b" = "$drove" ]; then now_d=$best_d; now_h=$best_h; fi
	if [ "$b" = "${before:-}" ]; then was_d=$best_d; was_h=$best_h; fi
done
if [ -n "$before" ]; then
	echo "dashboard now/before: $(ratio "$now_d" "$was_d")   headless now/before: $(ratio "$now_h" "$was_h")   (target <= 1.10)"
fi

echo "== idle: a run in the background, 20 sequences of sleep 20"
{
	echo "settings: {log_dir: $T/runs}"
	echo "sequences:"
	for i in $(seq 1 20); do echo "  - {name: s$i, steps: ['sleep 20']}"; done
} >"$T/idle.yaml"
id=$("$drove" -d "$T/idle.yaml")
pid=$("$drove" ps --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["pid"])')
# From when every step runs (the start's own work is not idling) until the
# steps end, 20 s later.
until "$drove" ctl "$id" status --json 2>/dev/null | python3 -c '
import json, sys
sys.exit(sum(s["state"] == "running" for s in json.load(sys.stdin)["sequences"]) != 20)'; do
	sleep 0.1
done
start=$(awk '{print $1}' "/proc/$pid/schedstat")
t0=$(date +%s.%N)
ns=$start
while [ -r "/proc/$pid/schedstat" ]; do
	now=$(awk '{print $1}' "/proc/$pid/schedstat" 2>/dev/null || true)
	[ -n "$now" ] && ns=$now
	"$drove" ctl "$id" status --json 2>/dev/null | grep -q '"running"' || break
	sleep 0.5
done
t1=$(date +%s.%N)
echo "server CPU while its 20 steps slept: $(python3 -c "print(f'{($ns-$start)/1e9:.4f}s over {$t1-$t0:.1f}s')")   (target < 0.01 s over 20 s; each status query above costs a little)"
