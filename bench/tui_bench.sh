#!/usr/bin/env bash
# tui_bench.sh: the dashboard's benchmarks (issue #3). Not a test: it
# prints figures and ratios measured in one run on this machine.
#   bench/tui_bench.sh [BUILD_DIR]        (default: build; needs tmux)
#
# 1. Flood: 4 sequences x 200,000 lines in the dashboard, in a 200x50 tmux
#    pane, against the same 4 generators writing straight into a pane of
#    the same size. Target: dashboard <= 0.5x the plain pane.
# 2. Idle: 20 sequences of `sleep 20` in the dashboard: the CPU time drove
#    itself used (from /proc/PID/schedstat, in nanoseconds, sampled until
#    it exits). Target: < 0.02 s.
# 3. Long: one step printing 2,000,000 lines in the dashboard: wall time
#    and peak RSS. Target: < 1 s and < 16 MiB.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_setup "${1:-build}"
bench_tmux

echo "== flood: 4 sequences x 200,000 lines of 80 bytes, 200x50 tmux pane"
bench_flood "$T/runs" >"$T/flood.yaml"
read -r pwall puser psys _ < <(in_pane plain "for i in 1 2 3 4; do $gen 200000 & done; wait")
read -r dwall duser dsys drss < <(in_pane tui "$drove --exit-when-done flood.yaml")
echo "plain pane:  ${pwall}s wall (${puser}s user, ${psys}s sys)"
echo "dashboard:   ${dwall}s wall (${duser}s user, ${dsys}s sys, generators included; peak RSS $((drss / 1024)) MiB)"
echo "dashboard/plain: $(ratio "$dwall" "$pwall")   (target <= 0.5)"
rm -rf "$T/runs"

echo "== idle: 20 sequences of sleep 20"
{
	echo "settings: {log_dir: $T/runs}"
	echo "sequences:"
	for i in $(seq 1 20); do echo "  - {name: s$i, steps: ['sleep 20']}"; done
} >"$T/idle.yaml"
rm -f "$T/idle.done"
tmx -f "$T/tmux.conf" new-session -d -s idle -x 200 -y 50 \
	"cd '$T' && env LANG=C.UTF-8 TERM=tmux-256color '$drove' --exit-when-done idle.yaml; touch '$T/idle.done'"
pid=""
while [ -z "$pid" ]; do
	pid=$(pgrep -P "$(tmx display -p -t idle '#{pane_pid}')" | head -n1 || true)
done
ns=0
while [ -r "/proc/$pid/schedstat" ]; do
	now=$(awk '{print $1}' "/proc/$pid/schedstat" 2>/dev/null || true)
	[ -n "$now" ] && ns=$now
	sleep 0.2
done
while [ ! -e "$T/idle.done" ]; do sleep 0.05; done
tmx kill-session -t idle 2>/dev/null || true
echo "drove CPU over the 20 s run: $(python3 -c "print(f'{$ns/1e9:.4f}')")s   (target < 0.02; sampled every 0.2 s until exit)"
rm -rf "$T/runs"

echo "== long: one step printing 2,000,000 lines"
cat >"$T/long.yaml" <<YAML
settings: {log_dir: $T/runs}
sequences:
  - {name: long, steps: ['$gen 2000000']}
YAML
read -r lwall luser lsys lrss < <(in_pane long "$drove --exit-when-done long.yaml")
echo "dashboard:   ${lwall}s wall (${luser}s user, ${lsys}s sys)   (target < 1 s)"
echo "peak RSS:    $((lrss / 1024)) MiB ($lrss KiB)   (target < 16 MiB)"
